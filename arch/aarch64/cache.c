// SPDX-License-Identifier: MIT
/*
 * Cache maintenance after the hypervisor writes guest memory. A guest starts with its MMU and
 * data cache off (arm64 booting.rst), so it reads RAM, not our cache lines: clean them to the
 * point of coherency. Its instruction fetches may hit stale lines too: invalidate the
 * instruction cache on every CPU of the inner-shareable domain. (QEMU does not model caches;
 * real hardware does.)
 */
#include <arch/sysreg.h>
#include <axvm/arch_vm.h>

void arch_guest_mem_written(void *p, size_t len)
{
    /* CTR_EL0.DminLine: log2 of the smallest data cache line, in 4-byte words. */
    uint64_t line = 4ULL << ((sysreg_read(ctr_el0) >> 16) & 0xf);
    uintptr_t a = (uintptr_t)p & ~(line - 1);
    for (uintptr_t end = (uintptr_t)p + len; a < end; a += line)
        __asm__ volatile("dc cvac, %0" ::"r"(a) : "memory");
    dsb_ish();
    __asm__ volatile("ic ialluis" ::: "memory");
    dsb_ish();
    isb();
}
