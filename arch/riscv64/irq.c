// SPDX-License-Identifier: MIT
/* Host interrupts: serving them and routing passthrough ones into VMs (see arch/irq.h). */
#include <axvm/arch.h>
#include <axvm/cmux.h>
#include <axvm/console.h>
#include <axvm/errno.h>
#include <axvm/percpu.h>
#include <axvm/spinlock.h>
#include <arch/csr.h>
#include <arch/irq.h>
#include <arch/plic.h>
#include <arch/vplic.h>
#include "vplic_model.h"

unsigned irq_console;

/* A passthrough interrupt: the VM's vPLIC, and the hart that claimed it at the host while the
 * VM has it (the host PLIC delivers it no more until it is completed on that hart's context). */
struct irq_route {
    struct vplic *owner;
    uint64_t claimed_by;
    bool in_flight;
};

static struct irq_route routes[VPLIC_SOURCES];
static spinlock_t routes_lock = SPINLOCK_INIT;

void irq_cpu_init(void)
{
    struct percpu *cpu = arch_this_cpu();
    plic_cpu_init(cpu->hwid);
    if (cpu->index == 0 && irq_console) {
        plic_enable(irq_console, cpu->hwid);
        console_rx_irq_enable();
    }
    csr_set(sie, SIP_SEIP);
}

/* A passthrough interrupt arrived: the VM gets it, the host keeps it claimed. False if it
 * belongs to nobody. Under the routes lock, so the VM cannot let it go (and free its vPLIC)
 * meanwhile. */
static bool forward(unsigned irq, uint64_t hwid)
{
    if (irq >= VPLIC_SOURCES)
        return false;
    unsigned long flags = spin_lock_irqsave(&routes_lock);
    struct irq_route *r = &routes[irq];
    struct vplic *owner = r->owner;
    if (owner) {
        r->claimed_by = hwid;
        r->in_flight = true;
        vplic_hw_irq(owner, irq);
    }
    spin_unlock_irqrestore(&routes_lock, flags);
    return owner != NULL;
}

void irq_dispatch(void)
{
    uint64_t hwid = arch_this_cpu()->hwid;
    unsigned irq;
    while ((irq = plic_claim(hwid)) != 0) {
        if (irq == irq_console) {
            /* Reading the input lowers the UART's line before the completion. */
            cmux_poll_input();
            plic_complete(irq, hwid);
        } else if (!forward(irq, hwid)) {
            /* Nobody's (its VM has just let it go): keep it from coming back. */
            plic_disable(irq);
            plic_complete(irq, hwid);
        }
    }
}

int irq_route(unsigned irq, struct vplic *to, unsigned pcpu)
{
    if (irq == 0 || irq >= VPLIC_SOURCES || irq >= plic_sources() || irq == irq_console ||
        pcpu >= percpu_count)
        return -EINVAL;
    unsigned long flags = spin_lock_irqsave(&routes_lock);
    bool busy = routes[irq].owner != NULL;
    if (!busy)
        routes[irq] = (struct irq_route){.owner = to};
    spin_unlock_irqrestore(&routes_lock, flags);
    if (busy)
        return -EBUSY;
    plic_enable(irq, percpu_get(pcpu)->hwid);
    return 0;
}

void irq_unroute(unsigned irq, struct vplic *from)
{
    if (irq >= VPLIC_SOURCES)
        return;
    unsigned long flags = spin_lock_irqsave(&routes_lock);
    struct irq_route r = routes[irq];
    if (r.owner == from)
        routes[irq] = (struct irq_route){0};
    spin_unlock_irqrestore(&routes_lock, flags);
    if (r.owner != from)
        return;
    /* Completion counts only while the source is enabled (PLIC spec): complete, then disable. */
    if (r.in_flight)
        plic_complete(irq, r.claimed_by);
    plic_disable(irq);
}

void irq_done(unsigned irq)
{
    if (irq >= VPLIC_SOURCES)
        return;
    unsigned long flags = spin_lock_irqsave(&routes_lock);
    struct irq_route *r = &routes[irq];
    bool complete = r->owner && r->in_flight;
    uint64_t hwid = r->claimed_by;
    r->in_flight = false;
    spin_unlock_irqrestore(&routes_lock, flags);
    if (complete)
        plic_complete(irq, hwid);
}
