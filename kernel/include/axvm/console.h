/* SPDX-License-Identifier: MIT */
#ifndef AXVM_CONSOLE_H
#define AXVM_CONSOLE_H

/*
 * The one physical serial line. Writers hand it whole lines; a lock makes sure lines from
 * different CPUs never interleave.
 */

#include <drivers/uart.h>

void console_init(const struct uart_desc *desc);

/* Write 'len' bytes atomically with respect to other console writers. */
void console_write(const char *s, size_t len);

/* Ask the UART to interrupt when input arrives (the architecture routes the interrupt). */
void console_rx_irq_enable(void);

/* True once console_rx_irq_enable has been called: input then arrives by interrupt, and
 * nobody needs to poll for it. */
bool console_rx_irq_active(void);

/*
 * Stop the receive interrupt while nobody can take input (flow control: the bytes stay in
 * the UART, and its sender is held back) / raise it again. No-op without console_rx_irq_enable.
 */
void console_rx_pause(bool paused);

/* Read one byte if one is waiting, else -1. */
int console_getc(void);

/*
 * For the panic path: wait a bounded time for a CPU in the middle of a line to finish it; if
 * the lock never frees, its holder is wedged and the dump matters more, so break the lock.
 */
void console_claim_for_panic(void);

#endif
