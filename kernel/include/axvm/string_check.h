/* SPDX-License-Identifier: MIT */
#ifndef AXVM_STRING_CHECK_H
#define AXVM_STRING_CHECK_H

/*
 * An exhaustive check of memset, memcpy, memmove and memcmp: every size up to 130 bytes and
 * sizes around the 256-byte and 4 KiB boundaries, every source and destination alignment
 * within 16 bytes (and more for memset, whose block-zeroing path depends on the cache-block
 * alignment), overlaps in both directions for memmove, and bytes around each destination that
 * must stay untouched. The hypervisor runs it on its own routines ("selftest=string"); the host
 * unit tests run it on the architectures' C routines and on deliberately broken ones.
 */

#include <axvm/types.h>

struct string_ops {
    void *(*memset)(void *dst, int c, size_t n);
    void *(*memcpy)(void *dst, const void *src, size_t n);
    void *(*memmove)(void *dst, const void *src, size_t n);
    int (*memcmp)(const void *a, const void *b, size_t n);
};

/* Number of failed cases (0: all passed; it stops after the size that first fails), the
 * first failure described in 'why'. */
unsigned string_check(const struct string_ops *ops, char *why, size_t why_size);

#endif
