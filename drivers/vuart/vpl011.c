// SPDX-License-Identifier: MIT
/*
 * Virtual Arm PL011 UART (PrimeCell r1p5 register map): enough for Linux's amba-pl011 driver
 * and polled guests. Output goes to the VM's console stream, input comes from the console
 * multiplexer.
 */
#include <libfdt.h>
#include <axvm/errno.h>
#include <axvm/format.h>
#include <axvm/vdev.h>
#include <axvm/vm.h>

enum {
    PL011_DR = 0x000,
    PL011_RSR = 0x004,
    PL011_FR = 0x018,
    PL011_ILPR = 0x020,
    PL011_IBRD = 0x024,
    PL011_FBRD = 0x028,
    PL011_LCR_H = 0x02c,
    PL011_CR = 0x030,
    PL011_IFLS = 0x034,
    PL011_IMSC = 0x038,
    PL011_RIS = 0x03c,
    PL011_MIS = 0x040,
    PL011_ICR = 0x044,
    PL011_DMACR = 0x048,
    PL011_ID = 0xfe0, /* PeriphID0..3, PCellID0..3 */
};

#define FR_RXFE 0x10
#define FR_TXFE 0x80
#define INT_RX  0x10
#define INT_TX  0x20

/* The identification registers Linux's AMBA bus reads to match the driver (ARM PL011 r1p5). */
static const uint8_t pl011_id[8] = {0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

struct vpl011 {
    uint32_t ibrd, fbrd, lcr_h, cr, ifls, imsc, dmacr, ilpr;
    uint32_t ris;
    int irq; /* -1: no interrupt line */
    /* The line as last driven, worked out and driven under irq_lock (as in vns16550.c). */
    bool line;
    spinlock_t irq_lock;
};

/* Raw interrupt status: the transmitter is always ready, the receiver when input waits. */
static uint32_t vpl011_ris(struct emu_device *d)
{
    struct vpl011 *u = d->priv;
    return u->ris | INT_TX | (cmux_has_input(&d->vm->console) ? INT_RX : 0);
}

static void vpl011_update_irq(struct emu_device *d)
{
    struct vpl011 *u = d->priv;
    unsigned long flags = spin_lock_irqsave(&u->irq_lock);
    bool line = (vpl011_ris(d) & u->imsc) != 0;
    if (line != u->line) {
        u->line = line;
        vm_irq_set(d->vm, u->irq, line);
    }
    spin_unlock_irqrestore(&u->irq_lock, flags);
}

static void vpl011_input(void *ctx)
{
    vpl011_update_irq(ctx);
}

static int vpl011_read(struct emu_device *d, uint64_t off, unsigned width, uint64_t *value)
{
    struct vpl011 *u = d->priv;
    struct cmux_stream *s = &d->vm->console;
    uint32_t v = 0;
    if (!cmux_has_input(s))
        cmux_check_input(); /* cheap: input normally comes by interrupt, see cmux.h */
    bool rx = cmux_has_input(s);
    switch (off) {
    case PL011_DR: {
        int c = cmux_getc(s);
        v = c < 0 ? 0 : (uint32_t)c;
        break;
    }
    case PL011_FR:
        v = FR_TXFE | (rx ? 0 : FR_RXFE);
        break;
    case PL011_ILPR:
        v = u->ilpr;
        break;
    case PL011_IBRD:
        v = u->ibrd;
        break;
    case PL011_FBRD:
        v = u->fbrd;
        break;
    case PL011_LCR_H:
        v = u->lcr_h;
        break;
    case PL011_CR:
        v = u->cr;
        break;
    case PL011_IFLS:
        v = u->ifls;
        break;
    case PL011_IMSC:
        v = u->imsc;
        break;
    case PL011_RIS:
        v = vpl011_ris(d);
        break;
    case PL011_MIS:
        v = vpl011_ris(d) & u->imsc;
        break;
    case PL011_DMACR:
        v = u->dmacr;
        break;
    default:
        if (off >= PL011_ID && off < PL011_ID + 0x20 && (off & 3) == 0)
            v = pl011_id[(off - PL011_ID) / 4];
        break;
    }
    *value = v;
    (void)width;
    vpl011_update_irq(d);
    return 0;
}

static int vpl011_write(struct emu_device *d, uint64_t off, unsigned width, uint64_t value)
{
    struct vpl011 *u = d->priv;
    uint32_t v = (uint32_t)value;
    switch (off) {
    case PL011_DR:
        cmux_putc(&d->vm->console, (char)(v & 0xff));
        break;
    case PL011_ILPR:
        u->ilpr = v;
        break;
    case PL011_IBRD:
        u->ibrd = v;
        break;
    case PL011_FBRD:
        u->fbrd = v;
        break;
    case PL011_LCR_H:
        u->lcr_h = v;
        break;
    case PL011_CR:
        u->cr = v;
        break;
    case PL011_IFLS:
        u->ifls = v;
        break;
    case PL011_IMSC:
        u->imsc = v;
        break;
    case PL011_ICR:
        u->ris &= ~v;
        break;
    case PL011_DMACR:
        u->dmacr = v;
        break;
    default:
        break;
    }
    (void)width;
    vpl011_update_irq(d);
    return 0;
}

static void vpl011_reset(struct emu_device *d)
{
    struct vpl011 *u = d->priv;
    if (u->line)
        vm_irq_set(d->vm, u->irq, false);
    *u = (struct vpl011){.cr = 0x300, .ifls = 0x12, .irq = u->irq, .irq_lock = SPINLOCK_INIT};
}

static const struct emu_ops vpl011_ops = {
    .read = vpl011_read,
    .write = vpl011_write,
    .reset = vpl011_reset,
};

static int vpl011_create(struct vm *vm, struct emu_device *dev, const struct vm_dev_config *cfg)
{
    dev->ops = &vpl011_ops;
    ((struct vpl011 *)dev->priv)->irq = cfg->irq;
    vpl011_reset(dev);
    return 0;
}

static int vpl011_fdt_node(const struct emu_device *dev, const struct vm_dev_config *cfg, void *fdt)
{
    int err = vdev_fdt_begin(fdt, &vdev_pl011, cfg->base);
    static const char compat[] = "arm,pl011\0arm,primecell";
    err = err ?: fdt_property(fdt, "compatible", compat, sizeof(compat));
    uint64_t reg[2] = {cpu_to_fdt64(cfg->base), cpu_to_fdt64(dev->size)};
    err = err ?: fdt_property(fdt, "reg", reg, sizeof(reg));
    return err;
}

const struct vdev_type vdev_pl011 = {
    .fdt_name = "pl011",
    .name = "pl011",
    .space = EMU_MMIO,
    .default_size = 0x1000,
    .state_size = sizeof(struct vpl011),
    .create = vpl011_create,
    .console_input = vpl011_input,
    .fdt_node = vpl011_fdt_node,
};
