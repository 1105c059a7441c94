// SPDX-License-Identifier: MIT
#include <drivers/uart.h>

bool uart_init(struct uart *u, const struct uart_desc *desc)
{
    u->desc = *desc;
    switch (desc->kind) {
    case UART_NS16550:
        ns16550_init(u);
        return true;
    case UART_PL011:
        pl011_init(u);
        return true;
    case UART_BCM2835_AUX:
        bcm2835_aux_init(u);
        return true;
    case UART_NONE:
        break;
    }
    return false;
}
