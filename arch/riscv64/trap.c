// SPDX-License-Identifier: MIT
/*
 * Decoding a trap the hypervisor takes from itself (HS-mode): always fatal, reported through
 * the core's panic lines. Traps from guests (hstatus.SPV = 1) never come here: trap_entry.S
 * sends them to guest_exit, and arch/riscv64/vcpu.c decodes them.
 */
#include <axvm/arch.h>
#include <axvm/format.h>
#include <axvm/panic.h>
#include <axvm/percpu.h>
#include <arch/csr.h>
#include <arch/sbi.h>
#include <arch/trap.h>

/* Synchronous exception codes (Privileged spec, table 8.6, with the H extension's). */
static const char *const exception_names[] = {
    [0] = "instruction address misaligned",
    [1] = "instruction access fault",
    [2] = "illegal instruction",
    [3] = "breakpoint",
    [4] = "load address misaligned",
    [5] = "load access fault",
    [6] = "store/AMO address misaligned",
    [7] = "store/AMO access fault",
    [8] = "environment call from U-mode or VU-mode",
    [9] = "environment call from HS-mode",
    [10] = "environment call from VS-mode",
    [11] = "environment call from M-mode",
    [12] = "instruction page fault",
    [13] = "load page fault",
    [15] = "store/AMO page fault",
    [20] = "instruction guest-page fault",
    [21] = "load guest-page fault",
    [22] = "virtual instruction",
    [23] = "store/AMO guest-page fault",
};

static const char *const interrupt_names[] = {
    [1] = "supervisor software interrupt",        [2] = "virtual supervisor software interrupt",
    [5] = "supervisor timer interrupt",           [6] = "virtual supervisor timer interrupt",
    [9] = "supervisor external interrupt",        [10] = "virtual supervisor external interrupt",
    [12] = "supervisor guest external interrupt",
};

/* Exceptions for which stval holds the faulting virtual address: misaligned, access and page
 * faults, and guest-page faults (which report the guest virtual address; htval has the GPA). */
#define EXCEPTIONS_WITH_ADDRESS                                                                    \
    ((1UL << 0) | (1UL << 1) | (1UL << 4) | (1UL << 5) | (1UL << 6) | (1UL << 7) | (1UL << 12) |   \
     (1UL << 13) | (1UL << 15) | (1UL << 20) | (1UL << 21) | (1UL << 23))

static bool exception_has_address(unsigned long code)
{
    return code < 64 && (EXCEPTIONS_WITH_ADDRESS >> code) & 1;
}

static const char *trap_name(unsigned long scause)
{
    unsigned long code = scause & ~SCAUSE_INTERRUPT;
    const char *name = NULL;
    if (scause & SCAUSE_INTERRUPT) {
        if (code < ARRAY_SIZE(interrupt_names))
            name = interrupt_names[code];
    } else if (code < ARRAY_SIZE(exception_names)) {
        name = exception_names[code];
    }
    return name;
}

static const char *const gpr_names[32] = {
    "zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "s0", "s1", "a0",
    "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
    "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

/* Before kernel_main has set up the console (percpu_init comes right after it) only the
 * firmware's console can say anything. */
static NORETURN void trap_report_early(const char *what, const struct trap_frame *f)
{
    char line[200];
    format_snprintf(line, sizeof(line),
                    "[axvm] error: EXCEPTION during boot: %s\n[axvm]   sepc 0x%016llx stval "
                    "0x%016llx ra 0x%016llx sp 0x%016llx\n",
                    what, (unsigned long long)f->sepc, (unsigned long long)f->stval,
                    (unsigned long long)f->x[1], (unsigned long long)f->x[2]);
    sbi_early_puts(line);
    arch_cpu_halt();
}

static NORETURN void trap_report_fatal(const struct trap_frame *f)
{
    char what[96];
    const char *name = trap_name(f->scause);
    const char *origin = f->hstatus & HSTATUS_SPV ? " from a guest" : "";
    if (name)
        format_snprintf(what, sizeof(what), "%s%s (scause 0x%llx)", name, origin,
                        (unsigned long long)f->scause);
    else
        format_snprintf(what, sizeof(what), "unknown trap%s (scause 0x%llx)", origin,
                        (unsigned long long)f->scause);
    if (percpu_count == 0)
        trap_report_early(what, f);

    panic_begin();
    bool has_addr = !(f->scause & SCAUSE_INTERRUPT) && exception_has_address(f->scause);
    panic_exception_header(what, f->sepc, has_addr, f->stval);

    struct panic_reg regs[31 + 6];
    unsigned n = 0;
    for (unsigned i = 1; i < 32; i++)
        regs[n++] = (struct panic_reg){gpr_names[i], f->x[i]};
    regs[n++] = (struct panic_reg){"sepc", f->sepc};
    regs[n++] = (struct panic_reg){"scause", f->scause};
    regs[n++] = (struct panic_reg){"stval", f->stval};
    regs[n++] = (struct panic_reg){"sstatus", f->sstatus};
    regs[n++] = (struct panic_reg){"hstatus", f->hstatus};
    regs[n++] = (struct panic_reg){"htval", f->htval};
    panic_print_regs(regs, n);

    panic_end();
}

void trap_handle(struct trap_frame *f)
{
    trap_report_fatal(f);
}
