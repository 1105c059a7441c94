// SPDX-License-Identifier: MIT
/*
 * The AArch64 test guest's exception handling (vectors.S saves the registers): synchronous
 * exceptions a check said to expect are recorded and stepped over (or returned from); an SVC
 * from EL0 goes back to the EL1 code that entered EL0 (el0_run); IRQs go through the GICv3 CPU
 * interface to one handler; anything else is reported and the guest shuts down.
 */
#include <axvm/hypercall.h>
#include "../../faults.h"
#include "../../guest.h"
#include "gic.h"
#include "traps.h"

#define INTID_SPURIOUS   1020  /* 1020-1023: no interrupt to acknowledge (IHI 0069 2.2.1) */
#define SPSR_EL1H_MASKED 0x3c5 /* EL1h, DAIF masked */

extern char trap_vectors[];

static volatile bool expecting;
static volatile enum trap_resume resume;
static volatile struct trap_record seen;
static void (*irq_fn)(unsigned intid);
static volatile unsigned spurious;

void trap_init(void)
{
    __asm__ volatile("msr vbar_el1, %0; isb" ::"r"(trap_vectors) : "memory");
}

void trap_expect(enum trap_resume how)
{
    seen.count = 0;
    resume = how;
    __atomic_store_n(&expecting, true, __ATOMIC_SEQ_CST);
}

struct trap_record trap_done(void)
{
    __atomic_store_n(&expecting, false, __ATOMIC_SEQ_CST);
    struct trap_record r = {
        .count = seen.count,
        .vector = seen.vector,
        .cause = seen.cause,
        .addr = seen.addr,
        .pc = seen.pc,
        .state = seen.state,
    };
    return r;
}

void trap_irq_handler(void (*fn)(unsigned intid))
{
    irq_fn = fn;
}

unsigned trap_irq_spurious(void)
{
    return spurious;
}

static void trap_irq(void)
{
    unsigned ack = gic_ack(), intid = ack & 0x3ff;
    if (intid >= INTID_SPURIOUS) {
        spurious++;
        return;
    }
    if (irq_fn)
        irq_fn(intid);
    gic_eoi(ack);
}

static void trap_unexpected(const struct trap_frame *f)
{
    guest_printf("faults: unhandled exception through vector %llu: esr=0x%llx elr=0x%llx "
                 "far=0x%llx spsr=0x%llx\n",
                 (unsigned long long)f->vector, (unsigned long long)f->esr,
                 (unsigned long long)f->elr, (unsigned long long)f->far,
                 (unsigned long long)f->spsr);
    guest_hypercall(AXVM_HC_SHUTDOWN, 0, 0);
    for (;;)
        guest_relax();
}

void guest_trap(struct trap_frame *f)
{
    unsigned kind = (unsigned)f->vector & 3;
    if (kind == VEC_KIND_IRQ) {
        trap_irq();
        return;
    }
    if (f->vector == VEC_LOWER64 + VEC_KIND_SYNC && ESR_EC(f->esr) == EC_SVC64) {
        f->elr = (uintptr_t)el0_return; /* EL0 code is done: back to el0_run's caller */
        f->spsr = SPSR_EL1H_MASKED;
        return;
    }
    if (kind != VEC_KIND_SYNC || !expecting || seen.count)
        trap_unexpected(f);
    seen.vector = (unsigned)f->vector;
    seen.cause = f->esr;
    seen.addr = f->far;
    seen.pc = f->elr;
    seen.state = f->spsr;
    seen.count = 1;
    /* Every A64 instruction is 4 bytes; x30 is the return address of a BLR that went nowhere. */
    f->elr = resume == TRAP_STEP ? f->elr + 4 : f->x[30];
}
