// SPDX-License-Identifier: MIT
#include <stdarg.h>
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
