// SPDX-License-Identifier: MIT
/*
 * Interrupts into an SVM guest (AMD APM vol. 2 §15.20-15.21). Before each VMRUN the most urgent
 * event of the vCPU's local APIC (arch/vapic.h) is injected through EVENTINJ when the guest can
 * take it now: RFLAGS.IF set, no STI/MOV SS shadow, and no other event (a re-queued exception)
 * in the way. Otherwise the hypervisor asks for an interrupt window: a virtual interrupt
 * (V_IRQ, ignoring the virtual TPR) with the VINTR intercept set, so the CPU exits the moment
 * the guest could take it, and the next entry injects it for real. The vector moves from IRR to
 * ISR when it is injected; if its delivery is cut short by an exit, vcpu.c injects the same
 * event again (EXITINTINFO), so nothing is lost or taken twice.
 *
 * NMIs are injected as soon as EVENTINJ is free; the guest's NMI blocking (until IRET) is not
 * tracked, which only matters for an NMI sent while another is handled.
 */
#include <axvm/vcpu.h>
#include <arch/cpu.h>
#include <arch/svm.h>
#include <arch/vapic.h>
#include <arch/vmcb.h>

#define VECTOR_NMI 2

bool inject_interruptible(const struct vcpu *v)
{
    return v->arch.vmcb->save.rflags & RFLAGS_IF;
}

static void request_window(struct vmcb_control *c)
{
    c->int_ctl |= INT_CTL_V_IRQ | INT_CTL_V_IGN_TPR | INT_CTL_V_INTR_PRIO(0xf);
    c->int_vector = 0; /* never delivered: the VINTR intercept comes first */
    c->intercept_misc1 |= INTERCEPT_VINTR;
}

void inject_prepare(struct vcpu *v)
{
    struct vmcb_control *c = &v->arch.vmcb->control;
    const struct vmcb_save *s = &v->arch.vmcb->save;
    c->int_ctl &= ~(INT_CTL_V_IRQ | INT_CTL_V_IGN_TPR | INT_CTL_V_INTR_PRIO(0xf));
    c->intercept_misc1 &= ~INTERCEPT_VINTR;

    unsigned vector = 0;
    enum vapic_event ev = vapic_next_event(v, &vector);
    if (ev == VAPIC_NONE)
        return;
    if (c->event_inj & EVENT_VALID) {
        request_window(c); /* the re-queued event first; this one at the next chance */
        return;
    }
    if (ev == VAPIC_NMI) {
        c->event_inj = EVENT_VALID | (EVENT_TYPE_NMI << 8) | VECTOR_NMI;
        vapic_event_taken(v, ev, 0);
        return;
    }
    if (!(s->rflags & RFLAGS_IF) || (c->int_state & INT_STATE_SHADOW)) {
        request_window(c);
        return;
    }
    c->event_inj = EVENT_VALID | (EVENT_TYPE_INTR << 8) | vector;
    vapic_event_taken(v, ev, vector);
}
