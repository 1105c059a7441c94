// SPDX-License-Identifier: MIT
#include <axvm/errno.h>
#include <axvm/hypercall.h>
#include <axvm/hypercall_handle.h>
#include <axvm/log.h>
#include <axvm/vm.h>

#define CONSOLE_WRITE_MAX 256

/* A guest can call unknown numbers in a loop: one rate limit per VM slot. */
static struct log_ratelimit unknown_call_limits[VM_MAX];

static struct log_ratelimit *unknown_call_limit(const struct vm *vm)
{
    uintptr_t slot = ((uintptr_t)vm - (uintptr_t)vm_table) / sizeof(*vm);
    return &unknown_call_limits[slot < VM_MAX ? slot : 0];
}

static int64_t hc_console_write(struct vcpu *v, uint64_t gpa, uint64_t len)
{
    char buf[CONSOLE_WRITE_MAX];
    if (len > sizeof(buf))
        len = sizeof(buf); /* the guest loops for the rest, as with write(2) */
    if (aspace_read(&v->vm->as, gpa, buf, len))
        return -EFAULT;
    for (uint64_t i = 0; i < len; i++)
        cmux_putc(&v->vm->console, buf[i]);
    return (int64_t)len;
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
    case AXVM_HC_CONSOLE_WRITE:
        hc->ret = hc_console_write(v, hc->args[0], hc->args[1]);
        break;
    case AXVM_HC_SHUTDOWN:
        return EXIT_SHUTDOWN;
    case AXVM_HC_REBOOT:
        return EXIT_REBOOT;
    default:
        log_ratelimited(unknown_call_limit(v->vm), LOG_WARN,
                        "vm%u (%s) vcpu%u: unknown hypercall %llu, returned -ENOSYS", v->vm->id,
                        v->vm->cfg->name, v->id, (unsigned long long)hc->nr);
        hc->ret = -ENOSYS;
        break;
    }
    return EXIT_NONE;
}
