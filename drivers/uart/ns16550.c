// SPDX-License-Identifier: MIT
/* NS16550-compatible UART (QEMU virt on RISC-V, PC COM1, VisionFive 2). Polled, no FIFO setup:
 * firmware has already programmed the baud rate. */
#include <drivers/uart.h>

#define NS_THR 0 /* transmit holding register (write) */
#define NS_RBR 0 /* receive buffer register (read) */
#define NS_IER 1 /* interrupt enable */
#define NS_IIR 2 /* interrupt identification (read) */
#define NS_MCR 4 /* modem control */
#define NS_LSR 5 /* line status register */

#define LSR_DR     0x01 /* data ready */
#define LSR_THRE   0x20 /* transmit holding register empty */
#define IER_RDI    0x01 /* received data interrupt */
#define MCR_OUT2   0x08 /* gates the interrupt line on PC-style UARTs */
#define IIR_FIFOS  0xc0 /* both bits set: the 16-byte FIFOs are on */
#define FIFO_BYTES 16

static uint8_t ns16550_read(struct uart *u, unsigned reg)
{
    uintptr_t addr = u->desc.base + ((uintptr_t)reg << u->desc.reg_shift);
    if (u->desc.io_read)
        return u->desc.io_read(addr);
    if (u->desc.reg_width == 4)
        return (uint8_t) * (volatile uint32_t *)addr;
    return *(volatile uint8_t *)addr;
}

static void ns16550_write(struct uart *u, unsigned reg, uint8_t value)
{
    uintptr_t addr = u->desc.base + ((uintptr_t)reg << u->desc.reg_shift);
    if (u->desc.io_write) {
        u->desc.io_write(addr, value);
        return;
    }
    if (u->desc.reg_width == 4)
        *(volatile uint32_t *)addr = value;
    else
        *(volatile uint8_t *)addr = value;
}

static void ns16550_putc(struct uart *u, char c)
{
    while (!(ns16550_read(u, NS_LSR) & LSR_THRE))
        ;
    ns16550_write(u, NS_THR, (uint8_t)c);
}

/* One status read per FIFO-full of bytes: THRE means the whole transmit FIFO is empty. */
static void ns16550_write_buf(struct uart *u, const char *s, size_t len)
{
    while (len) {
        while (!(ns16550_read(u, NS_LSR) & LSR_THRE))
            ;
        for (unsigned n = 0; n < u->tx_fifo && len; n++, len--)
            ns16550_write(u, NS_THR, (uint8_t)*s++);
    }
}

static int ns16550_getc(struct uart *u)
{
    if (!(ns16550_read(u, NS_LSR) & LSR_DR))
        return -1;
    return ns16550_read(u, NS_RBR);
}

static void ns16550_rx_irq_enable(struct uart *u)
{
    ns16550_write(u, NS_IER, ns16550_read(u, NS_IER) | IER_RDI);
    ns16550_write(u, NS_MCR, ns16550_read(u, NS_MCR) | MCR_OUT2);
}

static void ns16550_rx_irq_disable(struct uart *u)
{
    ns16550_write(u, NS_IER, ns16550_read(u, NS_IER) & ~IER_RDI);
}

void ns16550_init(struct uart *u)
{
    u->putc = ns16550_putc;
    u->getc = ns16550_getc;
    u->write = ns16550_write_buf;
    u->rx_irq_enable = ns16550_rx_irq_enable;
    u->rx_irq_disable = ns16550_rx_irq_disable;
    /* Firmware chose whether the FIFOs are on; reading IIR only clears a THRE interrupt,
     * which the hypervisor does not use. */
    u->tx_fifo = (ns16550_read(u, NS_IIR) & IIR_FIFOS) == IIR_FIFOS ? FIFO_BYTES : 1;
}
