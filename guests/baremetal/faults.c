// SPDX-License-Identifier: MIT
/*
 * The guest-fault checks ("faults" on the command line): what a guest gets from the hypervisor
 * where real hardware would give it something, checked by the guest itself.
 *
 * - An access to a guest-physical address with no memory and no device behind it: AArch64 a
 *   synchronous external abort taken by the guest's own vector, RISC-V an access fault in its
 *   own trap handler, x86 all ones for a read and nothing for a write. The VM keeps running.
 * - A byte store to an emulated register reaches the device as one byte.
 * - Per architecture: a counter the guest may not read (RISC-V), the EL1 timers' interrupts
 *   (AArch64), a port access straddling a device's last port (x86).
 *
 * The checks are arch/<arch>/faults.c's table; this file finds the addresses with nothing
 * behind them and prints one line per check, so the test (tests/integration/
 * test_guest_faults.py) can assert each one.
 */
#include <string.h>
#include <libfdt.h>
#include "faults.h"
#include "guest.h"

/* The probes go this far above everything the device tree describes, on a 1 MiB boundary;
 * the fetch probe 1 MiB further (another 64 KiB range for the hypervisor's log). */
#define NOWHERE_GAP  0x10000000ULL
#define NOWHERE_STEP 0x100000ULL

/* The end of the highest memory region or device in the device tree's root. */
static uint64_t described_top(const void *fdt)
{
    uint64_t top = 0;
    int node;
    fdt_for_each_subnode(node, fdt, 0)
    {
        int len;
        const fdt64_t *reg = fdt_getprop(fdt, node, "reg", &len);
        for (int i = 0; reg && i + 1 < len / (int)sizeof(fdt64_t); i += 2) {
            uint64_t end = fdt64_ld(&reg[i]) + fdt64_ld(&reg[i + 1]);
            top = end > top ? end : top;
        }
    }
    return top;
}

void faults_run(const void *fdt, uint64_t counter_hz)
{
    uint64_t top = described_top(fdt);
    struct fault_env env = {
        .fdt = fdt,
        .nowhere_data = ((top + NOWHERE_STEP - 1) & ~(NOWHERE_STEP - 1)) + NOWHERE_GAP,
        .counter_hz = counter_hz,
    };
    env.nowhere_code = env.nowhere_data + NOWHERE_STEP;
    guest_printf("faults: probing 0x%llx (data) and 0x%llx (code), nothing below 0x%llx\n",
                 (unsigned long long)env.nowhere_data, (unsigned long long)env.nowhere_code,
                 (unsigned long long)top);
    trap_init();

    unsigned total = 0, failed = 0;
    for (const struct fault_check *c = fault_checks; c->name; c++) {
        char detail[128];
        detail[0] = '\0';
        bool ok = c->run(&env, detail, sizeof(detail));
        guest_printf("faults: %s %s: %s\n", c->name, ok ? "ok" : "FAILED", detail);
        total++;
        failed += !ok;
    }
    if (failed)
        guest_printf("faults: FAILED %u of %u checks\n", failed, total);
    else
        guest_printf("faults: all %u checks ok\n", total);
}
