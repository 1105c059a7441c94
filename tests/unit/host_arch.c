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

/* Tests move the clock forward by this much (ns) to see what a timeout does. */
uint64_t host_counter_skew;

uint64_t arch_counter_read(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec + host_counter_skew;
}

uint64_t arch_counter_freq(void)
{
    return 1000000000ULL;
}

uintptr_t arch_fault_probe_address(void)
{
    return 0;
}

/* ---- arch_vm.h on the host: a 3-level fake stage-2 format, 4 KiB pages, 2 MiB and 1 GiB
 * blocks, root of 4 concatenated tables (like a 32 GiB IPA space). ---------------------------- */
#include <axvm/arch_vm.h>
#include <axvm/config.h>
#include <axvm/vcpu.h>

#define FAKE_VALID   0x1ULL
#define FAKE_TABLE   0x2ULL
#define FAKE_PROT(p) ((uint64_t)(p) << 4)

static uint64_t fake_leaf(paddr_t pa, unsigned level, bool last, unsigned prot)
{
    return pa | FAKE_VALID | FAKE_PROT(prot);
}

static uint64_t fake_table(paddr_t t)
{
    return t | FAKE_VALID | FAKE_TABLE;
}

static bool fake_valid(uint64_t e)
{
    return e & FAKE_VALID;
}

static bool fake_is_table(uint64_t e, unsigned level, bool last)
{
    return !last && (e & FAKE_TABLE);
}

static paddr_t fake_addr(uint64_t e)
{
    return e & ~0xfffULL;
}

static unsigned fake_prot(uint64_t e)
{
    return (unsigned)((e >> 4) & 0xf);
}

const struct pt_format host_s2_format = {
    .levels = 3,
    .root_index_bits = 11,
    .index_bits = 9,
    .block_min_level = 0,
    .pte_leaf = fake_leaf,
    .pte_table = fake_table,
    .pte_valid = fake_valid,
    .pte_is_table = fake_is_table,
    .pte_addr = fake_addr,
    .pte_prot = fake_prot,
};

unsigned host_s2_flushes;

int arch_virt_cpu_init(void)
{
    return 0;
}

const struct pt_format *arch_s2_format(void)
{
    return &host_s2_format;
}

void arch_s2_flush(unsigned vmid)
{
    host_s2_flushes++;
}

unsigned arch_vmid_max(void)
{
    return 255;
}

void arch_vcpu_reset(struct vcpu *v, uint64_t entry, uint64_t arg, paddr_t s2_root, unsigned vmid)
{
    v->arch.entry = entry;
    v->arch.arg = arg;
}

void arch_vcpu_run(struct vcpu *v, struct vcpu_exit *exit)
{
    exit->kind = EXIT_SHUTDOWN;
}

void arch_vcpu_complete(struct vcpu *v, const struct vcpu_exit *exit)
{
    v->arch.completed++;
}

uint64_t arch_vcpu_hwid(unsigned index)
{
    return index;
}

int arch_vm_fdt_cpus(struct vm *vm, void *fdt)
{
    return 0;
}

int arch_vm_fdt_cpu(struct vcpu *v, void *fdt)
{
    return 0;
}

int arch_vm_fdt(struct vm *vm, void *fdt)
{
    return 0;
}

void arch_cpu_kick(unsigned pcpu) {}

/* No VMs are packed into the unit-test binary. */
const struct vm_config vm_configs[1];
const unsigned vm_config_count = 0;
