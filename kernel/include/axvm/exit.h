/* SPDX-License-Identifier: MIT */
#ifndef AXVM_EXIT_H
#define AXVM_EXIT_H

/*
 * The one description of a guest exit every architecture decodes its traps into. The core
 * serves MMIO, port I/O, hypercalls and lazy faults in place and hands the rest to the
 * scheduler (halt, CPU on/off, shutdown, reboot, fatal).
 *
 * The guest PC still points at the exiting instruction when arch_vcpu_run returns, and
 * insn_len says how long it is; arch_vcpu_complete(), which the core calls once it has served
 * the exit, steps over exactly that many bytes. A stage-2 fault that the core resolves by backing a
 * lazy page is not completed, so the guest simply retries the access.
 */

#include <axvm/types.h>

enum exit_kind {
    EXIT_NONE,      /* handled inside the architecture (or a spurious exit): just resume */
    EXIT_MMIO,      /* load/store to guest-physical memory with no RAM behind it */
    EXIT_PIO,       /* x86 IN/OUT */
    EXIT_HYPERCALL, /* the axvm hypercall ABI (kernel/include/axvm/hypercall.h) */
    EXIT_HALT,      /* WFI / HLT: nothing to do until an interrupt */
    EXIT_CPU_ON,    /* PSCI CPU_ON / SBI HSM hart_start for another vCPU of this VM */
    EXIT_CPU_OFF,   /* the vCPU turns itself off */
    EXIT_SHUTDOWN,  /* PSCI SYSTEM_OFF, SBI SRST shutdown, ACPI off, ... */
    EXIT_REBOOT,    /* PSCI SYSTEM_RESET, SBI SRST reboot, ... */
    EXIT_FATAL,     /* something the guest cannot be allowed to continue from */
};
#define EXIT_KINDS (EXIT_FATAL + 1) /* how many kinds there are (per-kind counters) */

struct exit_mmio {
    uint64_t gpa;
    unsigned width; /* bytes */
    bool write;
    uint64_t value;   /* for writes: the value stored; for reads: filled in by the core */
    unsigned reg;     /* the register to load (architecture's numbering) */
    bool sign_extend; /* loads that sign-extend into the register */
    /* False when the architecture could not decode the access (no syndrome and an instruction
     * it does not know): fine if the address turns out to be lazy RAM, fatal otherwise. */
    bool decoded;
    bool fetch; /* an instruction fetch, not a load or store */
};

struct exit_pio {
    uint16_t port;
    unsigned width;
    bool write;
    uint64_t value;
};

struct exit_hypercall {
    uint64_t nr;
    uint64_t args[4];
    int64_t ret; /* set by the core */
};

struct exit_cpu_on {
    uint64_t target; /* the vCPU's hardware id as the guest names it (MPIDR, hart id) */
    uint64_t entry;
    uint64_t arg;
    int64_t ret; /* set by the core: 0, or the firmware interface's error */
};

struct vcpu_exit {
    enum exit_kind kind;
    uint64_t pc;       /* guest PC of the instruction that exited */
    unsigned insn_len; /* bytes arch_vcpu_complete steps over (0: the instruction runs again) */
    union {
        struct exit_mmio mmio;
        struct exit_pio pio;
        struct exit_hypercall hcall;
        struct exit_cpu_on cpu_on;
        struct {
            uint64_t addr;    /* guest address involved, if any */
            char reason[128]; /* long enough for every fixed message with its numbers */
        } fatal;
    };
};

/* A fresh exit record for an exit at guest PC 'pc': kind EXIT_NONE, no instruction to step,
 * and the MMIO description (the largest member that decoders fill only in part) cleared. Cheaper
 * than clearing the whole record, fatal reason included, on every exit. */
static inline void exit_init(struct vcpu_exit *e, uint64_t pc)
{
    e->kind = EXIT_NONE;
    e->pc = pc;
    e->insn_len = 0;
    e->mmio = (struct exit_mmio){0};
}

/* Make 'e' a fatal exit: the reason is formatted from 'fmt' with up to two 64-bit values
 * (use %ll conversions). */
void exit_fatal(struct vcpu_exit *e, uint64_t addr, const char *fmt, uint64_t a, uint64_t b);

#endif
