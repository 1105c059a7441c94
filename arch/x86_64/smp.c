// SPDX-License-Identifier: MIT
#include <string.h>
#include <axvm/arch.h>
#include <axvm/percpu.h>
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <arch/smp.h>
#include <arch/timer.h>
#include <arch/trampoline.h>

/* INIT-SIPI-SIPI timing from the MP start-up algorithm (Intel SDM vol. 3 §8.4.4.1). */
#define INIT_DELAY_US    10000
#define STARTUP_DELAY_US 200

/* CPUID vendor strings in EBX, EDX, ECX order, as little-endian words. */
#define VENDOR_INTEL_EBX 0x756e6547 /* "Genu" */
#define VENDOR_AMD_EBX   0x68747541 /* "Auth" */
#define VENDOR_HYGON_EBX 0x6f677948 /* "Hygo" */

/*
 * The 10 ms after INIT is for the external APICs of the MP specification's era: Intel family
 * 6 and later, AMD family 0Fh and later and Hygon (18h) processors accept the STARTUP IPI at
 * once, as operating systems rely on (Linux leaves the delay out for them). Three APs would
 * otherwise add 30 ms to every start.
 */
static bool init_delay_needed(void)
{
    uint32_t a, b, c, d;
    cpuid(0, 0, &a, &b, &c, &d);
    uint32_t vendor = b;
    cpuid(1, 0, &a, &b, &c, &d);
    uint32_t family = (a >> 8) & 0xf;
    if (family == 0xf)
        family += (a >> 20) & 0xff;
    if (vendor == VENDOR_INTEL_EBX)
        return family < 6;
    if (vendor == VENDOR_AMD_EBX)
        return family < 0xf;
    if (vendor == VENDOR_HYGON_EBX)
        return family < 0x18;
    return true;
}

static volatile struct trampoline_args *tramp;
static uint8_t tramp_vector;

static NORETURN void smp_secondary_main(struct percpu *cpu)
{
    cpu_init_local(cpu);
    kernel_secondary_main(cpu);
}

void smp_init(paddr_t page, uint64_t cr3)
{
    char *code = phys_to_ptr(page);
    memcpy(code, trampoline_start, (size_t)(trampoline_end - trampoline_start));
    tramp = (struct trampoline_args *)(code + (trampoline_args - trampoline_start));
    tramp->cr0 = CR0_PG | CR0_WP | CR0_NE | CR0_ET | CR0_MP | CR0_PE; /* caches on: CD=NW=0 */
    tramp->cr3 = cr3;
    /* Machine checks reported rather than a shutdown; SSE on, as UEFI runtime code expects. */
    tramp->cr4 = CR4_PAE | CR4_MCE | CR4_OSFXSR | CR4_OSXMMEXCPT;
    tramp->efer = EFER_LME;
    tramp->entry = (uintptr_t)smp_secondary_main;
    tramp_vector = (uint8_t)(page >> PAGE_SHIFT);
}

int arch_cpu_start(struct percpu *cpu, uint64_t hwid, void *stack_top)
{
    /* The core starts one CPU at a time and waits for it, so one argument block serves all;
     * the CPU takes 'percpu' (sets it to 0) when it starts, so write it last. */
    tramp->stack_top = (uintptr_t)stack_top;
    __atomic_store_n(&tramp->percpu, (uintptr_t)cpu, __ATOMIC_RELEASE);

    uint32_t id = (uint32_t)hwid;
    if (id != hwid || !lapic_send_ipi(id, ICR_INIT | ICR_LEVEL_ASSERT | ICR_TRIGGER_LEVEL))
        return -1;
    lapic_send_ipi(id, ICR_INIT | ICR_TRIGGER_LEVEL); /* de-assert, for older APICs */
    if (init_delay_needed())
        timer_delay_us(INIT_DELAY_US);
    for (int i = 0; i < 2; i++) {
        lapic_send_ipi(id, ICR_STARTUP | tramp_vector);
        timer_delay_us(STARTUP_DELAY_US);
    }
    return 0;
}

const char *arch_cpu_start_describe(struct percpu *cpu)
{
    return ""; /* nothing more to ask the firmware */
}
