// SPDX-License-Identifier: MIT
/*
 * Virtual NS16550A UART: enough of the register set for Linux's 8250 driver and simple polled
 * guests. Output goes to the VM's console stream; input comes from the console multiplexer
 * when the VM has focus. Registers are one byte apart (reg-shift 0), or I/O ports on x86.
 */
#include <libfdt.h>
#include <axvm/errno.h>
#include <axvm/format.h>
#include <axvm/vdev.h>
#include <axvm/vm.h>

enum {
    UART_RBR_THR = 0, /* DLL when DLAB */
    UART_IER = 1,     /* DLM when DLAB */
    UART_IIR_FCR = 2,
    UART_LCR = 3,
    UART_MCR = 4,
    UART_LSR = 5,
    UART_MSR = 6,
    UART_SCR = 7,
};

#define LCR_DLAB  0x80
#define LSR_DR    0x01
#define LSR_THRE  0x20
#define LSR_TEMT  0x40
#define IER_RDI   0x01
#define IER_THRI  0x02
#define IIR_NONE  0x01
#define IIR_THRI  0x02
#define IIR_RDI   0x04
#define IIR_FIFOS 0xc0

struct vns16550 {
    uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
    bool thri_pending; /* THR-empty interrupt owed since IER.THRI was set or THR written */
    int irq;           /* -1: no interrupt line */
    struct emu_device *dev;
    /* The line as last driven. Input arrives on another CPU than the guest's accesses: the
     * level is worked out and driven under irq_lock, so the last one driven is current. */
    bool line;
    spinlock_t irq_lock;
};

static struct vns16550 *state(struct emu_device *d)
{
    return d->priv;
}

static bool rx_ready(struct emu_device *d)
{
    struct cmux_stream *s = &d->vm->console;
    if (!cmux_has_input(s))
        cmux_check_input(); /* cheap: input normally comes by interrupt, see cmux.h */
    return cmux_has_input(s);
}

/* The interrupt line: received data with IER.RDI, or a THR-empty owed with IER.THRI. */
static void vns16550_update_irq(struct emu_device *d)
{
    struct vns16550 *u = state(d);
    unsigned long flags = spin_lock_irqsave(&u->irq_lock);
    bool rx = cmux_has_input(&d->vm->console);
    bool line = ((u->ier & IER_RDI) && rx) || ((u->ier & IER_THRI) && u->thri_pending);
    if (line != u->line) {
        u->line = line;
        vm_irq_set(d->vm, u->irq, line);
    }
    spin_unlock_irqrestore(&u->irq_lock, flags);
}

static void vns16550_input(void *ctx)
{
    vns16550_update_irq(ctx);
}

static int vns16550_read(struct emu_device *d, uint64_t off, unsigned width, uint64_t *value)
{
    struct vns16550 *u = state(d);
    uint8_t v = 0;
    /* Only reading the data or the interrupt identity changes what the line should be; input
     * arriving meanwhile (rx_ready's look included) drives it through vns16550_input. The
     * status register, read once per character sent, stays lock-free. */
    bool line_may_change = false;
    switch (off) {
    case UART_RBR_THR:
        if (u->lcr & LCR_DLAB) {
            v = u->dll;
        } else {
            int c = cmux_getc(&d->vm->console);
            v = c < 0 ? 0 : (uint8_t)c;
            line_may_change = true;
        }
        break;
    case UART_IER:
        v = (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
        break;
    case UART_IIR_FCR:
        if ((u->ier & IER_RDI) && rx_ready(d)) {
            v = IIR_RDI;
        } else if ((u->ier & IER_THRI) && u->thri_pending) {
            v = IIR_THRI;
            u->thri_pending = false; /* reading IIR clears a THRE interrupt */
            line_may_change = true;
        } else {
            v = IIR_NONE;
        }
        if (u->fcr & 1)
            v |= IIR_FIFOS;
        break;
    case UART_LCR:
        v = u->lcr;
        break;
    case UART_MCR:
        v = u->mcr;
        break;
    case UART_LSR:
        v = LSR_THRE | LSR_TEMT | (rx_ready(d) ? LSR_DR : 0);
        break;
    case UART_MSR:
        v = 0xb0; /* DCD, DSR, CTS: a cable is plugged in */
        break;
    case UART_SCR:
        v = u->scr;
        break;
    default:
        break;
    }
    *value = v;
    (void)width;
    if (line_may_change)
        vns16550_update_irq(d);
    return 0;
}

static int vns16550_write(struct emu_device *d, uint64_t off, unsigned width, uint64_t value)
{
    struct vns16550 *u = state(d);
    uint8_t v = (uint8_t)value;
    switch (off) {
    case UART_RBR_THR:
        if (u->lcr & LCR_DLAB) {
            u->dll = v;
        } else {
            cmux_putc(&d->vm->console, (char)v);
            u->thri_pending = true;
        }
        break;
    case UART_IER:
        if (u->lcr & LCR_DLAB) {
            u->dlm = v;
        } else {
            if ((v & IER_THRI) && !(u->ier & IER_THRI))
                u->thri_pending = true;
            u->ier = v & 0x0f;
        }
        break;
    case UART_IIR_FCR:
        u->fcr = v;
        break;
    case UART_LCR:
        u->lcr = v;
        break;
    case UART_MCR:
        u->mcr = v;
        break;
    case UART_SCR:
        u->scr = v;
        break;
    default:
        break; /* LSR and MSR are read-only */
    }
    (void)width;
    vns16550_update_irq(d);
    return 0;
}

static void vns16550_reset(struct emu_device *d)
{
    struct vns16550 *u = state(d);
    if (u->line)
        vm_irq_set(d->vm, u->irq, false);
    *u = (struct vns16550){.irq = u->irq, .dev = d, .irq_lock = SPINLOCK_INIT};
}

static const struct emu_ops vns16550_ops = {
    .read = vns16550_read,
    .write = vns16550_write,
    .reset = vns16550_reset,
};

static int vns16550_create(struct vm *vm, struct emu_device *dev, const struct vm_dev_config *cfg)
{
    dev->ops = &vns16550_ops;
    struct vns16550 *u = dev->priv;
    u->irq = cfg->irq;
    u->dev = dev;
    return 0;
}

static int vns16550_fdt_node(const struct emu_device *dev, const struct vm_dev_config *cfg,
                             void *fdt)
{
    int err = vdev_fdt_begin(fdt, &vdev_ns16550, cfg->base);
    err = err ?: fdt_property_string(fdt, "compatible", "ns16550a");
    uint64_t reg[2] = {cpu_to_fdt64(cfg->base), cpu_to_fdt64(dev->size)};
    err = err ?: fdt_property(fdt, "reg", reg, sizeof(reg));
    err = err ?: fdt_property_u32(fdt, "clock-frequency", 3686400);
    err = err ?: fdt_property_u32(fdt, "reg-shift", 0);
    err = err ?: fdt_property_u32(fdt, "reg-io-width", 1);
    return err;
}

const struct vdev_type vdev_ns16550 = {
    .fdt_name = "serial",
    .name = "ns16550",
    .space = EMU_MMIO,
    .default_size = 0x100,
    .state_size = sizeof(struct vns16550),
    .create = vns16550_create,
    .console_input = vns16550_input,
    .fdt_node = vns16550_fdt_node,
};
