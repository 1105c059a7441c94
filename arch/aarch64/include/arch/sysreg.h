/* SPDX-License-Identifier: MIT */
#ifndef ARCH_SYSREG_H
#define ARCH_SYSREG_H

#include <axvm/types.h>

#define sysreg_read(reg)                                                                           \
    ({                                                                                             \
        uint64_t v_;                                                                               \
        __asm__ volatile("mrs %0, " #reg : "=r"(v_));                                              \
        v_;                                                                                        \
    })

#define sysreg_write(reg, v)                                                                       \
    do {                                                                                           \
        uint64_t v_ = (uint64_t)(v);                                                               \
        __asm__ volatile("msr " #reg ", %0" ::"r"(v_));                                            \
    } while (0)

static inline void isb(void)
{
    __asm__ volatile("isb" ::: "memory");
}

static inline void dsb_sy(void)
{
    __asm__ volatile("dsb sy" ::: "memory");
}

static inline void dsb_ish(void)
{
    __asm__ volatile("dsb ish" ::: "memory");
}

/* MPIDR_EL1 affinity fields Aff3..Aff0: the hardware id the DT "reg" of a cpu node holds. */
#define MPIDR_HWID_MASK 0xff00ffffffULL

#endif
