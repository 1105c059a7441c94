/* SPDX-License-Identifier: MIT */
#ifndef AXVM_VM_FDT_H
#define AXVM_VM_FDT_H

#include <axvm/types.h>

struct vm;

/* The interrupt controller's phandle in every generated tree; the root's interrupt-parent. */
#define VM_FDT_PHANDLE_IRQCHIP 1

/* Write the VM's device tree into 'buf'. Returns 0 or a negative libfdt error. */
int vm_fdt_build(struct vm *vm, void *buf, size_t size);

#endif
