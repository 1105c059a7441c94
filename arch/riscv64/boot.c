// SPDX-License-Identifier: MIT
/*
 * The boot hart's path from head.S to kernel_main(): read the device tree, describe the
 * machine in a struct boot_info, turn on the MMU. Runs in HS-mode, MMU off until the end.
 */
#include <libfdt.h>
#include <axvm/arch.h>
#include <axvm/dt.h>
#include <axvm/format.h>
#include <axvm/percpu.h>
#include <arch/cpu.h>
#include <arch/irq.h>
#include <arch/mmu.h>
#include <arch/plic.h>
#include <arch/sbi.h>
#include <arch/virt.h>
#include "isa_decode.h"

NORETURN void riscv_boot_main(uint64_t hartid, const void *fdt);

/* From linker/riscv64.ld and head.S. */
extern char _start[], _end[], boot_stack_top[];

static struct boot_info boot_info;

/* Before kernel_main there is no console of our own: the firmware's will do. */
static NORETURN void boot_fail(const char *why)
{
    sbi_early_puts("[axvm] error: riscv64 boot failed: ");
    sbi_early_puts(why);
    sbi_early_puts("\n");
    arch_cpu_halt();
}

/* /cpus/timebase-frequency: the rate of the time CSR (the same on every hart on QEMU virt). */
static uint64_t boot_read_timebase(const void *fdt)
{
    int cpus = fdt_path_offset(fdt, "/cpus");
    int len = 0;
    const void *prop = cpus >= 0 ? fdt_getprop(fdt, cpus, "timebase-frequency", &len) : NULL;
    if (!prop || (len != 4 && len != 8))
        return 0;
    return dt_read_cells(prop, len / 4);
}

/* Whether the boot hart's node lists extension 'ext' (the harts are alike). QEMU 7.2 accepts
 * henvcfg.STCE even without Sstc, so the device tree is what tells. */
static bool boot_hart_has(const void *fdt, uint64_t hartid, const char *ext)
{
    int cpus = fdt_path_offset(fdt, "/cpus");
    int node;
    fdt_for_each_subnode(node, fdt, cpus)
    {
        uint64_t id;
        uint64_t unused;
        if (dt_node_reg_raw(fdt, node, 0, &id, &unused) != 0 || id != hartid)
            continue;
        int len;
        const char *list = fdt_getprop(fdt, node, "riscv,isa-extensions", &len);
        if (list)
            return riscv_isa_list_has(list, (size_t)len, ext);
        const char *isa = fdt_getprop(fdt, node, "riscv,isa", &len);
        return isa && riscv_isa_string_has(isa, ext);
    }
    return false;
}

NORETURN void riscv_boot_main(uint64_t hartid, const void *fdt)
{
    struct boot_info *bi = &boot_info;
    char msg[96];

    /* The boot hart is logical CPU 0 whatever its hart id (percpu_init agrees). */
    cpu_local_init(percpu_get(0));
    percpu_get(0)->stack_top = boot_stack_top;

    int err = dt_read_boot_info(fdt, bi);
    if (err) {
        format_snprintf(msg, sizeof(msg), "no usable device tree at %p (libfdt: %s)", fdt,
                        fdt_strerror(err));
        boot_fail(msg);
    }
    if (!boot_add_range(bi->reserved, &bi->reserved_count, ptr_to_phys(_start),
                        (uint64_t)(_end - _start)))
        boot_fail("too many reserved ranges to add the hypervisor image");
    if (!boot_set_boot_cpu(bi, hartid)) {
        format_snprintf(msg, sizeof(msg), "boot hart %llu is not in /cpus",
                        (unsigned long long)hartid);
        boot_fail(msg);
    }

    uint64_t timebase = boot_read_timebase(fdt);
    if (!timebase)
        boot_fail("no /cpus/timebase-frequency in the device tree");
    cpu_timebase_set(timebase);
    riscv_have_sstc = boot_hart_has(fdt, hartid, "sstc");

    sbi_describe(bi->firmware, sizeof(bi->firmware));

    /* Console input and passthrough interrupts come through the PLIC; the console UART's
     * "interrupts" is one cell, its PLIC source. Without a PLIC the console is polled. */
    if (plic_probe(fdt)) {
        bi->irqchip = "PLIC";
        if (bi->console_irq_cells == 1)
            irq_console = bi->console_irq[0];
    }

    if (!mmu_build(bi))
        boot_fail("page-table pool exhausted building the identity map");
    if (!mmu_enable())
        boot_fail("this hart does not implement Sv39");

    /* U-Boot names itself in the device tree it hands over; OpenSBI does not. */
    const char *uboot = fdt_getprop(fdt, fdt_path_offset(fdt, "/chosen"), "u-boot,version", NULL);
    format_snprintf(bi->entry, sizeof(bi->entry), "in HS-mode as an SBI payload%s%s",
                    uboot ? ", loaded by U-Boot " : "", uboot ? uboot : "");
    kernel_main(bi);
}
