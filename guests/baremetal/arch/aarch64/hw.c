// SPDX-License-Identifier: MIT
/* The AArch64 test guest's calls into the hypervisor: HVC for hypercalls and PSCI. */
#include <axvm/hypercall.h>
#include "../../guest.h"

#define PSCI_CPU_ON_64 0xc4000003UL

extern char guest_secondary_entry[];

static int64_t hvc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
    register uint64_t x0 __asm__("x0") = fid;
    register uint64_t x1 __asm__("x1") = a1;
    register uint64_t x2 __asm__("x2") = a2;
    register uint64_t x3 __asm__("x3") = a3;
    __asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)::"memory");
    return (int64_t)x0;
}

int64_t guest_hypercall(uint64_t nr, uint64_t a0, uint64_t a1)
{
    return hvc(AXVM_HC_BASE_ARM + nr, a0, a1, 0);
}

int64_t guest_cpu_on(uint64_t hwid, uint64_t arg)
{
    return hvc(PSCI_CPU_ON_64, hwid, (uintptr_t)guest_secondary_entry, arg);
}

uint64_t guest_cycles(void)
{
    uint64_t v;
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
    return v;
}

uint64_t guest_counter_freq(void)
{
    uint64_t v;
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
    return v;
}

void guest_relax(void)
{
    __asm__ volatile("yield" ::: "memory");
}
