// SPDX-License-Identifier: MIT
#include <axvm/arch.h>
#include <axvm/log.h>
#include <arch/cpu.h>
#include <arch/power.h>
#include <arch/timer.h>

/* PM1 control register (ACPI 6.5 §4.8.4.2.1). */
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP_MASK  (7u << PM1_SLP_TYP_SHIFT)
#define PM1_SLP_EN        (1u << 13)

#define POWER_OFF_WAIT_US 100000

static uint16_t pm1a_cnt, pm1b_cnt;
static uint8_t slp_typ_a, slp_typ_b;
static bool s5_known;

void power_init(const struct acpi_info *acpi)
{
    pm1a_cnt = acpi->pm1a_cnt;
    pm1b_cnt = acpi->pm1b_cnt;
    slp_typ_a = acpi->slp_typ_a;
    slp_typ_b = acpi->slp_typ_b;
    s5_known = acpi->s5_known && acpi->pm1a_cnt;
}

static void pm1_sleep(uint16_t port, uint8_t typ)
{
    uint16_t v = inw(port) & ~PM1_SLP_TYP_MASK;
    outw(port, v | (uint16_t)(typ << PM1_SLP_TYP_SHIFT) | PM1_SLP_EN);
}

NORETURN void arch_system_off(void)
{
    arch_irq_save();
    /* ACPI S5 first, as an OS would; UEFI ResetSystem covers machines whose tables lack it. */
    if (s5_known) {
        pm1_sleep(pm1a_cnt, slp_typ_a);
        if (pm1b_cnt)
            pm1_sleep(pm1b_cnt, slp_typ_b);
        timer_delay_us(POWER_OFF_WAIT_US);
    }
    efi_reset_shutdown();
    log_error("power off failed: neither ACPI S5 nor UEFI ResetSystem worked; halting");
    arch_cpu_halt();
}
