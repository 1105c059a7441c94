/* SPDX-License-Identifier: MIT */
#ifndef ARCH_VIRT_H
#define ARCH_VIRT_H

/* What arch_virt_cpu_init (arch/riscv64/virt_cpu.c) found out about the harts. */

#include <axvm/types.h>

/* The harts have F/D registers (sstatus.FS can be turned on): vCPU switches save them. */
extern bool riscv_have_fpu;

/* The harts have Sstc (henvcfg.STCE sticks): guests program vstimecmp themselves. */
extern bool riscv_have_sstc;
extern uint64_t riscv_scounteren_reset;

#endif
