/* SPDX-License-Identifier: MIT */
#ifndef AXVM_FORMAT_H
#define AXVM_FORMAT_H

/*
 * The hypervisor's own printf formatter, the same on every architecture (x86_64 has no C
 * library). Supports %d %i %u %x %X %o %p %s %c %% with flags '-', '0', ' ', '+', '#', width,
 * precision (also '*'), and length modifiers hh h l ll z t j.
 */

#include <stdarg.h>
#include <axvm/types.h>

/* Like vsnprintf: always NUL-terminates when size > 0, returns the untruncated length. */
int format_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int format_snprintf(char *buf, size_t size, const char *fmt, ...) PRINTF(3, 4);

#endif
