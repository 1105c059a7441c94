// SPDX-License-Identifier: MIT
/*
 * Stage-2 translation (ARM ARM D8): 4 KiB granule, 40-bit IPA starting at level 1 with two
 * concatenated level-1 tables (VTCR_EL2.SL0 = 1, T0SZ = 24), so the engine sees three levels
 * with a 1024-entry root; 1 GiB and 2 MiB blocks.
 */
#include <arch/sysreg.h>
#include <axvm/arch.h>
#include <axvm/arch_vm.h>

#define S2_VALID     0x1ULL
#define S2_TABLE     0x2ULL        /* with VALID: table at levels 1-2, page at level 3 */
#define S2_ATTR_NORM (0xfULL << 2) /* MemAttr: normal, outer and inner write-back */
#define S2_ATTR_DEV  (0x1ULL << 2) /* MemAttr: Device-nGnRE */
#define S2_ATTR_MASK (0xfULL << 2)
#define S2_AP_R      (1ULL << 6)
#define S2_AP_W      (1ULL << 7)
#define S2_SH_INNER  (3ULL << 8)
#define S2_AF        (1ULL << 10)
#define S2_XN        (2ULL << 53) /* XN[1:0] = 0b10: not executable at EL1 or EL0 */
#define S2_ADDR_MASK 0x0000fffffffff000ULL

static uint64_t s2_leaf(paddr_t pa, unsigned level, bool last, unsigned prot)
{
    uint64_t e = (pa & S2_ADDR_MASK) | S2_VALID | S2_AF | (last ? S2_TABLE : 0);
    e |= (prot & PT_DEVICE) ? S2_ATTR_DEV : (S2_ATTR_NORM | S2_SH_INNER);
    e |= (prot & PT_READ) ? S2_AP_R : 0;
    e |= (prot & PT_WRITE) ? S2_AP_W : 0;
    e |= (prot & PT_EXEC) && !(prot & PT_DEVICE) ? 0 : S2_XN;
    return e;
}

static uint64_t s2_table(paddr_t t)
{
    return (t & S2_ADDR_MASK) | S2_VALID | S2_TABLE;
}

static bool s2_valid(uint64_t e)
{
    return e & S2_VALID;
}

static bool s2_is_table(uint64_t e, unsigned level, bool last)
{
    return !last && (e & S2_TABLE);
}

static paddr_t s2_addr(uint64_t e)
{
    return e & S2_ADDR_MASK;
}

static unsigned s2_prot(uint64_t e)
{
    unsigned p = 0;
    p |= (e & S2_AP_R) ? PT_READ : 0;
    p |= (e & S2_AP_W) ? PT_WRITE : 0;
    p |= (e & S2_XN) ? 0 : PT_EXEC;
    p |= (e & S2_ATTR_MASK) == S2_ATTR_DEV ? PT_DEVICE : 0;
    return p;
}

static const struct pt_format s2_format = {
    .levels = 3,
    .root_index_bits = 10,
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

unsigned arch_vmid_max(void)
{
    return 255; /* 8-bit VMIDs are always there */
}

void arch_s2_flush(unsigned vmid)
{
    /* TLBI VMALLS12E1IS acts on the VMID in VTTBR_EL2: borrow it for a moment. */
    unsigned long flags = arch_irq_save();
    uint64_t saved = sysreg_read(vttbr_el2);
    sysreg_write(vttbr_el2, (uint64_t)vmid << 48);
    isb();
    __asm__ volatile("dsb ishst; tlbi vmalls12e1is; dsb ish" ::: "memory");
    sysreg_write(vttbr_el2, saved);
    isb();
    arch_irq_restore(flags);
}
