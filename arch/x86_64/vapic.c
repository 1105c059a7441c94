// SPDX-License-Identifier: MIT
/*
 * The x86 interrupt controller of a VM (arch/vapic.h): config type "ioapic". One device brings
 * the whole APIC architecture, because its parts are not separable: the I/O APIC (at the
 * config's base) sends to local APICs, and the local APICs send the I/O APIC its EOIs and each
 * other IPIs. The registers are the pure models vioapic_model.c and vlapic_model.c; this file
 * routes between them, finds the vCPUs a destination names, and wakes them.
 *
 * Numbering (the vintc 'irq'): a GSI, which is the I/O APIC pin (GSI base 0); ISA IRQs are
 * identity-mapped except IRQ 0 (pin 2), as the MADT says. Interrupts of passthrough devices are
 * not offered on x86 yet (claim_host_irq refuses them).
 *
 * One lock covers the I/O APIC and every local APIC of the VM: IPIs and device interrupts come
 * from any pCPU, and a delivery touches both sides. vCPUs to wake or start are collected under
 * the lock and woken after it.
 */
#include <string.h>
#include <axvm/arch.h>
#include <axvm/arch_vm.h>
#include <axvm/errno.h>
#include <axvm/log.h>
#include <axvm/percpu.h>
#include <axvm/sched.h>
#include <axvm/spinlock.h>
#include <axvm/vdev.h>
#include <axvm/vm.h>
#include <arch/svm.h>
#include <arch/vapic.h>
#include "vioapic_model.h"
#include "vlapic_model.h"
#include "vlegacy.h"

struct vapic_cpu {
    struct vlapic lapic;
    bool nmi;       /* an NMI waits for injection */
    bool wait_sipi; /* INIT received: the next SIPI starts the vCPU */
};

struct vapic {
    spinlock_t lock;
    struct vm *vm;
    struct vioapic ioapic;
    struct vapic_cpu cpu[VM_MAX_VCPUS];
    struct emu_device lapic_dev;
    struct vlegacy legacy;
    /* Collected under the lock by a delivery, acted on after it (bit = vCPU index). */
    uint32_t to_wake, to_start;
    uint8_t sipi_vector[VM_MAX_VCPUS];
};

static const struct vintc_ops vapic_ops_table;

static struct vapic *vapic_of(struct vm *vm)
{
    return vm->intc.ops == &vapic_ops_table ? vm->intc.ctx : NULL;
}

/* ---- delivery --------------------------------------------------------------------------- */

/* One message to the vCPUs it names; under the lock. */
static void deliver_one(struct vapic *a, unsigned i, unsigned mode, unsigned vector, bool level)
{
    struct vapic_cpu *c = &a->cpu[i];
    switch (mode) {
    case APIC_DM_FIXED:
    case APIC_DM_LOWEST:
        if (vlapic_accept(&c->lapic, vector, level))
            a->to_wake |= 1u << i;
        return;
    case APIC_DM_NMI:
        c->nmi = true;
        a->to_wake |= 1u << i;
        return;
    case APIC_DM_INIT:
        c->wait_sipi = true;
        return;
    case APIC_DM_STARTUP:
        if (!c->wait_sipi)
            return;
        c->wait_sipi = false;
        a->sipi_vector[i] = (uint8_t)vector;
        a->to_start |= 1u << i;
        return;
    default:
        return; /* SMI and ExtINT have no source here */
    }
}

/* Deliver to every vCPU matching the destination; 'self' is the sender (shorthands). */
static void deliver(struct vapic *a, int self, unsigned shorthand, uint32_t dest, bool logical,
                    unsigned mode, unsigned vector, bool level)
{
    struct vm *vm = a->vm;
    for (unsigned i = 0; i < vm->vcpu_count; i++) {
        bool match;
        switch (shorthand) {
        case APIC_DEST_SELF:
            match = (int)i == self;
            break;
        case APIC_DEST_ALL:
            match = true;
            break;
        case APIC_DEST_ALL_BUT_SELF:
            match = (int)i != self;
            break;
        default:
            match = vlapic_match_dest(&a->cpu[i].lapic, dest, logical);
            break;
        }
        if (!match)
            continue;
        deliver_one(a, i, mode, vector, level);
        /* Lowest priority: one of them is enough, and the first is as good as any. */
        if (mode == APIC_DM_LOWEST && shorthand == APIC_DEST_FIELD)
            return;
    }
}

static void ioapic_deliver(void *ctx, uint64_t e)
{
    deliver(ctx, -1, APIC_DEST_FIELD, REDIR_DEST(e), e & REDIR_LOGICAL, REDIR_DELIVERY(e),
            REDIR_VECTOR(e), e & REDIR_LEVEL);
}

/* The lock, for changes that may deliver interrupts: vapic_unlock acts on what they asked for.
 * Reads and acknowledgements use the spinlock alone. */
static unsigned long vapic_lock(struct vapic *a)
{
    return spin_lock_irqsave(&a->lock);
}

/* Release the lock, then wake and start what the deliveries asked for. */
static void vapic_unlock(struct vapic *a, unsigned long flags)
{
    uint32_t wake = a->to_wake, start = a->to_start;
    uint8_t vectors[VM_MAX_VCPUS];
    memcpy(vectors, a->sipi_vector, sizeof(vectors));
    a->to_wake = a->to_start = 0;
    spin_unlock_irqrestore(&a->lock, flags);
    struct vm *vm = a->vm;
    for (unsigned i = 0; i < vm->vcpu_count; i++) {
        if (start & (1u << i))
            vm_cpu_on(vm, vm->vcpus[i].hwid, (uint64_t)vectors[i] << 12, VAPIC_SIPI_START);
        if (wake & (1u << i))
            sched_wake(&vm->vcpus[i]);
    }
}

/* ---- the local APIC page ----------------------------------------------------------------- */

/* The vCPU whose access this is: the one loaded on this pCPU. */
static int lapic_index(struct emu_device *d)
{
    struct vcpu *v = arch_this_cpu()->vcpu_loaded;
    if (!v || v->vm != d->vm)
        return -1;
    return (int)v->id;
}

static int lapic_read(struct emu_device *d, uint64_t off, unsigned width, uint64_t *value)
{
    struct vapic *a = d->priv;
    int i = lapic_index(d);
    if (i < 0 || width != 4)
        return -EINVAL;
    unsigned long flags = vapic_lock(a);
    *value = vlapic_read(&a->cpu[i].lapic, (unsigned)off, arch_counter_read());
    vapic_unlock(a, flags);
    return 0;
}

static void lapic_send_icr(struct vapic *a, int self, const struct vlapic_icr *icr)
{
    /* An INIT with the level trigger and assert clear is the de-assert only the 82489DX needed
     * (Linux still sends it): not an INIT. */
    if (icr->delivery == APIC_DM_INIT && icr->level_trigger && !icr->level_assert)
        return;
    deliver(a, self, icr->shorthand, icr->dest, icr->logical, icr->delivery, icr->vector, false);
}

static int lapic_write(struct emu_device *d, uint64_t off, unsigned width, uint64_t value)
{
    struct vapic *a = d->priv;
    int i = lapic_index(d);
    if (i < 0 || width != 4)
        return -EINVAL;
    struct vlapic_icr icr;
    unsigned eoi = 0;
    unsigned long flags = vapic_lock(a);
    unsigned did = vlapic_write(&a->cpu[i].lapic, (unsigned)off, (uint32_t)value,
                                arch_counter_read(), &icr, &eoi);
    if (did & VLAPIC_DID_IPI)
        lapic_send_icr(a, i, &icr);
    if (did & VLAPIC_DID_EOI)
        vioapic_eoi(&a->ioapic, eoi);
    vapic_unlock(a, flags);
    return 0;
}

static const struct emu_ops lapic_ops = {.read = lapic_read, .write = lapic_write};

/* ---- the I/O APIC window ----------------------------------------------------------------- */

static int ioapic_read(struct emu_device *d, uint64_t off, unsigned width, uint64_t *value)
{
    struct vapic *a = d->priv;
    unsigned long flags = vapic_lock(a);
    *value = vioapic_read(&a->ioapic, (unsigned)off);
    vapic_unlock(a, flags);
    return 0;
}

static int ioapic_write(struct emu_device *d, uint64_t off, unsigned width, uint64_t value)
{
    struct vapic *a = d->priv;
    unsigned long flags = vapic_lock(a);
    vioapic_write(&a->ioapic, (unsigned)off, (uint32_t)value);
    vapic_unlock(a, flags);
    return 0;
}

static const struct emu_ops ioapic_ops = {.read = ioapic_read, .write = ioapic_write};

/* ---- struct vintc ------------------------------------------------------------------------ */

static void vapic_set_level(void *ctx, unsigned irq, bool level)
{
    struct vapic *a = ctx;
    unsigned pin = irq == 0 ? 2 : irq;
    unsigned long flags = vapic_lock(a);
    vioapic_set_level(&a->ioapic, pin, level);
    vapic_unlock(a, flags);
}

static void vapic_send_ipi(void *ctx, struct vcpu *target, unsigned vector)
{
    struct vapic *a = ctx;
    unsigned long flags = vapic_lock(a);
    deliver_one(a, target->id, APIC_DM_FIXED, vector, false);
    vapic_unlock(a, flags);
}

static bool vapic_pending(void *ctx, struct vcpu *v)
{
    struct vapic *a = ctx;
    unsigned long flags = spin_lock_irqsave(&a->lock);
    /* A HLT with interrupts off ("cli; hlt", as a stopped CPU does) ends only with an NMI. */
    bool any =
        a->cpu[v->id].nmi || (inject_interruptible(v) && vlapic_pending(&a->cpu[v->id].lapic) >= 0);
    spin_unlock_irqrestore(&a->lock, flags);
    return any;
}

static int vapic_claim_host_irq(void *ctx, unsigned irq)
{
    return -EINVAL; /* passthrough interrupts are not routed on x86 yet */
}

static void vapic_release_host_irq(void *ctx, unsigned irq) {}

static const struct vintc_ops vapic_ops_table = {
    .set_level = vapic_set_level,
    .send_ipi = vapic_send_ipi,
    .pending = vapic_pending,
    .claim_host_irq = vapic_claim_host_irq,
    .release_host_irq = vapic_release_host_irq,
};

/* ---- the device -------------------------------------------------------------------------- */

static int vapic_create(struct vm *vm, struct emu_device *dev, const struct vm_dev_config *cfg)
{
    struct vapic *a = dev->priv;
    a->lock = (spinlock_t)SPINLOCK_INIT;
    a->vm = vm;
    dev->ops = &ioapic_ops;
    vioapic_reset(&a->ioapic, vm->cfg->vcpu_count, ioapic_deliver, a);
    for (unsigned i = 0; i < VM_MAX_VCPUS; i++)
        vlapic_reset(&a->cpu[i].lapic, (uint32_t)arch_vcpu_hwid(i));
    a->lapic_dev = (struct emu_device){.name = "lapic",
                                       .space = EMU_MMIO,
                                       .base = VLAPIC_BASE,
                                       .size = VLAPIC_SIZE,
                                       .ops = &lapic_ops,
                                       .priv = a,
                                       .vm = vm};
    int err = emu_bus_add(&vm->bus, &a->lapic_dev);
    return err ?: vlegacy_attach(vm, &a->legacy);
}

const struct vdev_type vdev_ioapic = {
    .name = "ioapic",
    .fdt_name = "ioapic",
    .space = EMU_MMIO,
    .default_size = VIOAPIC_SIZE,
    .state_size = sizeof(struct vapic),
    .create = vapic_create,
    .intc = &vapic_ops_table,
    .irq_first = 1, /* ISA IRQ 0 goes to pin 2; pin 0 is not wired */
    .irq_count = VIOAPIC_PINS - 1,
    .irq_own = 1ull << VLEGACY_SCI_IRQ, /* the ACPI SCI: the power button */
};

/* ---- the vCPU side (arch/vapic.h) -------------------------------------------------------- */

enum vapic_event vapic_next_event(struct vcpu *v, unsigned *vector)
{
    struct vapic *a = vapic_of(v->vm);
    if (!a)
        return VAPIC_NONE;
    struct vapic_cpu *c = &a->cpu[v->id];
    enum vapic_event ev = VAPIC_NONE;
    unsigned long flags = spin_lock_irqsave(&a->lock);
    vlapic_timer_poll(&c->lapic, arch_counter_read());
    int pending = vlapic_pending(&c->lapic);
    if (c->nmi) {
        ev = VAPIC_NMI;
    } else if (pending >= 0) {
        ev = VAPIC_INTR;
        *vector = (unsigned)pending;
    }
    spin_unlock_irqrestore(&a->lock, flags);
    return ev;
}

void vapic_event_taken(struct vcpu *v, enum vapic_event ev, unsigned vector)
{
    struct vapic *a = vapic_of(v->vm);
    if (!a)
        return;
    unsigned long flags = spin_lock_irqsave(&a->lock);
    if (ev == VAPIC_NMI)
        a->cpu[v->id].nmi = false;
    else if (ev == VAPIC_INTR)
        vlapic_ack(&a->cpu[v->id].lapic, vector);
    spin_unlock_irqrestore(&a->lock, flags);
}

uint64_t vapic_timer_deadline(struct vcpu *v)
{
    struct vapic *a = vapic_of(v->vm);
    if (!a)
        return ~0ULL;
    const struct vlapic *l = &a->cpu[v->id].lapic;
    /* A masked timer wakes nobody; its expiry is accounted when the vCPU next runs. */
    if (__atomic_load_n(&l->lvt[0], __ATOMIC_RELAXED) & LVT_MASKED)
        return ~0ULL;
    return __atomic_load_n(&l->timer_deadline, __ATOMIC_RELAXED);
}

bool vapic_timer_due(struct vcpu *v)
{
    uint64_t deadline = vapic_timer_deadline(v);
    return deadline != ~0ULL && arch_counter_read() >= deadline;
}

bool vapic_tsc_deadline_read(struct vcpu *v, uint64_t tsc_offset, uint64_t *value)
{
    struct vapic *a = vapic_of(v->vm);
    if (!a)
        return false;
    unsigned long flags = spin_lock_irqsave(&a->lock);
    uint64_t d = vlapic_tsc_deadline_read(&a->cpu[v->id].lapic);
    spin_unlock_irqrestore(&a->lock, flags);
    *value = d ? d + tsc_offset : 0;
    return true;
}

bool vapic_tsc_deadline_write(struct vcpu *v, uint64_t tsc_offset, uint64_t value)
{
    struct vapic *a = vapic_of(v->vm);
    if (!a)
        return false;
    unsigned long flags = spin_lock_irqsave(&a->lock);
    /* A deadline already past stays "past" (1), not "disarmed" (0), in host units. */
    uint64_t host = value ? (value - tsc_offset ?: 1) : 0;
    vlapic_tsc_deadline_write(&a->cpu[v->id].lapic, host);
    spin_unlock_irqrestore(&a->lock, flags);
    return true;
}

void vapic_vcpu_reset(struct vcpu *v)
{
    struct vapic *a = vapic_of(v->vm);
    if (!a)
        return;
    unsigned long flags = spin_lock_irqsave(&a->lock);
    vlapic_reset(&a->cpu[v->id].lapic, (uint32_t)v->hwid);
    a->cpu[v->id].nmi = false;
    spin_unlock_irqrestore(&a->lock, flags);
}

/* The guest is asked to power off through the ACPI fixed power button, which comes with the
 * VM's interrupt controller (the PM block is in vlegacy). */
int arch_vm_power_request(struct vm *vm)
{
    struct vapic *a = vapic_of(vm);
    if (!a)
        return -ENODEV;
    vlegacy_power_button(&a->legacy);
    return 0;
}
