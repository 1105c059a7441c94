/* SPDX-License-Identifier: MIT */
#ifndef AXVM_VERSION_H
#define AXVM_VERSION_H

#define AXVM_VERSION "0.1.0"

/* The build passes the git revision; a build outside git says so. */
#ifndef AXVM_REVISION
#define AXVM_REVISION "unknown"
#endif

#endif
