// SPDX-License-Identifier: MIT
/* Arm PL011 UART (QEMU virt, Raspberry Pi 4). Polled; firmware has set the baud rate. */
#include <drivers/uart.h>

#define PL011_DR    0x00
#define PL011_FR    0x18
#define PL011_LCR_H 0x2c
#define PL011_IMSC  0x38

#define FR_RXFE  0x10 /* receive FIFO empty */
#define FR_TXFF  0x20 /* transmit FIFO full */
#define FR_TXFE  0x80 /* transmit FIFO empty */
#define LCR_FEN  0x10 /* FIFOs enabled */
#define IMSC_RX  0x10 /* receive */
#define IMSC_RT  0x40 /* receive timeout: a byte sits below the FIFO trigger level */
#define FIFO_LEN 16   /* the smallest PL011 FIFO (r1p3; r1p5 has 32) */

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

/* One status read per FIFO-full of bytes: an empty FIFO takes tx_fifo bytes without looking. */
static void pl011_write(struct uart *u, const char *s, size_t len)
{
    while (len) {
        while (!(*pl011_reg(u, PL011_FR) & FR_TXFE))
            ;
        for (unsigned n = 0; n < u->tx_fifo && len; n++, len--)
            *pl011_reg(u, PL011_DR) = (uint8_t)*s++;
    }
}

static int pl011_getc(struct uart *u)
{
    if (*pl011_reg(u, PL011_FR) & FR_RXFE)
        return -1;
    return (int)(*pl011_reg(u, PL011_DR) & 0xff);
}

static void pl011_rx_irq_enable(struct uart *u)
{
    *pl011_reg(u, PL011_IMSC) |= IMSC_RX | IMSC_RT;
}

static void pl011_rx_irq_disable(struct uart *u)
{
    *pl011_reg(u, PL011_IMSC) &= ~(uint32_t)(IMSC_RX | IMSC_RT);
}

void pl011_init(struct uart *u)
{
    u->putc = pl011_putc;
    u->getc = pl011_getc;
    u->write = pl011_write;
    u->rx_irq_enable = pl011_rx_irq_enable;
    u->rx_irq_disable = pl011_rx_irq_disable;
    /* Without FEN the FIFOs are one byte deep (a holding register). */
    u->tx_fifo = (*pl011_reg(u, PL011_LCR_H) & LCR_FEN) ? FIFO_LEN : 1;
}
