/* SPDX-License-Identifier: MIT */
#ifndef ARCH_VM_FDT_H
#define ARCH_VM_FDT_H

/*
 * Phandles of the nodes arch/riscv64/vm_fdt.c puts into a guest's device tree, for whatever
 * else refers to them (an interrupt controller's interrupts-extended).
 */

/* The "riscv,cpu-intc" interrupt controller of vCPU 'i'. */
#define RISCV_VM_FDT_INTC_PHANDLE(i) (0x100u + (unsigned)(i))

#endif
