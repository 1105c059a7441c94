// SPDX-License-Identifier: MIT
/* A VM's recent output as a ring of bytes (history.h). */
#include <axvm/history.h>

void history_init(struct history *h, char *buf, uint32_t size)
{
    h->buf = size ? buf : NULL;
    h->size = size;
    h->head = 0;
}

void history_write(struct history *h, const char *s, size_t n)
{
    if (!h->buf)
        return;
    for (size_t i = 0; i < n; i++)
        h->buf[(h->head + i) % h->size] = s[i];
    h->head += n;
}

uint64_t history_oldest(const struct history *h)
{
    return h->head > h->size ? h->head - h->size : 0;
}

static char at(const struct history *h, uint64_t pos)
{
    return h->buf[pos % h->size];
}

int history_next_line(const struct history *h, uint64_t *pos, char *out, size_t max)
{
    if (!h->buf)
        return -1;
    uint64_t p = *pos, oldest = history_oldest(h);
    if (p < oldest) {
        /* Its start was overwritten: skip to the first line that begins after 'oldest' (the
         * byte before 'oldest' was a newline if 'oldest' starts a line, but that byte is gone,
         * so only a newline seen here proves where a line starts). */
        p = oldest;
        while (p < h->head && at(h, p) != '\n')
            p++;
        p++;
    }
    if (p > h->head)
        p = h->head;
    uint64_t end = p;
    while (end < h->head && at(h, end) != '\n')
        end++;
    if (end == h->head) {
        *pos = p; /* no finished line (lines are written whole, so this is the end) */
        return -1;
    }
    size_t n = 0;
    for (uint64_t q = p; q < end && n < max; q++)
        out[n++] = at(h, q);
    *pos = end + 1;
    return (int)n;
}
