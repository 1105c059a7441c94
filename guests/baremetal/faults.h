/* SPDX-License-Identifier: MIT */
#ifndef GUEST_FAULTS_H
#define GUEST_FAULTS_H

/*
 * The guest-fault checks ("faults" on the command line, faults.c): what a guest sees when it
 * touches an address with no memory or device, stores a byte to an emulated register, reads a
 * counter it may not read, or arms a timer. Each architecture lists its checks in
 * arch/<arch>/faults.c; its exception handler (arch/<arch>/traps.c) records what it caught.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fault_env {
    const void *fdt;
    /* Guest-physical addresses with no memory and no device behind them (the guest runs with
     * an identity map or none, so they are its virtual addresses too): one for the data probes,
     * one in another 64 KiB range for the instruction fetch, each logged once by the
     * hypervisor. */
    uint64_t nowhere_data;
    uint64_t nowhere_code;
    uint64_t counter_hz; /* guest_cycles() ticks per second */
};

/* One check: true when the guest saw what the hardware gives, with what it saw in 'detail'
 * (or what differed). */
struct fault_check {
    const char *name;
    bool (*run)(const struct fault_env *env, char *detail, size_t size);
};

/* This architecture's checks (arch/<arch>/faults.c), ended by an entry with no name. */
extern const struct fault_check fault_checks[];

/* Runs every check, printing "faults: <name> ok: <detail>" or "faults: <name> FAILED: ...",
 * then "faults: all N checks ok" or "faults: FAILED ...". */
void faults_run(const void *fdt, uint64_t counter_hz);

/* What the guest's own exception handler saw of the exception it was told to expect. */
struct trap_record {
    unsigned count;  /* exceptions taken since trap_expect */
    unsigned vector; /* AArch64: the vector table entry (0-15); RISC-V: 0 */
    uint64_t cause;  /* ESR_EL1 / scause */
    uint64_t addr;   /* FAR_EL1 / stval */
    uint64_t pc;     /* ELR_EL1 / sepc: where it happened */
    uint64_t state;  /* SPSR_EL1 / sstatus: what the guest was doing */
};

/* Where the handler resumes after an expected exception: past the faulting instruction, or
 * at the return address in the link register (x30 / ra: for a call that jumped nowhere). */
enum trap_resume { TRAP_STEP, TRAP_RETURN };

/* Install this guest's exception vectors (once; later calls do nothing). */
void trap_init(void);
/* The next synchronous exception is expected: record it and resume as 'how' says. Any
 * other is reported as unhandled and the guest shuts down. */
void trap_expect(enum trap_resume how);
/* What was caught since trap_expect (count 0: nothing), and stop expecting. */
struct trap_record trap_done(void);

#endif
