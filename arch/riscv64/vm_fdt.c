// SPDX-License-Identifier: MIT
/*
 * The RISC-V part of a guest's device tree: one cpu node per vCPU with its ISA and its local
 * interrupt controller (Linux Documentation/devicetree/bindings/riscv/cpus.yaml and
 * extensions.yaml), the timebase of the time CSR, which the guest reads unchanged
 * (htimedelta = 0). Harts are started through SBI HSM, which needs no enable-method.
 */
#include <libfdt.h>
#include <axvm/arch.h>
#include <axvm/arch_vm.h>
#include <axvm/format.h>
#include <axvm/vm.h>
#include <arch/virt.h>
#include <arch/vm_fdt.h>

/*
 * What VS-mode gets: RV64GC, the counters (time through hcounteren), and Sstc where the harts
 * have it, so the guest programs its timer interrupt (vstimecmp) without an exit. Nothing the
 * hypervisor does not switch between vCPUs (no V: its registers are not saved).
 */
static const char *const guest_extensions[] = {"i", "m",      "a",     "f",       "d",
                                               "c", "zicntr", "zicsr", "zifencei"};
#define GUEST_ISA_BASE "rv64i"
#define GUEST_ISA      "rv64imafdc_zicntr_zicsr_zifencei"

/* "riscv,isa-extensions": a string list, Sstc last when present. */
static int fdt_isa_extensions(void *fdt)
{
    char list[96];
    size_t len = 0;
    for (unsigned i = 0; i < ARRAY_SIZE(guest_extensions); i++) {
        size_t n = __builtin_strlen(guest_extensions[i]) + 1;
        __builtin_memcpy(list + len, guest_extensions[i], n);
        len += n;
    }
    if (riscv_have_sstc) {
        __builtin_memcpy(list + len, "sstc", 5);
        len += 5;
    }
    return fdt_property(fdt, "riscv,isa-extensions", list, (int)len);
}

int arch_vm_fdt_cpu(struct vcpu *v, void *fdt)
{
    int err = fdt_property_string(fdt, "status", "okay");
    err = err ?: fdt_property_string(fdt, "compatible", "riscv");
    /* The legacy string for kernels that do not read the extension list. */
    err = err
              ?: fdt_property_string(fdt, "riscv,isa",
                                     riscv_have_sstc ? GUEST_ISA "_sstc" : GUEST_ISA);
    err = err ?: fdt_property_string(fdt, "riscv,isa-base", GUEST_ISA_BASE);
    err = err ?: fdt_isa_extensions(fdt);
    err = err ?: fdt_property_string(fdt, "mmu-type", "riscv,sv39");

    err = err ?: fdt_begin_node(fdt, "interrupt-controller");
    err = err ?: fdt_property_u32(fdt, "#interrupt-cells", 1);
    err = err ?: fdt_property(fdt, "interrupt-controller", NULL, 0);
    err = err ?: fdt_property_string(fdt, "compatible", "riscv,cpu-intc");
    err = err ?: fdt_property_u32(fdt, "phandle", RISCV_VM_FDT_INTC_PHANDLE(v->id));
    /* The root of the interrupt tree: it must not inherit the root node's interrupt-parent
     * (the vPLIC, which hangs off these). Linux's of_irq_init takes a controller that is its
     * own parent for a root. */
    err = err ?: fdt_property_u32(fdt, "interrupt-parent", RISCV_VM_FDT_INTC_PHANDLE(v->id));
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

/* The SBI has no call from the hypervisor to the guest: the guest is asked through the device
 * tree's power-request interrupt (kernel/vm_fdt.c writes its node). */
int arch_vm_power_request(struct vm *vm)
{
    return vm_power_irq_raise(vm);
}
