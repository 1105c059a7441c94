// SPDX-License-Identifier: MIT
/*
 * Virtual interrupt delivery through the GIC's list registers (GICv3: Arm IHI 0069, chapter 6;
 * GICv2: IHI 0048B, chapter 5, through vgic2.c). The emulated distributor (vgic_mmio.c for the
 * guest's GICv3, vgic2_mmio.c for its GICv2) keeps each interrupt's configuration and pending
 * state; before each guest entry the highest-priority pending interrupts go into the
 * list registers, and after each exit the registers tell which ones the guest has finished.
 * With more pending than registers, the underflow maintenance interrupt brings us back to
 * refill them.
 */
#include <arch/irq.h>
#include <arch/sysreg.h>
#include <arch/vgic.h>
#include <drivers/gic.h>
#include <axvm/arch.h>
#include <axvm/arch_vm.h>
#include <axvm/sched.h>
#include <axvm/vm.h>

#define ICH_HCR_EL2   "S3_4_C12_C11_0"
#define ICH_VTR_EL2   "S3_4_C12_C11_1"
#define ICH_VMCR_EL2  "S3_4_C12_C11_7"
#define ICH_AP1R0_EL2 "S3_4_C12_C9_0"

#define ICH_HCR_EN  (1U << 0)
#define ICH_HCR_UIE (1U << 1)

#define LR_STATE_SHIFT 62
#define LR_PENDING     (1ULL << 62)
#define LR_GROUP1      (1ULL << 60)
#define LR_EOI         (1ULL << 41) /* maintenance interrupt when the guest deactivates it */
#define LR_PRIO_SHIFT  48

#define ich_read(reg)                                                                              \
    ({                                                                                             \
        uint64_t v_;                                                                               \
        __asm__ volatile("mrs %0, " reg : "=r"(v_));                                               \
        v_;                                                                                        \
    })
#define ich_write(reg, v) __asm__ volatile("msr " reg ", %0" ::"r"((uint64_t)(v)))

/* ICH_LR<n>_EL2 = S3_4_C12_C12_<n> (n < 8) and S3_4_C12_C13_<n-8>: one accessor per register,
 * since the register is part of the instruction. */
#define LR_CASE(n, crm, op2)                                                                       \
    case n:                                                                                        \
        if (write)                                                                                 \
            ich_write("S3_4_C12_" crm "_" op2, value);                                             \
        else                                                                                       \
            value = ich_read("S3_4_C12_" crm "_" op2);                                             \
        break;

static uint64_t ich_lr_access(unsigned n, bool write, uint64_t value)
{
    switch (n) {
        LR_CASE(0, "C12", "0")
        LR_CASE(1, "C12", "1")
        LR_CASE(2, "C12", "2")
        LR_CASE(3, "C12", "3")
        LR_CASE(4, "C12", "4")
        LR_CASE(5, "C12", "5")
        LR_CASE(6, "C12", "6")
        LR_CASE(7, "C12", "7")
        LR_CASE(8, "C13", "0")
        LR_CASE(9, "C13", "1")
        LR_CASE(10, "C13", "2")
        LR_CASE(11, "C13", "3")
        LR_CASE(12, "C13", "4")
        LR_CASE(13, "C13", "5")
        LR_CASE(14, "C13", "6")
        LR_CASE(15, "C13", "7")
    }
    return value;
}

/* ---- the GICv3's virtual interface: ICH_* system registers ---- */

static unsigned ich_lr_count(void)
{
    return (unsigned)(ich_read(ICH_VTR_EL2) & 0x1f) + 1;
}

static uint64_t ich_lr_read(unsigned n)
{
    return ich_lr_access(n, false, 0);
}

static void ich_lr_write(unsigned n, uint64_t lr)
{
    ich_lr_access(n, true, lr);
}

static uint32_t ich_hcr_read(void)
{
    return (uint32_t)ich_read(ICH_HCR_EL2);
}

static void ich_hcr_write(uint32_t hcr)
{
    ich_write(ICH_HCR_EL2, hcr);
}

static void ich_save(struct vgic_cpu *c)
{
    c->vmcr = (uint32_t)ich_read(ICH_VMCR_EL2);
    c->ap1r0 = (uint32_t)ich_read(ICH_AP1R0_EL2);
}

static void ich_load(const struct vgic_cpu *c)
{
    ich_write(ICH_VMCR_EL2, c->vmcr);
    ich_write(ICH_AP1R0_EL2, c->ap1r0);
}

static const struct vgic_hw vgic3_hw = {
    .lr_count = ich_lr_count,
    .lr_read = ich_lr_read,
    .lr_write = ich_lr_write,
    .hcr_read = ich_hcr_read,
    .hcr_write = ich_hcr_write,
    .save = ich_save,
    .load = ich_load,
};

/* ---- whichever the hardware has ---- */

static const struct vgic_hw *hw;
static unsigned lr_count;

int vgic_hw_init(const struct gic_host *host)
{
    if (host->version == 2 && (!host->gich || !host->gicv))
        return -1;
    hw = host->version == 2 ? vgic2_hw_init(host->gich) : &vgic3_hw;
    lr_count = hw->lr_count();
    lr_count = lr_count < VGIC_MAX_LRS ? lr_count : VGIC_MAX_LRS;
    return 0;
}

unsigned vgic_lr_count(void)
{
    return lr_count;
}

static uint64_t lr_access(unsigned n, bool write, uint64_t value)
{
    if (!write)
        return hw->lr_read(n);
    hw->lr_write(n, value);
    return value;
}

void vgic_cpu_save(struct vgic_cpu *c)
{
    for (unsigned i = 0; i < vgic_lr_count(); i++)
        c->lr[i] = lr_access(i, false, 0);
    hw->save(c);
    c->hcr = hw->hcr_read();
}

void vgic_cpu_load(const struct vgic_cpu *c)
{
    for (unsigned i = 0; i < vgic_lr_count(); i++)
        lr_access(i, true, c->lr[i]);
    hw->load(c);
    hw->hcr_write(c->hcr | ICH_HCR_EN);
    isb();
}

void vgic_underflow_off(void)
{
    hw->hcr_write(hw->hcr_read() & ~ICH_HCR_UIE);
    isb();
}

struct vgic *vgic_of(struct vm *vm)
{
    return vm->intc.ops == &vgic_intc_ops ? vm->intc.ctx : NULL;
}

/* The state of interrupt 'intid' as vCPU 'cpu' sees it. */
static struct vgic_irq *irq_of(struct vgic *g, unsigned cpu, unsigned intid)
{
    if (intid < 32)
        return cpu < VGIC_MAX_VCPUS ? &g->redist[cpu].priv[intid] : NULL;
    if (intid < VGIC_NR_IRQS)
        return &g->spi[intid - 32];
    return NULL;
}

/* 'intid' (of vCPU 'cpu' if private) has been latched or raised: a candidate for delivery. */
static void cand_mark(struct vgic *g, unsigned cpu, unsigned intid)
{
    if (intid < 32)
        g->cand_priv[cpu] |= 1U << intid;
    else
        g->cand_spi[(intid - 32) / 64] |= 1ULL << ((intid - 32) % 64);
}

static bool irq_wants_delivery(const struct vgic_irq *i)
{
    return i->enabled && !i->in_lr && (i->latched || i->level);
}

/* Nudge the vCPU that should now take an interrupt: out of guest mode or out of WFI. */
static void kick_vcpu(struct vm *vm, unsigned cpu)
{
    if (cpu >= vm->vcpu_count)
        return;
    sched_wake(&vm->vcpus[cpu]);
}

void vgic_inject(struct vgic *g, unsigned target, unsigned intid)
{
    unsigned long flags = spin_lock_irqsave(&g->lock);
    struct vgic_irq *i = irq_of(g, target, intid);
    if (i) {
        i->latched = true;
        cand_mark(g, target, intid);
        if (intid >= 32)
            target = i->target;
    }
    g->gen++;
    spin_unlock_irqrestore(&g->lock, flags);
    if (i)
        kick_vcpu(g->vm, target);
}

void vgic_hw_irq(struct vgic *g, unsigned intid)
{
    if (intid < 32 || intid >= VGIC_NR_IRQS)
        return;
    unsigned long flags = spin_lock_irqsave(&g->lock);
    struct vgic_irq *i = &g->spi[intid - 32];
    i->hw = true;
    i->level = true;
    cand_mark(g, 0, intid);
    unsigned target = i->target;
    g->gen++;
    spin_unlock_irqrestore(&g->lock, flags);
    kick_vcpu(g->vm, target);
}

void vgic_set_level(struct vgic *g, unsigned intid, bool level)
{
    if (intid < 32 || intid >= VGIC_NR_IRQS)
        return;
    unsigned long flags = spin_lock_irqsave(&g->lock);
    struct vgic_irq *i = &g->spi[intid - 32];
    bool rise = level && !i->level;
    i->level = level;
    if (level)
        cand_mark(g, 0, intid);
    unsigned target = i->target;
    g->gen++;
    spin_unlock_irqrestore(&g->lock, flags);
    if (rise)
        kick_vcpu(g->vm, target);
}

/* Drop 'intid' from the vCPU's list registers if the guest has not taken it yet (pending, not
 * active): its line went low before the guest looked. With the lock held, LRs live. */
static void lr_retract(struct vgic_cpu *c, struct vgic_irq *i, unsigned intid)
{
    for (unsigned n = 0; n < vgic_lr_count(); n++) {
        if (!c->lr[n] || (unsigned)(c->lr[n] & 0xffffffff) != intid)
            continue;
        c->lr[n] = lr_access(n, false, 0);
        if ((c->lr[n] >> LR_STATE_SHIFT) == 1) { /* pending only */
            c->lr[n] = 0;
            lr_access(n, true, 0);
            i->in_lr = false;
        }
    }
}

void vgic_ppi_set_level(struct vcpu *v, unsigned intid, bool level)
{
    struct vgic *g = v->arch.vgic;
    if (!g || intid < 16 || intid >= 32)
        return;
    unsigned long flags = spin_lock_irqsave(&g->lock);
    struct vgic_irq *i = irq_of(g, v->id, intid);
    i->level = level;
    if (level)
        cand_mark(g, v->id, intid);
    if (!level) {
        i->latched = false;
        if (i->in_lr)
            lr_retract(&v->arch.gic, i, intid);
    }
    g->gen++;
    spin_unlock_irqrestore(&g->lock, flags);
}

/* Every candidate bit rebuilt from the interrupts themselves. Called with the lock. */
static void cand_rebuild(struct vgic *g)
{
    g->rescan = false;
    for (unsigned c = 0; c < VGIC_MAX_VCPUS; c++) {
        g->cand_priv[c] = 0;
        for (unsigned n = 0; n < 32; n++)
            if (g->redist[c].priv[n].latched || g->redist[c].priv[n].level)
                cand_mark(g, c, n);
    }
    for (unsigned w = 0; w < VGIC_SPIS / 64; w++)
        g->cand_spi[w] = 0;
    for (unsigned n = 0; n < VGIC_SPIS; n++)
        if (g->spi[n].latched || g->spi[n].level)
            cand_mark(g, 0, 32 + n);
}

/* The interrupts vCPU 'cpu' might be given now (latched or raised, and an SPI routed to it),
 * into 'ids' in INTID order; candidates found neither latched nor raised are dropped. Called
 * with the lock. */
static unsigned candidates(struct vgic *g, unsigned cpu, uint16_t *ids)
{
    if (g->rescan)
        cand_rebuild(g);
    unsigned count = 0;
    for (uint32_t bits = g->cand_priv[cpu]; bits; bits &= bits - 1) {
        unsigned n = (unsigned)__builtin_ctz(bits);
        const struct vgic_irq *i = &g->redist[cpu].priv[n];
        if (i->latched || i->level)
            ids[count++] = (uint16_t)n;
        else
            g->cand_priv[cpu] &= ~(1U << n);
    }
    for (unsigned w = 0; w < VGIC_SPIS / 64; w++) {
        for (uint64_t bits = g->cand_spi[w]; bits; bits &= bits - 1) {
            unsigned n = w * 64 + (unsigned)__builtin_ctzll(bits);
            const struct vgic_irq *i = &g->spi[n];
            if (!i->latched && !i->level)
                g->cand_spi[w] &= ~(1ULL << (n % 64));
            else if (i->target == cpu)
                ids[count++] = (uint16_t)(32 + n);
        }
    }
    return count;
}

/* Every interrupt that vCPU 'cpu' could be given now, of the 'count' candidates in 'ids'. */
#define FOR_EACH_IRQ_OF(g, cpu, ids, count, intid, i)                                              \
    for (unsigned k_ = 0, intid; k_ < (count) && (intid = (ids)[k_], 1); k_++)                     \
        for (struct vgic_irq *i = irq_of(g, cpu, intid); i; i = NULL)

bool vgic_pending(struct vcpu *v)
{
    struct vgic *g = v->arch.vgic;
    if (!g)
        return false;
    for (unsigned n = 0; n < vgic_lr_count(); n++)
        if ((v->arch.gic.lr[n] >> LR_STATE_SHIFT) & 1) /* already pending in a list register */
            return true;
    bool found = false;
    uint16_t ids[VGIC_NR_IRQS];
    unsigned long flags = spin_lock_irqsave(&g->lock);
    unsigned count = candidates(g, v->id, ids);
    FOR_EACH_IRQ_OF(g, v->id, ids, count, intid, i)
    {
        if (irq_wants_delivery(i))
            found = true;
    }
    spin_unlock_irqrestore(&g->lock, flags);
    return found;
}

void vgic_sync(struct vcpu *v)
{
    struct vgic *g = v->arch.vgic;
    if (!g)
        return;
    struct vgic_cpu *c = &v->arch.gic;
    unsigned long flags = spin_lock_irqsave(&g->lock);
    for (unsigned n = 0; n < vgic_lr_count(); n++) {
        if (!c->lr[n])
            continue;
        c->lr[n] = lr_access(n, false, 0);
        if ((c->lr[n] >> LR_STATE_SHIFT) & 3)
            continue; /* still pending or active in the guest */
        unsigned intid = (unsigned)(c->lr[n] & 0xffffffff);
        struct vgic_irq *i = irq_of(g, v->id, intid);
        if (i)
            i->in_lr = false; /* done: a level still high makes it pending again */
        if (i && i->hw) {
            /* The guest has served the device: let the physical line be heard again. */
            i->level = false;
            gic_unmask_spi(intid);
        }
        c->lr[n] = 0;
        lr_access(n, true, 0);
        g->gen++; /* a free register, and perhaps a level still high */
    }
    spin_unlock_irqrestore(&g->lock, flags);
}

/*
 * Interrupts raised again while the guest still holds them in a list register. An edge one (an
 * SGI, a doorbell) becomes pending there, and active too if it was, as the GIC itself keeps it
 * (IHI 0069 4.1.2): the guest takes it again after its end of interrupt. Left latched, it would
 * wait for the vCPU's next exit, and a vCPU idling in its guest's WFI has none: a Linux IPI was
 * lost until the target's next timer, up to a second. A level still high behind an active
 * entry asks for the end-of-interrupt maintenance exit, where it is looked at again.
 */
static void lr_repend(struct vgic *g, const struct vcpu *v, struct vgic_cpu *c)
{
    for (unsigned n = 0; n < vgic_lr_count(); n++) {
        uint64_t lr = c->lr[n];
        struct vgic_irq *i = lr ? irq_of(g, v->id, (unsigned)(lr & 0xffffffff)) : NULL;
        if (!i || !i->enabled)
            continue;
        if (i->latched) {
            i->latched = false;
            lr |= LR_PENDING;
        } else if (i->level && !(lr & LR_PENDING)) {
            lr |= LR_EOI;
        }
        if (lr != c->lr[n]) {
            c->lr[n] = lr;
            lr_access(n, true, lr);
        }
    }
}

void vgic_flush(struct vcpu *v)
{
    struct vgic *g = v->arch.vgic;
    if (!g)
        return;
    struct vgic_cpu *c = &v->arch.gic;
    bool overflow = false;
    /* Nothing has changed since the last scan: the list registers hold what they should. A
     * change racing with this read comes with a kick, which brings the vCPU back here. */
    if (c->scanned && __atomic_load_n(&g->gen, __ATOMIC_ACQUIRE) == c->gen_seen)
        return;
    unsigned long flags = spin_lock_irqsave(&g->lock);
    c->gen_seen = g->gen;
    c->scanned = true;
    bool group1 = g->ctlr & 2;
    uint16_t ids[VGIC_NR_IRQS];
    unsigned count = candidates(g, v->id, ids);
    for (unsigned n = 0; n < vgic_lr_count(); n++) {
        if (c->lr[n])
            continue;
        /* The most urgent interrupt waiting: lowest priority value, then lowest INTID. */
        struct vgic_irq *best = NULL;
        unsigned best_id = 0;
        FOR_EACH_IRQ_OF(g, v->id, ids, count, intid, i)
        {
            if (!irq_wants_delivery(i) || (intid >= 32 && !group1))
                continue;
            if (!best || i->priority < best->priority) {
                best = i;
                best_id = intid;
            }
        }
        if (!best)
            break;
        best->latched = false;
        best->in_lr = true;
        c->lr[n] = LR_PENDING | LR_GROUP1 | ((uint64_t)best->priority << LR_PRIO_SHIFT) | best_id;
        /* A timer's or a passthrough device's end of interrupt must bring us back: its
         * physical interrupt is off at the host until then (vtimer.c, vgic_sync). */
        if (best_id == VGIC_PPI_VTIMER || best_id == VGIC_PPI_PTIMER || best->hw)
            c->lr[n] |= LR_EOI;
        lr_access(n, true, c->lr[n]);
    }
    lr_repend(g, v, c);
    FOR_EACH_IRQ_OF(g, v->id, ids, count, intid, i)
    {
        if (irq_wants_delivery(i) && (intid < 32 || group1))
            overflow = true;
    }
    spin_unlock_irqrestore(&g->lock, flags);
    /* More waiting than registers: the underflow interrupt tells us when they drain. */
    c->hcr = ICH_HCR_EN | (overflow ? ICH_HCR_UIE : 0);
    hw->hcr_write(c->hcr);
    isb();
}

void vgic_sgi(struct vcpu *v, uint64_t value)
{
    struct vgic *g = v->arch.vgic;
    if (!g)
        return;
    unsigned intid = (unsigned)((value >> 24) & 0xf);
    bool all_others = value & (1ULL << 40);
    uint64_t aff123 = value & 0x00ff00ff00ff0000ULL; /* Aff3, Aff2, Aff1 */
    uint16_t targets = (uint16_t)value;
    for (unsigned t = 0; t < v->vm->vcpu_count; t++) {
        uint64_t hwid = v->vm->vcpus[t].hwid;
        bool hit = all_others ? t != v->id
                              : aff123 == 0 && (hwid >> 8) == 0 && (targets & (1U << (hwid & 0xf)));
        if (hit)
            vgic_inject(g, t, intid);
    }
}

/* ---- the core's interrupt-controller interface (kernel/include/axvm/vintc.h) ---- */

static void intc_set_level(void *ctx, unsigned irq, bool level)
{
    vgic_set_level(ctx, irq, level);
}

/* A doorbell SPI: latched pending as GICD_ISPENDR would make it, until the guest acknowledges
 * it, whether the guest configured it level or edge (IHI 0069 4.1.2). */
static void intc_raise_edge(void *ctx, unsigned irq)
{
    if (irq >= 32)
        vgic_inject(ctx, 0, irq);
}

static void intc_send_ipi(void *ctx, struct vcpu *target, unsigned sgi)
{
    vgic_inject(ctx, target->id, sgi);
}

static bool intc_pending(void *ctx, struct vcpu *v)
{
    return vgic_pending(v);
}

static int intc_claim_host_irq(void *ctx, unsigned irq)
{
    struct vgic *g = ctx;
    return irq_claim_for_vm(g->vm, irq);
}

static void intc_release_host_irq(void *ctx, unsigned irq)
{
    struct vgic *g = ctx;
    irq_release_for_vm(g->vm, irq);
}

const struct vintc_ops vgic_intc_ops = {
    .set_level = intc_set_level,
    .raise_edge = intc_raise_edge,
    .send_ipi = intc_send_ipi,
    .pending = intc_pending,
    .claim_host_irq = intc_claim_host_irq,
    .release_host_irq = intc_release_host_irq,
};
