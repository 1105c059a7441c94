/* SPDX-License-Identifier: MIT */
#ifndef DRIVERS_VIRTQ_H
#define DRIVERS_VIRTQ_H

/*
 * A split virtqueue (virtio 1.2 §2.7) as the device side walks it in a VM's RAM. The guest is
 * hostile: every ring, descriptor and buffer is reached only through aspace_read/aspace_write,
 * which refuse anything outside the VM's RAM, and every index the guest wrote is checked before
 * it is used. A chain is refused (-EINVAL) when a descriptor index is out of range, a buffer
 * wraps the address space, the chain runs longer than VIRTQ_CHAIN_MAX descriptors or than the
 * queue (a loop: a chain visits each descriptor at most once), or uses an indirect table (not
 * offered). Little-endian layout: every architecture here is little-endian.
 *
 * Not thread-safe: the device calls it under its own lock.
 */

#include <axvm/aspace.h>
#include <axvm/types.h>

#define VIRTQ_CHAIN_MAX 16 /* descriptors in one chain (the console uses one) */

#define VIRTQ_DESC_F_NEXT          1
#define VIRTQ_DESC_F_WRITE         2
#define VIRTQ_DESC_F_INDIRECT      4
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

struct virtq {
    uint64_t desc, avail, used; /* guest-physical addresses of the three parts */
    uint16_t num;               /* entries (a power of two), set by the driver */
    bool ready;
    uint16_t last_avail; /* the next available-ring entry the device takes */
    uint16_t used_idx;   /* the device's own copy of used.idx: never read back from the guest */
};

struct virtq_seg {
    uint64_t addr;
    uint32_t len;
    bool write; /* device-writable (a receive buffer) */
};

struct virtq_chain {
    uint16_t head; /* the descriptor index returned in the used ring */
    unsigned count;
    struct virtq_seg seg[VIRTQ_CHAIN_MAX];
};

/* Can the queue go live as the driver set it up: num a power of two up to num_max, the parts
 * aligned as §2.7 requires (descriptors 16, available ring 2, used ring 4)? */
bool virtq_valid(const struct virtq *q, unsigned num_max);

/* Take the next available chain: 1 with 'c' filled, 0 when none waits, -EFAULT if a ring or
 * descriptor lies outside RAM, -EINVAL for a bad index or chain (above). */
int virtq_pop(struct virtq *q, struct aspace *as, struct virtq_chain *c);

/* Hand chain 'head' back having written 'len' bytes into it: the used element, then used.idx
 * (in that order, so the driver never sees the index before the element). */
int virtq_push(struct virtq *q, struct aspace *as, uint16_t head, uint32_t len);

/* Does the driver want an interrupt for used buffers (VIRTQ_AVAIL_F_NO_INTERRUPT clear)? A
 * ring outside RAM: yes (the driver will find out). */
bool virtq_wants_interrupt(const struct virtq *q, struct aspace *as);

#endif
