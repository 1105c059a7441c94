// SPDX-License-Identifier: MIT
/*
 * The x86_64 part of a guest's device tree: one /cpus entry per vCPU, its local APIC ID in
 * 'reg'. x86 has no firmware call to start CPUs (that is INIT-SIPI to an emulated local APIC,
 * not there yet), so there is no enable-method; the bare-metal test guest only counts the CPUs.
 */
#include <libfdt.h>
#include <axvm/arch_vm.h>
#include <axvm/format.h>
#include <axvm/vm.h>

int arch_vm_fdt(struct vm *vm, void *fdt)
{
    int err = fdt_begin_node(fdt, "cpus");
    err = err ?: fdt_property_u32(fdt, "#address-cells", 1);
    err = err ?: fdt_property_u32(fdt, "#size-cells", 0);
    for (unsigned i = 0; i < vm->vcpu_count && !err; i++) {
        char name[16];
        format_snprintf(name, sizeof(name), "cpu@%llx", (unsigned long long)vm->vcpus[i].hwid);
        err = fdt_begin_node(fdt, name);
        err = err ?: fdt_property_string(fdt, "device_type", "cpu");
        err = err ?: fdt_property_u32(fdt, "reg", (uint32_t)vm->vcpus[i].hwid);
        err = err ?: fdt_end_node(fdt);
    }
    return err ?: fdt_end_node(fdt);
}
