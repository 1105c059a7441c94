/* SPDX-License-Identifier: MIT */
#ifndef AXVM_VMM_H
#define AXVM_VMM_H

/*
 * The console commands (Ctrl-] then ':'): parsed by vmm_cmd.c, run here against the VM table.
 * Every answer is an [axvm] line; a bad line gets one line saying why.
 */

/* Run one command line (cmux_command points here once the VMs are started). */
void vmm_run(const char *line);

#endif
