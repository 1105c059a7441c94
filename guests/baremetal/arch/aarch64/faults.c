// SPDX-License-Identifier: MIT
/*
 * The AArch64 guest-fault checks (../../faults.c runs them in this order).
 *
 * An access to an address with no memory or device is a synchronous external abort taken at
 * EL1 (ARM ARM D1.10, D17.2.37 ESR_ELx): through the vector for the current EL with SP_ELx
 * (VBAR_EL1 + 0x200, since the guest runs in EL1h), ESR_EL1.EC 0x25 (data abort, same EL) or
 * 0x21 (instruction abort, same EL), IL set, DFSC/IFSC 0x10 (synchronous external abort, not on
 * a table walk), WnR set for a store, FAR_EL1 the address, ELR_EL1 the faulting instruction,
 * SPSR_EL1 the state before it (EL1h). From EL0 it comes through the vector for a lower EL
 * (VBAR_EL1 + 0x400) with EC 0x24, and FAR_EL1 is the virtual address the program used.
 */
#include <axvm/format.h>
#include "../../faults.h"
#include "gic.h"
#include "timers.h"
#include "traps.h"

#define ESR_IL       (1ULL << 25)
#define ESR_WNR      (1ULL << 6)
#define ESR_FSC(esr) ((esr)&0x3f)
#define FSC_SEA      0x10
#define SPSR_M(s)    ((s)&0xf)
#define SPSR_M_EL1H  0x5
#define SPSR_M_EL0T  0x0
#define GIB          (1ULL << 30)
#define TTBR_BADDR   0x0000fffffffff000ULL
#define ALIAS_SLOT   511 /* the last GiB of the 512 GiB start.S maps */
/* Level-1 block descriptors (ARM ARM D8.3): valid block, AttrIndx 1 (normal write-back in
 * start.S's MAIR), AP, inner shareable, AF, PXN. */
#define ALIAS_BLOCK    (0x1ULL | 1 << 2 | 3 << 6 | 3 << 8 | 1 << 10 | 1ULL << 53)
#define IDENTITY_BLOCK 0x705ULL
#define VECTOR_SIZE    0x80

/* A load from 'addr'; *pc = the load's address. */
static void probe_load(uint64_t addr, uint64_t *pc)
{
    uint64_t value, at;
    __asm__ volatile("adr %1, 1f\n1: ldr %0, [%2]"
                     : "=&r"(value), "=&r"(at)
                     : "r"(addr)
                     : "memory");
    *pc = at;
}

static void probe_store(uint64_t addr, uint64_t value, uint64_t *pc)
{
    uint64_t at;
    __asm__ volatile("adr %0, 1f\n1: str %1, [%2]" : "=&r"(at) : "r"(value), "r"(addr) : "memory");
    *pc = at;
}

/* A call to 'addr': the handler returns to the instruction after it. */
static void probe_fetch(uint64_t addr)
{
    __asm__ volatile("blr %0" ::"r"(addr) : "x30", "memory");
}

/* What the hardware reports for an abort of this kind at 'addr' from the instruction at 'pc'
 * (at EL1, or at EL0: then through the lower-EL vector with the lower-EL class). */
static bool abort_check(const struct trap_record *t, unsigned ec, bool write, uint64_t addr,
                        uint64_t pc, bool el0, char *detail, size_t size)
{
    format_snprintf(detail, size, "esr=0x%llx far=0x%llx elr=0x%llx via VBAR+0x%x spsr=0x%llx",
                    (unsigned long long)t->cause, (unsigned long long)t->addr,
                    (unsigned long long)t->pc, t->vector * VECTOR_SIZE,
                    (unsigned long long)t->state);
    if (!t->count) {
        format_snprintf(detail, size, "no exception: the access to 0x%llx went through",
                        (unsigned long long)addr);
        return false;
    }
    unsigned vector = (el0 ? VEC_LOWER64 : VEC_CUR_SPX) + VEC_KIND_SYNC;
    return ESR_EC(t->cause) == ec && (t->cause & ESR_IL) && ESR_FSC(t->cause) == FSC_SEA &&
           !!(t->cause & ESR_WNR) == write && t->addr == addr && t->pc == pc &&
           t->vector == vector && SPSR_M(t->state) == (el0 ? SPSR_M_EL0T : SPSR_M_EL1H);
}

static bool check_load(const struct fault_env *env, char *detail, size_t size)
{
    uint64_t pc;
    trap_expect(TRAP_STEP);
    probe_load(env->nowhere_data, &pc);
    struct trap_record t = trap_done();
    return abort_check(&t, EC_DABT_CUR, false, env->nowhere_data, pc, false, detail, size);
}

/* In the same 64 KiB range as the load: the hypervisor logs the range once. */
static bool check_store(const struct fault_env *env, char *detail, size_t size)
{
    uint64_t pc, addr = env->nowhere_data + 8;
    trap_expect(TRAP_STEP);
    probe_store(addr, 0x5a5a5a5a5a5a5a5aULL, &pc);
    struct trap_record t = trap_done();
    return abort_check(&t, EC_DABT_CUR, true, addr, pc, false, detail, size);
}

static bool check_fetch(const struct fault_env *env, char *detail, size_t size)
{
    trap_expect(TRAP_RETURN);
    probe_fetch(env->nowhere_code);
    struct trap_record t = trap_done();
    /* An instruction abort's ELR is the address it could not fetch. */
    return abort_check(&t, EC_IABT_CUR, false, env->nowhere_code, env->nowhere_code, false, detail,
                       size);
}

/*
 * Another virtual address for the GiB holding this image and the data probe: the last entry of
 * the guest's level-1 table (start.S), a block readable and executable at EL0 (AP = 0b11, read
 * only at both levels, so EL1 may still execute its own code). Returns the offset from a
 * physical address in that GiB to its alias.
 */
static uint64_t alias_map(uint64_t gib)
{
    uint64_t ttbr;
    __asm__ volatile("mrs %0, ttbr0_el1" : "=r"(ttbr));
    volatile uint64_t *l1 = (volatile uint64_t *)(uintptr_t)(ttbr & TTBR_BADDR);
    l1[ALIAS_SLOT] = gib | ALIAS_BLOCK;
    __asm__ volatile("dsb ishst; tlbi vmalle1; dsb ish; isb" ::: "memory");
    return ((uint64_t)ALIAS_SLOT << 30) - gib;
}

/* Back to the identity block start.S put there. */
static void alias_unmap(void)
{
    uint64_t ttbr;
    __asm__ volatile("mrs %0, ttbr0_el1" : "=r"(ttbr));
    volatile uint64_t *l1 = (volatile uint64_t *)(uintptr_t)(ttbr & TTBR_BADDR);
    l1[ALIAS_SLOT] = ((uint64_t)ALIAS_SLOT << 30) | IDENTITY_BLOCK;
    __asm__ volatile("dsb ishst; tlbi vmalle1; dsb ish; isb" ::: "memory");
}

/*
 * A load at EL0 (an application's) through the alias: the abort comes through the vector for
 * a lower EL (VBAR_EL1 + 0x400) as EC 0x24, and FAR_EL1 holds the virtual address the program
 * used, not the guest-physical one. In the data probe's 64 KiB range: no new warning.
 */
static bool check_el0_load(const struct fault_env *env, char *detail, size_t size)
{
    uint64_t gib = (uintptr_t)el0_load & ~(GIB - 1);
    if ((env->nowhere_data & ~(GIB - 1)) != gib) {
        format_snprintf(detail, size, "the image and 0x%llx are in different GiBs",
                        (unsigned long long)env->nowhere_data);
        return false;
    }
    uint64_t off = alias_map(gib), addr = env->nowhere_data + 16 + off;
    trap_expect(TRAP_STEP);
    el0_run((uintptr_t)el0_load + off, addr);
    struct trap_record t = trap_done();
    alias_unmap();
    return abort_check(&t, EC_DABT_LOWER, false, addr, (uintptr_t)el0_load_insn + off, true, detail,
                       size);
}

static void store8(uint64_t addr, uint64_t value)
{
    __asm__ volatile("strb %w0, [%1]" ::"r"(value), "r"(addr) : "memory");
}

static void store16(uint64_t addr, uint64_t value)
{
    __asm__ volatile("strh %w0, [%1]" ::"r"(value), "r"(addr) : "memory");
}

/* The whole X register a byte load wrote (LDRB zero-extends into it). */
static uint64_t load8(uint64_t addr)
{
    uint64_t v;
    __asm__ volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
    return v;
}

static volatile uint32_t *reg32(uint64_t addr)
{
    return (volatile uint32_t *)(uintptr_t)addr;
}

/*
 * Narrow stores to the vGIC distributor's set-enable registers (one bit per SPI, 32 to a
 * register): a byte store of a register holding 0xff01 enables SPI 32 alone, a halfword store
 * of 0xffff0002 two bytes in (SPIs 48-63) enables SPI 49 alone; the bits above the access's
 * width are not part of the store. A byte load returns that byte, zero-extended.
 */
static bool check_byte_store(const struct fault_env *env, char *detail, size_t size)
{
    uint64_t gicd, gicr;
    if (!gic_find(env->fdt, &gicd, &gicr)) {
        format_snprintf(detail, size, "no GICv3 or GICv2 node in the device tree");
        return false;
    }
    uint64_t set1 = gicd + GICD_ISENABLER + 4, set2 = gicd + GICD_ISENABLER + 8;
    *reg32(gicd + GICD_ICENABLER + 4) = ~0U;
    *reg32(gicd + GICD_ICENABLER + 8) = ~0U;
    uint32_t before = *reg32(set1);
    store8(set1, 0xff01);
    uint32_t after_byte = *reg32(set1);
    store16(set1 + 2, 0xffff0002);
    uint32_t after_half = *reg32(set1), above = *reg32(set2);
    uint64_t byte = load8(set1);
    *reg32(gicd + GICD_ICENABLER + 4) = ~0U;
    *reg32(gicd + GICD_ICENABLER + 8) = ~0U;
    format_snprintf(detail, size,
                    "GICD_ISENABLER1 0x%x, 0x%x after strb 0xff01, 0x%x after strh 0xffff0002 at "
                    "+2; ISENABLER2 0x%x; ldrb 0x%llx",
                    before, after_byte, after_half, above, (unsigned long long)byte);
    return before == 0 && after_byte == 0x1 && after_half == 0x20001 && above == 0 && byte == 1;
}

/* The checks that cannot stop a VM on a hypervisor without the fixes come first, so that a run
 * there shows each of them failing. */
const struct fault_check fault_checks[] = {
    {"byte store", check_byte_store},
    {"virtual timer interrupt", timer_check_virtual},
    {"physical timer interrupt", timer_check_physical},
    {"virtual timer masked by IMASK", timer_check_virtual_imask},
    {"physical timer masked by IMASK", timer_check_physical_imask},
    {"virtual timer re-armed", timer_check_virtual_rearm},
    {"physical timer re-armed", timer_check_physical_rearm},
    {"load abort", check_load},
    {"store abort", check_store},
    {"fetch abort", check_fetch},
    {"EL0 load abort", check_el0_load},
    {0},
};
