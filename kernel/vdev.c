// SPDX-License-Identifier: MIT
#include <string.h>
#include <libfdt.h>
#include <axvm/format.h>
#include <axvm/errno.h>
#include <axvm/frame.h>
#include <axvm/vm.h>
#include <axvm/vdev.h>

static const struct vdev_type *const vdev_types[] = {
    &vdev_ns16550,
    &vdev_pl011,
    &vdev_virtio_console,
};

const struct vdev_type *vdev_find(const char *name)
{
    for (unsigned i = 0; i < ARRAY_SIZE(vdev_types); i++)
        if (strcmp(vdev_types[i]->name, name) == 0)
            return vdev_types[i];
    return arch_vdev_find(name);
}

/*
 * Console input for the VM: every console device hears of it (an early UART and a virtio
 * console side by side; the guest reads from whichever it uses). Devices not attached yet, or
 * already detached, have no state. Called with the stream's lock held.
 */
static void vdev_console_input(void *ctx)
{
    struct vm *vm = ctx;
    for (unsigned i = 0; i < VM_MAX_DEVICES; i++) {
        struct emu_device *d = &vm->devs[i];
        const struct vdev_type *t = d->priv && d->ops ? vdev_find(d->name) : NULL;
        if (t && t->console_input)
            t->console_input(d);
    }
}

static unsigned state_frames(const struct vdev_type *t)
{
    return (unsigned)(ALIGN_UP(t->state_size, PAGE_SIZE) / PAGE_SIZE);
}

int vdev_attach(struct vm *vm, struct emu_device *dev, const struct vm_dev_config *cfg)
{
    const struct vdev_type *t = vdev_find(cfg->type);
    if (!t)
        return -ENODEV;
    memset(dev, 0, sizeof(*dev));
    dev->name = t->name;
    dev->vm = vm;
    dev->space = cfg->pio ? EMU_PIO : t->space;
    dev->base = cfg->base;
    dev->size = cfg->size ? cfg->size : t->default_size;
    if (t->state_size) {
        /* Frames, not a heap: the VM's release gives them back like its memory. */
        paddr_t state = frame_alloc(state_frames(t), PAGE_SIZE);
        if (!state)
            return -ENOMEM;
        dev->priv = phys_to_ptr(state);
    }
    int err = t->create(vm, dev, cfg);
    if (err) {
        vdev_detach(dev);
        return err;
    }
    if (t->intc) {
        vm->intc.ops = t->intc;
        vm->intc.ctx = dev->priv;
    }
    if (t->console_input) {
        /* Under the stream's lock: input may be arriving (a reboot re-attaches). */
        unsigned long flags = spin_lock_irqsave(&vm->console.lock);
        vm->console.input_notify = vdev_console_input;
        vm->console.input_ctx = vm;
        spin_unlock_irqrestore(&vm->console.lock, flags);
    }
    return 0;
}

void vdev_detach(struct emu_device *dev)
{
    const struct vdev_type *t = dev->name ? vdev_find(dev->name) : NULL;
    if (t && dev->priv)
        frame_free(ptr_to_phys(dev->priv), state_frames(t));
    dev->priv = NULL;
}

int vdev_fdt_begin(void *fdt, const struct vdev_type *t, uint64_t base)
{
    char name[48];
    format_snprintf(name, sizeof(name), "%s@%llx", t->fdt_name, (unsigned long long)base);
    return fdt_begin_node(fdt, name);
}

const struct vdev_type *vdev_irqchip(const struct vm_config *c)
{
    for (unsigned i = 0; i < c->dev_count; i++) {
        const struct vdev_type *t = vdev_find(c->dev[i].type);
        if (t && t->intc)
            return t;
    }
    return NULL;
}
