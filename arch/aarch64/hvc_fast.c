// SPDX-License-Identifier: MIT
/*
 * The axvm hypercalls that only read, answered from the exception vector without leaving the
 * guest's context (guest_hvc in guest_entry.S): no return from guest_enter, no exit decoding,
 * no scheduler loop, no vGIC or timer work around it. Interrupts stay masked at EL2 meanwhile;
 * a physical IRQ that arrives (a kick to stop the VM or reschedule, a timer) stays pending and
 * is taken at EL2 right after the ERET (HCR_EL2.IMO routes it there whatever the guest's
 * PSTATE.I), which brings the vCPU back to vcpu_run's checks as an ordinary IRQ exit.
 */
#include <stddef.h>
#include <arch/irq.h>
#include <arch/sysreg.h>
#include <axvm/hypercall.h>
#include <axvm/hypercall_handle.h>
#include <axvm/vcpu.h>

bool hvc_fast_answer(struct guest_regs *r);

/*
 * 'r' is what guest_enter was given, the vCPU's own registers (arch_vcpu_run), with x0-x18 and
 * x30 saved; x0 holds an SMCCC function id in the axvm range. True with x0 set to the result
 * when the call was answered; false, nothing changed, when it must take the ordinary exit.
 */
bool hvc_fast_answer(struct guest_regs *r)
{
    struct vcpu *v = (struct vcpu *)((char *)r - offsetof(struct vcpu, arch.regs));
    /* Every exit is a point where the guest's timer lines are heard (a timer disabled while
     * its interrupt is pending is taken back there, as the GIC would at once): when they have
     * changed, the ordinary exit does it. */
    if (vtimer_ctl_bits(sysreg_read(cntv_ctl_el0), sysreg_read(cntp_ctl_el0)) !=
        v->arch.timer_ctl_seen)
        return false;
    /* The result goes straight into x0, which is only written when the call was answered. A
     * tail call: no frame of its own on the path. */
    return hypercall_answer_fast(v, (uint32_t)r->x[0] - AXVM_HC_BASE_ARM, r->x[1],
                                 (int64_t *)&r->x[0]);
}
