// SPDX-License-Identifier: MIT
/*
 * The virtio-mmio version 2 register model (drivers/include/drivers/virtio_mmio.h). Driver
 * initialization follows virtio 1.2 §3.1.1: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK
 * (kept only if the device accepts the features), queue set-up, DRIVER_OK.
 */
#include <drivers/virtio_mmio.h>

static struct virtq *selected(struct virtio_mmio *m)
{
    return m->queue_sel < m->queue_count ? &m->q[m->queue_sel] : NULL;
}

static void update_line(struct virtio_mmio *m, uint32_t before)
{
    if (!before != !m->isr && m->ops->set_irq)
        m->ops->set_irq(m, m->isr != 0);
}

void virtio_mmio_interrupt(struct virtio_mmio *m, uint32_t bits)
{
    uint32_t before = m->isr;
    m->isr |= bits;
    update_line(m, before);
}

void virtio_mmio_needs_reset(struct virtio_mmio *m)
{
    m->status |= VIRTIO_STATUS_NEEDS_RESET;
    if (m->status & VIRTIO_STATUS_DRIVER_OK)
        virtio_mmio_interrupt(m, VIRTIO_INT_CONFIG);
}

void virtio_mmio_reset(struct virtio_mmio *m)
{
    uint32_t before = m->isr;
    m->driver_features = 0;
    m->device_features_sel = m->driver_features_sel = m->queue_sel = 0;
    m->status = 0;
    m->isr = 0;
    for (unsigned i = 0; i < VIRTIO_MMIO_QUEUES_MAX; i++)
        m->q[i] = (struct virtq){0};
    update_line(m, before);
}

struct virtq *virtio_mmio_queue(struct virtio_mmio *m, unsigned q)
{
    bool live = (m->status & VIRTIO_STATUS_DRIVER_OK) &&
                !(m->status & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED));
    return live && q < m->queue_count && m->q[q].ready ? &m->q[q] : NULL;
}

static uint32_t queue_reg(const struct virtq *q, uint64_t off)
{
    switch (off) {
    case VIRTIO_MMIO_QUEUE_READY:
        return q->ready;
    case VIRTIO_MMIO_QUEUE_DESC_LOW:
        return (uint32_t)q->desc;
    case VIRTIO_MMIO_QUEUE_DESC_HIGH:
        return (uint32_t)(q->desc >> 32);
    case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
        return (uint32_t)q->avail;
    case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
        return (uint32_t)(q->avail >> 32);
    case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
        return (uint32_t)q->used;
    case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
        return (uint32_t)(q->used >> 32);
    default:
        return 0;
    }
}

static uint32_t reg_read(struct virtio_mmio *m, uint64_t off)
{
    struct virtq *q = selected(m);
    switch (off) {
    case VIRTIO_MMIO_MAGIC_VALUE:
        return VIRTIO_MMIO_MAGIC;
    case VIRTIO_MMIO_VERSION:
        return 2;
    case VIRTIO_MMIO_DEVICE_ID:
        return m->device_id;
    case VIRTIO_MMIO_VENDOR_ID:
        return VIRTIO_MMIO_VENDOR;
    case VIRTIO_MMIO_DEVICE_FEATURES:
        return m->device_features_sel > 1
                   ? 0
                   : (uint32_t)(m->device_features >> (32 * m->device_features_sel));
    case VIRTIO_MMIO_QUEUE_NUM_MAX:
        return q ? m->queue_num_max : 0; /* 0: no such queue */
    case VIRTIO_MMIO_INTERRUPT_STATUS:
        return m->isr;
    case VIRTIO_MMIO_STATUS:
        return m->status;
    case VIRTIO_MMIO_CONFIG_GENERATION:
        return m->generation;
    default:
        /* The shared-memory length registers read all ones: no such region (§4.2.2). */
        if (off >= VIRTIO_MMIO_SHM_LEN_LOW && off <= VIRTIO_MMIO_SHM_BASE_HIGH)
            return off < VIRTIO_MMIO_SHM_LEN_LOW + 8 ? 0xffffffff : 0;
        return q ? queue_reg(q, off) : 0;
    }
}

int virtio_mmio_read(struct virtio_mmio *m, uint64_t off, unsigned width, uint64_t *value)
{
    if (off >= VIRTIO_MMIO_CONFIG)
        *value = m->ops->config_read ? m->ops->config_read(m, off - VIRTIO_MMIO_CONFIG, width) : 0;
    else
        *value = width == 4 && !(off & 3) ? reg_read(m, off) : 0;
    return 0;
}

static void set_half(uint64_t *v, bool high, uint32_t half)
{
    *v = high ? (*v & 0xffffffffULL) | ((uint64_t)half << 32) : (*v & ~0xffffffffULL) | half;
}

/* The driver's set-up of the selected queue: only while it is not live (§4.2.3.2). */
static void queue_write(struct virtio_mmio *m, struct virtq *q, uint64_t off, uint32_t v)
{
    if (off == VIRTIO_MMIO_QUEUE_READY) {
        bool ready = v == 1 && virtq_valid(q, m->queue_num_max);
        if (ready && !q->ready)
            q->last_avail = q->used_idx = 0;
        q->ready = ready;
        return;
    }
    if (q->ready)
        return;
    switch (off) {
    case VIRTIO_MMIO_QUEUE_NUM:
        q->num = v <= m->queue_num_max ? (uint16_t)v : 0;
        break;
    case VIRTIO_MMIO_QUEUE_DESC_LOW:
    case VIRTIO_MMIO_QUEUE_DESC_HIGH:
        set_half(&q->desc, off == VIRTIO_MMIO_QUEUE_DESC_HIGH, v);
        break;
    case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
    case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
        set_half(&q->avail, off == VIRTIO_MMIO_QUEUE_DRIVER_HIGH, v);
        break;
    case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
    case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
        set_half(&q->used, off == VIRTIO_MMIO_QUEUE_DEVICE_HIGH, v);
        break;
    default:
        break;
    }
}

static void status_write(struct virtio_mmio *m, uint32_t v)
{
    if (v == 0) {
        virtio_mmio_reset(m);
        return;
    }
    /* FEATURES_OK only for features the device offered, VERSION_1 among them (§3.1.1 step 6:
     * the driver reads the status back to learn whether they were accepted). */
    if ((v & VIRTIO_STATUS_FEATURES_OK) && !(m->status & VIRTIO_STATUS_FEATURES_OK) &&
        ((m->driver_features & ~m->device_features) || !(m->driver_features & VIRTIO_F_VERSION_1)))
        v &= ~VIRTIO_STATUS_FEATURES_OK;
    /* DRIVER_OK only after FEATURES_OK; NEEDS_RESET is the device's to set. */
    if (!(v & VIRTIO_STATUS_FEATURES_OK))
        v &= ~VIRTIO_STATUS_DRIVER_OK;
    bool now_ok = (v & VIRTIO_STATUS_DRIVER_OK) && !(m->status & VIRTIO_STATUS_DRIVER_OK);
    m->status = (v & ~VIRTIO_STATUS_NEEDS_RESET) | (m->status & VIRTIO_STATUS_NEEDS_RESET);
    /* Buffers the driver made available before DRIVER_OK are the device's now. */
    for (unsigned i = 0; now_ok && i < m->queue_count; i++)
        if (virtio_mmio_queue(m, i))
            m->ops->notify(m, i);
}

static void reg_write(struct virtio_mmio *m, uint64_t off, uint32_t v)
{
    struct virtq *q = selected(m);
    switch (off) {
    case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
        m->device_features_sel = v;
        break;
    case VIRTIO_MMIO_DRIVER_FEATURES:
        /* Only while negotiating: not after FEATURES_OK (§3.1.1). */
        if (m->driver_features_sel <= 1 && !(m->status & VIRTIO_STATUS_FEATURES_OK))
            set_half(&m->driver_features, m->driver_features_sel == 1, v);
        break;
    case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
        m->driver_features_sel = v;
        break;
    case VIRTIO_MMIO_QUEUE_SEL:
        m->queue_sel = v;
        break;
    case VIRTIO_MMIO_QUEUE_NOTIFY:
        if (virtio_mmio_queue(m, v))
            m->ops->notify(m, v);
        break;
    case VIRTIO_MMIO_INTERRUPT_ACK: {
        uint32_t before = m->isr;
        m->isr &= ~v;
        update_line(m, before);
        break;
    }
    case VIRTIO_MMIO_STATUS:
        status_write(m, v);
        break;
    default:
        if (q)
            queue_write(m, q, off, v);
        break;
    }
}

int virtio_mmio_write(struct virtio_mmio *m, uint64_t off, unsigned width, uint64_t value)
{
    /* The configuration space of the devices here is read-only. */
    if (off < VIRTIO_MMIO_CONFIG && width == 4 && !(off & 3))
        reg_write(m, off, (uint32_t)value);
    return 0;
}
