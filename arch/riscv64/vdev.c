// SPDX-License-Identifier: MIT
#include <string.h>
#include <arch/vplic.h>
#include <axvm/vdev.h>

/* The RISC-V device models a config may name beside the arch-neutral ones: the vPLIC. */
const struct vdev_type *arch_vdev_find(const char *name)
{
    return strcmp(name, vdev_plic.name) == 0 ? &vdev_plic : NULL;
}
