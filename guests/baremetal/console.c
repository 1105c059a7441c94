// SPDX-License-Identifier: MIT
/* The guest's console: the UART its device tree names in /chosen/stdout-path. */

#include <stdarg.h>
#include <string.h>
#include <libfdt.h>
#include <axvm/format.h>
#include "guest.h"

/* Architectures with a counter whose rate they cannot learn leave pacing off. */
uint64_t __attribute__((weak)) guest_counter_freq(void)
{
    return 0;
}

enum { UART_NONE, UART_16550, UART_PL011 };

static int uart_kind;
static volatile uint8_t *uart_base;
static volatile uint32_t print_lock;

void console_init(const void *fdt)
{
    int chosen = fdt_path_offset(fdt, "/chosen");
    const char *path = chosen >= 0 ? fdt_getprop(fdt, chosen, "stdout-path", NULL) : NULL;
    int node = path ? fdt_path_offset(fdt, path) : -1;
    if (node < 0)
        return;
    const fdt64_t *reg = fdt_getprop(fdt, node, "reg", NULL);
    if (!reg)
        return;
    uart_base = (volatile uint8_t *)(uintptr_t)fdt64_ld(&reg[0]);
    if (fdt_node_check_compatible(fdt, node, "arm,pl011") == 0)
        uart_kind = UART_PL011;
    else if (fdt_node_check_compatible(fdt, node, "ns16550a") == 0)
        uart_kind = UART_16550;
}

/* The console of an architecture whose UART the device tree cannot name (x86: COM1 is an
 * I/O-port device, at port 0x3f8 by convention). arch/<arch>/ overrides it; by default there is
 * none. */
void __attribute__((weak)) guest_console_putc_fallback(char c)
{
    (void)c;
}

static void uart_putc(char c)
{
    if (uart_kind == UART_PL011) {
        while (*(volatile uint32_t *)(uart_base + 0x18) & 0x20)
            ;
        *(volatile uint32_t *)uart_base = (uint8_t)c;
    } else if (uart_kind == UART_16550) {
        while (!(uart_base[5] & 0x20))
            ;
        uart_base[0] = (uint8_t)c;
    } else {
        guest_console_putc_fallback(c);
    }
}

bool console_status(uint32_t *status)
{
    if (uart_kind == UART_PL011)
        *status = *(volatile uint32_t *)(uart_base + 0x18);
    else if (uart_kind == UART_16550)
        *status = uart_base[5];
    else
        return false;
    return true;
}

void guest_printf(const char *fmt, ...)
{
    char buf[160];
    va_list ap;
    va_start(ap, fmt);
    int n = format_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n > (int)sizeof(buf) - 1)
        n = sizeof(buf) - 1;
    /* Several vCPUs share the UART: keep each call's text together. */
    while (__atomic_exchange_n(&print_lock, 1, __ATOMIC_ACQUIRE))
        guest_relax();
    for (int i = 0; i < n; i++)
        uart_putc(buf[i]);
    __atomic_store_n(&print_lock, 0, __ATOMIC_RELEASE);
}
