// SPDX-License-Identifier: MIT
/*
 * "host-intc": a small interrupt controller model for host tests, reached by the core only
 * through struct vintc like the real ones (kernel/include/axvm/vintc.h). A line's rising edge
 * makes its interrupt pending for the vCPU it is routed to and wakes that vCPU; the guest takes
 * it by reading its claim register. Registers (8 bytes apart):
 *   0x000 + 8*i   read: claim the lowest pending interrupt of vCPU i (0x3ff: none)
 *   0x100 + 8*irq write: route interrupt irq to vCPU 'value' (all go to vCPU 0 at reset)
 * Host interrupt 99 is "another VM's" (claim_host_irq answers -EBUSY).
 */
#include <pthread.h>
#include <libfdt.h>
#include <axvm/errno.h>
#include <axvm/sched.h>
#include <axvm/spinlock.h>
#include <axvm/vdev.h>
#include <axvm/vm.h>
#include <axvm/vm_fdt.h>
#include "harness.h"

#define INTC_IRQS      64
#define INTC_SPURIOUS  0x3ff
#define INTC_BUSY_IRQ  99
#define INTC_ROUTE_OFF 0x100

struct host_intc {
    spinlock_t lock;
    struct vm *vm;
    uint64_t level;                 /* bit irq: the line is high */
    uint64_t pending[VM_MAX_VCPUS]; /* bit irq: pending for vCPU i (atomic outside the lock) */
    unsigned route[INTC_IRQS];
};

static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static struct host_intc_stats stats;

struct host_intc_stats host_intc_read(void)
{
    pthread_mutex_lock(&stats_lock);
    struct host_intc_stats s = stats;
    pthread_mutex_unlock(&stats_lock);
    return s;
}

void host_intc_reset(void)
{
    pthread_mutex_lock(&stats_lock);
    memset(&stats, 0, sizeof(stats));
    pthread_mutex_unlock(&stats_lock);
}

/* Make 'irq' pending for its vCPU; returns that vCPU. Called with the lock. */
static struct vcpu *intc_raise(struct host_intc *ic, unsigned irq)
{
    unsigned target = ic->route[irq];
    __atomic_or_fetch(&ic->pending[target], 1ULL << irq, __ATOMIC_SEQ_CST);
    return &ic->vm->vcpus[target];
}

static void intc_set_level(void *ctx, unsigned irq, bool level)
{
    struct host_intc *ic = ctx;
    struct vcpu *wake = NULL;
    if (irq >= INTC_IRQS)
        return;
    unsigned long flags = spin_lock_irqsave(&ic->lock);
    bool was = ic->level & (1ULL << irq);
    ic->level = level ? ic->level | (1ULL << irq) : ic->level & ~(1ULL << irq);
    if (level && !was)
        wake = intc_raise(ic, irq);
    spin_unlock_irqrestore(&ic->lock, flags);

    pthread_mutex_lock(&stats_lock);
    stats.set_calls++;
    stats.raised += wake != NULL;
    stats.last_irq = irq;
    stats.last_level = level;
    stats.last_ctx = ctx;
    pthread_mutex_unlock(&stats_lock);
    /* Visible (the pending bit) before the wake-up, as the contract asks. */
    if (wake)
        sched_wake(wake);
}

static void intc_send_ipi(void *ctx, struct vcpu *target, unsigned ipi)
{
    struct host_intc *ic = ctx;
    unsigned long flags = spin_lock_irqsave(&ic->lock);
    __atomic_or_fetch(&ic->pending[target->id], 1ULL << (ipi % INTC_IRQS), __ATOMIC_SEQ_CST);
    spin_unlock_irqrestore(&ic->lock, flags);
    pthread_mutex_lock(&stats_lock);
    stats.ipis++;
    pthread_mutex_unlock(&stats_lock);
    sched_wake(target);
}

static bool intc_pending(void *ctx, struct vcpu *v)
{
    struct host_intc *ic = ctx;
    return __atomic_load_n(&ic->pending[v->id], __ATOMIC_SEQ_CST) != 0;
}

static int intc_claim_host_irq(void *ctx, unsigned irq)
{
    if (irq == INTC_BUSY_IRQ)
        return -EBUSY;
    pthread_mutex_lock(&stats_lock);
    stats.claims++;
    pthread_mutex_unlock(&stats_lock);
    return 0;
}

static void intc_release_host_irq(void *ctx, unsigned irq)
{
    pthread_mutex_lock(&stats_lock);
    stats.releases++;
    pthread_mutex_unlock(&stats_lock);
}

static const struct vintc_ops host_intc_ops = {
    .set_level = intc_set_level,
    .send_ipi = intc_send_ipi,
    .pending = intc_pending,
    .claim_host_irq = intc_claim_host_irq,
    .release_host_irq = intc_release_host_irq,
};

static int intc_read(struct emu_device *dev, uint64_t off, unsigned width, uint64_t *value)
{
    struct host_intc *ic = dev->priv;
    unsigned i = (unsigned)(off / 8);
    *value = INTC_SPURIOUS;
    if (off >= INTC_ROUTE_OFF || i >= VM_MAX_VCPUS)
        return 0;
    unsigned long flags = spin_lock_irqsave(&ic->lock);
    uint64_t p = __atomic_load_n(&ic->pending[i], __ATOMIC_SEQ_CST);
    if (p) {
        unsigned irq = (unsigned)__builtin_ctzll(p);
        __atomic_and_fetch(&ic->pending[i], ~(1ULL << irq), __ATOMIC_SEQ_CST);
        *value = irq;
    }
    spin_unlock_irqrestore(&ic->lock, flags);
    return 0;
}

static int intc_write(struct emu_device *dev, uint64_t off, unsigned width, uint64_t value)
{
    struct host_intc *ic = dev->priv;
    unsigned irq = (unsigned)((off - INTC_ROUTE_OFF) / 8);
    if (off < INTC_ROUTE_OFF || irq >= INTC_IRQS || value >= ic->vm->vcpu_count)
        return -EINVAL;
    unsigned long flags = spin_lock_irqsave(&ic->lock);
    ic->route[irq] = (unsigned)value;
    spin_unlock_irqrestore(&ic->lock, flags);
    return 0;
}

static const struct emu_ops intc_emu_ops = {
    .read = intc_read,
    .write = intc_write,
};

static int intc_create(struct vm *vm, struct emu_device *dev, const struct vm_dev_config *cfg)
{
    struct host_intc *ic = dev->priv;
    ic->lock = (spinlock_t)SPINLOCK_INIT;
    ic->vm = vm;
    dev->ops = &intc_emu_ops;
    return 0;
}

static int intc_fdt_node(const struct emu_device *dev, const struct vm_dev_config *cfg, void *fdt)
{
    int err = vdev_fdt_begin(fdt, &host_intc_type, cfg->base);
    err = err ?: fdt_property_string(fdt, "compatible", "axvm,host-intc");
    err = err ?: fdt_property(fdt, "interrupt-controller", "", 0);
    err = err ?: fdt_property_u32(fdt, "#interrupt-cells", 1);
    return err ?: fdt_property_u32(fdt, "phandle", VM_FDT_PHANDLE_IRQCHIP);
}

static unsigned intc_fdt_irq(unsigned irq, uint32_t *cells)
{
    cells[0] = irq;
    return 1;
}

const struct vdev_type host_intc_type = {
    .name = "host-intc",
    .fdt_name = "interrupt-controller",
    .space = EMU_MMIO,
    .default_size = 0x1000,
    .state_size = sizeof(struct host_intc),
    .create = intc_create,
    .fdt_node = intc_fdt_node,
    .fdt_irq = intc_fdt_irq,
    .intc = &host_intc_ops,
    .irq_first = 0,
    .irq_count = INTC_IRQS,
    .irq_own = 1ull << HOST_INTC_OWN_IRQ, /* as the x86 model's SCI */
};
