/* SPDX-License-Identifier: MIT */
#ifndef AXVM_EMU_H
#define AXVM_EMU_H

/*
 * Emulated devices: one interface for every device the hypervisor emulates (UARTs, interrupt
 * controllers, ...), on guest-physical MMIO or x86 I/O ports. A VM's bus finds the device
 * owning an address and calls it with the offset inside the device.
 */

#include <axvm/types.h>

/* A VM's devices, its shared regions' doorbell pages and its architecture's own (x86: the
 * local APIC and six legacy PC devices). */
#define EMU_BUS_MAX 24

struct vm;
struct emu_device;

struct emu_ops {
    /* Width is 1, 2, 4 or 8 bytes. Return 0, or -EINVAL for an access the device refuses. */
    int (*read)(struct emu_device *dev, uint64_t offset, unsigned width, uint64_t *value);
    int (*write)(struct emu_device *dev, uint64_t offset, unsigned width, uint64_t value);
    void (*reset)(struct emu_device *dev);
};

enum emu_space {
    EMU_MMIO,
    EMU_PIO,
};

struct emu_device {
    const char *name;
    enum emu_space space;
    uint64_t base;
    uint64_t size;
    const struct emu_ops *ops;
    void *priv;
    struct vm *vm;
};

struct emu_bus {
    struct emu_device *devs[EMU_BUS_MAX];
    unsigned count;
};

void emu_bus_init(struct emu_bus *bus);

/* Add a device; -EEXIST if it overlaps one already there, -ENOSPC if the bus is full. */
int emu_bus_add(struct emu_bus *bus, struct emu_device *dev);

struct emu_device *emu_bus_find(const struct emu_bus *bus, enum emu_space space, uint64_t addr);

/* Perform an access: -ENODEV if no device owns addr, or the device's error. Reads of a device
 * without a read handler return 0. */
int emu_bus_access(const struct emu_bus *bus, enum emu_space space, uint64_t addr, unsigned width,
                   bool write, uint64_t *value);

void emu_bus_reset(const struct emu_bus *bus);

#endif
