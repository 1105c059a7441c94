// SPDX-License-Identifier: MIT
/*
 * Serving the axvm hypercalls. The null calls (version, ids) are the common case and must stay
 * a few instructions: the paths that need a stack buffer or a log line are kept out of line,
 * so their frame is not built on every call.
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

enum exit_kind hypercall_handle(struct vcpu *v, struct exit_hypercall *hc)
{
    switch (hc->nr) {
    case AXVM_HC_VERSION:
        hc->ret = AXVM_HC_ABI_VERSION;
        break;
    case AXVM_HC_VM_ID:
        hc->ret = v->vm->id;
        break;
    case AXVM_HC_VCPU_ID:
        hc->ret = v->id;
        break;
    case AXVM_HC_BOOT_COUNT:
        hc->ret = v->vm->boots;
        break;
    case AXVM_HC_TRAP_FLOOR:
        hc->ret = 0; /* the architecture's entry answers it first; the same answer here */
        break;
    case AXVM_HC_CONSOLE_WRITE:
        return hc_console_write(v, hc);
    case AXVM_HC_SHMEM_RING:
        hc->ret = shmem_ring(v->vm, hc->args[0]);
        break;
    case AXVM_HC_SHMEM_RINGS:
        hc->ret = shmem_rings(v->vm, hc->args[0]);
        break;
    case AXVM_HC_SHUTDOWN:
        return EXIT_SHUTDOWN;
    case AXVM_HC_REBOOT:
        return EXIT_REBOOT;
    default:
        return hc_unknown(v, hc);
    }
    return EXIT_NONE;
}
