/* SPDX-License-Identifier: MIT */
#ifndef AXVM_DT_H
#define AXVM_DT_H

/* Reading the boot information out of a flattened device tree (libfdt underneath). */

#include <axvm/boot.h>

/*
 * Fill memory, reserved ranges (/memreserve/ and /reserved-memory), CPUs and how each starts
 * (enable-method, cpu-release-addr, the PSCI conduit), bootargs, the console UART
 * (/chosen/stdout-path) and the interrupt controller from 'fdt'; addresses are CPU addresses. The
 * DTB itself is added to the reserved ranges. Returns 0, or a negative libfdt error for a tree that
 * cannot be read.
 */
int dt_read_boot_info(const void *fdt, struct boot_info *bi);

/* Entry 'index' of a node's "reg" as a CPU address: read with its parent's #address-cells and
 * #size-cells, then translated through the "ranges" of every bus above it. Returns 0, or a
 * negative libfdt error (-FDT_ERR_NOTFOUND also when no "ranges" window reaches the CPU). */
int dt_node_reg(const void *fdt, int node, unsigned index, paddr_t *base, uint64_t *size);

/* The same entry untranslated: for "reg" that is not an address (a cpu node's hardware id). */
int dt_node_reg_raw(const void *fdt, int node, unsigned index, uint64_t *addr, uint64_t *size);

/* 'compat' is one of the NUL-separated strings of a "compatible" list of 'len' bytes. */
bool dt_compatible_in(const char *list, unsigned len, const char *compat);

/* Read a property cell array entry of 'cells' 32-bit cells at 'p'. */
uint64_t dt_read_cells(const void *p, int cells);

#endif
