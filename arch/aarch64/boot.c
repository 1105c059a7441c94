// SPDX-License-Identifier: MIT
/* From boot/aarch64/head.S to kernel_main: read the device tree, map memory, name the firmware. */
#include <arch/irq.h>
#include <arch/mmu.h>
#include <arch/psci.h>
#include <arch/smp.h>
#include <arch/sysreg.h>
#include <arch/vgic.h>
#include <drivers/gic.h>
#include <libfdt.h>
#include <axvm/console.h>
#include <axvm/dt.h>
#include <axvm/errno.h>
#include <axvm/format.h>
#include <axvm/panic.h>
#include <axvm/percpu.h>

extern char _image_start[], _image_end[];

static struct boot_info boot_info;

/*
 * How axvm was entered, for the boot log. Both loaders that start it from firmware name
 * themselves in /chosen: axvm.efi (boot/aarch64/efi_main.c) the UEFI firmware that ran it, as
 * "axvm,loader"; U-Boot its version, as "u-boot,version". QEMU's -kernel names nobody.
 */
static void entry_describe(const void *fdt, char *out, size_t size)
{
    int chosen = fdt_path_offset(fdt, "/chosen");
    const char *uefi = fdt_getprop(fdt, chosen, "axvm,loader", NULL);
    const char *uboot = fdt_getprop(fdt, chosen, "u-boot,version", NULL);
    if (uefi)
        format_snprintf(out, size, "from UEFI at EL2 (%s, through axvm.efi)", uefi);
    else if (uboot)
        format_snprintf(out, size, "as a Linux Image at EL2, loaded by U-Boot %s", uboot);
    else
        format_snprintf(out, size, "as a Linux Image at EL2");
}

/* QEMU virt's PL011: only used to report a device tree we cannot read. */
static const struct uart_desc fallback_console = {
    .kind = UART_PL011, .base = 0x09000000, .reg_width = 4};

/* PSCI when the device tree offers it over SMC; otherwise secondaries start by the spin table
 * and there is no firmware call to power off. */
static void firmware_describe(struct boot_info *bi)
{
    psci_init(bi->psci_method);
    if (psci_available()) {
        int64_t v = psci_call(PSCI_VERSION, 0, 0, 0);
        format_snprintf(bi->firmware, sizeof(bi->firmware), "PSCI %u.%u (smc)",
                        (unsigned)((v >> 16) & 0x7fff), (unsigned)(v & 0xffff));
    } else if (bi->psci_method[0]) {
        format_snprintf(bi->firmware, sizeof(bi->firmware),
                        "PSCI over %s, which EL2 cannot call: not used", bi->psci_method);
    } else {
        format_snprintf(bi->firmware, sizeof(bi->firmware), "no PSCI (spin table)");
    }
}

NORETURN void arch_boot_main(const void *fdt)
{
    struct boot_info *bi = &boot_info;
    sysreg_write(tpidr_el2, &percpu_table[0]);

    int err = fdt ? dt_read_boot_info(fdt, bi) : -1;
    if (err) {
        console_init(&fallback_console);
        panic("no readable device tree at %p (error %d): was the image booted as a Linux Image?",
              fdt, err);
    }
    boot_add_range(bi->reserved, &bi->reserved_count, ptr_to_phys(_image_start),
                   (uint64_t)(_image_end - _image_start));
    uint64_t mpidr = sysreg_read(mpidr_el1) & MPIDR_HWID_MASK;
    if (!boot_set_boot_cpu(bi, mpidr)) {
        console_init(&bi->console);
        panic("boot CPU MPIDR 0x%llx is not in the device tree's /cpus", (unsigned long long)mpidr);
    }
    mmu_init(bi);

    int err_gic = gic_probe(&bi->intc);
    if (err_gic) {
        console_init(&bi->console);
        panic("interrupt controller \"%s\" (%u register ranges): %s",
              bi->intc.compatible_len ? bi->intc.compatible : "none in the device tree",
              bi->intc.reg_count,
              err_gic == -ENODEV ? "axvm drives a GICv2 with virtualization or a GICv3"
                                 : "its registers are not all there");
    }
    if (vgic_hw_init(gic_host()) != 0) {
        console_init(&bi->console);
        panic("%s without the virtualization extensions (no GICH/GICV in the device tree)",
              gic->name);
    }
    percpu_table[0].arch.gic_cpu = gic_cpu_init(mpidr, GIC_HYP_PPIS);
    percpu_table[0].arch.gic_ready = percpu_table[0].arch.gic_cpu != 0;
    bi->irqchip = gic->name;
    /* The console's interrupt, if the device tree gives it as a GIC SPI. */
    if (bi->console_irq_cells == 3 && bi->console_irq[0] == 0)
        irq_console = 32 + bi->console_irq[1];

    entry_describe(fdt, bi->entry, sizeof(bi->entry));
    firmware_describe(bi);
    smp_init(bi);
    kernel_main(bi);
}
