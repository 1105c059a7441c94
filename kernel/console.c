// SPDX-License-Identifier: MIT
#include <axvm/console.h>
#include <axvm/spinlock.h>

static struct uart console_uart;
static bool console_ready;
static spinlock_t console_lock = SPINLOCK_INIT;

void console_init(const struct uart_desc *desc)
{
    console_ready = uart_init(&console_uart, desc);
}

void console_write(const char *s, size_t len)
{
    if (!console_ready)
        return;
    unsigned long flags = spin_lock_irqsave(&console_lock);
    for (size_t i = 0; i < len; i++) {
        /* Serial terminals want CR LF. */
        if (s[i] == '\n')
            console_uart.putc(&console_uart, '\r');
        console_uart.putc(&console_uart, s[i]);
    }
    spin_unlock_irqrestore(&console_lock, flags);
}

void console_rx_irq_enable(void)
{
    if (console_ready && console_uart.rx_irq_enable)
        console_uart.rx_irq_enable(&console_uart);
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
