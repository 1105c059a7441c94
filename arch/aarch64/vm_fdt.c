// SPDX-License-Identifier: MIT
/* The AArch64 part of a guest's device tree: CPUs started through PSCI over HVC. */
#include <libfdt.h>
#include <axvm/arch_vm.h>
#include <axvm/format.h>
#include <axvm/vm.h>

int arch_vm_fdt_cpus(struct vm *vm, void *fdt)
{
    return 0;
}

int arch_vm_fdt_cpu(struct vcpu *v, void *fdt)
{
    int err = fdt_property_string(fdt, "compatible", "arm,armv8");
    return err ?: fdt_property_string(fdt, "enable-method", "psci");
}

int arch_vm_fdt(struct vm *vm, void *fdt)
{
    int err = fdt_begin_node(fdt, "psci");
    static const char psci_compat[] = "arm,psci-1.0\0arm,psci-0.2";
    err = err ?: fdt_property(fdt, "compatible", psci_compat, sizeof(psci_compat));
    err = err ?: fdt_property_string(fdt, "method", "hvc");
    err = err ?: fdt_end_node(fdt);

    /* The architected timer's PPIs (secure and non-secure physical, virtual, hypervisor), when
     * the VM has an interrupt controller to deliver them. */
    if (!err && vgic_of(vm)) {
        static const uint32_t ppis[] = {13, 14, 11, 10};
        uint32_t cells[12];
        for (unsigned i = 0; i < 4; i++) {
            cells[3 * i] = cpu_to_fdt32(1);
            cells[3 * i + 1] = cpu_to_fdt32(ppis[i]);
            cells[3 * i + 2] = cpu_to_fdt32(4);
        }
        err = fdt_begin_node(fdt, "timer");
        err = err ?: fdt_property_string(fdt, "compatible", "arm,armv8-timer");
        err = err ?: fdt_property(fdt, "interrupts", cells, sizeof(cells));
        err = err ?: fdt_property(fdt, "always-on", NULL, 0);
        err = err ?: fdt_end_node(fdt);
    }
    return err;
}

/* PSCI has no call from the hypervisor to the guest: the guest is asked through the device
 * tree's power-request interrupt (kernel/vm_fdt.c writes its node). */
int arch_vm_power_request(struct vm *vm)
{
    return vm_power_irq_raise(vm);
}
