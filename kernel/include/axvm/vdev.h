/* SPDX-License-Identifier: MIT */
#ifndef AXVM_VDEV_H
#define AXVM_VDEV_H

/*
 * Emulated device models, by the "type" name a VM config uses. Each model creates its
 * emu_device for one VM and describes itself in the VM's generated device tree.
 */

#include <axvm/config.h>
#include <axvm/emu.h>
#include <axvm/vintc.h>

struct vm;

struct vdev_type {
    const char *name;
    const char *fdt_name; /* its device-tree node is "<fdt_name>@<base>" */
    enum emu_space space;
    uint64_t default_size;
    /* Bytes of private state: vdev_attach hands create() zeroed memory at dev->priv. */
    size_t state_size;
    /* Set up the device; dev->vm, dev->priv, base, size and space are filled in already. */
    int (*create)(struct vm *vm, struct emu_device *dev, const struct vm_dev_config *cfg);
    /* Console devices (UARTs, virtio-console): called when input arrives for the VM, with its
     * console stream's lock held; every such device of the VM is told. */
    void (*console_input)(void *dev);
    /* The device is useless without an interrupt line: a config must give it an irq. */
    bool irq_required;
    /* Begin the device's node in a device tree open for sequential writing and add its
     * properties; the caller adds "interrupts" and ends the node. */
    int (*fdt_node)(const struct emu_device *dev, const struct vm_dev_config *cfg, void *fdt);
    /* Interrupt controllers only: the "interrupts" cells for interrupt 'irq'; returns how
     * many. Its node carries phandle VM_FDT_PHANDLE_IRQCHIP. */
    unsigned (*fdt_irq)(unsigned irq, uint32_t *cells);
    /* Interrupt controllers only: the model's operations; vdev_attach makes the device's
     * state the VM's interrupt controller (vm->intc). */
    const struct vintc_ops *intc;
    /* Interrupt controllers only: the interrupt numbers its devices' lines may use,
     * irq_first .. irq_first + irq_count - 1 (the boot-time config check's rule). */
    unsigned irq_first, irq_count;
    /* Interrupt controllers only: lines the model's own platform raises (bit n: line n), which
     * no device, passthrough range or doorbell may take. */
    uint64_t irq_own;
    /* For a guest that gets no device tree (x86 Linux): the kernel command-line argument that
     * describes the device ('size' as attached) into 'buf'; returns its length. */
    size_t (*cmdline_arg)(const struct vm_dev_config *cfg, uint64_t size, char *buf,
                          size_t buf_size);
};

/* Create device 'cfg' of the VM's config at 'dev': its state, its model's setup, and the
 * VM's console input for every console device. */
int vdev_attach(struct vm *vm, struct emu_device *dev, const struct vm_dev_config *cfg);

/* Begin the node "<t->fdt_name>@<base>" in a device tree open for sequential writing. */
int vdev_fdt_begin(void *fdt, const struct vdev_type *t, uint64_t base);

/* Free what vdev_attach allocated. */
void vdev_detach(struct emu_device *dev);

/* The model of the VM's interrupt controller (the device type with .intc), or NULL. */
const struct vdev_type *vdev_irqchip(const struct vm_config *c);

/* The model named 'name': the arch-neutral ones, then the architecture's own. */
const struct vdev_type *vdev_find(const char *name);

/* The architecture's device models (interrupt controllers...); NULL when it has none by that
 * name. */
const struct vdev_type *arch_vdev_find(const char *name);

/* The models (drivers/vuart/...). */
extern const struct vdev_type vdev_ns16550;
extern const struct vdev_type vdev_pl011;
extern const struct vdev_type vdev_virtio_console; /* drivers/virtio/vconsole.c */

#endif
