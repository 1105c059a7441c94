/* SPDX-License-Identifier: MIT */
#ifndef ARCH_SMP_H
#define ARCH_SMP_H

/*
 * Starting the secondary CPUs the way the device tree says, CPU by CPU (its enable-method):
 * PSCI CPU_ON, or the spin table (the CPU waits in the firmware for an entry point at its
 * cpu-release-addr).
 */

#include <axvm/boot.h>

/* Keep what the device tree says of each CPU's start; once, on the boot CPU. */
void smp_init(const struct boot_info *bi);

#endif
