// SPDX-License-Identifier: MIT
/*
 * Serving the axvm hypercalls. The null calls (version, ids) are the common case and must stay
 * a few instructions: the paths that need a stack buffer or a log line are kept out of line,
 * so their frame is not built on every call. The calls that only read (hc_read) are also
 * answered by the architectures' exception entries through hypercall_answer_fast, without
 * leaving the guest's context: the same function serves both paths.
 */
#include <axvm/errno.h>
#include <axvm/hypercall.h>
#include <axvm/hypercall_handle.h>
#include <axvm/log.h>
#include <axvm/shmem.h>
#include <axvm/vm.h>

#define CONSOLE_WRITE_MAX 256

/* Out of line and reached by tail calls, so the null calls build no stack frame for them. */
static __attribute__((noinline)) enum exit_kind hc_console_write(struct vcpu *v,
                                                                 struct exit_hypercall *hc)
{
    char buf[CONSOLE_WRITE_MAX];
    uint64_t gpa = hc->args[0], len = hc->args[1];
    if (len > sizeof(buf))
        len = sizeof(buf); /* the guest loops for the rest, as with write(2) */
    if (aspace_read(&v->vm->as, gpa, buf, len)) {
        hc->ret = -EFAULT;
        return EXIT_NONE;
    }
    for (uint64_t i = 0; i < len; i++)
        cmux_putc(&v->vm->console, buf[i]);
    hc->ret = (int64_t)len;
    return EXIT_NONE;
}

static __attribute__((noinline, cold)) enum exit_kind hc_unknown(struct vcpu *v,
                                                                 struct exit_hypercall *hc)
{
    log_ratelimited(&v->vm->warn_limit[VM_WARN_HYPERCALL], LOG_WARN,
                    "vm%u (%s) vcpu%u: unknown hypercall %llu, returned -ENOSYS", v->vm->id,
                    v->vm->cfg->name, v->id, (unsigned long long)hc->nr);
    hc->ret = -ENOSYS;
    return EXIT_NONE;
}

/* The calls that only read (no side effect on the VM, the scheduler or the console), so an
 * architecture may answer them in its exception entry; false for every other number. */
static bool hc_read(struct vcpu *v, uint64_t nr, uint64_t arg0, int64_t *ret)
{
    switch (nr) {
    case AXVM_HC_VERSION:
        *ret = AXVM_HC_ABI_VERSION;
        return true;
    case AXVM_HC_VM_ID:
        *ret = v->vm->id;
        return true;
    case AXVM_HC_VCPU_ID:
        *ret = v->id;
        return true;
    case AXVM_HC_BOOT_COUNT:
        *ret = v->vm->boots;
        return true;
    case AXVM_HC_TRAP_FLOOR:
        *ret = 0; /* the architecture's entry answers it first; the same answer here */
        return true;
    case AXVM_HC_SHMEM_RINGS:
        *ret = shmem_rings(v->vm, arg0); /* an atomic load of this VM's own counter */
        return true;
    default:
        return false;
    }
}

bool hypercall_answer_fast(struct vcpu *v, uint64_t nr, uint64_t arg0, int64_t *ret)
{
    if (!hc_read(v, nr, arg0, ret))
        return false;
    /* Counted as vcpu_run counts the exits it sees, so the statistics stay true. */
    v->exits++;
    v->exit_kinds[EXIT_HYPERCALL]++;
    return true;
}

enum exit_kind hypercall_handle(struct vcpu *v, struct exit_hypercall *hc)
{
    if (hc_read(v, hc->nr, hc->args[0], &hc->ret))
        return EXIT_NONE;
    switch (hc->nr) {
    case AXVM_HC_CONSOLE_WRITE:
        return hc_console_write(v, hc);
    case AXVM_HC_SHMEM_RING:
        hc->ret = shmem_ring(v->vm, hc->args[0]);
        return EXIT_NONE;
    case AXVM_HC_SHUTDOWN:
        return EXIT_SHUTDOWN;
    case AXVM_HC_REBOOT:
        return EXIT_REBOOT;
    default:
        return hc_unknown(v, hc);
    }
}
