// SPDX-License-Identifier: MIT
/*
 * The virtio-console as a guest driver sees it: the virtio-mmio registers, feature
 * negotiation, the split virtqueues in guest RAM (transmit to the console stream, console input
 * into posted receive buffers, the interrupt through the VM's controller), and a hostile
 * driver's descriptors refused without touching anything outside the VM's RAM.
 */
#include <stdlib.h>
#include <axvm/frame.h>
#include <axvm/vdev.h>
#include <axvm/vm.h>
#include <drivers/virtio_mmio.h>
#include "check.h"

#define BASE 0x0a000000ULL
#define RAM  0x40000000ULL
#define IRQ  40
/* Guest-physical layout of the test driver: queue q's rings at RING(q), buffers at BUF. */
#define RING(q)  (RAM + 0x10000 * (uint64_t)((q) + 1))
#define DESC(q)  RING(q)
#define AVAIL(q) (RING(q) + 0x1000)
#define USED(q)  (RING(q) + 0x2000)
#define BUF      (RAM + 0x80000)
#define NUM      32
#define PASTE    9000

static char out[8192];
static size_t out_len;
static int line;
static unsigned raised;

static void capture(const char *s, size_t len)
{
    if (out_len + len < sizeof(out)) {
        memcpy(out + out_len, s, len);
        out_len += len;
        out[out_len] = '\0';
    }
}

static void record_level(void *ctx, unsigned irq, bool level)
{
    if (irq == IRQ) {
        raised += level && !line;
        line = level;
    }
}

static const struct vintc_ops recording_intc = {.set_level = record_level};

static struct mem_range arena;
static struct vm vm;

static uint64_t rd(uint64_t off)
{
    uint64_t v = 0xdead;
    CHECK_EQ(emu_bus_access(&vm.bus, EMU_MMIO, BASE + off, 4, false, &v), 0);
    return v;
}

static void wr(uint64_t off, uint64_t v)
{
    CHECK_EQ(emu_bus_access(&vm.bus, EMU_MMIO, BASE + off, 4, true, &v), 0);
}

static void poke(uint64_t gpa, const void *p, size_t n)
{
    CHECK_EQ(aspace_write(&vm.as, gpa, p, n), 0);
}

static uint16_t peek16(uint64_t gpa)
{
    uint16_t v = 0xffff;
    CHECK_EQ(aspace_read(&vm.as, gpa, &v, sizeof(v)), 0);
    return v;
}

static uint32_t peek32(uint64_t gpa)
{
    uint32_t v = 0xffffffff;
    CHECK_EQ(aspace_read(&vm.as, gpa, &v, sizeof(v)), 0);
    return v;
}

static void make_vm(void)
{
    size_t size = 8 << 20;
    void *p = aligned_alloc(2 << 20, size);
    arena = (struct mem_range){(paddr_t)(uintptr_t)p, size};
    frame_init(&arena, 1);
    memset(&vm, 0, sizeof(vm));
    vm.id = 4;
    cmux_stream_init(&vm.console, 4, "vc");
    CHECK_EQ(aspace_init(&vm.as, 4), 0);
    CHECK_EQ(aspace_add_region(&vm.as, RAM, MiB(1), REGION_ALLOCATED, PT_RWX), 0);
    vm.intc = (struct vintc){&recording_intc, NULL};
    struct vm_dev_config cfg = {"virtio-console", BASE, 0, IRQ, false};
    CHECK_EQ(vdev_attach(&vm, &vm.devs[0], &cfg), 0);
    CHECK_EQ(vm.devs[0].size, 0x200);
    emu_bus_init(&vm.bus);
    CHECK_EQ(emu_bus_add(&vm.bus, &vm.devs[0]), 0);
    out_len = 0;
    out[0] = '\0';
    line = 0;
    raised = 0;
    cmux_sink = capture;
}

static void free_vm(void)
{
    cmux_unregister(&vm.console);
    vm.console.input_notify = NULL;
    vdev_detach(&vm.devs[0]);
    aspace_destroy(&vm.as);
    CHECK_EQ(frame_free_count(), frame_total_count());
    free((void *)(uintptr_t)arena.base);
}

static void setup_queue(unsigned q, unsigned num)
{
    wr(VIRTIO_MMIO_QUEUE_SEL, q);
    CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 0);
    wr(VIRTIO_MMIO_QUEUE_NUM, num);
    wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)DESC(q));
    wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, DESC(q) >> 32);
    wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)AVAIL(q));
    wr(VIRTIO_MMIO_QUEUE_DRIVER_HIGH, AVAIL(q) >> 32);
    wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)USED(q));
    wr(VIRTIO_MMIO_QUEUE_DEVICE_HIGH, USED(q) >> 32);
    wr(VIRTIO_MMIO_QUEUE_READY, 1);
}

/* What Linux's virtio_mmio + virtio_console do at probe (virtio 1.2 §3.1.1). */
static void driver_init(void)
{
    wr(VIRTIO_MMIO_STATUS, 0);
    wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
    wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    wr(VIRTIO_MMIO_DRIVER_FEATURES, 1); /* VIRTIO_F_VERSION_1 */
    wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    wr(VIRTIO_MMIO_DRIVER_FEATURES, 0);
    wr(VIRTIO_MMIO_STATUS, 0xb);
    CHECK_EQ(rd(VIRTIO_MMIO_STATUS), 0xb);
    for (uint16_t q = 0; q < 2; q++) {
        uint16_t zero[2] = {0, 0};
        poke(AVAIL(q), zero, sizeof(zero));
        poke(USED(q), zero, sizeof(zero));
        setup_queue(q, NUM);
        CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 1);
    }
    wr(VIRTIO_MMIO_STATUS, 0xf);
    CHECK_EQ(rd(VIRTIO_MMIO_STATUS), 0xf);
}

static void put_desc(unsigned q, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
                     uint16_t next)
{
    uint8_t d[16];
    memcpy(d, &addr, 8);
    memcpy(d + 8, &len, 4);
    memcpy(d + 12, &flags, 2);
    memcpy(d + 14, &next, 2);
    poke(DESC(q) + 16ULL * i, d, sizeof(d));
}

/* Make chain 'head' available in slot 'idx' and publish idx + 1. */
static void make_avail(unsigned q, uint16_t idx, uint16_t head)
{
    poke(AVAIL(q) + 4 + 2ULL * (idx % NUM), &head, 2);
    uint16_t next = idx + 1;
    poke(AVAIL(q) + 2, &next, 2);
}

TEST(virtio_mmio_registers_and_feature_negotiation)
{
    make_vm();
    CHECK_EQ(rd(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
    CHECK_EQ(rd(VIRTIO_MMIO_VERSION), 2);
    CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_ID), 3);
    CHECK_EQ(rd(VIRTIO_MMIO_VENDOR_ID), 0x4d565841);
    wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_FEATURES), 0);
    wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
    CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_FEATURES), 1); /* VERSION_1 is bit 32 */
    wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
    CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_FEATURES), 0);
    wr(VIRTIO_MMIO_QUEUE_SEL, 0);
    CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 64);
    wr(VIRTIO_MMIO_QUEUE_SEL, 1);
    CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 64);
    wr(VIRTIO_MMIO_QUEUE_SEL, 2);
    CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 0); /* no third queue: no multiport */
    CHECK_EQ(rd(VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffff);
    CHECK_EQ(rd(VIRTIO_MMIO_CONFIG_GENERATION), 0);
    CHECK_EQ(rd(VIRTIO_MMIO_CONFIG), 0); /* config space: no size, no ports */

    /* A driver without VERSION_1 (a legacy driver) is refused FEATURES_OK... */
    wr(VIRTIO_MMIO_STATUS, 3);
    wr(VIRTIO_MMIO_STATUS, 0xb);
    CHECK_EQ(rd(VIRTIO_MMIO_STATUS), 3);
    /* ...and so is one asking for a feature not offered, and DRIVER_OK without FEATURES_OK. */
    wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    wr(VIRTIO_MMIO_DRIVER_FEATURES, 3);
    wr(VIRTIO_MMIO_STATUS, 0xf);
    CHECK_EQ(rd(VIRTIO_MMIO_STATUS), 3);
    wr(VIRTIO_MMIO_DRIVER_FEATURES, 1);
    wr(VIRTIO_MMIO_STATUS, 0xb);
    CHECK_EQ(rd(VIRTIO_MMIO_STATUS), 0xb);
    /* Features are fixed once accepted. */
    wr(VIRTIO_MMIO_DRIVER_FEATURES, 3);
    CHECK_EQ(vm.devs[0].priv != NULL, 1);

    /* A queue goes live only with a power-of-two size up to the maximum and aligned rings. */
    wr(VIRTIO_MMIO_QUEUE_SEL, 1);
    wr(VIRTIO_MMIO_QUEUE_NUM, 12);
    wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)DESC(1));
    wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)AVAIL(1));
    wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)USED(1));
    wr(VIRTIO_MMIO_QUEUE_READY, 1);
    CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 0);
    wr(VIRTIO_MMIO_QUEUE_NUM, 128);
    wr(VIRTIO_MMIO_QUEUE_READY, 1);
    CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 0);
    wr(VIRTIO_MMIO_QUEUE_NUM, 16);
    wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)DESC(1) + 8);
    wr(VIRTIO_MMIO_QUEUE_READY, 1);
    CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 0);
    wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)DESC(1));
    wr(VIRTIO_MMIO_QUEUE_READY, 1);
    CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 1);
    CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_DESC_LOW), (uint32_t)DESC(1));
    CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_DEVICE_LOW), (uint32_t)USED(1));
    /* A live queue's addresses cannot be moved under the device. */
    wr(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1000);
    CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_DESC_LOW), (uint32_t)DESC(1));
    /* Narrow accesses to the registers read nothing and change nothing. */
    uint64_t v = 0xdead;
    CHECK_EQ(emu_bus_access(&vm.bus, EMU_MMIO, BASE, 1, false, &v), 0);
    CHECK_EQ(v, 0);
    /* Reset: everything the driver set is gone. */
    wr(VIRTIO_MMIO_STATUS, 0);
    CHECK_EQ(rd(VIRTIO_MMIO_STATUS), 0);
    wr(VIRTIO_MMIO_QUEUE_SEL, 1);
    CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 0);
    CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_DESC_LOW), 0);
    free_vm();
}

TEST(virtio_console_transmits_whole_buffers_and_interrupts)
{
    make_vm();
    driver_init();
    poke(BUF, "hello ", 6);
    poke(BUF + 0x100, "wor", 3);
    poke(BUF + 0x200, "ld\n", 3);
    put_desc(1, 0, BUF, 6, 0, 0);
    put_desc(1, 5, BUF + 0x100, 3, VIRTQ_DESC_F_NEXT, 9); /* a chain of two */
    put_desc(1, 9, BUF + 0x200, 3, 0, 0);
    make_avail(1, 0, 0);
    make_avail(1, 1, 5);
    CHECK_EQ(out_len, 0);
    wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
    CHECK_STR(out, "[4:vc] hello world\n");
    /* Both chains are back in the used ring, in order, and the driver is interrupted. */
    CHECK_EQ(peek16(USED(1) + 2), 2);
    CHECK_EQ(peek32(USED(1) + 4), 0);
    CHECK_EQ(peek32(USED(1) + 12), 5);
    CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_INT_USED);
    CHECK_EQ(line, 1);
    wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_INT_USED);
    CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
    CHECK_EQ(line, 0);
    /* A driver that asked for no interrupts gets none, but its buffer is used. */
    uint16_t no_irq = VIRTQ_AVAIL_F_NO_INTERRUPT;
    poke(AVAIL(1), &no_irq, 2);
    poke(BUF, "quiet\n", 6);
    put_desc(1, 0, BUF, 6, 0, 0);
    make_avail(1, 2, 0);
    wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
    CHECK_STR(out, "[4:vc] hello world\n[4:vc] quiet\n");
    CHECK_EQ(peek16(USED(1) + 2), 3);
    CHECK_EQ(line, 0);
    CHECK_EQ(raised, 1);
    /* A notify for a queue that does not exist does nothing. */
    wr(VIRTIO_MMIO_QUEUE_NOTIFY, 7);
    CHECK_EQ(rd(VIRTIO_MMIO_STATUS), 0xf);
    free_vm();
}

/* Post receive buffer 'i' of 'len' bytes at BUF + i * 0x1000 in avail slot 'slot'. */
static void post_rx(uint16_t slot, uint16_t i, uint32_t len)
{
    put_desc(0, i, BUF + 0x1000ULL * i, len, VIRTQ_DESC_F_WRITE, 0);
    make_avail(0, slot, i);
}

/* A serial line with 'pending' bytes of a paste to give. */
static size_t pending, given;

static int line_getc(void)
{
    if (!pending)
        return -1;
    pending--;
    return 'a' + given++ % 26;
}

static void line_pause(bool paused) {}

static bool line_irq(void)
{
    return true;
}

static const struct cmux_input_ops line_input = {line_getc, line_pause, line_irq};

TEST(virtio_console_receives_into_posted_buffers_with_flow_control)
{
    make_vm();
    driver_init();
    cmux_register(&vm.console);
    /* Typed while the driver has posted nothing: the input waits in the stream. */
    cmux_input_byte('x');
    CHECK(cmux_has_input(&vm.console));
    CHECK_EQ(line, 0);
    /* Posting buffers hands it over. */
    post_rx(0, 0, 8);
    wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    CHECK(!cmux_has_input(&vm.console));
    CHECK_EQ(peek16(USED(0) + 2), 1);
    CHECK_EQ(peek32(USED(0) + 4), 0);
    CHECK_EQ(peek32(USED(0) + 8), 1);
    CHECK_EQ(peek16(BUF) & 0xff, 'x');
    CHECK_EQ(line, 1);
    wr(VIRTIO_MMIO_INTERRUPT_ACK, 1);

    /* A 9000-byte paste from the serial line, 1024-byte buffers: the first batch fills the
     * posted buffers whole (not a byte per buffer), the rest waits and the serial line is held
     * back until buffers come; nothing is lost, repeated or reordered. */
    const struct cmux_input_ops *saved = cmux_input;
    cmux_input = &line_input;
    pending = PASTE;
    given = 0;
    for (uint16_t i = 0; i < 2; i++)
        post_rx(1 + i, 1 + i, 1024);
    cmux_poll_input();
    CHECK_EQ(peek16(USED(0) + 2), 3);
    CHECK_EQ(peek32(USED(0) + 12 + 4), 1024);
    CHECK_EQ(peek32(USED(0) + 20 + 4), 1024);
    CHECK_EQ(pending, PASTE - 2048 - CMUX_INPUT_SIZE - 1); /* one byte held by the reader */
    char got[PASTE];
    size_t n = 0;
    for (uint16_t used = 1, slot = 3; n < PASTE && slot < 40; slot++) {
        while (used < peek16(USED(0) + 2)) {
            uint32_t id = peek32(USED(0) + 4 + 8ULL * (used % NUM));
            uint32_t len = peek32(USED(0) + 8 + 8ULL * (used % NUM));
            CHECK(n + len <= sizeof(got));
            if (n + len > sizeof(got))
                break;
            CHECK_EQ(aspace_read(&vm.as, BUF + 0x1000ULL * id, got + n, len), 0);
            n += len;
            used++;
        }
        post_rx(slot, (uint16_t)(1 + slot % 8), 1024);
        wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    }
    CHECK_EQ(n, PASTE);
    size_t bad = 0;
    for (size_t i = 0; i < n; i++)
        bad += got[i] != 'a' + (char)(i % 26);
    CHECK_EQ(bad, 0);
    CHECK_EQ(pending, 0);
    CHECK(!cmux_has_input(&vm.console));
    /* A buffer the device cannot write into (no WRITE flag) comes back empty. */
    cmux_input_byte('z'); /* into the buffer posted last */
    uint16_t before = peek16(USED(0) + 2);
    put_desc(0, 3, BUF, 16, 0, 0);
    make_avail(0, peek16(AVAIL(0) + 2), 3);
    cmux_input_byte('y');
    CHECK_EQ(peek16(USED(0) + 2), before + 1);
    CHECK_EQ(peek32(USED(0) + 8 + 8ULL * (before % NUM)), 0);
    CHECK(cmux_has_input(&vm.console));
    free_vm();
    cmux_input = saved;
}

/* A hostile transmit chain set up by 'make', refused: no output, DEVICE_NEEDS_RESET, no used
 * buffer, a configuration interrupt; a reset brings the device back. */
static void expect_refused(void (*make)(void))
{
    make_vm();
    driver_init();
    make();
    wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
    CHECK(strstr(out, "[axvm] warning: vm4 (?): virtio-console at 0xa000000: transmit queue "
                      "broken (error ") == out);
    CHECK(!strstr(out, "[4:vc]"));
    CHECK_EQ(peek16(USED(1) + 2), 0);
    CHECK_EQ(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET, VIRTIO_STATUS_NEEDS_RESET);
    CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_INT_CONFIG);
    /* Broken until reset: a good buffer now is not used. */
    poke(BUF, "ok\n", 3);
    put_desc(1, 0, BUF, 3, 0, 0);
    make_avail(1, 1, 0);
    size_t said = out_len;
    wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
    CHECK_EQ(out_len, said); /* nothing shown, and the warning not repeated */
    driver_init();
    CHECK_EQ(line, 0);
    put_desc(1, 0, BUF, 3, 0, 0);
    make_avail(1, 0, 0);
    wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
    CHECK_STR(out + said, "[4:vc] ok\n");
    free_vm();
}

static void buffer_outside_ram(void)
{
    put_desc(1, 0, RAM + MiB(1) - 2, 8, 0, 0); /* runs past the end of RAM */
    make_avail(1, 0, 0);
}

static void buffer_on_hypervisor(void)
{
    put_desc(1, 0, (uint64_t)(uintptr_t)out, 8, 0, 0); /* a host address: not guest RAM */
    make_avail(1, 0, 0);
}

static void buffer_wraps(void)
{
    put_desc(1, 0, ~0ULL - 4, 64, 0, 0);
    make_avail(1, 0, 0);
}

static void chain_loops(void)
{
    put_desc(1, 0, BUF, 1, VIRTQ_DESC_F_NEXT, 1);
    put_desc(1, 1, BUF, 1, VIRTQ_DESC_F_NEXT, 0);
    make_avail(1, 0, 0);
}

/* A chain of 'n' one-byte descriptors 0..n-1. */
static void chain_of(uint16_t n)
{
    poke(BUF, "abcdefghijklmnopqrstuvwxyz", 26);
    for (uint16_t i = 0; i < n; i++)
        put_desc(1, i, BUF + i, 1, i + 1 < n ? VIRTQ_DESC_F_NEXT : 0, i + 1);
    make_avail(1, 0, 0);
}

static void chain_too_long(void)
{
    chain_of(VIRTQ_CHAIN_MAX + 1);
}

static void chain_next_out_of_range(void)
{
    put_desc(1, 0, BUF, 1, VIRTQ_DESC_F_NEXT, NUM);
    make_avail(1, 0, 0);
}

static void head_out_of_range(void)
{
    make_avail(1, 0, 200);
}

static void avail_idx_made_up(void)
{
    uint16_t idx = NUM + 1; /* more available than the ring holds */
    poke(AVAIL(1) + 2, &idx, 2);
}

static void indirect_table(void)
{
    put_desc(1, 0, BUF, 16, VIRTQ_DESC_F_INDIRECT, 0);
    make_avail(1, 0, 0);
}

TEST(virtio_console_refuses_hostile_descriptors)
{
    expect_refused(buffer_outside_ram);
    expect_refused(buffer_on_hypervisor);
    expect_refused(buffer_wraps);
    expect_refused(chain_loops);
    expect_refused(chain_too_long);
    expect_refused(chain_next_out_of_range);
    expect_refused(head_out_of_range);
    expect_refused(avail_idx_made_up);
    expect_refused(indirect_table);
}

TEST(virtio_console_chain_length_limit)
{
    /* VIRTQ_CHAIN_MAX descriptors are accepted, one more is refused (above). */
    make_vm();
    driver_init();
    chain_of(VIRTQ_CHAIN_MAX);
    wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
    CHECK_EQ(peek16(USED(1) + 2), 1);
    CHECK_STR(out, "");
    cmux_flush(&vm.console);
    CHECK_STR(out, "[4:vc] abcdefghijklmnop\n");
    CHECK_EQ(rd(VIRTIO_MMIO_STATUS), 0xf);
    free_vm();
}

TEST(virtio_console_rings_outside_ram_refused)
{
    /* The driver puts its used ring outside RAM: the device cannot hand buffers back. */
    make_vm();
    driver_init();
    wr(VIRTIO_MMIO_STATUS, 0);
    wr(VIRTIO_MMIO_STATUS, 3);
    wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    wr(VIRTIO_MMIO_DRIVER_FEATURES, 1);
    wr(VIRTIO_MMIO_STATUS, 0xb);
    wr(VIRTIO_MMIO_QUEUE_SEL, 1);
    wr(VIRTIO_MMIO_QUEUE_NUM, NUM);
    wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)DESC(1));
    wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)AVAIL(1));
    wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, 0x1000); /* below RAM */
    wr(VIRTIO_MMIO_QUEUE_READY, 1);
    wr(VIRTIO_MMIO_STATUS, 0xf);
    poke(BUF, "x\n", 2);
    put_desc(1, 0, BUF, 2, 0, 0);
    make_avail(1, 0, 0);
    wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
    CHECK_EQ(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET, VIRTIO_STATUS_NEEDS_RESET);
    free_vm();
}
