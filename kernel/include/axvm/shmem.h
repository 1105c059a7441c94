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

/* How VM 'vm_id' maps region 's' (a VM maps a region at most once), or NULL. */
const struct shmem_map_config *shmem_map_of(const struct shmem_config *s, unsigned vm_id);

/* Allocate (and zero) every configured region's frames. 0 or -ENOMEM (said). */
int shmem_init(void);

/* Map the regions 'vm' takes part in into its address space, read-only where configured. */
int shmem_map(struct vm *vm);

/* AXVM_HC_SHMEM_RING from 'vm': count a ring for every other running VM that maps region
 * 'index', and raise its doorbell interrupt (an edge, vm_irq_pulse) where its map has an irq.
 * The number of VMs rung, or -EINVAL when 'vm' does not map that region. */
int64_t shmem_ring(struct vm *vm, uint64_t index);

/* AXVM_HC_SHMEM_RINGS: how often 'vm' was rung for region 'index' since it booted. */
int64_t shmem_rings(struct vm *vm, uint64_t index);

/*
 * Doorbell registers: a map with `doorbell` in the config gets a 4 KiB page of registers at
 * that address in its VM, for guests that cannot make hypercalls (a Linux process, through the
 * UIO device's second map or /dev/mem):
 *   0x0 RING   write (any value, any width): SHMEM_RING for this region; reads as 0
 *   0x4 RINGS  read: the low 32 bits of SHMEM_RINGS for this region; writes are ignored
 * Other offsets read as 0 and ignore writes.
 */
#define SHMEM_BELL_RING  0x0
#define SHMEM_BELL_RINGS 0x4

/* Put the doorbell pages of the regions 'vm' maps on its bus (vm->shmem_bells). 0 or the bus's
 * error (said). */
int shmem_add_doorbells(struct vm *vm);

/* The name of the shared region 'vm' maps read-only at 'gpa', or NULL: a write there is the
 * guest's error, said as such (kernel/vcpu.c). */
const char *shmem_read_only_at(const struct vm *vm, uint64_t gpa);

/* The host address of region 'index' (0 if it has none). */
paddr_t shmem_frames(unsigned index);

#endif
