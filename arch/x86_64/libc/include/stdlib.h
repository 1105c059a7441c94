/* SPDX-License-Identifier: MIT */
#ifndef AXVM_X86_STDLIB_H
#define AXVM_X86_STDLIB_H

/*
 * libfdt's libfdt_env.h includes <stdlib.h> but the parts of libfdt we build call nothing
 * from it; it only needs the header to exist (with size_t and NULL, as C requires).
 */

#include <stddef.h>

#endif
