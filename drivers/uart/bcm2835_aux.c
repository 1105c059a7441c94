// SPDX-License-Identifier: MIT
/*
 * The BCM2835 auxiliary mini-UART (Raspberry Pi 3 and 4: the console on GPIO 14/15 unless the
 * PL011 is moved there). Its registers are a subset of an 8250's, 32 bits apart (BCM2835 ARM
 * Peripherals, section 2.2): no divisor latch (the firmware sets AUX_MU_BAUD from the core
 * clock, which is why config.txt pins core_freq), no FIFO control. Polled like the others.
 */
#include <drivers/uart.h>

#define MU_IO  0x00 /* transmit and receive data */
#define MU_IER 0x04 /* interrupt enable */
#define MU_LSR 0x14 /* line status */

#define LSR_DATA_READY 0x01
#define LSR_TX_EMPTY   0x20 /* the transmit FIFO can take at least one byte */

/*
 * Receive interrupt: bit 0. The datasheet marks bits 3:2 "don't care", but the erratum says
 * the interrupt is not raised without them.
 */
#define IER_RX 0x0d

static volatile uint32_t *mu_reg(struct uart *u, unsigned off)
{
    return (volatile uint32_t *)(u->desc.base + off);
}

static void mu_putc(struct uart *u, char c)
{
    while (!(*mu_reg(u, MU_LSR) & LSR_TX_EMPTY))
        ;
    *mu_reg(u, MU_IO) = (uint8_t)c;
}

static int mu_getc(struct uart *u)
{
    if (!(*mu_reg(u, MU_LSR) & LSR_DATA_READY))
        return -1;
    return (int)(*mu_reg(u, MU_IO) & 0xff);
}

static void mu_rx_irq_enable(struct uart *u)
{
    *mu_reg(u, MU_IER) = IER_RX;
}

void bcm2835_aux_init(struct uart *u)
{
    u->putc = mu_putc;
    u->getc = mu_getc;
    u->rx_irq_enable = mu_rx_irq_enable;
}
