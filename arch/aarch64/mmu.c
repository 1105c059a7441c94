// SPDX-License-Identifier: MIT
/*
 * EL2 identity map, 4 KiB granule, 39-bit VA starting at level 1 (1 GiB entries, 2 MiB
 * entries one level down). RAM is normal memory; below 4 GiB whatever is not RAM is device
 * memory (the peripherals of every board we know sit there); above 4 GiB only RAM is mapped, so
 * a stray pointer there faults.
 */
#include <arch/mmu.h>
#include <arch/sysreg.h>
#include <axvm/panic.h>

#define L1_SHIFT   30
#define L2_SHIFT   21
#define ENTRIES    512
#define DEVICE_TOP GiB(4)
#define L2_POOL    16

#define DESC_BLOCK   0x1ULL
#define DESC_TABLE   0x3ULL
#define DESC_ATTR(i) ((uint64_t)(i) << 2)
#define DESC_SH_IS   (3ULL << 8)
#define DESC_AF      (1ULL << 10)
#define DESC_XN      (1ULL << 54)

#define BLOCK_NORMAL (DESC_BLOCK | DESC_ATTR(MT_NORMAL) | DESC_SH_IS | DESC_AF)
#define BLOCK_DEVICE (DESC_BLOCK | DESC_ATTR(MT_DEVICE_nGnRE) | DESC_AF | DESC_XN)

static uint64_t l1[ENTRIES] __attribute__((aligned(4096)));
static uint64_t l2_pool[L2_POOL][ENTRIES] __attribute__((aligned(4096)));
static unsigned l2_used;
uint64_t mmu_root;

static bool is_ram(const struct boot_info *bi, paddr_t start, uint64_t size)
{
    for (unsigned i = 0; i < bi->ram_count; i++) {
        paddr_t rs = bi->ram[i].base, re = rs + bi->ram[i].size;
        if (start < re && start + size > rs)
            return true;
    }
    return false;
}

static uint64_t block_for(const struct boot_info *bi, paddr_t pa, uint64_t size)
{
    if (is_ram(bi, pa, size))
        return pa | BLOCK_NORMAL;
    if (pa < DEVICE_TOP)
        return pa | BLOCK_DEVICE;
    return 0;
}

void mmu_init(const struct boot_info *bi)
{
    for (unsigned s = 0; s < ENTRIES; s++) {
        paddr_t slot = (paddr_t)s << L1_SHIFT;
        unsigned ram_blocks = 0;
        for (unsigned b = 0; b < ENTRIES; b++)
            ram_blocks += is_ram(bi, slot + ((paddr_t)b << L2_SHIFT), 1ULL << L2_SHIFT);
        bool mixed = ram_blocks != 0 && ram_blocks != ENTRIES;
        if (!mixed) {
            l1[s] = block_for(bi, slot, 1ULL << L1_SHIFT);
            continue;
        }
        if (l2_used == L2_POOL)
            panic("mmu: more than %u GiB slots partly covered by RAM", L2_POOL);
        uint64_t *l2 = l2_pool[l2_used++];
        for (unsigned b = 0; b < ENTRIES; b++)
            l2[b] = block_for(bi, slot + ((paddr_t)b << L2_SHIFT), 1ULL << L2_SHIFT);
        l1[s] = ptr_to_phys(l2) | DESC_TABLE;
    }
    mmu_root = ptr_to_phys(l1);

    /* The old (early) table stays valid until the switch, so no break-before-make is needed. */
    dsb_ish();
    sysreg_write(ttbr0_el2, mmu_root);
    isb();
    __asm__ volatile("tlbi alle2" ::: "memory");
    dsb_ish();
    isb();
}
