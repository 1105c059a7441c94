// SPDX-License-Identifier: MIT
/* The emulated UARTs as a guest driver sees them, through the VM's device bus. */
#include <stdlib.h>
#include <axvm/arch.h>
#include <axvm/frame.h>
#include <axvm/vdev.h>
#include <axvm/vm.h>
#include "check.h"

static char out[512];
static size_t out_len;

static void capture(const char *s, size_t len)
{
    memcpy(out + out_len, s, len);
    out_len += len;
    out[out_len] = '\0';
}

static struct mem_range arena;

static void make_vm(struct vm *vm, const char *type, struct vm_dev_config *cfg)
{
    void *p = aligned_alloc(1 << 20, 1 << 20);
    arena = (struct mem_range){(paddr_t)(uintptr_t)p, 1 << 20};
    frame_init(&arena, 1);
    memset(vm, 0, sizeof(*vm));
    vm->id = 4;
    cmux_stream_init(&vm->console, 4, "uart");
    uint64_t before = frame_free_count();
    CHECK_EQ(vdev_attach(vm, &vm->devs[0], cfg), 0);
    CHECK(frame_free_count() < before); /* its state came from the frame allocator */
    CHECK(vm->devs[0].size == vdev_find(type)->default_size);
    /* The VM hears about console input (and tells its UART). */
    CHECK(vm->console.input_ctx == vm && vm->console.input_notify != NULL);
    emu_bus_init(&vm->bus);
    CHECK_EQ(emu_bus_add(&vm->bus, &vm->devs[0]), 0);
    out_len = 0;
    cmux_sink = capture;
}

static uint64_t rd(struct vm *vm, uint64_t addr, unsigned width)
{
    uint64_t v = 0xdead;
    CHECK_EQ(emu_bus_access(&vm->bus, EMU_MMIO, addr, width, false, &v), 0);
    return v;
}

static void wr(struct vm *vm, uint64_t addr, unsigned width, uint64_t v)
{
    CHECK_EQ(emu_bus_access(&vm->bus, EMU_MMIO, addr, width, true, &v), 0);
}

TEST(vns16550_transmit_receive_and_divisor)
{
    struct vm vm;
    struct vm_dev_config cfg = {"ns16550", 0x10000000, 0, -1, false};
    make_vm(&vm, "ns16550", &cfg);
    CHECK_EQ(rd(&vm, 0x10000005, 1) & 0x61, 0x60); /* THR empty, no data */
    wr(&vm, 0x10000000, 1, 'o');
    wr(&vm, 0x10000000, 1, 'k');
    wr(&vm, 0x10000000, 1, '\n');
    CHECK_STR(out, "[4:uart] ok\n");
    /* DLAB: the divisor latch is a separate register pair. */
    wr(&vm, 0x10000003, 1, 0x83);
    wr(&vm, 0x10000000, 1, 0x01);
    wr(&vm, 0x10000001, 1, 0x02);
    CHECK_EQ(rd(&vm, 0x10000000, 1), 0x01);
    CHECK_EQ(rd(&vm, 0x10000001, 1), 0x02);
    wr(&vm, 0x10000003, 1, 0x03);
    CHECK_EQ(out_len, strlen("[4:uart] ok\n")); /* the divisor write printed nothing */
    /* Input for the focused VM shows up as data ready. */
    cmux_register(&vm.console);
    cmux_input_byte('q');
    CHECK_EQ(rd(&vm, 0x10000005, 1) & 0x01, 0x01);
    wr(&vm, 0x10000001, 1, 0x01); /* receive interrupt enabled: IIR says data */
    CHECK_EQ(rd(&vm, 0x10000002, 1) & 0x0f, 0x04);
    CHECK_EQ(rd(&vm, 0x10000000, 1), 'q');
    CHECK_EQ(rd(&vm, 0x10000005, 1) & 0x01, 0x00);
    CHECK_EQ(rd(&vm, 0x10000002, 1) & 0x0f, 0x01);
    cmux_unregister(&vm.console);
    vdev_detach(&vm.devs[0]);
    CHECK_EQ(frame_free_count(), frame_total_count());
    free((void *)(uintptr_t)arena.base);
}

TEST(vpl011_registers_linux_reads)
{
    struct vm vm;
    struct vm_dev_config cfg = {"pl011", 0x9000000, 0, -1, false};
    make_vm(&vm, "pl011", &cfg);
    /* The AMBA bus matches the driver on these IDs. */
    CHECK_EQ(rd(&vm, 0x9000fe0, 4), 0x11);
    CHECK_EQ(rd(&vm, 0x9000fe4, 4), 0x10);
    CHECK_EQ(rd(&vm, 0x9000fe8, 4), 0x34);
    CHECK_EQ(rd(&vm, 0x9000ff0, 4), 0x0d);
    CHECK_EQ(rd(&vm, 0x9000ffc, 4), 0xb1);
    CHECK_EQ(rd(&vm, 0x9000018, 4) & 0x90, 0x90); /* TX empty, RX empty */
    wr(&vm, 0x9000000, 4, 'h');
    wr(&vm, 0x9000000, 4, 'i');
    wr(&vm, 0x9000000, 4, '\n');
    CHECK_STR(out, "[4:uart] hi\n");
    wr(&vm, 0x9000038, 4, 0x50);
    CHECK_EQ(rd(&vm, 0x9000038, 4), 0x50);
    vdev_detach(&vm.devs[0]);
    CHECK_EQ(frame_free_count(), frame_total_count());
    free((void *)(uintptr_t)arena.base);
}

/* The emulated UARTs' interrupt lines, as the VM's interrupt controller sees them. */
static int irq_level[64];

static void record_level(void *ctx, unsigned irq, bool level)
{
    if (irq < 64)
        irq_level[irq] = level;
}

static const struct vintc_ops recording_intc = {.set_level = record_level};

/* A serial line with 'pending' bytes of a paste to give, counting how often it is asked. */
static size_t pending, given;
static unsigned getc_calls;
static bool line_by_irq;

static int line_getc(void)
{
    getc_calls++;
    if (!pending)
        return -1;
    pending--;
    return 'A' + given++ % 26;
}

static void line_pause(bool paused) {}

static bool line_irq(void)
{
    return line_by_irq;
}

static const struct cmux_input_ops line_input = {line_getc, line_pause, line_irq};

TEST(vns16550_paste_flows_through_the_receive_interrupt)
{
    struct vm vm;
    struct vm_dev_config cfg = {"ns16550", 0x10000000, 0, 33, false};
    make_vm(&vm, "ns16550", &cfg);
    vm.intc = (struct vintc){&recording_intc, NULL};
    cmux_register(&vm.console);
    cmux_input = &line_input;
    line_by_irq = true;
    pending = 6000;
    given = 0;
    wr(&vm, 0x10000001, 1, 0x01); /* IER: received data interrupt */
    CHECK_EQ(irq_level[33], 0);
    cmux_poll_input(); /* the console interrupt: as much as the VM's buffer holds */
    CHECK_EQ(pending, 6000 - CMUX_INPUT_SIZE - 1);
    CHECK_EQ(irq_level[33], 1);
    /* The guest's driver: IIR says received data, then LSR/RBR until LSR.DR clears. */
    size_t got = 0, bad = 0;
    while (rd(&vm, 0x10000002, 1) & 0x04) {
        while (rd(&vm, 0x10000005, 1) & 0x01) {
            bad += rd(&vm, 0x10000000, 1) != (uint64_t)('A' + got % 26);
            got++;
        }
    }
    /* Everything arrived once, in order, and the line is down with the buffer empty. */
    CHECK_EQ(got, 6000);
    CHECK_EQ(bad, 0);
    CHECK_EQ(pending, 0);
    CHECK_EQ(irq_level[33], 0);
    CHECK_EQ(rd(&vm, 0x10000002, 1) & 0x0f, 0x01);
    cmux_unregister(&vm.console);
    vdev_detach(&vm.devs[0]);
    free((void *)(uintptr_t)arena.base);
}

extern uint64_t host_counter_skew;

TEST(vuart_status_reads_do_not_poll_the_serial_line_each_time)
{
    struct vm vm;
    struct vm_dev_config cfg = {"pl011", 0x9000000, 0, 34, false};
    make_vm(&vm, "pl011", &cfg);
    vm.intc = (struct vintc){&recording_intc, NULL};
    cmux_register(&vm.console);
    cmux_input = &line_input;
    pending = 0;
    /* With a console interrupt, a status read never touches the serial line. */
    line_by_irq = true;
    getc_calls = 0;
    for (int i = 0; i < 1000; i++)
        rd(&vm, 0x9000018, 4);
    CHECK_EQ(getc_calls, 0);
    /* Without one, it is read at most once per millisecond. */
    line_by_irq = false;
    host_counter_skew += 1000000;
    getc_calls = 0;
    uint64_t start = arch_counter_read();
    for (int i = 0; i < 1000; i++)
        rd(&vm, 0x9000018, 4);
    uint64_t elapsed_ms = (arch_counter_read() - start) / 1000000;
    CHECK(getc_calls >= 1);
    CHECK(getc_calls <= 1 + elapsed_ms);
    /* Input that arrives shows in the flags and raises the line if unmasked. */
    wr(&vm, 0x9000038, 4, 0x10); /* IMSC: receive */
    CHECK_EQ(irq_level[34], 0);
    pending = 1;
    cmux_poll_input();
    CHECK_EQ(irq_level[34], 1);
    CHECK_EQ(rd(&vm, 0x9000040, 4), 0x10); /* MIS: receive */
    CHECK_EQ(rd(&vm, 0x9000018, 4) & 0x10, 0);
    CHECK_EQ(rd(&vm, 0x9000000, 4), 'A' + (given - 1) % 26);
    CHECK_EQ(irq_level[34], 0);
    CHECK_EQ(rd(&vm, 0x9000018, 4) & 0x10, 0x10);
    cmux_unregister(&vm.console);
    vdev_detach(&vm.devs[0]);
    free((void *)(uintptr_t)arena.base);
}
