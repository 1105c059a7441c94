// SPDX-License-Identifier: MIT
#include <string.h>
#include <axvm/percpu.h>
#include <arch/gdt.h>

#define IST_STACK_SIZE 8192

/* Descriptor fields (Intel SDM vol. 3 §3.4.5, §8.2.3). */
#define DESC_CODE64 0x00af9a000000ffffull /* present, DPL 0, execute/read, L=1 */
#define DESC_DATA   0x00cf92000000ffffull /* present, DPL 0, read/write, flat */
#define DESC_TSS64  0x89ull               /* present, DPL 0, available 64-bit TSS */

static uint64_t gdt[3 + 2 * CPU_MAX] __attribute__((aligned(16))) = {
    [GDT_CODE_SEL / 8] = DESC_CODE64,
    [GDT_DATA_SEL / 8] = DESC_DATA,
};

static uint8_t ist_stacks[CPU_MAX][IST_STACK_SIZE] __attribute__((aligned(16)));

/* A 64-bit TSS descriptor takes two GDT slots: the usual 8 bytes, then base bits 63:32. */
static void gdt_set_tss(unsigned slot, const struct x86_tss *tss)
{
    uint64_t base = (uintptr_t)tss;
    uint64_t limit = sizeof(*tss) - 1;
    gdt[slot] = (limit & 0xffff) | (base & 0xffffff) << 16 | DESC_TSS64 << 40 |
                ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
    gdt[slot + 1] = base >> 32;
}

void gdt_load(struct percpu *cpu)
{
    struct x86_tss *tss = &cpu->arch.tss;
    memset(tss, 0, sizeof(*tss));
    tss->ist[IST_DOUBLE_FAULT - 1] = (uintptr_t)(ist_stacks[cpu->index] + IST_STACK_SIZE);
    tss->iomap_base = sizeof(*tss); /* no I/O permission bitmap */
    uint16_t tss_sel = (uint16_t)(GDT_TSS_SEL0 + 16 * cpu->index);
    gdt_set_tss(tss_sel / 8, tss);

    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) gdtr = {sizeof(gdt) - 1, (uintptr_t)gdt};
    /* CS can only be reloaded by a far transfer; FS and GS hold the null selector (their
     * bases are MSRs, and loading GS here would clear the per-CPU base set after this). */
    __asm__ volatile(
        "lgdt %[gdtr]\n\t"
        "pushq %[cs]\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "movl %[ds], %%eax\n\t"
        "movl %%eax, %%ds\n\t"
        "movl %%eax, %%es\n\t"
        "movl %%eax, %%ss\n\t"
        "xorl %%eax, %%eax\n\t"
        "movl %%eax, %%fs\n\t"
        "movl %%eax, %%gs\n\t"
        "ltr %w[tss]"
        :
        : [gdtr] "m"(gdtr), [cs] "i"(GDT_CODE_SEL), [ds] "i"(GDT_DATA_SEL), [tss] "r"(tss_sel)
        : "rax", "memory");
}
