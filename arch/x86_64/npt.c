// SPDX-License-Identifier: MIT
/*
 * Nested paging (AMD APM vol. 2 §15.25): the guest-physical to host-physical tables have the
 * host's own long-mode format, four levels of 512 entries, 1 GiB leaves at level 1 (when the
 * CPU has Page1GB) and 2 MiB leaves at level 2 with PS set, 4 KiB pages at level 3. The nested
 * walk counts as a user access, so every entry has U/S set.
 *
 * Not used: NX. The nested walk takes EFER.NXE from the host, and the CPUs do not agree on it
 * (the boot CPU keeps the firmware's EFER, secondaries get LME only), so bit 63 would be
 * reserved on some of them. Guest memory is therefore always executable at this stage.
 *
 * ASIDs tag the guest's TLB entries: a VM's VMID is its ASID. Flushing is lazy and per CPU:
 * arch_s2_flush bumps the ASID's generation, and before each VMRUN a CPU whose TLB is older than
 * that generation asks VMRUN to flush (TLB_CONTROL).
 */
#include <axvm/arch.h>
#include <axvm/arch_vm.h>
#include <axvm/percpu.h>
#include <arch/svm.h>
#include <arch/vmcb.h>

#define NPT_P         (1ull << 0)
#define NPT_RW        (1ull << 1)
#define NPT_US        (1ull << 2)
#define NPT_PWT       (1ull << 3)
#define NPT_PCD       (1ull << 4)
#define NPT_A         (1ull << 5)
#define NPT_D         (1ull << 6)
#define NPT_PS        (1ull << 7)
#define NPT_ADDR_MASK 0x000ffffffffff000ull

static uint64_t npt_leaf(paddr_t pa, unsigned level, bool last, unsigned prot)
{
    if (!(prot & (PT_READ | PT_WRITE | PT_EXEC)))
        return 0;
    /* A and D set up front: the walk would set them anyway. */
    uint64_t e = (pa & NPT_ADDR_MASK) | NPT_P | NPT_US | NPT_A | NPT_D | (last ? 0 : NPT_PS);
    e |= (prot & PT_WRITE) ? NPT_RW : 0;
    /* PCD|PWT selects host PAT entry 3, uncacheable: device memory. */
    e |= (prot & PT_DEVICE) ? NPT_PCD | NPT_PWT : 0;
    return e;
}

static uint64_t npt_table(paddr_t t)
{
    return (t & NPT_ADDR_MASK) | NPT_P | NPT_RW | NPT_US | NPT_A;
}

static bool npt_valid(uint64_t e)
{
    return e & NPT_P;
}

static bool npt_is_table(uint64_t e, unsigned level, bool last)
{
    return !last && !(e & NPT_PS);
}

static paddr_t npt_addr(uint64_t e)
{
    return e & NPT_ADDR_MASK;
}

static unsigned npt_prot(uint64_t e)
{
    unsigned p = PT_READ | PT_EXEC;
    p |= (e & NPT_RW) ? PT_WRITE : 0;
    p |= (e & NPT_PCD) ? PT_DEVICE : 0;
    return p;
}

static struct pt_format npt_format = {
    .levels = 4,
    .root_index_bits = 9,
    .index_bits = 9,
    .block_min_level = 2, /* 1 if the CPU has 1 GiB pages (arch_s2_format) */
    .pte_leaf = npt_leaf,
    .pte_table = npt_table,
    .pte_valid = npt_valid,
    .pte_is_table = npt_is_table,
    .pte_addr = npt_addr,
    .pte_prot = npt_prot,
};

const struct pt_format *arch_s2_format(void)
{
    /* Only called once SVM is on (VMs are created after arch_virt_cpu_init). */
    npt_format.block_min_level = svm_features.npt_1g ? 1 : 2;
    return &npt_format;
}

unsigned arch_vmid_max(void)
{
    unsigned asids = svm_features.asids; /* 0 until SVM is on: no VMID then */
    if (asids < 2)
        return 0;
    return (asids > ASID_LIMIT ? ASID_LIMIT : asids) - 1;
}

/* Generation of each ASID's mappings: bumped by every flush request. */
static uint32_t asid_generation[ASID_LIMIT];

void arch_s2_flush(unsigned vmid)
{
    if (vmid == 0 || vmid >= ASID_LIMIT)
        return;
    __atomic_add_fetch(&asid_generation[vmid], 1, __ATOMIC_SEQ_CST);
    /* A CPU in guest mode with this ASID sees the new generation only at its next VMRUN:
     * make it exit now. The request is asynchronous, like the exit it causes. */
    arch_cpu_kick_all();
}

/* Called before each VMRUN on this CPU: the TLB_CONTROL this VMCB needs. */
void npt_prepare_run(struct vmcb *vmcb)
{
    struct percpu *cpu = arch_this_cpu();
    unsigned asid = vmcb->control.asid;
    uint32_t gen = __atomic_load_n(&asid_generation[asid], __ATOMIC_ACQUIRE);
    if (cpu->arch.asid_flushed[asid] == gen) {
        vmcb->control.tlb_control = TLB_CONTROL_NOTHING;
        return;
    }
    vmcb->control.tlb_control =
        svm_features.flush_by_asid ? TLB_CONTROL_FLUSH_ASID : TLB_CONTROL_FLUSH_ALL;
    cpu->arch.asid_flushed[asid] = gen;
}
