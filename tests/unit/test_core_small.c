// SPDX-License-Identifier: MIT
/* Small pieces of the core the other tests pass by: the pCPU table, the boot-time self-test
 * dispatch, fatal exits. */
#include <stdlib.h>
#include <axvm/boot.h>
#include <axvm/cmux.h>
#include <axvm/exit.h>
#include <axvm/frame.h>
#include <axvm/percpu.h>
#include <axvm/selftest.h>
#include "check.h"

TEST(percpu_boot_cpu_first_then_firmware_order)
{
    struct boot_info bi = {.cpu_hwid = {0x100, 0x200, 0x300}, .cpu_count = 3, .boot_cpu = 1};
    percpu_init(&bi);
    CHECK_EQ(percpu_count, 3);
    CHECK_EQ(percpu_get(0)->hwid, 0x200);
    CHECK_EQ(percpu_get(1)->hwid, 0x100);
    CHECK_EQ(percpu_get(2)->hwid, 0x300);
    CHECK_EQ(percpu_find_hwid(0x300), 2);
    CHECK_EQ(percpu_find_hwid(0x400), -1);
    percpu_get(0)->online = percpu_get(2)->online = true;
    CHECK_EQ(percpu_online_count(), 2);
    percpu_get(0)->online = percpu_get(2)->online = false;
}

static char out[1024];
static size_t out_len;

static void capture(const char *s, size_t len)
{
    if (out_len + len < sizeof(out)) {
        memcpy(out + out_len, s, len);
        out_len += len;
        out[out_len] = '\0';
    }
}

TEST(selftest_frames_runs_and_unknown_names_are_said)
{
    void *arena = aligned_alloc(1 << 20, 1 << 20);
    struct mem_range r = {(paddr_t)(uintptr_t)arena, 1 << 20};
    frame_init(&r, 1);
    void (*saved)(const char *, size_t) = cmux_sink;
    out_len = 0;
    out[0] = '\0';
    cmux_sink = capture;
    selftest_run("console=ttyS0 selftest=frames,bogus");
    selftest_run("quiet"); /* nothing asked: nothing said */
    cmux_sink = saved;
    CHECK(strstr(out, "[axvm] warning: selftest bogus: unknown self-test\n") != NULL);
    CHECK(strstr(out, "[axvm] selftest frames: ok\n") != NULL);
    CHECK(strstr(out, "FAILED") == NULL);
    CHECK_EQ(frame_free_count(), frame_total_count());
    free(arena);
}

TEST(exit_fatal_formats_its_reason)
{
    struct vcpu_exit e = {.kind = EXIT_MMIO};
    exit_fatal(&e, 0x1234, "unknown system register %llx at EL%llu", 0xc0de, 1);
    CHECK_EQ(e.kind, EXIT_FATAL);
    CHECK_EQ(e.fatal.addr, 0x1234);
    CHECK_STR(e.fatal.reason, "unknown system register c0de at EL1");
}
