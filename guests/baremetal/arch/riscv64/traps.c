// SPDX-License-Identifier: MIT
/*
 * The riscv64 test guest's trap handling (vectors.S saves the registers): the trap a check
 * said to expect is recorded and stepped over (or returned from), an ECALL from U-mode goes
 * back to the S-mode code that entered U-mode (user_run), a supervisor external interrupt goes
 * to the handler irq.c installs, a supervisor timer interrupt to timer_irq.c's (timerbench),
 * anything else is reported and the guest shuts down.
 */
#include <axvm/hypercall.h>
#include "../../faults.h"
#include "../../guest.h"
#include "traps.h"

#define SCAUSE_ECALL_U   8
#define SCAUSE_INTERRUPT (1ULL << 63)
#define SCAUSE_EXTERNAL  (SCAUSE_INTERRUPT | 9) /* supervisor external interrupt */
#define SCAUSE_TIMER     (SCAUSE_INTERRUPT | 5) /* supervisor timer interrupt */
#define REG_RA           1

extern char trap_entry[];

static volatile bool expecting;
static volatile enum trap_resume resume;
static volatile struct trap_record seen;
static void (*external_fn)(void);
static void (*timer_fn)(void);

void trap_init(void)
{
    __asm__ volatile("csrw stvec, %0" ::"r"(trap_entry) : "memory"); /* direct mode */
}

void trap_irq_handler(void (*fn)(void))
{
    external_fn = fn;
}

void trap_timer_handler(void (*fn)(void))
{
    timer_fn = fn;
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
        .cause = seen.cause,
        .addr = seen.addr,
        .pc = seen.pc,
        .state = seen.state,
    };
    return r;
}

/* 2 bytes for a compressed instruction (low bits not 11), else 4 (Unprivileged spec 1.5). */
static uint64_t insn_len(uint64_t pc)
{
    return (*(volatile uint16_t *)(uintptr_t)pc & 3) == 3 ? 4 : 2;
}

static void trap_unexpected(const struct trap_frame *f)
{
    guest_printf("faults: unhandled exception: scause=0x%llx stval=0x%llx sepc=0x%llx "
                 "sstatus=0x%llx\n",
                 (unsigned long long)f->scause, (unsigned long long)f->stval,
                 (unsigned long long)f->sepc, (unsigned long long)f->sstatus);
    guest_hypercall(AXVM_HC_SHUTDOWN, 0, 0);
    for (;;)
        guest_relax();
}

void guest_trap(struct trap_frame *f)
{
    bool from_user = !(f->sstatus & SSTATUS_SPP);
    if (f->scause == SCAUSE_TIMER && timer_fn) {
        timer_fn();
        return;
    }
    if (f->scause == SCAUSE_EXTERNAL && external_fn) {
        external_fn();
        return;
    }
    if (from_user && f->scause == SCAUSE_ECALL_U) {
        f->sepc = (uintptr_t)user_return;
        f->sstatus |= SSTATUS_SPP;
        return;
    }
    if (!expecting || seen.count)
        trap_unexpected(f);
    seen.cause = f->scause;
    seen.addr = f->stval;
    seen.pc = f->sepc;
    seen.state = f->sstatus;
    seen.count = 1;
    f->sepc = resume == TRAP_STEP ? f->sepc + insn_len(f->sepc) : f->x[REG_RA];
}
