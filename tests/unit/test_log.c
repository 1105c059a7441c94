// SPDX-License-Identifier: MIT
#include <axvm/cmux.h>
#include <axvm/console.h>
#include <axvm/log.h>
#include "check.h"

TEST(log_line_prefix_and_level_tags)
{
    char buf[64];
    size_t n = log_format_line(buf, sizeof(buf), LOG_INFO, "cpu%u online", 3u);
    CHECK_STR(buf, "[axvm] cpu3 online\n");
    CHECK_EQ(n, 19);
    log_format_line(buf, sizeof(buf), LOG_ERROR, "bad %s", "thing");
    CHECK_STR(buf, "[axvm] error: bad thing\n");
    log_format_line(buf, sizeof(buf), LOG_WARN, "w");
    CHECK_STR(buf, "[axvm] warning: w\n");
}

TEST(log_long_line_still_ends_with_newline)
{
    char buf[16];
    size_t n = log_format_line(buf, sizeof(buf), LOG_INFO, "%s", "a very long message indeed");
    CHECK_EQ(n, 15);
    CHECK_EQ(buf[14], '\n');
    CHECK_EQ(buf[15], '\0');
}

TEST(log_ratelimit_burst_then_one_line_per_interval)
{
    struct log_ratelimit rl = {0};
    unsigned long held;
    const uint64_t freq = 1000; /* a tick per millisecond: the interval is 5000 ticks */
    unsigned passed = 0;
    for (uint64_t t = 0; t < 10; t++)
        passed += log_ratelimit_pass(&rl, t, freq, &held);
    CHECK_EQ(passed, LOG_RATELIMIT_BURST);
    /* The first after the interval passes and counts the five held back. */
    CHECK(log_ratelimit_pass(&rl, 5000, freq, &held));
    CHECK_EQ(held, 5);
    CHECK(!log_ratelimit_pass(&rl, 5001, freq, &held));
    CHECK(!log_ratelimit_pass(&rl, 9999, freq, &held));
    CHECK(log_ratelimit_pass(&rl, 10000, freq, &held));
    CHECK_EQ(held, 2);
    /* An interval with nothing held back: a new burst. */
    passed = 0;
    for (uint64_t t = 15000; t < 15010; t++) {
        passed += log_ratelimit_pass(&rl, t, freq, &held);
        CHECK_EQ(held, 0);
    }
    CHECK_EQ(passed, LOG_RATELIMIT_BURST);
}

static char logged[1024];
static size_t logged_len;

static void log_capture(const char *s, size_t len)
{
    if (logged_len + len < sizeof(logged)) {
        memcpy(logged + logged_len, s, len);
        logged_len += len;
        logged[logged_len] = '\0';
    }
}

extern uint64_t host_counter_skew;

TEST(log_ratelimited_lines_say_what_was_held_back)
{
    struct log_ratelimit rl = {0};
    cmux_sink = log_capture;
    logged_len = 0;
    for (unsigned i = 0; i < 1000; i++)
        log_ratelimited(&rl, LOG_WARN, "vm1 (x) vcpu0: unknown hypercall %u", i);
    host_counter_skew += (uint64_t)LOG_RATELIMIT_INTERVAL_MS * 1000000;
    log_ratelimited(&rl, LOG_WARN, "vm1 (x) vcpu0: unknown hypercall %u", 1000u);
    CHECK_STR(logged, "[axvm] warning: vm1 (x) vcpu0: unknown hypercall 0\n"
                      "[axvm] warning: vm1 (x) vcpu0: unknown hypercall 1\n"
                      "[axvm] warning: vm1 (x) vcpu0: unknown hypercall 2\n"
                      "[axvm] warning: vm1 (x) vcpu0: unknown hypercall 3\n"
                      "[axvm] warning: vm1 (x) vcpu0: unknown hypercall 4\n"
                      "[axvm] warning: vm1 (x) vcpu0: unknown hypercall 1000 (995 more like this "
                      "not shown)\n");
    cmux_sink = console_write;
}
