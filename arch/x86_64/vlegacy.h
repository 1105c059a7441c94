/* SPDX-License-Identifier: MIT */
#ifndef X86_64_VLEGACY_H
#define X86_64_VLEGACY_H

/*
 * The legacy PC devices a Linux guest probes, on emulated I/O ports, created with the VM's
 * interrupt controller (arch/x86_64/vapic.c):
 *   - the 8259 PIC pair (0x20, 0xa0): present, so Linux finds them, and always masked: every
 *     interrupt goes through the I/O APIC;
 *   - the 8254 PIT (0x40-0x43) and system control port B (0x61): counters read from the TSC,
 *     channel 2's gate and output as Linux's TSC calibration uses them; no PIT interrupt is
 *     ever raised (the guest gets the TSC-deadline APIC timer instead);
 *   - the CMOS RTC (0x70, 0x71): a clock that reads 2026-01-01 00:00:00 and never updates;
 *   - the ACPI PM block the FADT names (0x600): PM1a event and control registers (SLP_TYP 5 with
 *     SLP_EN shuts the VM down) and the reset register (writing VLEGACY_RESET_VALUE reboots the
 *     VM). No PM timer (arch/x86_64/linux_boot.c says why). The one event is the fixed power
 *     button (vlegacy_power_button): PWRBTN_STS, and the SCI (VLEGACY_SCI_IRQ, level, active
 *     high) while it is set and enabled.
 */

#include <axvm/emu.h>
#include <axvm/spinlock.h>
#include <axvm/types.h>

#define VLEGACY_PM_BASE     0x600
#define VLEGACY_PM1_EVT     (VLEGACY_PM_BASE + 0x0)
#define VLEGACY_PM1_CNT     (VLEGACY_PM_BASE + 0x4)
#define VLEGACY_RESET       (VLEGACY_PM_BASE + 0xc)
#define VLEGACY_RESET_VALUE 0x06
#define VLEGACY_SCI_IRQ     9

struct vpic {
    uint8_t imr, icw_step, icw4_needed, vector_base;
};

struct vpit_channel {
    uint16_t initial; /* 0 counts as 65536 */
    uint8_t mode, access;
    bool write_msb_next, read_msb_next, latched;
    uint16_t latch;
    uint64_t start; /* counter value when the count was loaded */
};

struct vlegacy {
    struct vpic pic[2];
    struct vpit_channel pit[3];
    uint8_t port_b; /* gate 2 and speaker bits as written */
    uint8_t rtc_index;
    spinlock_t pm_lock; /* pm1_sts, pm1_en: the console presses the button from any pCPU */
    uint16_t pm1_sts, pm1_en;
    struct vm *vm;
    struct emu_device pic_dev[2], pit_dev, port_b_dev, rtc_dev, pm_dev;
};

/* Reset the devices and add them to the VM's bus. */
int vlegacy_attach(struct vm *vm, struct vlegacy *l);

/* Press the ACPI fixed power button (ACPI 6.4 §4.8.2.2.1): PWRBTN_STS is set until the guest
 * clears it, and raises the SCI while PWRBTN_EN is set. */
void vlegacy_power_button(struct vlegacy *l);

#endif
