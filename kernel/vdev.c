// SPDX-License-Identifier: MIT
#include <string.h>
#include <axvm/vdev.h>

static const struct vdev_type *const vdev_types[] = {
    &vdev_ns16550,
    &vdev_pl011,
};

const struct vdev_type *vdev_find(const char *name)
{
    for (unsigned i = 0; i < ARRAY_SIZE(vdev_types); i++)
        if (strcmp(vdev_types[i]->name, name) == 0)
            return vdev_types[i];
    return arch_vdev_find(name);
}
