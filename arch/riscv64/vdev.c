// SPDX-License-Identifier: MIT
#include <axvm/vdev.h>

/* The RISC-V device models a config may name beside the arch-neutral ones. None yet: a VM's
 * device interrupts need the vPLIC, and the build refuses `irq` without one. */
const struct vdev_type *arch_vdev_find(const char *name)
{
    return NULL;
}
