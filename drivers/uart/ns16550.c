// SPDX-License-Identifier: MIT
/* NS16550-compatible UART (QEMU virt on RISC-V, PC COM1, VisionFive 2). Polled, no FIFO setup:
 * firmware has already programmed the baud rate. */
#include <drivers/uart.h>

#define NS_THR 0 /* transmit holding register (write) */
#define NS_RBR 0 /* receive buffer register (read) */
#define NS_LSR 5 /* line status register */

#define LSR_DR   0x01 /* data ready */
#define LSR_THRE 0x20 /* transmit holding register empty */

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

static int ns16550_getc(struct uart *u)
{
    if (!(ns16550_read(u, NS_LSR) & LSR_DR))
        return -1;
    return ns16550_read(u, NS_RBR);
}

#define NS_IER 1
#define NS_MCR 4

static void ns16550_rx_irq_enable(struct uart *u)
{
    ns16550_write(u, NS_IER, ns16550_read(u, NS_IER) | 0x01);
    /* OUT2 gates the interrupt line on PC-style UARTs. */
    ns16550_write(u, NS_MCR, ns16550_read(u, NS_MCR) | 0x08);
}

void ns16550_init(struct uart *u)
{
    u->putc = ns16550_putc;
    u->getc = ns16550_getc;
    u->rx_irq_enable = ns16550_rx_irq_enable;
}
