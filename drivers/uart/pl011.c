// SPDX-License-Identifier: MIT
/* Arm PL011 UART (QEMU virt, Raspberry Pi 4). Polled; firmware has set the baud rate. */
#include <drivers/uart.h>

#define PL011_DR 0x00
#define PL011_FR 0x18

#define FR_RXFE 0x10 /* receive FIFO empty */
#define FR_TXFF 0x20 /* transmit FIFO full */

static volatile uint32_t *pl011_reg(struct uart *u, unsigned off)
{
    return (volatile uint32_t *)(u->desc.base + off);
}

static void pl011_putc(struct uart *u, char c)
{
    while (*pl011_reg(u, PL011_FR) & FR_TXFF)
        ;
    *pl011_reg(u, PL011_DR) = (uint8_t)c;
}

static int pl011_getc(struct uart *u)
{
    if (*pl011_reg(u, PL011_FR) & FR_RXFE)
        return -1;
    return (int)(*pl011_reg(u, PL011_DR) & 0xff);
}

#define PL011_IMSC 0x38
#define IMSC_RX    0x10 /* receive */
#define IMSC_RT    0x40 /* receive timeout: a byte sits below the FIFO trigger level */

static void pl011_rx_irq_enable(struct uart *u)
{
    *pl011_reg(u, PL011_IMSC) |= IMSC_RX | IMSC_RT;
}

void pl011_init(struct uart *u)
{
    u->putc = pl011_putc;
    u->getc = pl011_getc;
    u->rx_irq_enable = pl011_rx_irq_enable;
}
