// SPDX-License-Identifier: MIT
/*
 * A guest access to a physical address with no memory or device behind it, as a PC's bus
 * answers it: a read returns all ones (nobody drives the lines), a write goes nowhere. An
 * instruction fetch from there, or an access the hypervisor could not decode, cannot be
 * completed that way and stops the VM.
 */
#include <arch/vcpu_exit.h>
#include <axvm/arch_vm.h>
#include <axvm/vcpu.h>

void arch_vcpu_bad_access(struct vcpu *v, struct vcpu_exit *e)
{
    if (e->mmio.fetch || !e->mmio.decoded) {
        exit_fatal(e, e->mmio.gpa,
                   e->mmio.fetch ? "instruction fetch from 0x%llx: no memory there"
                                 : "access to 0x%llx (no memory or device) by an instruction the "
                                   "hypervisor cannot decode",
                   e->mmio.gpa, 0);
        return;
    }
    if (!e->mmio.write)
        e->mmio.value = e->mmio.width >= 8 ? ~0ULL : (1ULL << (8 * e->mmio.width)) - 1;
    arch_vcpu_complete(v, e);
}
