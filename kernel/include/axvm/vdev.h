/* SPDX-License-Identifier: MIT */
#ifndef AXVM_VDEV_H
#define AXVM_VDEV_H

/*
 * Emulated device models, by the "type" name a VM config uses. Each model creates its
 * emu_device for one VM and describes itself in the VM's generated device tree.
 */

#include <axvm/config.h>
#include <axvm/emu.h>

struct vm;

struct vdev_type {
    const char *name;
    enum emu_space space;
    uint64_t default_size;
    int (*create)(struct vm *vm, struct emu_device *dev, const struct vm_dev_config *cfg);
    void (*destroy)(struct emu_device *dev);
    /* Add the device's node to a device tree open for sequential writing. */
    int (*fdt_node)(const struct emu_device *dev, const struct vm_dev_config *cfg, void *fdt);
};

const struct vdev_type *vdev_find(const char *name);

/* The models (drivers/vuart/...). */
extern const struct vdev_type vdev_ns16550;
extern const struct vdev_type vdev_pl011;

#endif
