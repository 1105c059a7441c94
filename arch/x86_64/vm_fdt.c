// SPDX-License-Identifier: MIT
/*
 * The x86_64 part of a guest's device tree: nothing beyond the core's cpu nodes, whose 'reg'
 * is the local APIC ID. x86 has no firmware call to start CPUs (that is INIT-SIPI to an emulated
 * local APIC, not there yet), so there is no enable-method; the bare-metal test guest only counts
 * the CPUs.
 */
#include <libfdt.h>
#include <axvm/arch.h>
#include <axvm/arch_vm.h>
#include <axvm/vm.h>
#include <arch/linux_boot.h>

/* The guest reads the TSC unscaled: tell it the rate (the bare-metal guest paces itself by it). */
int arch_vm_fdt_cpus(struct vm *vm, void *fdt)
{
    return fdt_property_u32(fdt, "timebase-frequency", (uint32_t)arch_counter_freq());
}

int arch_vm_fdt_cpu(struct vcpu *v, void *fdt)
{
    return 0;
}

/* A Linux guest does not read the device tree: it gets its zero page and ACPI tables, written
 * here since this is where the VM's platform description is made. */
int arch_vm_fdt(struct vm *vm, void *fdt)
{
    return linux_boot_setup(vm) ? -FDT_ERR_BADSTATE : 0;
}
