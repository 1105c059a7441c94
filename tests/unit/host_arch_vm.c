// SPDX-License-Identifier: MIT
/*
 * arch_vm.h on the host: a fake stage-2 format, and vCPUs whose guest is a script (harness.h).
 * Every hook checks the contract the core promises it (arch_vm.h, docs/architecture.md "A vCPU
 * on a pCPU" and "Concurrency") and reports a breach with host_violation.
 */
#include <string.h>
#include <axvm/arch.h>
#include <axvm/arch_vm.h>
#include <axvm/config.h>
#include <axvm/percpu.h>
#include <axvm/vcpu.h>
#include <axvm/vdev.h>
#include <axvm/vm.h>
#include "harness.h"

/* ---- a 3-level fake stage-2 format, 4 KiB pages, 2 MiB and 1 GiB blocks, root of 4
 * concatenated tables (like a 32 GiB IPA space) ----------------------------------------------- */

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

/* ---- which vCPU is on which pCPU, as the architecture sees it ------------------------------- */

static struct vcpu *host_on_cpu[CPU_MAX];

void host_loaded_set(unsigned pcpu, struct vcpu *v)
{
    __atomic_store_n(&host_on_cpu[pcpu], v, __ATOMIC_SEQ_CST);
}

struct vcpu *host_loaded(unsigned pcpu)
{
    return __atomic_load_n(&host_on_cpu[pcpu], __ATOMIC_SEQ_CST);
}

/* The pCPU 'v' is loaded on, or -1. */
static int host_where(const struct vcpu *v)
{
    for (unsigned i = 0; i < CPU_MAX; i++)
        if (host_loaded(i) == v)
            return (int)i;
    return -1;
}

/* Called as the VM's memory goes (aspace_destroy) and when its mappings change: the VM's
 * release must come after every vCPU of it was put (vm_vcpu_stopped). */
void arch_s2_flush(unsigned vmid)
{
    __atomic_add_fetch(&host_s2_flushes, 1, __ATOMIC_SEQ_CST);
    for (unsigned i = 0; i < CPU_MAX; i++) {
        struct vcpu *v = host_loaded(i);
        if (v && v->vm->vmid == vmid && v->vm->releasing)
            host_violation("vm%u vcpu%u: still loaded on pCPU %u while its VM is released",
                           v->vm->id, v->id, i);
    }
}

unsigned arch_vmid_max(void)
{
    return 255;
}

/* ---- vCPUs ---------------------------------------------------------------------------------- */

void arch_vcpu_reset(struct vcpu *v, uint64_t entry, uint64_t arg, paddr_t s2_root, unsigned vmid)
{
    int on = host_where(v);
    if (on >= 0)
        host_violation("vm%u vcpu%u: reset while loaded on pCPU %d", v->vm->id, v->id, on);
    v->arch.entry = entry;
    v->arch.arg = arg;
    v->arch.resets++;
}

void arch_vcpu_load(struct vcpu *v)
{
    unsigned self = arch_this_cpu()->index;
    struct vcpu *there = host_loaded(self);
    int on = host_where(v);
    if (there)
        host_violation("vm%u vcpu%u: loaded on pCPU %u over vm%u vcpu%u, which was not put",
                       v->vm->id, v->id, self, there->vm->id, there->id);
    if (on >= 0)
        host_violation("vm%u vcpu%u: loaded on pCPU %u while still loaded on pCPU %d", v->vm->id,
                       v->id, self, on);
    if (v->pcpu != self)
        host_violation("vm%u vcpu%u: loaded on pCPU %u, pinned to %u", v->vm->id, v->id, self,
                       v->pcpu);
    host_loaded_set(self, v);
    v->arch.loads++;
}

void arch_vcpu_put(struct vcpu *v)
{
    unsigned self = arch_this_cpu()->index;
    if (host_loaded(self) != v)
        host_violation("vm%u vcpu%u: put on pCPU %u, where it is not loaded", v->vm->id, v->id,
                       self);
    host_loaded_set(self, NULL);
    v->arch.puts++;
}

/* Only for the vCPU loaded on the calling pCPU: the setting is the pCPU's (HCR_EL2) on some
 * architectures. */
void arch_vcpu_trap_idle(struct vcpu *v, bool trap)
{
    unsigned self = arch_this_cpu()->index;
    if (host_loaded(self) != v)
        host_violation("vm%u vcpu%u: idle trap set on pCPU %u, where it is not loaded", v->vm->id,
                       v->id, self);
    v->arch.trap_idle = trap;
    v->arch.trap_idle_calls++;
}

/* The guest takes what is pending for it (its timer, a local event) when it runs. */
static void host_take_events(struct vcpu *v)
{
    if (__atomic_exchange_n(&v->arch.event_pending, false, __ATOMIC_SEQ_CST))
        v->arch.irqs_taken++;
    if (v->arch.timer_deadline && v->arch.timer_deadline <= arch_counter_read()) {
        v->arch.timer_deadline = 0;
        v->arch.irqs_taken++;
    }
}

void arch_vcpu_run(struct vcpu *v, struct vcpu_exit *exit)
{
    unsigned self = arch_this_cpu()->index;
    if (host_loaded(self) != v)
        host_violation("vm%u vcpu%u: runs on pCPU %u without being loaded there", v->vm->id, v->id,
                       self);
    if (vcpu_state_get(v) != VCPU_RUNNING)
        host_violation("vm%u vcpu%u: runs in state %d, not RUNNING", v->vm->id, v->id,
                       (int)vcpu_state_get(v));
    host_take_events(v);
    host_script_next(v, exit);
    host_timer_fired();
}

/* Records what the core finished: the PC steps, a read's value, a call's result. */
void arch_vcpu_complete(struct vcpu *v, const struct vcpu_exit *exit)
{
    v->arch.completed++;
    v->arch.stepped += exit->insn_len;
    if (vcpu_state_get(v) != VCPU_RUNNING)
        host_violation("vm%u vcpu%u: exit completed in state %d, not RUNNING", v->vm->id, v->id,
                       (int)vcpu_state_get(v));
    unsigned n = v->arch.read_count;
    switch (exit->kind) {
    case EXIT_MMIO:
        if (!exit->mmio.write && n < ARRAY_SIZE(v->arch.reads))
            v->arch.reads[v->arch.read_count++] = exit->mmio.value;
        break;
    case EXIT_PIO:
        if (!exit->pio.write && n < ARRAY_SIZE(v->arch.reads))
            v->arch.reads[v->arch.read_count++] = exit->pio.value;
        break;
    case EXIT_HYPERCALL:
        v->arch.last_ret = exit->hcall.ret;
        break;
    case EXIT_CPU_ON:
        v->arch.last_ret = exit->cpu_on.ret;
        break;
    default:
        break;
    }
}

/* Accesses to nothing the core handed to the architecture; the fake one just steps over them
 * (the guest "takes its fault" and goes on). */
unsigned host_bad_accesses;

void arch_vcpu_bad_access(struct vcpu *v, struct vcpu_exit *e)
{
    __atomic_add_fetch(&host_bad_accesses, 1, __ATOMIC_SEQ_CST);
    v->arch.stepped += e->insn_len;
}

uint64_t arch_vcpu_hwid(unsigned index)
{
    return index;
}

bool arch_vcpu_event_pending(struct vcpu *v)
{
    if (__atomic_load_n(&v->arch.event_pending, __ATOMIC_SEQ_CST))
        return true;
    return v->arch.timer_deadline && v->arch.timer_deadline <= arch_counter_read();
}

uint64_t arch_vcpu_timer_deadline(struct vcpu *v)
{
    return v->arch.timer_deadline ? v->arch.timer_deadline : ~0ULL;
}

/* Bytes the core reported writing into guest memory (cache maintenance). */
uint64_t host_guest_bytes_written;

void arch_guest_mem_written(void *p, size_t len)
{
    __atomic_add_fetch(&host_guest_bytes_written, len, __ATOMIC_SEQ_CST);
}

/* ---- device tree and devices ---------------------------------------------------------------- */

int arch_vm_fdt_cpus(struct vm *vm, void *fdt)
{
    return 0;
}

int arch_vm_fdt_cpu(struct vcpu *v, void *fdt)
{
    return 0;
}

void (*host_vm_create_hook)(struct vm *vm);

int arch_vm_fdt(struct vm *vm, void *fdt)
{
    if (host_vm_create_hook)
        host_vm_create_hook(vm);
    return 0;
}

const struct vdev_type *arch_vdev_find(const char *name)
{
    return strcmp(name, host_intc_type.name) == 0 ? &host_intc_type : NULL;
}

/* The host machine asks a guest to power off as a device-tree platform does. */
int arch_vm_power_request(struct vm *vm)
{
    return vm_power_irq_raise(vm);
}
