// SPDX-License-Identifier: MIT
/* The arch interface on the host: enough for the core to link and run in unit tests. */
#include <stdio.h>
#include <stdlib.h>
#include <sched.h>
#include <time.h>
#include <axvm/arch.h>
#include <axvm/percpu.h>

const char arch_name[] = "host";

struct percpu *arch_this_cpu(void)
{
    return &percpu_table[0];
}

void arch_cpu_relax(void)
{
    /* Threads may outnumber cores: let the ticket holder run. */
    sched_yield();
}

void arch_wait_for_event(void) {}

void arch_cpu_kick_all(void) {}

unsigned long arch_irq_save(void)
{
    return 0;
}

void arch_irq_restore(unsigned long flags) {}

int arch_cpu_start(struct percpu *cpu, uint64_t hwid, void *stack_top)
{
    return -1;
}

void arch_cpu_halt(void)
{
    fprintf(stderr, "arch_cpu_halt called in a unit test\n");
    abort();
}

void arch_system_off(void)
{
    exit(0);
}

uint64_t arch_counter_read(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t arch_counter_freq(void)
{
    return 1000000000ULL;
}

uintptr_t arch_fault_probe_address(void)
{
    return 0;
}
