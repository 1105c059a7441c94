// SPDX-License-Identifier: MIT
/*
 * What one vCPU asks of the others through the SBI: IPIs (chapter 6) and remote fences
 * (RFENCE, chapter 8), which SMP guests such as Linux need for reschedules and TLB shootdowns.
 *
 * A request is a bit in the target's arch_vcpu: a VS-level interrupt to add to hvip, or a
 * fence to run on the target's hart. The target picks them up before its next entry
 * (vcpu_remote_serve), and the requester kicks the target's pCPU so that a running target comes
 * out at once. Remote fences are synchronous (the caller may free the page tables right after),
 * so the requester waits until every running target has done its fence, serving its own
 * requests meanwhile: two vCPUs fencing each other must not wait on each other forever.
 */
#include <arch/csr.h>
#include <arch/sbi.h>
#include <arch/vcpu_exit.h>
#include <axvm/arch.h>
#include <axvm/arch_vm.h>
#include <axvm/percpu.h>
#include <axvm/sched.h>
#include <axvm/vm.h>
#include "sbi_decode.h"

#define SBI_RFENCE_REMOTE_FENCE_I         0
#define SBI_RFENCE_REMOTE_SFENCE_VMA      1
#define SBI_RFENCE_REMOTE_SFENCE_VMA_ASID 2

_Static_assert(VM_MAX_VCPUS <= 32, "target sets are 32-bit masks");

/* The vCPUs named by (hart_mask, hart_mask_base) (3.1), as a mask of vCPU indices: a vCPU's
 * hart id is its index (arch_vcpu_hwid). False if a hart id names no vCPU of this VM. */
static bool targets_get(struct vcpu *v, unsigned long mask, unsigned long base, uint32_t *out)
{
    return riscv_sbi_hart_mask(mask, base, v->vm->vcpu_count, out) == SBI_SUCCESS;
}

/* Make a target see its new request now, wherever it is. */
static void target_notify(struct vcpu *t)
{
    sched_wake(t);
}

static void fences_run(unsigned fences)
{
    /* HFENCE.VVMA acts on the VMID in hgatp: the guest's, on this hart (8.3.2). One full flush
     * stands for any address or ASID range the guest named. */
    if (fences & VCPU_FENCE_VVMA)
        __asm__ volatile(".option push\n.option arch, +h\nhfence.vvma\n.option pop" ::: "memory");
    if (fences & VCPU_FENCE_I)
        __asm__ volatile("fence.i" ::: "memory");
}

void vcpu_remote_serve(struct vcpu *v)
{
    uint64_t irqs = __atomic_exchange_n(&v->arch.pending_hvip, 0, __ATOMIC_ACQUIRE);
    if (irqs)
        csr_set(hvip, irqs);
    unsigned fences = __atomic_load_n(&v->arch.pending_fence, __ATOMIC_ACQUIRE);
    if (fences) {
        fences_run(fences);
        /* Only now: the requester waits for these bits to clear. */
        __atomic_and_fetch(&v->arch.pending_fence, ~fences, __ATOMIC_RELEASE);
    }
}

long vcpu_sbi_ipi(struct vcpu *v, unsigned long mask, unsigned long base)
{
    uint32_t targets;
    if (!targets_get(v, mask, base, &targets))
        return SBI_ERR_INVALID_PARAM;
    for (unsigned i = 0; i < v->vm->vcpu_count; i++)
        if ((targets >> i) & 1)
            vcpu_ipi_raise(&v->vm->vcpus[i]);
    return SBI_SUCCESS;
}

void vcpu_ipi_raise(struct vcpu *t)
{
    /* The guest's supervisor software interrupt is VSSIP (8.2.4); the target's hart adds it to
     * hvip before its next entry. Sequentially consistent: sched_wake's rule. */
    __atomic_or_fetch(&t->arch.pending_hvip, HIP_VSSIP, __ATOMIC_SEQ_CST);
    if (arch_this_cpu()->vcpu_loaded != t)
        target_notify(t);
}

/* Wait for a target to run its fences, unless it cannot: not in guest mode now (it fences
 * before entering), sharing this pCPU, or its VM stopping. */
static void target_wait(struct vcpu *v, struct vcpu *t, unsigned fences)
{
    unsigned self = arch_this_cpu()->index;
    while ((__atomic_load_n(&t->arch.pending_fence, __ATOMIC_ACQUIRE) & fences) &&
           vcpu_state_get(t) == VCPU_RUNNING && t->pcpu != self &&
           vm_state_get(v->vm) == VM_RUNNING) {
        vcpu_remote_serve(v);
        arch_cpu_relax();
    }
}

long vcpu_sbi_rfence(struct vcpu *v, unsigned long fid, unsigned long mask, unsigned long base)
{
    unsigned fences;
    switch (fid) {
    case SBI_RFENCE_REMOTE_FENCE_I:
        fences = VCPU_FENCE_I;
        break;
    case SBI_RFENCE_REMOTE_SFENCE_VMA:
    case SBI_RFENCE_REMOTE_SFENCE_VMA_ASID:
        fences = VCPU_FENCE_VVMA;
        break;
    default:
        /* The HFENCE functions are for guests that are hypervisors themselves. */
        return SBI_ERR_NOT_SUPPORTED;
    }
    uint32_t targets;
    if (!targets_get(v, mask, base, &targets))
        return SBI_ERR_INVALID_PARAM;
    struct vcpu *vcpus = v->vm->vcpus;
    for (unsigned i = 0; i < v->vm->vcpu_count; i++) {
        if (!((targets >> i) & 1) || &vcpus[i] == v)
            continue;
        __atomic_or_fetch(&vcpus[i].arch.pending_fence, fences, __ATOMIC_RELEASE);
        target_notify(&vcpus[i]);
    }
    if ((targets >> v->id) & 1)
        fences_run(fences);
    for (unsigned i = 0; i < v->vm->vcpu_count; i++)
        if (((targets >> i) & 1) && &vcpus[i] != v)
            target_wait(v, &vcpus[i], fences);
    return SBI_SUCCESS;
}
