// SPDX-License-Identifier: MIT
/*
 * virtio-console over virtio-mmio (virtio 1.2 §5.3, one port, no multiport): a console that
 * moves a whole buffer per exit where the emulated UARTs take two exits per character.
 *
 * Queue 1 (transmitq): on the driver's notify every available buffer is copied from guest RAM
 * into the VM's console stream (prefixes, history and filtering as for the UARTs) and handed
 * back. Queue 0 (receiveq): bytes typed for the VM go into the buffers the driver posted, as
 * they arrive (from the console multiplexer's input_notify) or when the driver posts buffers;
 * while none are posted the input waits in the stream's buffer, so the multiplexer's flow
 * control holds the serial line as it does for a UART that is not read.
 *
 * Locking: the device's whole state is under the VM's console stream lock (vm->console.lock),
 * which input_notify already holds, so console input, the stream's output and the registers
 * never need a second lock and cannot deadlock against each other.
 */
#include <libfdt.h>
#include <axvm/format.h>
#include <axvm/log.h>
#include <axvm/vdev.h>
#include <axvm/vm.h>
#include <drivers/virtio_mmio.h>

#define VIRTIO_ID_CONSOLE 3
#define QUEUE_RX          0
#define QUEUE_TX          1
#define QUEUE_NUM_MAX     64
#define CHUNK             256 /* bytes copied per aspace call */
/* Bytes of one transmit buffer shown: Linux sends at most a page; a guest that hands over
 * megabytes must not hold the console for that long. */
#define TX_BUFFER_MAX (64 * 1024)

struct vconsole {
    struct virtio_mmio mmio;
    struct emu_device *dev;
    int irq;
    bool broken_said; /* the warning for broken queues was given (once per boot) */
};

static struct vconsole *state(struct emu_device *d)
{
    return d->priv;
}

static struct cmux_stream *stream(const struct vconsole *vc)
{
    return &vc->dev->vm->console;
}

static struct aspace *guest(const struct vconsole *vc)
{
    return &vc->dev->vm->as;
}

/* The driver's queues are broken (a descriptor outside RAM, a loop, a made-up index): the
 * device stops using them until the driver resets it. */
static void vconsole_broken(struct vconsole *vc, unsigned q, int err)
{
    virtio_mmio_needs_reset(&vc->mmio);
    if (vc->broken_said)
        return;
    vc->broken_said = true;
    struct vm *vm = vc->dev->vm;
    log_warn("vm%u (%s): virtio-console at 0x%llx: %s queue broken (error %d): device needs "
             "reset",
             vm->id, vm->cfg ? vm->cfg->name : "?", (unsigned long long)vc->dev->base,
             q == QUEUE_RX ? "receive" : "transmit", err);
}

/* A transmit chain's readable buffers to the console. */
static int tx_chain(struct vconsole *vc, const struct virtq_chain *c)
{
    char buf[CHUNK];
    uint64_t shown = 0;
    for (unsigned i = 0; i < c->count; i++) {
        const struct virtq_seg *s = &c->seg[i];
        for (uint64_t off = 0; !s->write && off < s->len && shown < TX_BUFFER_MAX;) {
            uint64_t n = MIN(MIN((uint64_t)CHUNK, s->len - off), TX_BUFFER_MAX - shown);
            int err = aspace_read(guest(vc), s->addr + off, buf, n);
            if (err)
                return err;
            cmux_write_locked(stream(vc), buf, n);
            off += n;
            shown += n;
        }
    }
    return 0;
}

/* Input into a receive chain's writable buffers; returns the bytes written or an error. */
static int64_t rx_chain(struct vconsole *vc, const struct virtq_chain *c)
{
    char buf[CHUNK];
    uint64_t written = 0;
    for (unsigned i = 0; i < c->count; i++) {
        const struct virtq_seg *s = &c->seg[i];
        for (uint64_t off = 0; s->write && off < s->len;) {
            size_t n = cmux_read_locked(stream(vc), buf, MIN((uint64_t)CHUNK, s->len - off));
            if (!n)
                return (int64_t)written;
            int err = aspace_write(guest(vc), s->addr + off, buf, n);
            if (err)
                return err;
            off += n;
            written += n;
        }
    }
    return (int64_t)written;
}

/* Serve queue 'qi': every transmit buffer, or receive buffers while input waits. At most the
 * queue's size per call, so a guest refilling its ring cannot keep the device here. */
static void vconsole_serve(struct vconsole *vc, unsigned qi)
{
    struct virtq *q = virtio_mmio_queue(&vc->mmio, qi);
    bool used = false;
    for (unsigned n = 0; q && n < q->num; n++) {
        if (qi == QUEUE_RX && !cmux_has_input(stream(vc)))
            break;
        struct virtq_chain c;
        int err = virtq_pop(q, guest(vc), &c);
        if (!err)
            break;
        int64_t len = err < 0 ? err : qi == QUEUE_TX ? tx_chain(vc, &c) : rx_chain(vc, &c);
        err = len < 0 ? (int)len : virtq_push(q, guest(vc), c.head, (uint32_t)len);
        if (err) {
            vconsole_broken(vc, qi, err);
            return;
        }
        used = true;
    }
    if (used && virtq_wants_interrupt(q, guest(vc)))
        virtio_mmio_interrupt(&vc->mmio, VIRTIO_INT_USED);
}

static void vconsole_notify(struct virtio_mmio *m, unsigned q)
{
    vconsole_serve(m->ctx, q);
}

static void vconsole_set_irq(struct virtio_mmio *m, bool level)
{
    struct vconsole *vc = m->ctx;
    vm_irq_set(vc->dev->vm, vc->irq, level);
}

static const struct virtio_mmio_ops vconsole_mmio_ops = {
    .notify = vconsole_notify,
    .set_irq = vconsole_set_irq,
};

/* Console input arrived; called with the stream's lock held (cmux.h). */
static void vconsole_input(void *ctx)
{
    vconsole_serve(state(ctx), QUEUE_RX);
}

static int vconsole_read(struct emu_device *d, uint64_t off, unsigned width, uint64_t *value)
{
    struct cmux_stream *s = &d->vm->console;
    unsigned long flags = spin_lock_irqsave(&s->lock);
    int err = virtio_mmio_read(&state(d)->mmio, off, width, value);
    spin_unlock_irqrestore(&s->lock, flags);
    return err;
}

static int vconsole_write(struct emu_device *d, uint64_t off, unsigned width, uint64_t value)
{
    struct cmux_stream *s = &d->vm->console;
    unsigned long flags = spin_lock_irqsave(&s->lock);
    int err = virtio_mmio_write(&state(d)->mmio, off, width, value);
    spin_unlock_irqrestore(&s->lock, flags);
    if (off == VIRTIO_MMIO_QUEUE_NOTIFY) {
        cmux_input_taken(s); /* input taken into new buffers lets held-back input flow */
        cmux_check_input();  /* where input is polled (x86), a guest asking for it polls */
    }
    return err;
}

static void vconsole_reset(struct emu_device *d)
{
    struct cmux_stream *s = &d->vm->console;
    unsigned long flags = spin_lock_irqsave(&s->lock);
    virtio_mmio_reset(&state(d)->mmio);
    state(d)->broken_said = false;
    spin_unlock_irqrestore(&s->lock, flags);
}

static const struct emu_ops vconsole_ops = {
    .read = vconsole_read,
    .write = vconsole_write,
    .reset = vconsole_reset,
};

static int vconsole_create(struct vm *vm, struct emu_device *dev, const struct vm_dev_config *cfg)
{
    struct vconsole *vc = dev->priv;
    dev->ops = &vconsole_ops;
    vc->dev = dev;
    vc->irq = cfg->irq;
    vc->mmio = (struct virtio_mmio){
        .device_id = VIRTIO_ID_CONSOLE,
        .device_features = VIRTIO_F_VERSION_1,
        .queue_count = 2,
        .queue_num_max = QUEUE_NUM_MAX,
        .ops = &vconsole_mmio_ops,
        .ctx = vc,
    };
    return 0;
}

static int vconsole_fdt_node(const struct emu_device *dev, const struct vm_dev_config *cfg,
                             void *fdt)
{
    int err = vdev_fdt_begin(fdt, &vdev_virtio_console, cfg->base);
    err = err ?: fdt_property_string(fdt, "compatible", "virtio,mmio");
    uint64_t reg[2] = {cpu_to_fdt64(cfg->base), cpu_to_fdt64(dev->size)};
    err = err ?: fdt_property(fdt, "reg", reg, sizeof(reg));
    /* The hypervisor reads and writes the rings coherently with the guest's caches. */
    err = err ?: fdt_property(fdt, "dma-coherent", "", 0);
    return err;
}

/* Linux without a device tree (x86) finds virtio-mmio devices on its command line
 * (CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES): virtio_mmio.device=<size>@<base>:<irq>. */
static size_t vconsole_cmdline_arg(const struct vm_dev_config *cfg, uint64_t size, char *buf,
                                   size_t buf_size)
{
    format_snprintf(buf, buf_size, "virtio_mmio.device=0x%llx@0x%llx:%d", (unsigned long long)size,
                    (unsigned long long)cfg->base, cfg->irq);
    return __builtin_strlen(buf);
}

const struct vdev_type vdev_virtio_console = {
    .name = "virtio-console",
    .fdt_name = "virtio_mmio",
    .space = EMU_MMIO,
    .default_size = 0x200,
    .state_size = sizeof(struct vconsole),
    .irq_required = true,
    .create = vconsole_create,
    .console_input = vconsole_input,
    .fdt_node = vconsole_fdt_node,
    .cmdline_arg = vconsole_cmdline_arg,
};
