/* SPDX-License-Identifier: MIT */
#ifndef AXVM_DT_H
#define AXVM_DT_H

/* Reading the boot information out of a flattened device tree (libfdt underneath). */

#include <axvm/boot.h>

/*
 * Fill memory, reserved ranges (/memreserve/ and /reserved-memory), CPUs, bootargs and the
 * console UART from 'fdt'. The DTB itself is added to the reserved ranges. Returns 0, or a
 * negative libfdt error for a tree that cannot be read.
 */
int dt_read_boot_info(const void *fdt, struct boot_info *bi);

/* Entry 'index' of a node's "reg", using its parent's #address-cells and #size-cells.
 * Returns 0, or a negative libfdt error. */
int dt_node_reg(const void *fdt, int node, unsigned index, paddr_t *base, uint64_t *size);

/* Read a property cell array entry of 'cells' 32-bit cells at 'p'. */
uint64_t dt_read_cells(const void *p, int cells);

#endif
