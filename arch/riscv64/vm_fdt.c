// SPDX-License-Identifier: MIT
/*
 * The RISC-V part of a guest's device tree: one cpu node per vCPU with its local interrupt
 * controller (Linux Documentation/devicetree/bindings/riscv/cpus.yaml), the timebase of the
 * time CSR, which the guest reads unchanged (htimedelta = 0). Harts are started through SBI
 * HSM, which needs no enable-method.
 */
#include <libfdt.h>
#include <axvm/arch.h>
#include <axvm/arch_vm.h>
#include <axvm/format.h>
#include <axvm/vm.h>
#include <arch/vm_fdt.h>

/* What VS-mode gets: RV64GC. No Sstc in the string: guests set their timer through SBI TIME,
 * which the hypervisor turns into a vstimecmp write. */
#define GUEST_ISA "rv64imafdc"

static int fdt_cpu(void *fdt, const struct vcpu *v)
{
    char name[24];
    format_snprintf(name, sizeof(name), "cpu@%llx", (unsigned long long)v->hwid);
    int err = fdt_begin_node(fdt, name);
    err = err ?: fdt_property_string(fdt, "device_type", "cpu");
    err = err ?: fdt_property_u32(fdt, "reg", (uint32_t)v->hwid);
    err = err ?: fdt_property_string(fdt, "status", "okay");
    err = err ?: fdt_property_string(fdt, "compatible", "riscv");
    err = err ?: fdt_property_string(fdt, "riscv,isa", GUEST_ISA);
    err = err ?: fdt_property_string(fdt, "mmu-type", "riscv,sv39");

    err = err ?: fdt_begin_node(fdt, "interrupt-controller");
    err = err ?: fdt_property_u32(fdt, "#interrupt-cells", 1);
    err = err ?: fdt_property(fdt, "interrupt-controller", NULL, 0);
    err = err ?: fdt_property_string(fdt, "compatible", "riscv,cpu-intc");
    err = err ?: fdt_property_u32(fdt, "phandle", RISCV_VM_FDT_INTC_PHANDLE(v->id));
    err = err ?: fdt_end_node(fdt);

    return err ?: fdt_end_node(fdt);
}

int arch_vm_fdt(struct vm *vm, void *fdt)
{
    int err = fdt_begin_node(fdt, "cpus");
    err = err ?: fdt_property_u32(fdt, "#address-cells", 1);
    err = err ?: fdt_property_u32(fdt, "#size-cells", 0);
    err = err ?: fdt_property_u32(fdt, "timebase-frequency", (uint32_t)arch_counter_freq());
    for (unsigned i = 0; i < vm->vcpu_count && !err; i++)
        err = fdt_cpu(fdt, &vm->vcpus[i]);
    return err ?: fdt_end_node(fdt);
}
