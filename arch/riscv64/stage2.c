// SPDX-License-Identifier: MIT
/*
 * G-stage translation (Privileged spec 8.5): Sv39x4, a 41-bit guest-physical space walked in
 * three levels from a 16 KiB root (2048 entries, 11 index bits, aligned to 16 KiB), with 1 GiB,
 * 2 MiB and 4 KiB leaves. The entries are Sv39 PTEs (4.4.1). Every G-stage access counts as a
 * U-mode access (8.5.1), so leaves need U = 1 or the guest's first fetch faults; A and D are set
 * so hardware without A/D updating never faults on them.
 */
#include <axvm/arch.h>
#include <axvm/arch_vm.h>
#include <axvm/errno.h>
#include <axvm/log.h>
#include <axvm/percpu.h>
#include <arch/csr.h>
#include <arch/sbi.h>
#include <arch/stage2.h>

#define PTE_V   (1ULL << 0)
#define PTE_R   (1ULL << 1)
#define PTE_W   (1ULL << 2)
#define PTE_X   (1ULL << 3)
#define PTE_U   (1ULL << 4)
#define PTE_A   (1ULL << 6)
#define PTE_D   (1ULL << 7)
#define PTE_RWX (PTE_R | PTE_W | PTE_X)
/* RSW bit 8 is the software's own (4.4.1): it remembers PT_DEVICE. Without Svpbmt the memory
 * type comes from the platform's PMAs, not from the entry. */
#define PTE_SW_DEVICE (1ULL << 8)

#define PTE_PPN_SHIFT 10
#define PTE_PPN_MASK  (((1ULL << 44) - 1) << PTE_PPN_SHIFT)

/* The VMID field is at most 14 bits with Sv39x4 on RV64 (8.2.10); the probe narrows it. */
#define VMID_BITS_MAX 14
static unsigned vmid_bits = VMID_BITS_MAX;

static uint64_t s2_leaf(paddr_t pa, unsigned level, bool last, unsigned prot)
{
    uint64_t e = (pa >> PAGE_SHIFT) << PTE_PPN_SHIFT | PTE_V | PTE_U | PTE_A | PTE_D;
    /* W without R is a reserved combination, and no permission at all would read as a
     * pointer to a next-level table. */
    e |= (prot & (PT_READ | PT_WRITE)) || !(prot & PT_EXEC) ? PTE_R : 0;
    e |= (prot & PT_WRITE) ? PTE_W : 0;
    e |= (prot & PT_EXEC) && !(prot & PT_DEVICE) ? PTE_X : 0;
    e |= (prot & PT_DEVICE) ? PTE_SW_DEVICE : 0;
    return e;
}

/* A pointer to a next-level table: V alone (D, A and U must be clear, 4.4.1). */
static uint64_t s2_table(paddr_t t)
{
    return (t >> PAGE_SHIFT) << PTE_PPN_SHIFT | PTE_V;
}

static bool s2_valid(uint64_t e)
{
    return e & PTE_V;
}

static bool s2_is_table(uint64_t e, unsigned level, bool last)
{
    return !last && !(e & PTE_RWX);
}

static paddr_t s2_addr(uint64_t e)
{
    return ((e & PTE_PPN_MASK) >> PTE_PPN_SHIFT) << PAGE_SHIFT;
}

static unsigned s2_prot(uint64_t e)
{
    unsigned p = 0;
    p |= (e & PTE_R) ? PT_READ : 0;
    p |= (e & PTE_W) ? PT_WRITE : 0;
    p |= (e & PTE_X) ? PT_EXEC : 0;
    p |= (e & PTE_SW_DEVICE) ? PT_DEVICE : 0;
    return p;
}

static const struct pt_format s2_format = {
    .levels = 3,
    .root_index_bits = 11,
    .index_bits = 9,
    .block_min_level = 0,
    .pte_leaf = s2_leaf,
    .pte_table = s2_table,
    .pte_valid = s2_valid,
    .pte_is_table = s2_is_table,
    .pte_addr = s2_addr,
    .pte_prot = s2_prot,
};

const struct pt_format *arch_s2_format(void)
{
    return &s2_format;
}

static void hfence_gvma_all(void)
{
    __asm__ volatile(".option push\n.option arch, +h\nhfence.gvma zero, zero\n.option pop" ::
                         : "memory");
}

int stage2_cpu_init(void)
{
    /*
     * hgatp is WARL: a write with an unsupported MODE has no effect at all, and VMID bits the
     * hart does not implement read as zero (8.2.10). Start from Bare, so that a failed write
     * is seen as Bare.
     */
    csr_write(hgatp, 0);
    csr_write(hgatp, HGATP_MODE_SV39X4 | HGATP_VMID_MASK);
    uint64_t probe = csr_read(hgatp);
    csr_write(hgatp, 0);
    /* Whatever the probe or the firmware left cached is not ours. */
    hfence_gvma_all();

    if ((probe & ~HGATP_VMID_MASK) != HGATP_MODE_SV39X4) {
        log_error("this hart has no Sv39x4 G-stage translation (hgatp reads 0x%llx)",
                  (unsigned long long)probe);
        return -ENODEV;
    }
    uint64_t vmids = (probe & HGATP_VMID_MASK) >> HGATP_VMID_SHIFT;
    unsigned bits = 0;
    while (bits < VMID_BITS_MAX && (vmids >> bits) & 1)
        bits++;
    /* VMIDs must mean the same on every hart: keep the narrowest. */
    unsigned cur = __atomic_load_n(&vmid_bits, __ATOMIC_RELAXED);
    while (bits < cur && !__atomic_compare_exchange_n(&vmid_bits, &cur, bits, false,
                                                      __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
    return 0;
}

unsigned arch_vmid_max(void)
{
    /* VMID 0 is never handed out (the core starts at 1). */
    return (1u << __atomic_load_n(&vmid_bits, __ATOMIC_RELAXED)) - 1;
}

uint64_t stage2_hgatp(paddr_t root, unsigned vmid)
{
    return HGATP_MODE_SV39X4 | ((uint64_t)vmid << HGATP_VMID_SHIFT) |
           ((root >> PAGE_SHIFT) & HGATP_PPN_MASK);
}

void stage2_fence_local(uint64_t gpa, unsigned vmid)
{
    /* rs1 holds the guest-physical address shifted right by 2 (8.3.2). */
    __asm__ volatile(
        ".option push\n.option arch, +h\nhfence.gvma %0, %1\n.option pop" ::"r"(gpa >> 2),
        "r"((unsigned long)vmid)
        : "memory");
}

void arch_s2_flush(unsigned vmid)
{
    /*
     * HFENCE.GVMA also orders the page-table stores before it (8.3.2). The other harts are
     * reached through the firmware, which runs the same fence on each of them (SBI RFENCE,
     * chapter 8).
     */
    __asm__ volatile(".option push\n.option arch, +h\nhfence.gvma zero, %0\n.option pop" ::"r"(
                         (unsigned long)vmid)
                     : "memory");
    if (percpu_online_count() < 2)
        return;
    long err = sbi_remote_hfence_gvma_vmid(vmid);
    if (err)
        log_error("SBI remote HFENCE.GVMA for VMID %u failed (error %ld)", vmid, err);
}
