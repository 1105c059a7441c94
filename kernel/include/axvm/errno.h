/* SPDX-License-Identifier: MIT */
#ifndef AXVM_ERRNO_H
#define AXVM_ERRNO_H

/* Error codes of the core: returned negated, the values follow Linux so logs read familiar. */
#define EPERM  1
#define ENOENT 2
#define EIO    5
#define E2BIG  7
#define ENOMEM 12
#define EFAULT 14
#define EBUSY  16
#define EEXIST 17
#define ENODEV 19
#define EINVAL 22
#define ENOSPC 28
#define ERANGE 34
#define ENOSYS 38

#endif
