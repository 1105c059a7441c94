// SPDX-License-Identifier: MIT
/*
 * The virtual PLIC as a VM device and as the VM's interrupt controller (struct vintc_ops):
 * emulated devices drive its lines, passthrough interrupts arrive from the host PLIC
 * (arch/riscv64/irq.c), the guest programs and claims through trapped MMIO. The register
 * model is arch/riscv64/vplic_model.c; this file adds the lock, the wake-ups and the device
 * tree node.
 */
#include <libfdt.h>
#include <arch/csr.h>
#include <arch/irq.h>
#include <arch/vcpu_exit.h>
#include <arch/vm_fdt.h>
#include <arch/vplic.h>
#include <axvm/errno.h>
#include <axvm/sched.h>
#include <axvm/vdev.h>
#include <axvm/vm.h>
#include <axvm/vm_fdt.h>
#include "vplic_model.h"

struct vplic {
    spinlock_t lock;
    struct vm *vm;
    struct vplic_model m;
};

static const struct vintc_ops vplic_intc_ops;

struct vplic *vplic_of(struct vm *vm)
{
    return vm->intc.ops == &vplic_intc_ops ? vm->intc.ctx : NULL;
}

/* Contexts whose line is up, as a bit mask. Called with the lock held. */
static uint32_t lines_up(const struct vplic *p)
{
    uint32_t up = 0;
    for (unsigned c = 0; c < p->m.contexts; c++)
        if (vplic_model_best(&p->m, c))
            up |= 1u << c;
    return up;
}

/* After a change (lock released): the vCPUs whose line went up come back to take it. */
static void wake_raised(struct vplic *p, uint32_t before, uint32_t after)
{
    uint32_t raised = after & ~before;
    for (unsigned c = 0; raised; c++, raised >>= 1)
        if (raised & 1)
            sched_wake(&p->vm->vcpus[c]);
}

bool vplic_line(struct vcpu *v)
{
    struct vplic *p = vplic_of(v->vm);
    if (!p)
        return false;
    unsigned long flags = spin_lock_irqsave(&p->lock);
    bool up = vplic_model_best(&p->m, v->id) != 0;
    spin_unlock_irqrestore(&p->lock, flags);
    return up;
}

void vplic_hw_irq(struct vplic *p, unsigned irq)
{
    unsigned long flags = spin_lock_irqsave(&p->lock);
    uint32_t before = lines_up(p);
    vplic_model_raise_hw(&p->m, irq);
    uint32_t after = lines_up(p);
    spin_unlock_irqrestore(&p->lock, flags);
    wake_raised(p, before, after);
}

static void vplic_set_level(void *ctx, unsigned irq, bool level)
{
    struct vplic *p = ctx;
    unsigned long flags = spin_lock_irqsave(&p->lock);
    uint32_t before = lines_up(p);
    vplic_model_set_level(&p->m, irq, level);
    uint32_t after = lines_up(p);
    spin_unlock_irqrestore(&p->lock, flags);
    wake_raised(p, before, after);
}

static void vplic_raise_edge(void *ctx, unsigned irq)
{
    struct vplic *p = ctx;
    unsigned long flags = spin_lock_irqsave(&p->lock);
    uint32_t before = lines_up(p);
    vplic_model_raise_edge(&p->m, irq);
    uint32_t after = lines_up(p);
    spin_unlock_irqrestore(&p->lock, flags);
    wake_raised(p, before, after);
}

/* RISC-V IPIs do not pass through the PLIC: they are the target's supervisor software
 * interrupt (hvip.VSSIP), as SBI send_ipi raises it. */
static void vplic_send_ipi(void *ctx, struct vcpu *target, unsigned ipi)
{
    vcpu_ipi_raise(target);
}

/* What a WFI would end on: the line, if the guest enables external interrupts in sie. */
static bool vplic_pending(void *ctx, struct vcpu *v)
{
    struct vplic *p = ctx;
    if (!(vcpu_guest_sie(v) & SIP_SEIP))
        return false;
    unsigned long flags = spin_lock_irqsave(&p->lock);
    bool up = vplic_model_best(&p->m, v->id) != 0;
    spin_unlock_irqrestore(&p->lock, flags);
    return up;
}

static int vplic_claim_host_irq(void *ctx, unsigned irq)
{
    struct vplic *p = ctx;
    /* Delivered at the host to the pCPU of the boot vCPU; the guest's enables pick the vCPU. */
    int err = irq_route(irq, p, p->vm->cfg->affinity[0]);
    if (err)
        return err;
    unsigned long flags = spin_lock_irqsave(&p->lock);
    p->m.hw |= 1ULL << irq;
    spin_unlock_irqrestore(&p->lock, flags);
    return 0;
}

static void vplic_release_host_irq(void *ctx, unsigned irq)
{
    irq_unroute(irq, ctx);
}

static const struct vintc_ops vplic_intc_ops = {
    .set_level = vplic_set_level,
    .raise_edge = vplic_raise_edge,
    .send_ipi = vplic_send_ipi,
    .pending = vplic_pending,
    .claim_host_irq = vplic_claim_host_irq,
    .release_host_irq = vplic_release_host_irq,
};

static int vplic_read(struct emu_device *d, uint64_t off, unsigned width, uint64_t *value)
{
    struct vplic *p = d->priv;
    uint32_t v = 0;
    unsigned long flags = spin_lock_irqsave(&p->lock);
    int err = vplic_model_read(&p->m, off, width, &v);
    spin_unlock_irqrestore(&p->lock, flags);
    *value = v;
    return err;
}

static int vplic_write(struct emu_device *d, uint64_t off, unsigned width, uint64_t value)
{
    struct vplic *p = d->priv;
    unsigned completed;
    unsigned long flags = spin_lock_irqsave(&p->lock);
    uint32_t before = lines_up(p);
    int err = vplic_model_write(&p->m, off, width, (uint32_t)value, &completed);
    uint32_t after = lines_up(p);
    spin_unlock_irqrestore(&p->lock, flags);
    if (completed)
        irq_done(completed);
    /* Enables, priorities, a threshold or a completion may have raised another vCPU's line. */
    wake_raised(p, before, after);
    return err;
}

static void vplic_reset(struct emu_device *d)
{
    struct vplic *p = d->priv;
    unsigned long flags = spin_lock_irqsave(&p->lock);
    vplic_model_reset(&p->m, p->vm->vcpu_count);
    spin_unlock_irqrestore(&p->lock, flags);
}

static const struct emu_ops vplic_emu_ops = {
    .read = vplic_read,
    .write = vplic_write,
    .reset = vplic_reset,
};

static int vplic_create(struct vm *vm, struct emu_device *dev, const struct vm_dev_config *cfg)
{
    struct vplic *p = dev->priv;
    p->lock = (spinlock_t)SPINLOCK_INIT;
    p->vm = vm;
    vplic_model_reset(&p->m, vm->cfg->vcpu_count);
    dev->ops = &vplic_emu_ops;
    return 0;
}

/*
 * Linux's binding (devicetree/bindings/interrupt-controller/sifive,plic-1.0.0.yaml): context i
 * is the i-th entry of interrupts-extended, here vCPU i's S-mode external interrupt (9) on its
 * "riscv,cpu-intc" (arch/riscv64/vm_fdt.c).
 */
static int vplic_fdt_node(const struct emu_device *dev, const struct vm_dev_config *cfg, void *fdt)
{
    unsigned vcpus = dev->vm->cfg->vcpu_count;
    uint64_t reg[2] = {cpu_to_fdt64(cfg->base), cpu_to_fdt64(dev->size)};
    uint32_t ext[2 * VPLIC_CONTEXTS_MAX];
    for (unsigned i = 0; i < vcpus; i++) {
        ext[2 * i] = cpu_to_fdt32(RISCV_VM_FDT_INTC_PHANDLE(i));
        ext[2 * i + 1] = cpu_to_fdt32(9);
    }
    /* Both compatibles, most specific first: older kernels know only the second. */
    static const char compatible[] = "sifive,plic-1.0.0\0riscv,plic0";
    int err = vdev_fdt_begin(fdt, &vdev_plic, cfg->base);
    err = err ?: fdt_property(fdt, "compatible", compatible, sizeof(compatible));
    err = err ?: fdt_property(fdt, "reg", reg, sizeof(reg));
    err = err ?: fdt_property_u32(fdt, "#address-cells", 0);
    err = err ?: fdt_property_u32(fdt, "#interrupt-cells", 1);
    err = err ?: fdt_property(fdt, "interrupt-controller", NULL, 0);
    err = err ?: fdt_property_u32(fdt, "riscv,ndev", VPLIC_SOURCES - 1);
    err = err ?: fdt_property(fdt, "interrupts-extended", ext, vcpus * 2 * sizeof(uint32_t));
    err = err ?: fdt_property_u32(fdt, "phandle", VM_FDT_PHANDLE_IRQCHIP);
    return err;
}

/* One cell: the source id. */
static unsigned vplic_fdt_irq(unsigned irq, uint32_t *cells)
{
    cells[0] = irq;
    return 1;
}

const struct vdev_type vdev_plic = {
    .name = "plic",
    .fdt_name = "plic",
    .space = EMU_MMIO,
    .default_size = VPLIC_DEFAULT_SIZE,
    .state_size = sizeof(struct vplic),
    .create = vplic_create,
    .fdt_node = vplic_fdt_node,
    .fdt_irq = vplic_fdt_irq,
    .intc = &vplic_intc_ops,
    .irq_first = 1,
    .irq_count = VPLIC_SOURCES - 1,
};
