// SPDX-License-Identifier: MIT
#include <string.h>
#include <axvm/arch.h>
#include <arch/cpu.h>
#include <arch/mmu.h>

/* Page-table entry bits (Intel SDM vol. 3 §4.5). PWT|PCD selects PAT entry 3, which
 * cpu_init_local() programs as uncacheable; no bits select entry 0, write-back. */
#define PTE_PRESENT  (1ull << 0)
#define PTE_WRITE    (1ull << 1)
#define PTE_PWT      (1ull << 3)
#define PTE_PCD      (1ull << 4)
#define PTE_LARGE    (1ull << 7)
#define PTE_UNCACHED (PTE_PWT | PTE_PCD)
#define PTE_TABLE    (PTE_PRESENT | PTE_WRITE)

#define ENTRIES   512
#define SIZE_2M   (1ull << 21)
#define SIZE_1G   (1ull << 30)
#define SIZE_512G (1ull << 39)

static uint64_t map_top;

struct mmu_builder {
    uint64_t *next; /* the next free page of the pool, which mmu_build sized */
    const struct mem_range *wb;
    unsigned wb_count;
};

static uint64_t *builder_table(struct mmu_builder *b)
{
    uint64_t *t = b->next;
    b->next += ENTRIES;
    return t;
}

/* A leaf entry mapping [pa, pa + size) to itself. */
static uint64_t builder_leaf(const struct mmu_builder *b, uint64_t pa, uint64_t size)
{
    /* Write-back if the range holds any memory: MMIO sharing a 2 MiB block with RAM is still
     * uncached through the MTRRs, and RAM must not be slowed down. */
    uint64_t cache = PTE_UNCACHED;
    for (unsigned i = 0; i < b->wb_count; i++)
        if (b->wb[i].base < pa + size && pa < b->wb[i].base + b->wb[i].size)
            cache = 0;
    return pa | PTE_PRESENT | PTE_WRITE | cache;
}

/* The first 2 MiB in 4 KiB pages, all but page 0: a NULL pointer faults. */
static uint64_t builder_low_table(struct mmu_builder *b)
{
    uint64_t *pt = builder_table(b);
    for (unsigned i = 1; i < ENTRIES; i++)
        pt[i] = builder_leaf(b, (uint64_t)i * PAGE_SIZE, PAGE_SIZE);
    return ptr_to_phys(pt) | PTE_TABLE;
}

/* One GiB starting at 'base', in 2 MiB pages. */
static uint64_t builder_gib(struct mmu_builder *b, uint64_t base)
{
    uint64_t *pd = builder_table(b);
    for (unsigned i = 0; i < ENTRIES; i++) {
        uint64_t pa = base + i * SIZE_2M;
        pd[i] = pa == 0 ? builder_low_table(b) : builder_leaf(b, pa, SIZE_2M) | PTE_LARGE;
    }
    return ptr_to_phys(pd) | PTE_TABLE;
}

unsigned mmu_table_pages(uint64_t top)
{
    /* PML4, one PDPT per 512 GiB, one page directory per GiB, one page table for 0-2 MiB. */
    return (unsigned)(1 + (top + SIZE_512G - 1) / SIZE_512G + top / SIZE_1G + 1);
}

uint64_t mmu_build(void *pool, unsigned pages, uint64_t top, const struct mem_range *wb,
                   unsigned wb_count)
{
    if (pages < mmu_table_pages(top))
        return 0;
    memset(pool, 0, (size_t)pages * PAGE_SIZE);
    struct mmu_builder b = {pool, wb, wb_count};
    uint64_t *pml4 = builder_table(&b);
    uint64_t *pdpt = NULL;
    for (uint64_t gib = 0; gib < top / SIZE_1G; gib++) {
        if (gib % ENTRIES == 0) {
            pdpt = builder_table(&b);
            pml4[gib / ENTRIES] = ptr_to_phys(pdpt) | PTE_TABLE;
        }
        pdpt[gib % ENTRIES] = builder_gib(&b, gib * SIZE_1G);
    }
    map_top = top;
    return ptr_to_phys(pml4);
}

void mmu_activate(uint64_t cr3)
{
    write_cr3(cr3);
    /* Firmware normally sets CR0.WP; make sure read-only entries bind the hypervisor too. */
    write_cr0(read_cr0() | CR0_WP);
}

uintptr_t arch_fault_probe_address(void)
{
    return (uintptr_t)map_top;
}
