// SPDX-License-Identifier: MIT
/*
 * The firmware interface guests see through HVC and SMC: PSCI 1.1 (Arm DEN 0022) for CPU and
 * system power, and the axvm hypercalls in the vendor-specific hypervisor range.
 */
#include <arch/psci.h>
#include <arch/vcpu_exit.h>
#include <axvm/errno.h>
#include <axvm/hypercall.h>
#include <axvm/vm.h>

#define PSCI_INVALID_PARAMS    (-2)
#define PSCI_DENIED            (-3)
#define PSCI_MIGRATE_INFO_TYPE 0x84000006
#define SMCCC_VERSION          0x80000000
#define SMCCC_ARCH_FEATURES    0x80000001
#define AFFINITY_ON            0
#define AFFINITY_OFF           1

int64_t psci_status(int64_t r)
{
    switch (r) {
    case 0:
        return PSCI_SUCCESS;
    case -ENOENT:
        return PSCI_INVALID_PARAMS;
    case -EBUSY:
        return PSCI_ALREADY_ON;
    default:
        return PSCI_DENIED;
    }
}

static bool psci_supported(uint64_t fid)
{
    switch ((uint32_t)fid) {
    case PSCI_VERSION:
    case PSCI_CPU_OFF:
    case PSCI_CPU_ON_64:
    case PSCI_AFFINITY_INFO:
    case PSCI_SYSTEM_OFF:
    case PSCI_SYSTEM_RESET:
    case PSCI_FEATURES:
    case PSCI_MIGRATE_INFO_TYPE:
    case SMCCC_VERSION:
        return true;
    default:
        return false;
    }
}

/* Answered in place: x0 gets the result, the guest goes on past the call. */
static void reply(struct vcpu *v, struct vcpu_exit *e, unsigned advance, int64_t value)
{
    v->arch.regs.x[0] = (uint64_t)value;
    e->kind = EXIT_NONE;
}

void vcpu_firmware_call(struct vcpu *v, struct vcpu_exit *e, unsigned advance)
{
    const uint64_t *x = v->arch.regs.x;
    uint64_t fid = x[0] & 0xffffffffULL;
    e->insn_len = advance;

    if (fid >= AXVM_HC_BASE_ARM && fid < AXVM_HC_BASE_ARM + 0x10000) {
        e->kind = EXIT_HYPERCALL;
        e->hcall.nr = fid - AXVM_HC_BASE_ARM;
        for (unsigned i = 0; i < 4; i++)
            e->hcall.args[i] = x[i + 1];
        return;
    }

    switch ((uint32_t)fid) {
    case SMCCC_VERSION:
        reply(v, e, advance, 0x10001); /* SMCCC 1.1 */
        return;
    case SMCCC_ARCH_FEATURES:
        /* No firmware workarounds (SMCCC_ARCH_WORKAROUND_*) to offer. */
        reply(v, e, advance, PSCI_NOT_SUPPORTED);
        return;
    case PSCI_VERSION:
        reply(v, e, advance, 0x10001); /* PSCI 1.1 */
        return;
    case PSCI_FEATURES:
        reply(v, e, advance, psci_supported(x[1]) ? 0 : PSCI_NOT_SUPPORTED);
        return;
    case PSCI_MIGRATE_INFO_TYPE:
        reply(v, e, advance, 2); /* no Trusted OS that needs migrating */
        return;
    case PSCI_AFFINITY_INFO: {
        struct vcpu *t = vm_find_vcpu_by_hwid(v->vm, x[1] & 0xff00ffffffULL);
        if (!t)
            reply(v, e, advance, PSCI_INVALID_PARAMS);
        else
            reply(v, e, advance, vcpu_state_get(t) == VCPU_OFF ? AFFINITY_OFF : AFFINITY_ON);
        return;
    }
    case PSCI_CPU_ON_64:
        e->kind = EXIT_CPU_ON;
        e->cpu_on.target = x[1] & 0xff00ffffffULL;
        e->cpu_on.entry = x[2];
        e->cpu_on.arg = x[3];
        return;
    case PSCI_CPU_OFF:
        e->kind = EXIT_CPU_OFF;
        return;
    case PSCI_SYSTEM_OFF:
        e->kind = EXIT_SHUTDOWN;
        return;
    case PSCI_SYSTEM_RESET:
        e->kind = EXIT_REBOOT;
        return;
    default:
        /* Another SMCCC service (TRNG, other hypervisors' UID queries...): answer
         * NOT_SUPPORTED as firmware without it would (SMCCC 1.1, section 5.2). Calls in our
         * own range that we do not know are the core's to log. */
        reply(v, e, advance, PSCI_NOT_SUPPORTED);
        return;
    }
}
