// SPDX-License-Identifier: MIT
/*
 * The SBI a guest sees (RISC-V SBI specification 2.0): an ECALL from VS-mode traps to HS
 * (scause 10) with the extension id in a7, the function id in a6 and arguments in a0-a5; the
 * result is a0 = error, a1 = value (chapter 3). Legacy extensions (chapter 5) return a0 only.
 *
 *   Base (0x10)          version, implementation, probe_extension, machine ids
 *   Legacy 0x00-0x02     set_timer, console_putchar (to the VM's console), console_getchar
 *   Legacy 0x08          shutdown
 *   TIME                 set_timer: vstimecmp (Sstc), so the guest timer needs no emulation
 *   IPI, RFENCE          send_ipi, remote FENCE.I and SFENCE.VMA (sbi_guest_remote.c)
 *   HSM                  hart_start, hart_stop, hart_get_status, hart_suspend (sbi_guest_hsm.c)
 *   SRST                 shutdown, cold and warm reboot
 *   DBCN                 write, read, write_byte on the VM's console (sbi_guest_dbcn.c)
 *   axvm (AXVM_SBI_EXT)  the hypercalls: a6 = number, a0-a3 = arguments
 *
 * The table below is the one list: probe_extension answers from it. Extensions a guest may
 * reasonably look for and that axvm leaves out on purpose (PMU: no counters are virtualised)
 * are rows without a handler, which probe as absent and answer SBI_ERR_NOT_SUPPORTED quietly;
 * anything else answers the same and is logged.
 */
#include <arch/csr.h>
#include <arch/sbi.h>
#include <arch/timer.h>
#include <arch/virt.h>
#include <axvm/errno.h>
#include <axvm/hypercall.h>
#include <axvm/log.h>
#include <axvm/vm.h>
#include "sbi_guest.h"

#define SBI_SPEC_VERSION (2UL << 24) /* 2.0: major in bits 30:24 (4.1) */
/* Not an implementation id from the SBI specification's registry (4.9): one of its own. */
#define SBI_IMPL_ID_AXVM 0x41585600UL /* "AXV\0" */

#define EID(v) ((v)->arch.regs.x[17]) /* a7 */

void sbi_reply(struct vcpu *v, struct vcpu_exit *e, long error, long value)
{
    v->arch.regs.x[SBI_A0] = (uint64_t)error;
    if (!v->arch.sbi_legacy)
        v->arch.regs.x[SBI_A1] = (uint64_t)value;
    e->insn_len = 4;
    e->kind = EXIT_NONE;
}

struct sbi_extension {
    unsigned long eid;
    void (*handle)(struct vcpu *v, struct vcpu_exit *e); /* NULL: known, and absent */
};

static const struct sbi_extension *extension_find(unsigned long eid);

static bool extension_present(unsigned long eid)
{
    const struct sbi_extension *x = extension_find(eid);
    return x && x->handle;
}

static void sbi_base(struct vcpu *v, struct vcpu_exit *e)
{
    switch (sbi_fid(v)) {
    case SBI_BASE_GET_SPEC_VERSION:
        sbi_reply(v, e, SBI_SUCCESS, SBI_SPEC_VERSION);
        return;
    case SBI_BASE_GET_IMPL_ID:
        sbi_reply(v, e, SBI_SUCCESS, SBI_IMPL_ID_AXVM);
        return;
    case SBI_BASE_GET_IMPL_VERSION:
        sbi_reply(v, e, SBI_SUCCESS, AXVM_HC_ABI_VERSION);
        return;
    case SBI_BASE_PROBE_EXTENSION:
        sbi_reply(v, e, SBI_SUCCESS, extension_present(sbi_arg(v, 0)));
        return;
    case SBI_BASE_GET_MVENDORID:
    case SBI_BASE_GET_MARCHID:
    case SBI_BASE_GET_MIMPID:
        sbi_reply(v, e, SBI_SUCCESS, 0); /* "not implemented" is 0 for all three (4.5-4.7) */
        return;
    default:
        sbi_reply(v, e, SBI_ERR_NOT_SUPPORTED, 0);
        return;
    }
}

/*
 * The guest's timer: with henvcfg.STCE set, VS-mode's stimecmp is vstimecmp and the hart
 * raises VSTIP by itself when time passes it (Sstc; Privileged spec 8.2.9). set_timer also
 * clears a pending timer interrupt (SBI 6.1), which moving the deadline does. The vCPU is
 * loaded on this hart while it exits, so vstimecmp is live. Without Sstc the hypervisor's own
 * timer stands in (arch/riscv64/timer.c).
 */
static void set_timer(struct vcpu *v, uint64_t when)
{
    if (riscv_have_sstc)
        csr_write(vstimecmp, when);
    else
        timer_guest_set(v, when);
}

static void sbi_time(struct vcpu *v, struct vcpu_exit *e)
{
    if (sbi_fid(v) != SBI_TIME_SET_TIMER) {
        sbi_reply(v, e, SBI_ERR_NOT_SUPPORTED, 0);
        return;
    }
    set_timer(v, sbi_arg(v, 0));
    sbi_reply(v, e, SBI_SUCCESS, 0);
}

static void sbi_ipi(struct vcpu *v, struct vcpu_exit *e)
{
    sbi_reply(v, e,
              sbi_fid(v) == SBI_IPI_SEND_IPI ? vcpu_sbi_ipi(v, sbi_arg(v, 0), sbi_arg(v, 1))
                                             : SBI_ERR_NOT_SUPPORTED,
              0);
}

static void sbi_rfence(struct vcpu *v, struct vcpu_exit *e)
{
    sbi_reply(v, e, vcpu_sbi_rfence(v, sbi_fid(v), sbi_arg(v, 0), sbi_arg(v, 1)), 0);
}

static void sbi_srst(struct vcpu *v, struct vcpu_exit *e)
{
    if (sbi_fid(v) != SBI_SRST_SYSTEM_RESET) {
        sbi_reply(v, e, SBI_ERR_NOT_SUPPORTED, 0);
        return;
    }
    switch (sbi_arg(v, 0)) {
    case SBI_SRST_TYPE_SHUTDOWN:
        e->kind = EXIT_SHUTDOWN;
        break;
    case SBI_SRST_TYPE_COLD_REBOOT:
    case SBI_SRST_TYPE_WARM_REBOOT:
        e->kind = EXIT_REBOOT;
        break;
    default:
        sbi_reply(v, e, SBI_ERR_INVALID_PARAM, 0);
        return;
    }
    e->insn_len = 4;
}

static void sbi_axvm(struct vcpu *v, struct vcpu_exit *e)
{
    e->kind = EXIT_HYPERCALL;
    e->hcall.nr = sbi_fid(v);
    for (unsigned i = 0; i < 4; i++)
        e->hcall.args[i] = sbi_arg(v, i);
    e->insn_len = 4;
}

/* Legacy extensions (chapter 5): the extension id is the function; the result is a0 alone. */
static void legacy_set_timer(struct vcpu *v, struct vcpu_exit *e)
{
    set_timer(v, sbi_arg(v, 0));
    sbi_reply(v, e, SBI_SUCCESS, 0);
}

static void legacy_putchar(struct vcpu *v, struct vcpu_exit *e)
{
    cmux_putc(&v->vm->console, (char)sbi_arg(v, 0));
    sbi_reply(v, e, SBI_SUCCESS, 0);
}

static void legacy_getchar(struct vcpu *v, struct vcpu_exit *e)
{
    sbi_reply(v, e, cmux_getc(&v->vm->console), 0); /* -1 when there is nothing */
}

static void legacy_shutdown(struct vcpu *v, struct vcpu_exit *e)
{
    e->kind = EXIT_SHUTDOWN;
    e->insn_len = 4;
}

/* Searched in order: the axvm hypercalls first, they are the guests' common call. */
static const struct sbi_extension extensions[] = {
    {AXVM_SBI_EXT, sbi_axvm},
    {SBI_EXT_LEGACY_SET_TIMER, legacy_set_timer},
    {SBI_EXT_LEGACY_PUTCHAR, legacy_putchar},
    {SBI_EXT_LEGACY_GETCHAR, legacy_getchar},
    {SBI_EXT_LEGACY_SHUTDOWN, legacy_shutdown},
    {SBI_EXT_BASE, sbi_base},
    {SBI_EXT_TIME, sbi_time},
    {SBI_EXT_IPI, sbi_ipi},
    {SBI_EXT_RFENCE, sbi_rfence},
    {SBI_EXT_HSM, sbi_hsm},
    {SBI_EXT_SRST, sbi_srst},
    {SBI_EXT_DBCN, sbi_dbcn},
    {SBI_EXT_PMU, NULL},
};

static const struct sbi_extension *extension_find(unsigned long eid)
{
    for (unsigned i = 0; i < ARRAY_SIZE(extensions); i++)
        if (extensions[i].eid == eid)
            return &extensions[i];
    return NULL;
}

static bool is_legacy(unsigned long eid)
{
    return eid <= SBI_EXT_LEGACY_SHUTDOWN;
}

void vcpu_sbi_call(struct vcpu *v, struct vcpu_exit *e)
{
    unsigned long eid = EID(v);
    v->arch.sbi_legacy = is_legacy(eid);
    const struct sbi_extension *x = extension_find(eid);
    if (x && x->handle) {
        x->handle(v, e);
        return;
    }
    if (!x)
        log_ratelimited(&v->vm->warn_limit[VM_WARN_FIRMWARE], LOG_WARN,
                        "vm%u (%s) vcpu%u: unknown SBI call (extension 0x%lx, function %lu) at "
                        "pc 0x%llx: returned SBI_ERR_NOT_SUPPORTED",
                        v->vm->id, v->vm->cfg->name, v->id, eid, (unsigned long)sbi_fid(v),
                        (unsigned long long)v->arch.regs.sepc);
    sbi_reply(v, e, SBI_ERR_NOT_SUPPORTED, 0);
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
        sbi_axvm_result(x, e->hcall.ret);
        break;
    case EXIT_CPU_ON:
        x[SBI_A0] = (uint64_t)hart_start_status(e->cpu_on.ret);
        break;
    default:
        break;
    }
}
