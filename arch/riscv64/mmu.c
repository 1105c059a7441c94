// SPDX-License-Identifier: MIT
/*
 * The hypervisor's own address space: an Sv39 identity map (Privileged spec 4.4).
 *
 *   0x0000_0000 - 0x0000_0fff   unmapped: a NULL dereference faults
 *   0x0000_1000 - lowest RAM    devices (UART, PLIC, CLINT, virtio, PCIe windows): RW, no X
 *   each RAM range of the DT    RW and X (the image, the frame allocator's memory)
 *   everything else             unmapped; arch_fault_probe_address() is the last page of the
 *                               Sv39 lower half, 0x3f_ffff_f000 (page 0 if RAM reached there)
 *
 * Without Svpbmt a PTE has no memory type: cacheability comes from the platform's PMAs, so
 * "device" here only means not executable. The largest page that fits is used (1 GiB, 2 MiB,
 * 4 KiB); on QEMU virt that is three tables for the devices and one gigapage of RAM. Leaves are
 * global and have A and D set, so hardware without A/D updating never faults on them.
 */
#include <axvm/arch.h>
#include <arch/csr.h>
#include <arch/mmu.h>

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)

#define PTE_PPN_SHIFT  10
#define PTES_PER_TABLE 512
#define SV39_LEVELS    3
#define SV39_VA_LIMIT  (1UL << 38) /* the lower half of the 39-bit space */

#define MAP_DEVICE (PTE_R | PTE_W | PTE_G | PTE_A | PTE_D)
#define MAP_RAM    (PTE_R | PTE_W | PTE_X | PTE_G | PTE_A | PTE_D)

#define FAULT_PROBE_ADDRESS (SV39_VA_LIMIT - PAGE_SIZE)

/* Enough for the root plus a few ranges that are not 2 MiB aligned. */
#define PT_POOL_TABLES 16

typedef uint64_t pte_t;

static pte_t pt_pool[PT_POOL_TABLES][PTES_PER_TABLE] __attribute__((aligned(PAGE_SIZE)));
static unsigned pt_used;
static pte_t *pt_root;
static uint64_t satp_value;
static uintptr_t fault_probe = FAULT_PROBE_ADDRESS;

static pte_t *pt_alloc(void)
{
    if (pt_used == PT_POOL_TABLES)
        return NULL;
    return pt_pool[pt_used++]; /* .bss: already zero */
}

static uint64_t level_size(unsigned level)
{
    return 1UL << (PAGE_SHIFT + 9 * level);
}

static unsigned va_index(uintptr_t va, unsigned level)
{
    return (va >> (PAGE_SHIFT + 9 * level)) & (PTES_PER_TABLE - 1);
}

static pte_t pte_make(paddr_t pa, uint64_t flags)
{
    return (pa >> PAGE_SHIFT) << PTE_PPN_SHIFT | flags | PTE_V;
}

static pte_t *pte_table(pte_t pte)
{
    return phys_to_ptr((pte >> PTE_PPN_SHIFT) << PAGE_SHIFT);
}

static bool pte_is_leaf(pte_t pte)
{
    return pte & (PTE_R | PTE_W | PTE_X);
}

/* Install one leaf of 'level' for 'va' (identity). False if out of tables or already mapped. */
static bool map_leaf(uintptr_t va, unsigned level, uint64_t flags)
{
    pte_t *table = pt_root;
    for (unsigned l = SV39_LEVELS - 1; l > level; l--) {
        pte_t *pte = &table[va_index(va, l)];
        if (!(*pte & PTE_V)) {
            pte_t *next = pt_alloc();
            if (!next)
                return false;
            *pte = pte_make(ptr_to_phys(next), 0);
        } else if (pte_is_leaf(*pte)) {
            return false;
        }
        table = pte_table(*pte);
    }
    pte_t *pte = &table[va_index(va, level)];
    if (*pte & PTE_V)
        return false;
    *pte = pte_make(va, flags);
    return true;
}

static bool map_range(uintptr_t base, uintptr_t end, uint64_t flags)
{
    base = ALIGN_DOWN(base, PAGE_SIZE);
    end = MIN(ALIGN_UP(end, PAGE_SIZE), SV39_VA_LIMIT);
    while (base < end) {
        unsigned level = SV39_LEVELS - 1;
        while (level > 0 &&
               (!IS_ALIGNED(base, level_size(level)) || end - base < level_size(level)))
            level--;
        if (!map_leaf(base, level, flags))
            return false;
        base += level_size(level);
    }
    return true;
}

bool mmu_build(const struct boot_info *bi)
{
    pt_root = pt_alloc();
    uintptr_t ram_low = SV39_VA_LIMIT;
    for (unsigned i = 0; i < bi->ram_count; i++) {
        ram_low = MIN(ram_low, (uintptr_t)bi->ram[i].base);
        if (fault_probe >= bi->ram[i].base && fault_probe - bi->ram[i].base < bi->ram[i].size)
            fault_probe = 0;
        if (!map_range(bi->ram[i].base, bi->ram[i].base + bi->ram[i].size, MAP_RAM))
            return false;
    }
    if (ram_low > PAGE_SIZE && !map_range(PAGE_SIZE, ram_low, MAP_DEVICE))
        return false;
    satp_value = SATP_MODE_SV39 | ptr_to_phys(pt_root) >> PAGE_SHIFT;
    return true;
}

uint64_t mmu_satp(void)
{
    return satp_value;
}

bool mmu_enable(void)
{
    /* Order the table writes before the walker may read them (4.2.1). */
    __asm__ volatile("sfence.vma" ::: "memory");
    csr_write(satp, satp_value);
    __asm__ volatile("sfence.vma" ::: "memory");
    /* satp is WARL: a hart without Sv39 ignores the write and stays in Bare mode (4.1.11). */
    return csr_read(satp) == satp_value;
}

uintptr_t arch_fault_probe_address(void)
{
    return fault_probe;
}
