/* SPDX-License-Identifier: MIT */
#ifndef ARCH_PSCI_H
#define ARCH_PSCI_H

/* PSCI calls to the firmware below EL2 (Arm DEN 0022), over SMC: from EL2 nothing else
 * reaches the firmware. */

#include <axvm/types.h>

#define PSCI_VERSION       0x84000000
#define PSCI_CPU_OFF       0x84000002
#define PSCI_CPU_ON_64     0xc4000003
#define PSCI_AFFINITY_INFO 0xc4000004
#define PSCI_SYSTEM_OFF    0x84000008
#define PSCI_SYSTEM_RESET  0x84000009
#define PSCI_FEATURES      0x8400000a

#define PSCI_SUCCESS       0
#define PSCI_NOT_SUPPORTED (-1)
#define PSCI_ALREADY_ON    (-4)

/* The /psci node's "method" ("smc", "hvc", or "" without one): PSCI is used only over SMC. */
void psci_init(const char *method);
bool psci_available(void);

/* PSCI_NOT_SUPPORTED when the firmware offers no PSCI axvm can call. */
int64_t psci_call(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3);

#endif
