// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <axvm/arch.h>
#include <axvm/console.h>
#include <axvm/format.h>
#include <axvm/log.h>
#include <axvm/panic.h>
#include <axvm/percpu.h>
#include <axvm/spinlock.h>

static volatile int panic_cpu = -1;
static volatile unsigned cpus_halted;

bool panic_in_progress(void)
{
    return panic_cpu >= 0;
}

NORETURN void panic_halt_self(void)
{
    arch_irq_save();
    __atomic_add_fetch(&cpus_halted, 1, __ATOMIC_SEQ_CST);
    arch_cpu_halt();
}

void panic_begin(void)
{
    arch_irq_save();
    struct percpu *self = arch_this_cpu();
    int me = self ? (int)self->index : 0;
    int expected = -1;
    if (!__atomic_compare_exchange_n(&panic_cpu, &expected, me, false, __ATOMIC_SEQ_CST,
                                     __ATOMIC_SEQ_CST)) {
        /* Someone else is already reporting (or we faulted while reporting): stop here. */
        panic_halt_self();
    }
    arch_cpu_kick_all();
    console_claim_for_panic();
}

void panic_exception_header(const char *what, uint64_t pc, bool has_addr, uint64_t addr)
{
    struct percpu *self = arch_this_cpu();
    log_error("EXCEPTION on cpu%u: %s", self ? self->index : 0, what);
    /* A continuation of the line above, so without the "error:" tag. */
    char line[96];
    int len;
    if (has_addr)
        len = format_snprintf(line, sizeof(line), "[axvm]   pc 0x%016llx fault address 0x%016llx\n",
                              (unsigned long long)pc, (unsigned long long)addr);
    else
        len = format_snprintf(line, sizeof(line), "[axvm]   pc 0x%016llx no fault address\n",
                              (unsigned long long)pc);
    console_write(line, (size_t)MIN(len, (int)sizeof(line) - 1));
}

void panic_print_regs(const struct panic_reg *regs, unsigned count)
{
    char line[160];
    for (unsigned i = 0; i < count; i += 4) {
        size_t len = 0;
        len += (size_t)format_snprintf(line, sizeof(line), "[axvm]  ");
        for (unsigned j = i; j < count && j < i + 4; j++)
            len += (size_t)format_snprintf(line + len, sizeof(line) - len, " %4s=%016llx",
                                           regs[j].name, (unsigned long long)regs[j].value);
        len += (size_t)format_snprintf(line + len, sizeof(line) - len, "\n");
        console_write(line, len);
    }
}

NORETURN void panic_end(void)
{
    unsigned others = percpu_online_count();
    others = others ? others - 1 : 0;
    /* Bounded wait: a CPU stuck with interrupts off never answers, and that must not stop
     * the closing line. */
    for (unsigned long i = 0; i < 200000000UL && cpus_halted < others; i++)
        arch_cpu_relax();
    log_error("system halted: %u of %u other CPUs stopped", cpus_halted, others);
    arch_cpu_halt();
}

NORETURN void panic(const char *fmt, ...)
{
    panic_begin();
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    format_vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    struct percpu *self = arch_this_cpu();
    log_error("PANIC on cpu%u: %s", self ? self->index : 0, msg);
    panic_end();
}
