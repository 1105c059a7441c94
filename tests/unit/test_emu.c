// SPDX-License-Identifier: MIT
#include <axvm/emu.h>
#include <axvm/errno.h>
#include "check.h"

struct probe {
    uint64_t last_off, last_value;
    unsigned last_width, reads, writes, resets;
};

static int probe_read(struct emu_device *d, uint64_t off, unsigned width, uint64_t *value)
{
    struct probe *p = d->priv;
    p->reads++;
    p->last_off = off;
    p->last_width = width;
    *value = 0x1000 + off;
    return 0;
}

static int probe_write(struct emu_device *d, uint64_t off, unsigned width, uint64_t value)
{
    struct probe *p = d->priv;
    if (off == 0xf0)
        return -EINVAL; /* a register this device refuses */
    p->writes++;
    p->last_off = off;
    p->last_width = width;
    p->last_value = value;
    return 0;
}

static void probe_reset(struct emu_device *d)
{
    ((struct probe *)d->priv)->resets++;
}

static const struct emu_ops probe_ops = {probe_read, probe_write, probe_reset};

TEST(emu_dispatch_by_address_and_space)
{
    struct probe pa = {0}, pb = {0}, pc = {0};
    struct emu_device a = {"a", EMU_MMIO, 0x9000000, 0x1000, &probe_ops, &pa, NULL};
    struct emu_device b = {"b", EMU_MMIO, 0x9001000, 0x100, &probe_ops, &pb, NULL};
    struct emu_device c = {"c", EMU_PIO, 0x3f8, 8, &probe_ops, &pc, NULL};
    struct emu_bus bus;
    emu_bus_init(&bus);
    CHECK_EQ(emu_bus_add(&bus, &a), 0);
    CHECK_EQ(emu_bus_add(&bus, &b), 0);
    CHECK_EQ(emu_bus_add(&bus, &c), 0);

    uint64_t v = 0;
    CHECK_EQ(emu_bus_access(&bus, EMU_MMIO, 0x9000018, 4, false, &v), 0);
    CHECK_EQ(v, 0x1018);
    CHECK_EQ(pa.last_off, 0x18);
    CHECK_EQ(pa.last_width, 4);
    v = 0xab;
    CHECK_EQ(emu_bus_access(&bus, EMU_MMIO, 0x9001004, 1, true, &v), 0);
    CHECK_EQ(pb.last_value, 0xab);
    CHECK_EQ(pb.last_off, 4);
    CHECK_EQ(pa.writes, 0);
    /* Port 0x3fd is device c; MMIO 0x3fd is nobody. */
    CHECK_EQ(emu_bus_access(&bus, EMU_PIO, 0x3fd, 1, false, &v), 0);
    CHECK_EQ(pc.last_off, 5);
    CHECK_EQ(emu_bus_access(&bus, EMU_MMIO, 0x3fd, 1, false, &v), -ENODEV);
    CHECK_EQ(emu_bus_access(&bus, EMU_MMIO, 0x9001100, 4, false, &v), -ENODEV);
    /* An access running off the end of a device, and one the device refuses. */
    CHECK_EQ(emu_bus_access(&bus, EMU_MMIO, 0x90010fe, 4, false, &v), -EINVAL);
    v = 1;
    CHECK_EQ(emu_bus_access(&bus, EMU_MMIO, 0x90000f0, 4, true, &v), -EINVAL);

    emu_bus_reset(&bus);
    CHECK_EQ(pa.resets + pb.resets + pc.resets, 3);
}

TEST(emu_bus_rejects_overlaps)
{
    struct probe p = {0};
    struct emu_device a = {"a", EMU_MMIO, 0x1000, 0x1000, &probe_ops, &p, NULL};
    struct emu_device b = {"b", EMU_MMIO, 0x1fff, 0x10, &probe_ops, &p, NULL};
    struct emu_device c = {"c", EMU_PIO, 0x1000, 0x10, &probe_ops, &p, NULL};
    struct emu_bus bus;
    emu_bus_init(&bus);
    CHECK_EQ(emu_bus_add(&bus, &a), 0);
    CHECK_EQ(emu_bus_add(&bus, &b), -EEXIST);
    CHECK_EQ(emu_bus_add(&bus, &c), 0); /* other address space */
    CHECK(emu_bus_find(&bus, EMU_MMIO, 0x1fff) == &a);
    CHECK(emu_bus_find(&bus, EMU_MMIO, 0x2000) == NULL);
}
