/* SPDX-License-Identifier: MIT */
#ifndef DRIVERS_VIRTIO_MMIO_H
#define DRIVERS_VIRTIO_MMIO_H

/*
 * The virtio-mmio transport, version 2 ("modern", virtio 1.2 §4.2.2): the register model an
 * emulated virtio device sits behind. It keeps the feature negotiation, the device status, the
 * queues' set-up and the interrupt status, and calls its device (struct virtio_mmio_ops) for
 * what is the device's own: a queue notification, its configuration space, a reset, the
 * interrupt line.
 *
 * Not thread-safe: the device serializes every call under its own lock.
 */

#include <axvm/types.h>
#include <drivers/virtq.h>

#define VIRTIO_MMIO_QUEUES_MAX 2
#define VIRTIO_MMIO_CONFIG     0x100 /* the device's configuration space starts here */

#define VIRTIO_MMIO_MAGIC  0x74726976 /* "virt" */
#define VIRTIO_MMIO_VENDOR 0x4d565841 /* "AXVM" */

/* Feature bits (§6) and status bits (§2.1). */
#define VIRTIO_F_VERSION_1        (1ULL << 32)
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER      2
#define VIRTIO_STATUS_DRIVER_OK   4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED      128
#define VIRTIO_INT_USED           1 /* InterruptStatus: a queue has used buffers */
#define VIRTIO_INT_CONFIG         2 /* InterruptStatus: configuration (or status) changed */

/* Register offsets (§4.2.2, table "MMIO Device Register Layout"). */
enum {
    VIRTIO_MMIO_MAGIC_VALUE = 0x000,
    VIRTIO_MMIO_VERSION = 0x004,
    VIRTIO_MMIO_DEVICE_ID = 0x008,
    VIRTIO_MMIO_VENDOR_ID = 0x00c,
    VIRTIO_MMIO_DEVICE_FEATURES = 0x010,
    VIRTIO_MMIO_DEVICE_FEATURES_SEL = 0x014,
    VIRTIO_MMIO_DRIVER_FEATURES = 0x020,
    VIRTIO_MMIO_DRIVER_FEATURES_SEL = 0x024,
    VIRTIO_MMIO_QUEUE_SEL = 0x030,
    VIRTIO_MMIO_QUEUE_NUM_MAX = 0x034,
    VIRTIO_MMIO_QUEUE_NUM = 0x038,
    VIRTIO_MMIO_QUEUE_READY = 0x044,
    VIRTIO_MMIO_QUEUE_NOTIFY = 0x050,
    VIRTIO_MMIO_INTERRUPT_STATUS = 0x060,
    VIRTIO_MMIO_INTERRUPT_ACK = 0x064,
    VIRTIO_MMIO_STATUS = 0x070,
    VIRTIO_MMIO_QUEUE_DESC_LOW = 0x080,
    VIRTIO_MMIO_QUEUE_DESC_HIGH = 0x084,
    VIRTIO_MMIO_QUEUE_DRIVER_LOW = 0x090,
    VIRTIO_MMIO_QUEUE_DRIVER_HIGH = 0x094,
    VIRTIO_MMIO_QUEUE_DEVICE_LOW = 0x0a0,
    VIRTIO_MMIO_QUEUE_DEVICE_HIGH = 0x0a4,
    VIRTIO_MMIO_SHM_SEL = 0x0ac,
    VIRTIO_MMIO_SHM_LEN_LOW = 0x0b0,
    VIRTIO_MMIO_SHM_BASE_HIGH = 0x0bc,
    VIRTIO_MMIO_CONFIG_GENERATION = 0x0fc,
};

struct virtio_mmio;

struct virtio_mmio_ops {
    /* The driver notified queue 'q' (only for a ready queue of a driver that is DRIVER_OK;
     * also called for each ready queue when the driver becomes DRIVER_OK). */
    void (*notify)(struct virtio_mmio *m, unsigned q);
    /* Read 'width' bytes at 'off' of the configuration space (zeros if NULL). */
    uint64_t (*config_read)(struct virtio_mmio *m, uint64_t off, unsigned width);
    /* The interrupt line, driven high while InterruptStatus is not zero. */
    void (*set_irq)(struct virtio_mmio *m, bool level);
};

struct virtio_mmio {
    /* What the device is, set before use. */
    uint32_t device_id;
    uint64_t device_features; /* must include VIRTIO_F_VERSION_1 */
    unsigned queue_count;     /* at most VIRTIO_MMIO_QUEUES_MAX */
    uint16_t queue_num_max;
    const struct virtio_mmio_ops *ops;
    void *ctx; /* the device's own state */
    /* What the driver set; virtio_mmio_reset clears it. */
    uint64_t driver_features;
    uint32_t device_features_sel, driver_features_sel, queue_sel;
    uint32_t status;
    uint32_t isr;
    uint32_t generation;
    struct virtq q[VIRTIO_MMIO_QUEUES_MAX];
};

/* A register access at 'off' inside the device. Registers are 32 bits wide and aligned; other
 * accesses to them read 0 and are ignored. Always 0 (a device register never faults). */
int virtio_mmio_read(struct virtio_mmio *m, uint64_t off, unsigned width, uint64_t *value);
int virtio_mmio_write(struct virtio_mmio *m, uint64_t off, unsigned width, uint64_t value);

/* The device's reset (Status written 0, or the VM's devices reset): driver state cleared,
 * interrupt line low. */
void virtio_mmio_reset(struct virtio_mmio *m);

/* Queue 'q' is ready and its driver is DRIVER_OK: the device may use it. */
struct virtq *virtio_mmio_queue(struct virtio_mmio *m, unsigned q);

/* Raise InterruptStatus bits (VIRTIO_INT_*) and the line. */
void virtio_mmio_interrupt(struct virtio_mmio *m, uint32_t bits);

/* The device found the driver's queues broken (§2.1.1): DEVICE_NEEDS_RESET, a configuration
 * interrupt, and no queue is used again until the driver resets the device. */
void virtio_mmio_needs_reset(struct virtio_mmio *m);

#endif
