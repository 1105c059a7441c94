// SPDX-License-Identifier: MIT
#include <axvm/vdev.h>

/* The x86_64 device models a config may name beside the arch-neutral ones. None yet: a VM's
 * device interrupts need the virtual local APIC and I/O APIC, and the build refuses `irq`
 * without an interrupt controller. */
const struct vdev_type *arch_vdev_find(const char *name)
{
    return NULL;
}
