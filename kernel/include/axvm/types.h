/* SPDX-License-Identifier: MIT */
#ifndef AXVM_TYPES_H
#define AXVM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t paddr_t;

#define KiB(x) ((uint64_t)(x) << 10)
#define MiB(x) ((uint64_t)(x) << 20)
#define GiB(x) ((uint64_t)(x) << 30)

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1UL << PAGE_SHIFT)

#define ALIGN_UP(x, a)   (((x) + ((a)-1)) & ~((__typeof__(x))(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a)-1)) == 0)
#define ARRAY_SIZE(a)    (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)        ((a) < (b) ? (a) : (b))
#define MAX(a, b)        ((a) > (b) ? (a) : (b))

#define NORETURN     __attribute__((noreturn))
#define PRINTF(f, a) __attribute__((format(printf, f, a)))
#define UNUSED       __attribute__((unused))

/* The hypervisor runs on an identity map on every architecture: a physical address is also
 * the address the hypervisor uses to reach it. */
static inline void *phys_to_ptr(paddr_t pa)
{
    return (void *)(uintptr_t)pa;
}

static inline paddr_t ptr_to_phys(const void *p)
{
    return (paddr_t)(uintptr_t)p;
}

#endif
