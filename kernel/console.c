// SPDX-License-Identifier: MIT
#include <axvm/console.h>
#include <axvm/spinlock.h>

static struct uart console_uart;
static bool console_ready;
static bool console_rx_irq; /* input arrives by interrupt (console_rx_irq_enable was called) */
static spinlock_t console_lock = SPINLOCK_INIT;

void console_init(const struct uart_desc *desc)
{
    console_ready = uart_init(&console_uart, desc);
}

/* A run of bytes without a newline goes out through the driver's FIFO-sized writes. */
static void console_put_run(const char *s, size_t len)
{
    if (console_uart.write)
        console_uart.write(&console_uart, s, len);
    else
        for (size_t i = 0; i < len; i++)
            console_uart.putc(&console_uart, s[i]);
}

void console_write(const char *s, size_t len)
{
    if (!console_ready)
        return;
    unsigned long flags = spin_lock_irqsave(&console_lock);
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '\n')
            continue;
        /* Serial terminals want CR LF. */
        console_put_run(s + start, i - start);
        console_put_run("\r\n", 2);
        start = i + 1;
    }
    console_put_run(s + start, len - start);
    spin_unlock_irqrestore(&console_lock, flags);
}

void console_rx_irq_enable(void)
{
    if (console_ready && console_uart.rx_irq_enable) {
        console_uart.rx_irq_enable(&console_uart);
        console_rx_irq = true;
    }
}

bool console_rx_irq_active(void)
{
    return console_rx_irq;
}

void console_rx_pause(bool paused)
{
    if (!console_rx_irq || !console_uart.rx_irq_disable)
        return;
    /* The register update is a read-modify-write: one CPU at a time. */
    unsigned long flags = spin_lock_irqsave(&console_lock);
    if (paused)
        console_uart.rx_irq_disable(&console_uart);
    else
        console_uart.rx_irq_enable(&console_uart);
    spin_unlock_irqrestore(&console_lock, flags);
}

int console_getc(void)
{
    if (!console_ready)
        return -1;
    return console_uart.getc(&console_uart);
}

void console_claim_for_panic(void)
{
    for (unsigned long i = 0; i < 50000000UL; i++) {
        if (spin_trylock(&console_lock)) {
            spin_unlock(&console_lock);
            return;
        }
    }
    __atomic_store_n(&console_lock.owner, console_lock.next, __ATOMIC_RELEASE);
}
