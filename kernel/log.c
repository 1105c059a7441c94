// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <axvm/arch.h>
#include <axvm/cmux.h>
#include <axvm/console.h>
#include <axvm/format.h>
#include <axvm/log.h>

#define LOG_LINE_MAX 256

enum log_level log_threshold = LOG_INFO;

static const char *const log_tags[] = {
    [LOG_ERROR] = "error: ",
    [LOG_WARN] = "warning: ",
    [LOG_INFO] = "",
    [LOG_DEBUG] = "debug: ",
};

void log_set_level(enum log_level level)
{
    log_threshold = level;
}

static size_t log_vformat_line(char *buf, size_t size, enum log_level level, const char *fmt,
                               va_list ap)
{
    int n = format_snprintf(buf, size, "[axvm] %s", log_tags[level]);
    if (n < 0 || (size_t)n >= size)
        n = (int)size - 1;
    int m = format_vsnprintf(buf + n, size - (size_t)n, fmt, ap);
    size_t len = (size_t)n + (size_t)(m < 0 ? 0 : m);
    /* Truncated lines still end with a newline so the next line starts cleanly. */
    if (len > size - 2)
        len = size - 2;
    buf[len++] = '\n';
    buf[len] = '\0';
    return len;
}

size_t log_format_line(char *buf, size_t size, enum log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t len = log_vformat_line(buf, size, level, fmt, ap);
    va_end(ap);
    return len;
}

void log_printf(enum log_level level, const char *fmt, ...)
{
    if (level > log_threshold)
        return;
    char line[LOG_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    size_t len = log_vformat_line(line, sizeof(line), level, fmt, ap);
    va_end(ap);
    cmux_write_line(line, len);
}

bool log_ratelimit_pass(struct log_ratelimit *rl, uint64_t now, uint64_t freq,
                        unsigned long *held_back)
{
    uint64_t interval = freq / 1000 * LOG_RATELIMIT_INTERVAL_MS;
    bool pass = true;
    *held_back = 0;
    unsigned long flags = spin_lock_irqsave(&rl->lock);
    if (rl->printed && now - rl->start >= interval) {
        /* A new interval: its first line says what the last one held back; after a quiet
         * interval, a new burst. */
        *held_back = rl->suppressed;
        rl->printed = rl->suppressed ? LOG_RATELIMIT_BURST : 0;
        rl->suppressed = 0;
        rl->start = now;
    }
    if (rl->printed < LOG_RATELIMIT_BURST) {
        if (!rl->printed++)
            rl->start = now;
    } else if (!*held_back) {
        rl->suppressed++;
        pass = false;
    }
    spin_unlock_irqrestore(&rl->lock, flags);
    return pass;
}

void log_ratelimited(struct log_ratelimit *rl, enum log_level level, const char *fmt, ...)
{
    unsigned long held_back;
    if (level > log_threshold ||
        !log_ratelimit_pass(rl, arch_counter_read(), arch_counter_freq(), &held_back))
        return;
    char line[LOG_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    size_t len = log_vformat_line(line, sizeof(line), level, fmt, ap);
    va_end(ap);
    if (held_back) {
        /* The count goes on the same line, before its newline. */
        int n = format_snprintf(line + len - 1, sizeof(line) - (len - 1),
                                " (%lu more like this not shown)\n", held_back);
        len = n < 0 ? len : MIN(len - 1 + (size_t)n, sizeof(line) - 1);
        line[len - 1] = '\n';
    }
    cmux_write_line(line, len);
}
