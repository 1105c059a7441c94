// SPDX-License-Identifier: MIT
/*
 * The timer interrupt for timerbench.c: the supervisor timer, programmed through the SBI TIME
 * extension (OpenSBI on bare QEMU, the hypervisor's SBI under axvm) against the time CSR that
 * guest_cycles reads, taken through stvec (traps.c) as interrupt cause 5.
 */
#include "../../faults.h"
#include "../../guest.h"
#include "traps.h"

#define SBI_EXT_TIME 0x54494d45UL
#define SIE_STIE     (1UL << 5)
#define SSTATUS_SIE  (1UL << 1)

static void sbi_set_timer(uint64_t deadline)
{
    register uint64_t a0 __asm__("a0") = deadline;
    register uint64_t a6 __asm__("a6") = 0;
    register uint64_t a7 __asm__("a7") = SBI_EXT_TIME;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a6), "r"(a7) : "a1", "memory");
}

static void stimer_irq(void)
{
    uint64_t now = guest_cycles();
    sbi_set_timer(~0ULL); /* no deadline: its pending bit drops */
    timerbench_irq(now);
}

bool guest_timer_init(const void *fdt)
{
    (void)fdt; /* the timer is the CPU's own */
    trap_init();
    trap_timer_handler(stimer_irq);
    __asm__ volatile("csrs sie, %0" ::"r"(SIE_STIE) : "memory");
    return true;
}

void guest_timer_arm(uint64_t deadline)
{
    sbi_set_timer(deadline);
}

/* WFI wakes on a pending, enabled interrupt even with sstatus.SIE clear; the interrupt is taken
 * once SIE is set, and SIE is cleared again before anything else. */
void guest_timer_wait(void)
{
    __asm__ volatile("wfi; csrs sstatus, %0; csrc sstatus, %0" ::"r"(SSTATUS_SIE) : "memory");
}
