// SPDX-License-Identifier: MIT
/*
 * The riscv64 test guest's calls into the hypervisor: ECALLs from VS-mode, the SBI (RISC-V SBI
 * specification v1.0: a7 = extension, a6 = function, result a0 = error, a1 = value).
 */
#include <axvm/hypercall.h>
#include "../../guest.h"

#define SBI_EXT_HSM        0x48534DUL
#define SBI_HSM_HART_START 0

extern char guest_secondary_entry[];

struct sbiret {
    long error;
    long value;
};

static struct sbiret ecall(unsigned long eid, unsigned long fid, unsigned long arg0,
                           unsigned long arg1, unsigned long arg2)
{
    register unsigned long a0 __asm__("a0") = arg0;
    register unsigned long a1 __asm__("a1") = arg1;
    register unsigned long a2 __asm__("a2") = arg2;
    register unsigned long a6 __asm__("a6") = fid;
    register unsigned long a7 __asm__("a7") = eid;
    __asm__ volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a2), "r"(a6), "r"(a7) : "memory");
    return (struct sbiret){(long)a0, (long)a1};
}

/* axvm hypercalls: the number in a6, -errno in a0 or the result in a1. */
int64_t guest_hypercall(uint64_t nr, uint64_t a0, uint64_t a1)
{
    struct sbiret r = ecall(AXVM_SBI_EXT, nr, a0, a1, 0);
    return r.error ? r.error : r.value;
}

int64_t guest_cpu_on(uint64_t hwid, uint64_t arg)
{
    return ecall(SBI_EXT_HSM, SBI_HSM_HART_START, hwid, (uintptr_t)guest_secondary_entry, arg)
        .error;
}

uint64_t guest_cycles(void)
{
    uint64_t t;
    __asm__ volatile("rdtime %0" : "=r"(t));
    return t;
}

void guest_relax(void)
{
    /* Zihintpause "pause": a nop where it is not implemented. */
    __asm__ volatile(".insn i 0x0f, 0, x0, x0, 0x010" ::: "memory");
}
