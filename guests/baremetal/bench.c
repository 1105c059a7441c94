// SPDX-License-Identifier: MIT
/*
 * Exit-cost benchmark ("bench" on the command line). Every case runs the same loop around one
 * operation: an ordinary memory access (no exit: the loop's own cost), the trap-floor
 * hypercall (answered in the hypervisor's exception entry: a bare trap and return), a null
 * hypercall, an emulated MMIO read and write. The cases take turns, ROUNDS times, so a burst of
 * host load hits all of them alike; scripts/bench.py keeps each case's least disturbed round and
 * divides the exits by the floor measured in this same run, on one counter (CNTVCT, rdtime,
 * rdtsc).
 *
 * It also reports the counter at its first instruction (start.S), for the time from the
 * hypervisor's start to the guest's.
 */
#include <libfdt.h>
#include <axvm/hypercall.h>
#include "guest.h"

#define ITERATIONS 2000
#define ROUNDS     15
#define UART_SCR   7 /* ns16550 scratch register: an MMIO write with no side effect */
#define UART_LSR   5

/* Written by start.S once .bss is clear (so it lives there like any other variable). */
uint64_t guest_start_cycles;

static volatile uint8_t ram_byte;

enum op { OP_RAM_READ, OP_RAM_WRITE, OP_TRAP_FLOOR, OP_HYPERCALL, OP_MMIO_READ, OP_MMIO_WRITE };

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
        case OP_TRAP_FLOOR:
            guest_hypercall(AXVM_HC_TRAP_FLOOR, 0, 0);
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

static const struct {
    const char *name;
    enum op op;
} cases[] = {
    {"ram_read", OP_RAM_READ},        {"ram_write", OP_RAM_WRITE}, {"trap_floor", OP_TRAP_FLOOR},
    {"null_hypercall", OP_HYPERCALL}, {"mmio_read", OP_MMIO_READ}, {"mmio_write", OP_MMIO_WRITE},
};
#define CASES (sizeof(cases) / sizeof(cases[0]))

void bench_run(const void *fdt)
{
    uint64_t start = guest_start_cycles;
    int node = fdt_node_offset_by_compatible(fdt, -1, "ns16550a");
    const fdt64_t *reg = node >= 0 ? fdt_getprop(fdt, node, "reg", NULL) : NULL;
    if (!reg) {
        guest_printf("bench: FAILED: no MMIO ns16550 in the device tree to measure\n");
        return;
    }
    volatile uint8_t *dev = (volatile uint8_t *)(uintptr_t)fdt64_ld(&reg[0]);
    guest_printf("bench: start_cycles=%llu counter_hz=%llu\n", (unsigned long long)start,
                 (unsigned long long)guest_counter_freq());

    /* Warm up: translations, lazy pages, the hypervisor's paths. */
    for (unsigned c = 0; c < CASES; c++)
        run(cases[c].op, dev);
    static uint64_t ticks[ROUNDS][CASES];
    for (unsigned r = 0; r < ROUNDS; r++)
        for (unsigned c = 0; c < CASES; c++)
            ticks[r][c] = run(cases[c].op, dev);
    /* One line per measurement: console lines are short. */
    for (unsigned c = 0; c < CASES; c++)
        for (unsigned r = 0; r < ROUNDS; r++)
            guest_printf("bench: case=%s iterations=%u round=%u ticks=%llu\n", cases[c].name,
                         ITERATIONS, r, (unsigned long long)ticks[r][c]);
}
