// SPDX-License-Identifier: MIT
/*
 * The device tree each VM is booted with, generated from its config so that no address is
 * written twice: memory, chosen (bootargs, stdout, initrd), the emulated devices, the
 * power-request interrupt, and whatever the architecture adds (cpus, interrupt controller,
 * timer, firmware interface).
 */
#include <libfdt.h>
#include <axvm/arch_vm.h>
#include <axvm/format.h>
#include <axvm/shmem.h>
#include <axvm/vdev.h>
#include <axvm/vm.h>
#include <axvm/vm_fdt.h>

static int fdt_memory(const struct vm *vm, void *fdt)
{
    const struct vm_config *c = vm->cfg;
    int err = 0;
    for (unsigned i = 0; i < c->mem_count && !err; i++) {
        char name[40];
        format_snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)c->mem[i].gpa);
        uint64_t reg[2] = {cpu_to_fdt64(c->mem[i].gpa), cpu_to_fdt64(c->mem[i].size)};
        err = fdt_begin_node(fdt, name);
        err = err ?: fdt_property_string(fdt, "device_type", "memory");
        err = err ?: fdt_property(fdt, "reg", reg, sizeof(reg));
        err = err ?: fdt_end_node(fdt);
    }
    return err;
}

static int fdt_chosen(const struct vm *vm, void *fdt)
{
    const struct vm_config *c = vm->cfg;
    int err = fdt_begin_node(fdt, "chosen");
    err = err ?: fdt_property_string(fdt, "bootargs", c->cmdline ? c->cmdline : "");
    /* The first UART (a model that takes console input) in MMIO space is the console. */
    for (unsigned i = 0; i < c->dev_count && !err; i++) {
        const struct vdev_type *t = vdev_find(c->dev[i].type);
        if (!t || !t->console_input || c->dev[i].pio)
            continue;
        char path[48];
        format_snprintf(path, sizeof(path), "/%s@%llx", t->fdt_name,
                        (unsigned long long)c->dev[i].base);
        err = fdt_property_string(fdt, "stdout-path", path);
        break;
    }
    if (!err && c->initrd_size) {
        err = fdt_property_u64(fdt, "linux,initrd-start", vm->initrd_gpa);
        err = err ?: fdt_property_u64(fdt, "linux,initrd-end", vm->initrd_gpa + c->initrd_size);
    }
    return err ?: fdt_end_node(fdt);
}

/* One cpu node per vCPU, named and numbered by its hardware id, with what the architecture
 * adds (enable-method, ISA, local interrupt controller). */
static int fdt_cpus(struct vm *vm, void *fdt)
{
    int err = fdt_begin_node(fdt, "cpus");
    err = err ?: fdt_property_u32(fdt, "#address-cells", 1);
    err = err ?: fdt_property_u32(fdt, "#size-cells", 0);
    err = err ?: arch_vm_fdt_cpus(vm, fdt);
    for (unsigned i = 0; i < vm->vcpu_count && !err; i++) {
        struct vcpu *v = &vm->vcpus[i];
        char name[24];
        format_snprintf(name, sizeof(name), "cpu@%llx", (unsigned long long)v->hwid);
        err = fdt_begin_node(fdt, name);
        err = err ?: fdt_property_string(fdt, "device_type", "cpu");
        err = err ?: fdt_property_u32(fdt, "reg", (uint32_t)v->hwid);
        err = err ?: arch_vm_fdt_cpu(v, fdt);
        err = err ?: fdt_end_node(fdt);
    }
    return err ?: fdt_end_node(fdt);
}

/* The "interrupts" property of a node for interrupt 'irq', in the interrupt controller's
 * format; nothing for irq < 0 or a VM without an interrupt controller. */
static int fdt_interrupts(const struct vdev_type *irqchip, int irq, void *fdt)
{
    if (irq < 0 || !irqchip)
        return 0;
    uint32_t cells[4];
    unsigned n = irqchip->fdt_irq((unsigned)irq, cells);
    for (unsigned k = 0; k < n; k++)
        cells[k] = cpu_to_fdt32(cells[k]);
    return fdt_property(fdt, "interrupts", cells, n * 4);
}

static int fdt_device(struct vm *vm, unsigned i, const struct vdev_type *irqchip, void *fdt)
{
    const struct vm_dev_config *d = &vm->cfg->dev[i];
    const struct vdev_type *t = vdev_find(d->type);
    if (!t || !t->fdt_node || d->pio)
        return 0;
    int err = t->fdt_node(&vm->devs[i], d, fdt);
    err = err ?: fdt_interrupts(irqchip, d->irq, fdt);
    return err ?: fdt_end_node(fdt);
}

/* A passthrough device the config names a compatible for: its node, with the same registers
 * and interrupt as on the host. */
static int fdt_passthru(const struct vm_passthru_config *p, const struct vdev_type *irqchip,
                        void *fdt)
{
    if (!p->compatible)
        return 0;
    char name[40];
    format_snprintf(name, sizeof(name), "passthrough@%llx", (unsigned long long)p->base);
    uint64_t reg[2] = {cpu_to_fdt64(p->base), cpu_to_fdt64(p->size)};
    int err = fdt_begin_node(fdt, name);
    err = err ?: fdt_property_string(fdt, "compatible", p->compatible);
    err = err ?: fdt_property(fdt, "reg", reg, sizeof(reg));
    /* The device reaches guest memory by DMA, which stays coherent on these machines. An
     * empty property: libfdt copies its zero bytes, and a copy from NULL is undefined. */
    err = err ?: fdt_property(fdt, "dma-coherent", "", 0);
    err = err ?: fdt_interrupts(irqchip, p->irq, fdt);
    return err ?: fdt_end_node(fdt);
}

/*
 * The shared-memory regions the VM maps: "shmem@<gpa>", compatible "axvm,shmem" and then
 * "generic-uio" (so Linux's uio_pdrv_genirq can take it with of_id=generic-uio), "reg" the
 * region and, where the map has one, its doorbell register page second ("reg-names" "region",
 * "doorbell": the UIO device's map0 and map1), the region's name as "label", its index as
 * "axvm,index", "read-only" where it is, and its doorbell interrupt: "interrupts" in the
 * interrupt controller's format and the config's number as "axvm,irq" (what a guest without a
 * device-tree interrupt parser programs, e.g. the x86 I/O APIC pin).
 */
static int fdt_shmem(const struct vm *vm, const struct vdev_type *irqchip, void *fdt)
{
    static const char compatible[] = "axvm,shmem\0generic-uio";
    int err = 0;
    for (unsigned i = 0; i < shmem_config_count && i < SHMEM_MAX && !err; i++) {
        const struct shmem_config *s = &shmem_configs[i];
        const struct shmem_map_config *m = shmem_map_of(s, vm->id);
        if (!m)
            continue;
        char name[40];
        format_snprintf(name, sizeof(name), "shmem@%llx", (unsigned long long)m->gpa);
        uint64_t reg[4] = {cpu_to_fdt64(m->gpa), cpu_to_fdt64(s->size), cpu_to_fdt64(m->doorbell),
                           cpu_to_fdt64(PAGE_SIZE)};
        static const char reg_names[] = "region\0doorbell";
        err = fdt_begin_node(fdt, name);
        err = err ?: fdt_property(fdt, "compatible", compatible, sizeof(compatible));
        err = err ?: fdt_property(fdt, "reg", reg, m->doorbell ? sizeof(reg) : sizeof(reg) / 2);
        if (m->doorbell)
            err = err ?: fdt_property(fdt, "reg-names", reg_names, sizeof(reg_names));
        err = err ?: fdt_property_string(fdt, "label", s->name);
        err = err ?: fdt_property_u32(fdt, "axvm,index", i);
        if (m->ro)
            err = err ?: fdt_property(fdt, "read-only", "", 0);
        if (m->irq >= 0)
            err = err ?: fdt_property_u32(fdt, "axvm,irq", (uint32_t)m->irq);
        err = err ?: fdt_interrupts(irqchip, m->irq, fdt);
        err = err ?: fdt_end_node(fdt);
    }
    return err;
}

/* The power-request node (config power_irq, docs/config.md): no registers, only the interrupt
 * the hypervisor raises to ask the guest to power off. "generic-uio" lets a Linux guest take it
 * with the stock uio_pdrv_genirq driver; its node name is what /sys/class/uio/uio<N>/name
 * shows. */
static int fdt_power_request(const struct vm *vm, const struct vdev_type *irqchip, void *fdt)
{
    if (!vm->cfg->power_irq || !irqchip)
        return 0;
    static const char compat[] = "axvm,power-request\0generic-uio";
    int err = fdt_begin_node(fdt, "power-request");
    err = err ?: fdt_property(fdt, "compatible", compat, sizeof(compat));
    err = err ?: fdt_interrupts(irqchip, (int)vm->cfg->power_irq, fdt);
    return err ?: fdt_end_node(fdt);
}

int vm_fdt_build(struct vm *vm, void *buf, size_t size)
{
    const struct vm_config *c = vm->cfg;
    /* The VM's interrupt controller, if the device tree can name its lines (x86's cannot). */
    const struct vdev_type *irqchip = vdev_irqchip(c);
    if (irqchip && !irqchip->fdt_irq)
        irqchip = NULL;
    int err = fdt_create(buf, (int)size);
    err = err ?: fdt_finish_reservemap(buf);
    err = err ?: fdt_begin_node(buf, "");
    err = err ?: fdt_property_u32(buf, "#address-cells", 2);
    err = err ?: fdt_property_u32(buf, "#size-cells", 2);
    char model[48];
    format_snprintf(model, sizeof(model), "axvm,%s", c->name);
    err = err ?: fdt_property_string(buf, "compatible", "axvm,virt");
    err = err ?: fdt_property_string(buf, "model", model);
    if (irqchip)
        err = err ?: fdt_property_u32(buf, "interrupt-parent", VM_FDT_PHANDLE_IRQCHIP);
    err = err ?: fdt_chosen(vm, buf);
    err = err ?: fdt_memory(vm, buf);
    err = err ?: fdt_cpus(vm, buf);
    err = err ?: arch_vm_fdt(vm, buf);
    for (unsigned i = 0; i < c->dev_count && !err; i++)
        err = fdt_device(vm, i, irqchip, buf);
    for (unsigned i = 0; i < c->passthru_count && !err; i++)
        err = fdt_passthru(&c->passthru[i], irqchip, buf);
    err = err ?: fdt_shmem(vm, irqchip, buf);
    err = err ?: fdt_power_request(vm, irqchip, buf);
    err = err ?: fdt_end_node(buf);
    err = err ?: fdt_finish(buf);
    return err;
}
