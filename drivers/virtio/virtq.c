// SPDX-License-Identifier: MIT
/*
 * Split virtqueues, device side (drivers/include/drivers/virtq.h): the layout is virtio 1.2
 * §2.7.5 (descriptor table: 16 bytes each), §2.7.6 (available ring: flags, idx, ring[num]) and
 * §2.7.8 (used ring: flags, idx, ring[num] of {id, len}).
 */
#include <axvm/errno.h>
#include <drivers/virtq.h>

#define DESC_SIZE      16
#define AVAIL_IDX      2
#define AVAIL_RING     4
#define USED_IDX       2
#define USED_RING      4
#define USED_ELEM_SIZE 8

/*
 * A full memory barrier: the driver runs on other CPUs and orders its ring accesses with its own
 * barriers (§2.7.7, §2.7.10); we order ours. ThreadSanitizer has no fences (the host unit tests
 * drive the rings from the device's own thread).
 */
static inline void virtq_mb(void)
{
#ifndef __SANITIZE_THREAD__
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

struct desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

bool virtq_valid(const struct virtq *q, unsigned num_max)
{
    return q->num && q->num <= num_max && (q->num & (q->num - 1)) == 0 && !(q->desc & 15) &&
           !(q->avail & 1) && !(q->used & 3);
}

static int read16(struct aspace *as, uint64_t gpa, uint16_t *v)
{
    return aspace_read(as, gpa, v, sizeof(*v));
}

static int read_desc(const struct virtq *q, struct aspace *as, uint16_t i, struct desc *d)
{
    uint8_t raw[DESC_SIZE];
    int err = aspace_read(as, q->desc + (uint64_t)i * DESC_SIZE, raw, sizeof(raw));
    if (err)
        return err;
    __builtin_memcpy(&d->addr, raw, 8);
    __builtin_memcpy(&d->len, raw + 8, 4);
    __builtin_memcpy(&d->flags, raw + 12, 2);
    __builtin_memcpy(&d->next, raw + 14, 2);
    return 0;
}

/* Follow the chain from 'head' into 'c'. */
static int walk(const struct virtq *q, struct aspace *as, uint16_t head, struct virtq_chain *c)
{
    uint16_t i = head;
    c->head = head;
    c->count = 0;
    for (;;) {
        /* A chain longer than the queue has visited some descriptor twice: a loop. */
        if (i >= q->num || c->count == VIRTQ_CHAIN_MAX || c->count == q->num)
            return -EINVAL;
        struct desc d;
        int err = read_desc(q, as, i, &d);
        if (err)
            return err;
        if ((d.flags & VIRTQ_DESC_F_INDIRECT) || d.addr + d.len < d.addr)
            return -EINVAL;
        c->seg[c->count++] = (struct virtq_seg){d.addr, d.len, d.flags & VIRTQ_DESC_F_WRITE};
        if (!(d.flags & VIRTQ_DESC_F_NEXT))
            return 0;
        i = d.next;
    }
}

int virtq_pop(struct virtq *q, struct aspace *as, struct virtq_chain *c)
{
    uint16_t avail_idx, head;
    int err = read16(as, q->avail + AVAIL_IDX, &avail_idx);
    if (err)
        return err;
    uint16_t waiting = (uint16_t)(avail_idx - q->last_avail);
    if (!waiting)
        return 0;
    if (waiting > q->num)
        return -EINVAL; /* more available than the ring holds: a made-up index */
    /* The index before the entries it covers (the driver wrote them in the other order). */
    virtq_mb();
    uint64_t slot = q->avail + AVAIL_RING + 2 * (uint64_t)(q->last_avail & (q->num - 1));
    err = read16(as, slot, &head);
    err = err ?: walk(q, as, head, c);
    if (err)
        return err;
    q->last_avail++;
    return 1;
}

int virtq_push(struct virtq *q, struct aspace *as, uint16_t head, uint32_t len)
{
    uint32_t elem[2] = {head, len};
    uint64_t slot = q->used + USED_RING + USED_ELEM_SIZE * (uint64_t)(q->used_idx & (q->num - 1));
    int err = aspace_write(as, slot, elem, sizeof(elem));
    if (err)
        return err;
    virtq_mb();
    uint16_t idx = (uint16_t)(q->used_idx + 1);
    err = aspace_write(as, q->used + USED_IDX, &idx, sizeof(idx));
    if (!err)
        q->used_idx = idx;
    return err;
}

bool virtq_wants_interrupt(const struct virtq *q, struct aspace *as)
{
    uint16_t flags;
    /* Our used.idx store before the driver's flags: the driver orders the other way round. */
    virtq_mb();
    return read16(as, q->avail, &flags) || !(flags & VIRTQ_AVAIL_F_NO_INTERRUPT);
}
