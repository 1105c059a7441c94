// SPDX-License-Identifier: MIT
/*
 * Defaults for the arch_vm.h hooks an architecture may not implement yet. Each is a weak
 * symbol: the architecture's own definition, when it has one, replaces it at link time.
 */
#include <axvm/arch_vm.h>
#include <axvm/vdev.h>

__attribute__((weak)) void arch_vm_set_irq(struct vm *vm, unsigned irq, bool level) {}

/* Without interrupt state to consult, a halted vCPU is runnable: it will halt again. */
__attribute__((weak)) bool arch_vcpu_irq_pending(struct vcpu *v)
{
    return true;
}

#include <axvm/errno.h>
#include <axvm/log.h>

__attribute__((weak)) int arch_vm_claim_irq(struct vm *vm, unsigned irq)
{
    log_error("passthrough interrupts are not supported on this architecture yet");
    return -ENOSYS;
}

__attribute__((weak)) void arch_vm_release_irq(struct vm *vm, unsigned irq) {}

__attribute__((weak)) void arch_timeslice_start(uint64_t ns) {}

__attribute__((weak)) void arch_timeslice_stop(void) {}

__attribute__((weak)) const struct vdev_type *arch_vdev_find(const char *name)
{
    return NULL;
}
