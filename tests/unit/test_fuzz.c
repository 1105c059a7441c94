// SPDX-License-Identifier: MIT
/*
 * Short fuzz runs (fixed seed, a fraction of a second each under ASan/UBSan) of the code that
 * reads what a guest or a firmware hands the hypervisor: the instruction decoders, the device
 * tree reader, the emulated UARTs, the console multiplexer. Each run checks the decoder's
 * promises on every input, not only that nothing crashed. AXVM_FUZZ_ROUNDS multiplies the rounds
 * and AXVM_FUZZ_SEED picks another seed (make fuzz).
 */
#include <stdio.h>
#include <stdlib.h>
#include <libfdt.h>
#include <axvm/cmux.h>
#include <axvm/dt.h>
#include <axvm/errno.h>
#include <axvm/frame.h>
#include <axvm/vdev.h>
#include <axvm/vm.h>
#include "riscv64/insn_decode.h"
#include "x86_64/insn_decode.h"
#include "check.h"

static uint64_t rng_state;

static uint64_t rng(void)
{
    /* xorshift64*: fast, good enough to cover encodings. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dULL;
}

static unsigned fuzz_rounds(unsigned base)
{
    const char *seed = getenv("AXVM_FUZZ_SEED");
    rng_state = seed ? strtoull(seed, NULL, 0) | 1 : 0x9e3779b97f4a7c15ULL;
    const char *mult = getenv("AXVM_FUZZ_ROUNDS");
    return base * (mult ? (unsigned)strtoul(mult, NULL, 0) : 1);
}

TEST(fuzz_riscv_decoder_keeps_its_promises)
{
    unsigned n = fuzz_rounds(200000), decoded = 0;
    for (unsigned k = 0; k < n; k++) {
        uint32_t insn = (uint32_t)rng();
        if (k & 1)
            insn &= 0xffff; /* compressed encodings too */
        struct riscv_mem_access a;
        if (!riscv_insn_decode(insn, &a))
            continue;
        decoded++;
        unsigned len = riscv_insn_length((uint16_t)insn);
        if (a.len != len || (a.width != 1 && a.width != 2 && a.width != 4 && a.width != 8) ||
            a.reg > 31 || (a.store && a.sign_extend)) {
            check_fail(__FILE__, __LINE__, "insn 0x%08x: len %u width %u reg %u", insn, a.len,
                       a.width, a.reg);
            return;
        }
    }
    CHECK(decoded > 0);
}

TEST(fuzz_x86_decoder_keeps_its_promises)
{
    static const enum x86_mode modes[] = {X86_MODE_16, X86_MODE_32, X86_MODE_64};
    unsigned n = fuzz_rounds(100000), decoded = 0;
    for (unsigned k = 0; k < n; k++) {
        uint8_t bytes[X86_INSN_MAX];
        for (unsigned i = 0; i < sizeof(bytes); i++)
            bytes[i] = (uint8_t)rng();
        /* Bias towards prefixes and MOV opcodes, where the decoder has work to do. */
        if (k & 1)
            bytes[0] = (uint8_t[]){0x66, 0x48, 0x88, 0x89, 0x8a, 0x8b, 0xc6, 0xc7, 0x0f}[k % 9];
        unsigned len = 1 + (unsigned)(rng() % X86_INSN_MAX);
        struct x86_mmio_insn insn;
        enum x86_decode_result r = x86_insn_decode(bytes, len, modes[k % 3], &insn);
        if (r != X86_DECODE_OK)
            continue;
        decoded++;
        if (insn.length == 0 || insn.length > len || insn.reg > 15 ||
            (insn.width != 1 && insn.width != 2 && insn.width != 4 && insn.width != 8) ||
            (insn.high8 && insn.reg > 3)) {
            check_fail(__FILE__, __LINE__, "decode: length %u of %u, width %u, reg %u", insn.length,
                       len, insn.width, insn.reg);
            return;
        }
    }
    CHECK(decoded > 0);
}

static void *read_fixture(const char *name, size_t *size)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", FIXTURE_DIR, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    void *buf = calloc(1, 1 << 16);
    *size = fread(buf, 1, 1 << 16, f);
    fclose(f);
    return buf;
}

/* A firmware's device tree with bytes flipped: the reader refuses it or reads sane values. */
TEST(fuzz_device_tree_reader_survives_corruption)
{
    size_t size;
    uint8_t *good = read_fixture("virt-like.dtb", &size);
    CHECK(good != NULL);
    if (!good)
        return;
    uint8_t *buf = malloc(1 << 16);
    unsigned n = fuzz_rounds(3000), accepted = 0;
    for (unsigned k = 0; k < n; k++) {
        memcpy(buf, good, 1 << 16);
        unsigned flips = 1 + (unsigned)(rng() % 8);
        for (unsigned f = 0; f < flips; f++)
            buf[rng() % size] ^= (uint8_t)(1u << (rng() % 8));
        /* A header claiming more than the buffer holds says where the tree ends, and the reader
         * believes it: the firmware's word on its own tree is all a reader has (the hypervisor
         * is handed a pointer, not a size). */
        if (fdt_totalsize(buf) > (1u << 16))
            continue;
        struct boot_info bi;
        memset(&bi, 0, sizeof(bi));
        if (dt_read_boot_info(buf, &bi) != 0)
            continue;
        accepted++;
        if (bi.cpu_count > CPU_MAX || bi.ram_count > BOOT_MAX_RANGES ||
            bi.reserved_count > BOOT_MAX_RANGES) {
            check_fail(__FILE__, __LINE__, "accepted a tree with %u CPUs, %u RAM ranges",
                       bi.cpu_count, bi.ram_count);
            break;
        }
    }
    CHECK(accepted > 0); /* flips in unused bytes leave it readable */
    free(buf);
    free(good);
}

static size_t sink_bytes, sink_controls;

/* Guest output reaches the terminal as text: no control characters but tab, CR and newline
 * (a guest must not be able to move the cursor over the hypervisor's lines). */
static void count_sink(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 && s[i] != '\n' && s[i] != '\t' && s[i] != '\r')
            sink_controls++;
    sink_bytes += len;
}

/* Random accesses of every width to an emulated UART's registers, and random output and input
 * through the console multiplexer. */
static void fuzz_uart(const char *type)
{
    void *arena_mem = aligned_alloc(1 << 20, 1 << 20);
    struct mem_range arena = {(paddr_t)(uintptr_t)arena_mem, 1 << 20};
    frame_init(&arena, 1);
    static struct vm vm;
    memset(&vm, 0, sizeof(vm));
    vm.id = 5;
    cmux_stream_init(&vm.console, 5, "fuzz");
    struct vm_dev_config cfg = {type, 0x10000000, 0, -1, false};
    CHECK_EQ(vdev_attach(&vm, &vm.devs[0], &cfg), 0);
    emu_bus_init(&vm.bus);
    CHECK_EQ(emu_bus_add(&vm.bus, &vm.devs[0]), 0);
    cmux_sink = count_sink;
    cmux_register(&vm.console);
    uint64_t size = vm.devs[0].size;
    unsigned n = fuzz_rounds(50000);
    for (unsigned k = 0; k < n; k++) {
        unsigned width = 1u << (rng() % 4);
        uint64_t off = rng() % size & ~(uint64_t)(width - 1);
        uint64_t value = rng();
        bool write = rng() & 1;
        int err = emu_bus_access(&vm.bus, EMU_MMIO, 0x10000000 + off, width, write, &value);
        if (err && err != -EINVAL) {
            check_fail(__FILE__, __LINE__, "%s: access at +0x%llx: error %d", type,
                       (unsigned long long)off, err);
            break;
        }
        if (k % 7 == 0)
            cmux_input_byte((char)rng());
        if (k % 5 == 0)
            cmux_putc(&vm.console, (char)rng());
    }
    cmux_flush(&vm.console);
    CHECK(sink_bytes > 0);
    CHECK_EQ(sink_controls, 0);
    cmux_unregister(&vm.console);
    vdev_detach(&vm.devs[0]);
    free(arena_mem);
}

TEST(fuzz_emulated_uarts_and_console)
{
    fuzz_uart("ns16550");
    fuzz_uart("pl011");
}
