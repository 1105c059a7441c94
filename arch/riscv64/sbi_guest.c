// SPDX-License-Identifier: MIT
/*
 * The SBI a guest sees (RISC-V SBI specification v1.0): an ECALL from VS-mode traps to HS
 * (scause 10) with the extension id in a7, the function id in a6 and arguments in a0-a5; the
 * result is a0 = error, a1 = value (chapter 3). Legacy extensions (chapter 5) return a0 only.
 *
 *   Base (0x10)          version, implementation, probe_extension, machine ids
 *   Legacy 0x00-0x02     set_timer, console_putchar (to the VM's console), console_getchar
 *   Legacy 0x08          shutdown
 *   TIME                 set_timer: vstimecmp (Sstc), so the guest timer needs no emulation
 *   IPI, RFENCE          send_ipi, remote FENCE.I and SFENCE.VMA (sbi_guest_remote.c)
 *   HSM                  hart_start, hart_stop, hart_get_status
 *   SRST                 shutdown, cold and warm reboot
 *   axvm (AXVM_SBI_EXT)  the hypercalls: a6 = number, a0-a3 = arguments
 *
 * Anything else answers SBI_ERR_NOT_SUPPORTED, as a firmware without the extension would, and
 * is logged.
 */
#include <arch/csr.h>
#include <arch/sbi.h>
#include <arch/vcpu_exit.h>
#include <axvm/errno.h>
#include <axvm/hypercall.h>
#include <axvm/log.h>
#include <axvm/vm.h>

#define SBI_SPEC_VERSION (1UL << 24) /* 1.0: major in bits 30:24 (4.1) */
/* Not an implementation id from the SBI specification's registry (4.9): one of its own. */
#define SBI_IMPL_ID_AXVM 0x41585600UL /* "AXV\0" */

#define A0     10
#define A1     11
#define ARG(n) (v->arch.regs.x[A0 + (n)])
#define FID    (v->arch.regs.x[16]) /* a6 */
#define EID    (v->arch.regs.x[17]) /* a7 */

/* Answered in place: set the result, step over the ECALL, resume the guest. */
static void reply(struct vcpu *v, struct vcpu_exit *e, long error, long value)
{
    v->arch.regs.x[A0] = (uint64_t)error;
    if (!v->arch.sbi_legacy)
        v->arch.regs.x[A1] = (uint64_t)value;
    e->insn_len = 4;
    e->kind = EXIT_NONE;
}

static bool extension_present(unsigned long eid)
{
    switch (eid) {
    case SBI_EXT_LEGACY_SET_TIMER:
    case SBI_EXT_LEGACY_PUTCHAR:
    case SBI_EXT_LEGACY_GETCHAR:
    case SBI_EXT_LEGACY_SHUTDOWN:
    case SBI_EXT_BASE:
    case SBI_EXT_TIME:
    case SBI_EXT_IPI:
    case SBI_EXT_RFENCE:
    case SBI_EXT_HSM:
    case SBI_EXT_SRST:
    case AXVM_SBI_EXT:
        return true;
    default:
        return false;
    }
}

static void sbi_base(struct vcpu *v, struct vcpu_exit *e)
{
    switch (FID) {
    case SBI_BASE_GET_SPEC_VERSION:
        reply(v, e, SBI_SUCCESS, SBI_SPEC_VERSION);
        return;
    case SBI_BASE_GET_IMPL_ID:
        reply(v, e, SBI_SUCCESS, SBI_IMPL_ID_AXVM);
        return;
    case SBI_BASE_GET_IMPL_VERSION:
        reply(v, e, SBI_SUCCESS, AXVM_HC_ABI_VERSION);
        return;
    case SBI_BASE_PROBE_EXTENSION:
        reply(v, e, SBI_SUCCESS, extension_present(ARG(0)));
        return;
    case SBI_BASE_GET_MVENDORID:
    case SBI_BASE_GET_MARCHID:
    case SBI_BASE_GET_MIMPID:
        reply(v, e, SBI_SUCCESS, 0); /* "not implemented" is 0 for all three (4.5-4.7) */
        return;
    default:
        reply(v, e, SBI_ERR_NOT_SUPPORTED, 0);
        return;
    }
}

/*
 * The guest's timer: with henvcfg.STCE set, VS-mode's stimecmp is vstimecmp and the hart
 * raises VSTIP by itself when time passes it (Sstc; Privileged spec 8.2.9). set_timer also
 * clears a pending timer interrupt (SBI 6.1), which moving the deadline does.
 */
static void set_timer(uint64_t when)
{
    csr_write(vstimecmp, when);
}

static void sbi_hsm(struct vcpu *v, struct vcpu_exit *e)
{
    switch (FID) {
    case SBI_HSM_HART_START:
        e->kind = EXIT_CPU_ON;
        e->cpu_on.target = ARG(0);
        e->cpu_on.entry = ARG(1);
        e->cpu_on.arg = ARG(2); /* 'opaque': a1 of the started hart */
        e->insn_len = 4;
        return;
    case SBI_HSM_HART_STOP:
        e->kind = EXIT_CPU_OFF;
        e->insn_len = 4;
        return;
    case SBI_HSM_HART_GET_STATUS: {
        struct vcpu *t = vm_find_vcpu_by_hwid(v->vm, ARG(0));
        if (!t)
            reply(v, e, SBI_ERR_INVALID_PARAM, 0);
        else
            reply(v, e, SBI_SUCCESS,
                  vcpu_state_get(t) == VCPU_OFF ? SBI_HSM_STATE_STOPPED : SBI_HSM_STATE_STARTED);
        return;
    }
    default:
        reply(v, e, SBI_ERR_NOT_SUPPORTED, 0);
        return;
    }
}

static void sbi_srst(struct vcpu *v, struct vcpu_exit *e)
{
    if (FID != SBI_SRST_SYSTEM_RESET) {
        reply(v, e, SBI_ERR_NOT_SUPPORTED, 0);
        return;
    }
    switch (ARG(0)) {
    case SBI_SRST_TYPE_SHUTDOWN:
        e->kind = EXIT_SHUTDOWN;
        break;
    case SBI_SRST_TYPE_COLD_REBOOT:
    case SBI_SRST_TYPE_WARM_REBOOT:
        e->kind = EXIT_REBOOT;
        break;
    default:
        reply(v, e, SBI_ERR_INVALID_PARAM, 0);
        return;
    }
    e->insn_len = 4;
}

static void sbi_legacy(struct vcpu *v, struct vcpu_exit *e)
{
    v->arch.sbi_legacy = true;
    switch (EID) {
    case SBI_EXT_LEGACY_SET_TIMER:
        set_timer(ARG(0));
        reply(v, e, SBI_SUCCESS, 0);
        return;
    case SBI_EXT_LEGACY_PUTCHAR:
        cmux_putc(&v->vm->console, (char)ARG(0));
        reply(v, e, SBI_SUCCESS, 0);
        return;
    case SBI_EXT_LEGACY_GETCHAR:
        reply(v, e, cmux_getc(&v->vm->console), 0); /* -1 when there is nothing */
        return;
    case SBI_EXT_LEGACY_SHUTDOWN:
        e->kind = EXIT_SHUTDOWN;
        e->insn_len = 4;
        return;
    }
}

void vcpu_sbi_call(struct vcpu *v, struct vcpu_exit *e)
{
    unsigned long eid = EID;
    v->arch.sbi_legacy = false;
    switch (eid) {
    case SBI_EXT_LEGACY_SET_TIMER:
    case SBI_EXT_LEGACY_PUTCHAR:
    case SBI_EXT_LEGACY_GETCHAR:
    case SBI_EXT_LEGACY_SHUTDOWN:
        sbi_legacy(v, e);
        return;
    case SBI_EXT_BASE:
        sbi_base(v, e);
        return;
    case SBI_EXT_TIME:
        if (FID == SBI_TIME_SET_TIMER) {
            set_timer(ARG(0));
            reply(v, e, SBI_SUCCESS, 0);
        } else {
            reply(v, e, SBI_ERR_NOT_SUPPORTED, 0);
        }
        return;
    case SBI_EXT_IPI:
        reply(v, e,
              FID == SBI_IPI_SEND_IPI ? vcpu_sbi_ipi(v, ARG(0), ARG(1)) : SBI_ERR_NOT_SUPPORTED, 0);
        return;
    case SBI_EXT_RFENCE:
        reply(v, e, vcpu_sbi_rfence(v, FID, ARG(0), ARG(1)), 0);
        return;
    case SBI_EXT_HSM:
        sbi_hsm(v, e);
        return;
    case SBI_EXT_SRST:
        sbi_srst(v, e);
        return;
    case AXVM_SBI_EXT:
        e->kind = EXIT_HYPERCALL;
        e->hcall.nr = FID;
        for (unsigned i = 0; i < 4; i++)
            e->hcall.args[i] = ARG(i);
        e->insn_len = 4;
        return;
    default:
        log_warn("vm%u (%s) vcpu%u: unknown SBI call (extension 0x%lx, function %lu) at pc "
                 "0x%llx: returned SBI_ERR_NOT_SUPPORTED",
                 v->vm->id, v->vm->cfg->name, v->id, eid, (unsigned long)FID,
                 (unsigned long long)v->arch.regs.sepc);
        reply(v, e, SBI_ERR_NOT_SUPPORTED, 0);
        return;
    }
}

/* SBI error for a core result of vm_cpu_on (0, -ENOENT, -EBUSY...), per HSM hart_start (9.1). */
static long hart_start_status(int64_t r)
{
    switch (r) {
    case 0:
        return SBI_SUCCESS;
    case -ENOENT:
        return SBI_ERR_INVALID_PARAM;
    case -EBUSY:
        return SBI_ERR_ALREADY_AVAILABLE;
    default:
        return SBI_ERR_FAILED;
    }
}

void vcpu_sbi_complete(struct vcpu *v, const struct vcpu_exit *e)
{
    uint64_t *x = v->arch.regs.x;
    switch (e->kind) {
    case EXIT_HYPERCALL:
        /* The SBI convention: a0 = error (here the core's -errno), a1 = value. */
        x[A0] = e->hcall.ret < 0 ? (uint64_t)e->hcall.ret : 0;
        x[A1] = e->hcall.ret < 0 ? 0 : (uint64_t)e->hcall.ret;
        break;
    case EXIT_CPU_ON:
        x[A0] = (uint64_t)hart_start_status(e->cpu_on.ret);
        break;
    default:
        break;
    }
}
