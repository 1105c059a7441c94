// SPDX-License-Identifier: MIT
#include <axvm/arch.h>
#include <axvm/format.h>
#include <axvm/log.h>
#include <axvm/panic.h>
#include <axvm/percpu.h>
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <arch/timer.h>
#include <arch/trap.h>

#define VECTOR_PAGE_FAULT 14
#define EXCEPTION_VECTORS 32

/* Page-fault error code bits (Intel SDM vol. 3 §4.7). */
#define PF_PRESENT (1u << 0)
#define PF_WRITE   (1u << 1)
#define PF_FETCH   (1u << 4)

static const char *const exception_names[EXCEPTION_VECTORS] = {
    [0] = "divide error",
    [1] = "debug exception",
    [2] = "non-maskable interrupt",
    [3] = "breakpoint",
    [4] = "overflow",
    [5] = "bound range exceeded",
    [6] = "invalid opcode",
    [7] = "device not available",
    [8] = "double fault",
    [9] = "coprocessor segment overrun",
    [10] = "invalid TSS",
    [11] = "segment not present",
    [12] = "stack-segment fault",
    [13] = "general protection fault",
    [14] = "page fault",
    [16] = "x87 floating-point error",
    [17] = "alignment check",
    [18] = "machine check",
    [19] = "SIMD floating-point error",
    [20] = "virtualization exception",
    [21] = "control protection exception",
    [28] = "hypervisor injection exception",
    [29] = "VMM communication exception",
    [30] = "security exception",
};

static void trap_describe(const struct trap_frame *f, char *buf, size_t size)
{
    const char *name = exception_names[f->vector];
    if (!name) {
        format_snprintf(buf, size, "reserved exception %llu", (unsigned long long)f->vector);
    } else if (f->vector == VECTOR_PAGE_FAULT) {
        const char *access = f->error & PF_FETCH   ? "instruction fetch"
                             : f->error & PF_WRITE ? "write"
                                                   : "read";
        const char *why =
            f->error & PF_PRESENT ? "violates page protection" : "of an unmapped address";
        format_snprintf(buf, size, "%s (%s %s)", name, access, why);
    } else {
        format_snprintf(buf, size, "%s", name);
    }
}

static NORETURN void trap_fatal(const struct trap_frame *f)
{
    /* CR2 first: nothing below may fault, but a second page fault would overwrite it. */
    uint64_t cr2 = read_cr2();
    char what[96];
    panic_begin();
    trap_describe(f, what, sizeof(what));
    panic_exception_header(what, f->rip, f->vector == VECTOR_PAGE_FAULT, cr2);
    const struct panic_reg regs[] = {
        {"rax", f->rax},     {"rbx", f->rbx},       {"rcx", f->rcx}, {"rdx", f->rdx},
        {"rsi", f->rsi},     {"rdi", f->rdi},       {"rbp", f->rbp}, {"rsp", f->rsp},
        {"r8", f->r8},       {"r9", f->r9},         {"r10", f->r10}, {"r11", f->r11},
        {"r12", f->r12},     {"r13", f->r13},       {"r14", f->r14}, {"r15", f->r15},
        {"rip", f->rip},     {"rflags", f->rflags}, {"cs", f->cs},   {"ss", f->ss},
        {"err", f->error},   {"cr0", read_cr0()},   {"cr2", cr2},    {"cr3", read_cr3()},
        {"cr4", read_cr4()},
    };
    panic_print_regs(regs, ARRAY_SIZE(regs));
    panic_end();
}

void trap_dispatch(struct trap_frame *f)
{
    if (f->vector < EXCEPTION_VECTORS)
        trap_fatal(f);

    switch (f->vector) {
    case VECTOR_KICK:
        /* Nothing to do: waking the CPU from hlt was the point. */
        lapic_eoi();
        return;
    case VECTOR_SLICE:
        lapic_eoi();
        timer_fired();
        return;
    case VECTOR_SPURIOUS:
        /* Spurious interrupts must not be acknowledged (Intel SDM vol. 3 §11.9). */
        return;
    default:
        log_warn("cpu%u: unexpected interrupt, vector %llu", arch_this_cpu()->index,
                 (unsigned long long)f->vector);
        lapic_eoi();
        return;
    }
}
