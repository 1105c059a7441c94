// SPDX-License-Identifier: MIT
#include <axvm/vdev.h>

/* The x86_64 device models a config may name beside the arch-neutral ones: the interrupt
 * controller (arch/x86_64/vapic.c). */
extern const struct vdev_type vdev_ioapic;

const struct vdev_type *arch_vdev_find(const char *name)
{
    return __builtin_strcmp(name, vdev_ioapic.name) == 0 ? &vdev_ioapic : NULL;
}
