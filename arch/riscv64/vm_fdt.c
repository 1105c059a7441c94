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

int arch_vm_fdt_cpu(struct vcpu *v, void *fdt)
{
    int err = fdt_property_string(fdt, "status", "okay");
    err = err ?: fdt_property_string(fdt, "compatible", "riscv");
    err = err ?: fdt_property_string(fdt, "riscv,isa", GUEST_ISA);
    err = err ?: fdt_property_string(fdt, "mmu-type", "riscv,sv39");

    err = err ?: fdt_begin_node(fdt, "interrupt-controller");
    err = err ?: fdt_property_u32(fdt, "#interrupt-cells", 1);
    err = err ?: fdt_property(fdt, "interrupt-controller", NULL, 0);
    err = err ?: fdt_property_string(fdt, "compatible", "riscv,cpu-intc");
    err = err ?: fdt_property_u32(fdt, "phandle", RISCV_VM_FDT_INTC_PHANDLE(v->id));
    return err ?: fdt_end_node(fdt);
}

int arch_vm_fdt_cpus(struct vm *vm, void *fdt)
{
    return fdt_property_u32(fdt, "timebase-frequency", (uint32_t)arch_counter_freq());
}

int arch_vm_fdt(struct vm *vm, void *fdt)
{
    return 0;
}
