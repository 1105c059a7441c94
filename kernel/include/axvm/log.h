/* SPDX-License-Identifier: MIT */
#ifndef AXVM_LOG_H
#define AXVM_LOG_H

/*
 * Hypervisor messages. Every line starts with "[axvm] " so it can be told apart from guest
 * output on the shared serial line; warnings and errors say so after the prefix.
 */

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

/* Format into 'buf' the line log_printf would print (prefix and newline included). */
size_t log_format_line(char *buf, size_t size, enum log_level level, const char *fmt, ...)
    PRINTF(4, 5);

#endif
