// SPDX-License-Identifier: MIT
#include <axvm/emu.h>
#include <axvm/errno.h>

void emu_bus_init(struct emu_bus *bus)
{
    bus->count = 0;
}

int emu_bus_add(struct emu_bus *bus, struct emu_device *dev)
{
    if (dev->size == 0)
        return -EINVAL;
    for (unsigned i = 0; i < bus->count; i++) {
        const struct emu_device *d = bus->devs[i];
        if (d->space == dev->space && dev->base < d->base + d->size &&
            d->base < dev->base + dev->size)
            return -EEXIST;
    }
    if (bus->count == EMU_BUS_MAX)
        return -ENOSPC;
    bus->devs[bus->count++] = dev;
    return 0;
}

struct emu_device *emu_bus_find(const struct emu_bus *bus, enum emu_space space, uint64_t addr)
{
    for (unsigned i = 0; i < bus->count; i++) {
        struct emu_device *d = bus->devs[i];
        if (d->space == space && addr >= d->base && addr - d->base < d->size)
            return d;
    }
    return NULL;
}

int emu_bus_access(const struct emu_bus *bus, enum emu_space space, uint64_t addr, unsigned width,
                   bool write, uint64_t *value)
{
    struct emu_device *d = emu_bus_find(bus, space, addr);
    if (!d)
        return -ENODEV;
    if (addr + width > d->base + d->size)
        return -EINVAL; /* straddles the end of the device */
    uint64_t off = addr - d->base;
    if (write)
        return d->ops->write ? d->ops->write(d, off, width, *value) : 0;
    *value = 0;
    return d->ops->read ? d->ops->read(d, off, width, value) : 0;
}

void emu_bus_reset(const struct emu_bus *bus)
{
    for (unsigned i = 0; i < bus->count; i++)
        if (bus->devs[i]->ops->reset)
            bus->devs[i]->ops->reset(bus->devs[i]);
}
