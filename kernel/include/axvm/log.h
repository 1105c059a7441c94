/* SPDX-License-Identifier: MIT */
#ifndef AXVM_LOG_H
#define AXVM_LOG_H

/*
 * Hypervisor messages. Every line starts with "[axvm] " so it can be told apart from guest
 * output on the shared serial line; warnings and errors say so after the prefix.
 */

#include <axvm/spinlock.h>
#include <axvm/types.h>

enum log_level {
    LOG_ERROR = 0,
    LOG_WARN = 1,
    LOG_INFO = 2,
    LOG_DEBUG = 3,
};

extern enum log_level log_threshold;

void log_set_level(enum log_level level);
void log_printf(enum log_level level, const char *fmt, ...) PRINTF(2, 3);

#define log_error(...) log_printf(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_printf(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_printf(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_printf(LOG_DEBUG, __VA_ARGS__)

/*
 * Warnings a guest can cause at will (unknown hypercalls, unknown SBI calls...) must not let it
 * flood the shared console. Give each VM and kind of warning a struct log_ratelimit (zeroed)
 * and print through log_ratelimited(): the first LOG_RATELIMIT_BURST lines are printed, then at
 * most one line per LOG_RATELIMIT_INTERVAL_MS, which says how many like it were not shown.
 * After an interval with nothing held back, the burst starts again.
 */
#define LOG_RATELIMIT_BURST       5
#define LOG_RATELIMIT_INTERVAL_MS 5000

struct log_ratelimit {
    spinlock_t lock;
    uint64_t start;           /* counter value when the current interval began */
    unsigned printed;         /* lines printed in the burst */
    unsigned long suppressed; /* lines held back since the last one printed */
};

void log_ratelimited(struct log_ratelimit *rl, enum log_level level, const char *fmt, ...)
    PRINTF(3, 4);

/* The decision behind log_ratelimited at counter value 'now' (freq ticks per second): print
 * or not, and if so how many were held back before it. */
bool log_ratelimit_pass(struct log_ratelimit *rl, uint64_t now, uint64_t freq,
                        unsigned long *held_back);

/* Format into 'buf' the line log_printf would print (prefix and newline included). */
size_t log_format_line(char *buf, size_t size, enum log_level level, const char *fmt, ...)
    PRINTF(4, 5);

#endif
