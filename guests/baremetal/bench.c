// SPDX-License-Identifier: MIT
/*
 * Exit-cost benchmark ("bench" on the command line). Each measured loop is run beside the same
 * loop doing an ordinary memory access instead of the exiting one, so the figure that matters is
 * the ratio, measured in one run on one counter (CNTVCT, rdtime, rdtsc).
 */
#include <libfdt.h>
#include <axvm/hypercall.h>
#include "guest.h"

#define ITERATIONS 4000
#define UART_SCR   7 /* ns16550 scratch register: an MMIO write with no side effect */
#define UART_LSR   5

static volatile uint8_t ram_byte;

enum op { OP_RAM_READ, OP_RAM_WRITE, OP_HYPERCALL, OP_MMIO_READ, OP_MMIO_WRITE };

static uint64_t run(enum op op, volatile uint8_t *dev)
{
    uint64_t t0 = guest_cycles();
    for (unsigned i = 0; i < ITERATIONS; i++) {
        switch (op) {
        case OP_RAM_READ:
            (void)ram_byte;
            break;
        case OP_RAM_WRITE:
            ram_byte = (uint8_t)i;
            break;
        case OP_HYPERCALL:
            guest_hypercall(AXVM_HC_VERSION, 0, 0);
            break;
        case OP_MMIO_READ:
            (void)dev[UART_LSR];
            break;
        case OP_MMIO_WRITE:
            dev[UART_SCR] = (uint8_t)i;
            break;
        }
    }
    return guest_cycles() - t0;
}

void bench_run(const void *fdt)
{
    int node = fdt_node_offset_by_compatible(fdt, -1, "ns16550a");
    const fdt64_t *reg = node >= 0 ? fdt_getprop(fdt, node, "reg", NULL) : NULL;
    if (!reg) {
        guest_printf("bench: FAILED: no MMIO ns16550 in the device tree to measure\n");
        return;
    }
    volatile uint8_t *dev = (volatile uint8_t *)(uintptr_t)fdt64_ld(&reg[0]);
    static const struct {
        const char *name;
        enum op op, baseline;
    } cases[] = {
        {"null_hypercall", OP_HYPERCALL, OP_RAM_READ},
        {"mmio_read", OP_MMIO_READ, OP_RAM_READ},
        {"mmio_write", OP_MMIO_WRITE, OP_RAM_WRITE},
    };
    run(OP_RAM_READ, dev); /* warm up caches and lazy pages */
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint64_t base = run(cases[i].baseline, dev);
        uint64_t exit = run(cases[i].op, dev);
        /* Fixed point, thousandths of a counter tick per iteration. */
        guest_printf("bench: %s iterations=%u exit_ticks=%llu baseline_ticks=%llu\n", cases[i].name,
                     ITERATIONS, (unsigned long long)exit, (unsigned long long)base);
    }
}
