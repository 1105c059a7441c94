// SPDX-License-Identifier: MIT
/*
 * PSCI calls to the firmware (Arm DEN 0022) through the conduit the device tree's /psci node
 * names. From EL2 only SMC reaches the firmware (EL3): an HVC would trap to axvm itself, so a
 * tree that says "hvc" was written for a kernel under a hypervisor and PSCI is not used.
 */
#include <string.h>
#include <arch/psci.h>

static bool psci_smc;

void psci_init(const char *method)
{
    psci_smc = strcmp(method, "smc") == 0;
}

bool psci_available(void)
{
    return psci_smc;
}

int64_t psci_call(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
    if (!psci_smc)
        return PSCI_NOT_SUPPORTED;
    register uint64_t x0 __asm__("x0") = fid;
    register uint64_t x1 __asm__("x1") = a1;
    register uint64_t x2 __asm__("x2") = a2;
    register uint64_t x3 __asm__("x3") = a3;
    /* SMCCC 1.0 lets the callee corrupt x4..x17. */
    __asm__ volatile("smc #0"
                     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
                     :
                     : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15",
                       "x16", "x17", "memory");
    return (int64_t)x0;
}
