// SPDX-License-Identifier: MIT
/* Walking the guest's page tables (gva_decode.h). */
#include "gva_decode.h"

#define CR0_PG   0x80000000ull
#define CR4_PSE  0x00000010ull
#define CR4_PAE  0x00000020ull
#define CR4_LA57 0x00001000ull
#define EFER_LMA 0x00000400ull

#define PTE_P       0x1ull
#define PTE_PS      0x80ull
#define PTE_ADDR    0x000ffffffffff000ull /* bits 51:12 of a 64-bit entry */
#define PTE32_ADDR  0xfffff000ull
#define PDE32_4M    0xffc00000ull
#define PDE32_PSE36 0x001fe000ull /* bits 20:13 of a 4 MiB PDE: physical bits 39:32 */

static bool read64(const struct x86_paging *p, uint64_t gpa, uint64_t *e)
{
    return p->read(p->ctx, gpa, e, 8);
}

/* Long mode (4 or 5 levels) and PAE (a 4-entry PDPT, then 2 levels) share the 64-bit entries;
 * large pages are allowed at the levels mapping 2 MiB and 1 GiB. */
static bool walk64(const struct x86_paging *p, uint64_t table, unsigned levels, uint64_t gva,
                   uint64_t *gpa)
{
    for (unsigned level = levels; level >= 1; level--) {
        unsigned shift = 12 + 9 * (level - 1);
        unsigned index = (unsigned)(gva >> shift) & (level == 3 && levels == 3 ? 3 : 511);
        uint64_t e;
        if (!read64(p, table + 8ull * index, &e) || !(e & PTE_P))
            return false;
        /* PS makes a 2 MiB page at level 2 and a 1 GiB page at level 3 (not in a PAE PDPTE). */
        bool large = (e & PTE_PS) && (level == 2 || (level == 3 && levels > 3));
        if (level == 1 || large) {
            uint64_t size = 1ull << shift;
            *gpa = (e & PTE_ADDR & ~(size - 1)) | (gva & (size - 1));
            return true;
        }
        table = e & PTE_ADDR;
    }
    return false;
}

/* Legacy 32-bit paging: 4-byte entries, two levels, 4 MiB pages under CR4.PSE. */
static bool walk32(const struct x86_paging *p, uint64_t gva, uint64_t *gpa)
{
    uint32_t pde, pte;
    uint64_t pd = p->cr3 & PTE32_ADDR;
    if (!p->read(p->ctx, pd + 4 * ((gva >> 22) & 1023), &pde, 4) || !(pde & PTE_P))
        return false;
    if ((pde & PTE_PS) && (p->cr4 & CR4_PSE)) {
        uint64_t high = ((uint64_t)pde & PDE32_PSE36) << (32 - 13);
        *gpa = high | (pde & PDE32_4M) | (gva & 0x3fffff);
        return true;
    }
    uint64_t pt = pde & PTE32_ADDR;
    if (!p->read(p->ctx, pt + 4 * ((gva >> 12) & 1023), &pte, 4) || !(pte & PTE_P))
        return false;
    *gpa = (pte & PTE32_ADDR) | (gva & 0xfff);
    return true;
}

bool x86_gva_translate(const struct x86_paging *p, uint64_t gva, uint64_t *gpa)
{
    if (!(p->cr0 & CR0_PG)) {
        *gpa = gva & 0xffffffffull; /* linear addresses are 32 bits without paging */
        return true;
    }
    if (p->efer & EFER_LMA) {
        unsigned levels = (p->cr4 & CR4_LA57) ? 5 : 4;
        return walk64(p, p->cr3 & PTE_ADDR, levels, gva, gpa);
    }
    gva &= 0xffffffffull;
    if (p->cr4 & CR4_PAE)
        return walk64(p, p->cr3 & 0xffffffe0ull, 3, gva, gpa);
    return walk32(p, gva, gpa);
}
