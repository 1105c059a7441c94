/* SPDX-License-Identifier: MIT */
#ifndef AXVM_SHMEM_H
#define AXVM_SHMEM_H

/*
 * Memory shared between VMs ([[shmem]] in the config, docs/config.md): each region's frames are
 * allocated once, when the VMs are started, and belong to the region, not to any VM: a VM that
 * stops or reboots unmaps them (REGION_SHARED is never freed by its address space) and finds the
 * same contents when it maps them again.
 */

#include <axvm/config.h>

struct vm;

/* Allocate (and zero) every configured region's frames. 0 or -ENOMEM (said). */
int shmem_init(void);

/* Map the regions 'vm' takes part in into its address space, read-only where configured. */
int shmem_map(struct vm *vm);

/* The host address of region 'index' (0 if it has none). */
paddr_t shmem_frames(unsigned index);

#endif
