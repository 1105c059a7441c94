/* SPDX-License-Identifier: MIT */
#ifndef DRIVERS_UART_H
#define DRIVERS_UART_H

/* Physical UARTs the hypervisor can use as its console. One interface for every model. */

#include <axvm/types.h>

enum uart_kind {
    UART_NONE,
    UART_NS16550,
    UART_PL011,
    UART_BCM2835_AUX, /* the Raspberry Pi's mini-UART */
};

struct uart_desc {
    enum uart_kind kind;
    uintptr_t base;     /* MMIO address, or I/O port when io_read/io_write are set */
    unsigned reg_shift; /* register stride is 1 << reg_shift bytes */
    unsigned reg_width; /* access width in bytes: 1 or 4 */
    /* Register access for UARTs outside MMIO (x86 port I/O); NULL means MMIO. */
    uint8_t (*io_read)(uintptr_t addr);
    void (*io_write)(uintptr_t addr, uint8_t value);
};

struct uart {
    struct uart_desc desc;
    void (*putc)(struct uart *u, char c);
    int (*getc)(struct uart *u); /* -1 when nothing is waiting */
    /* Write a run of bytes: as many per status check as the transmit FIFO holds. */
    void (*write)(struct uart *u, const char *s, size_t len);
    /* Raise the UART's interrupt while received data waits / stop raising it. */
    void (*rx_irq_enable)(struct uart *u);
    void (*rx_irq_disable)(struct uart *u);
    unsigned tx_fifo; /* bytes the transmitter takes after reporting empty (1 without FIFO) */
};

/* Bind 'u' to the driver for desc->kind; returns false for an unknown kind. */
bool uart_init(struct uart *u, const struct uart_desc *desc);

/* Per-model initialisers behind uart_init(). */
void ns16550_init(struct uart *u);
void pl011_init(struct uart *u);
void bcm2835_aux_init(struct uart *u);

#endif
