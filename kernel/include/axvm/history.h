/* SPDX-License-Identifier: MIT */
#ifndef AXVM_HISTORY_H
#define AXVM_HISTORY_H

/*
 * A VM's recent output, for the console (`log <vm>`, and the replay when the focus moves to a
 * VM): a ring of the last 'size' bytes of its finished lines, each ending in '\n'. Positions are
 * counts of bytes ever written, so a reader can ask for "everything since position P" and learn
 * whether part of it was overwritten meanwhile. The caller locks (the stream's lock).
 */

#include <axvm/types.h>

struct history {
    char *buf;     /* NULL: no history kept */
    uint32_t size; /* bytes of buf */
    uint64_t head; /* bytes ever written; the next one goes to buf[head % size] */
};

void history_init(struct history *h, char *buf, uint32_t size);
void history_write(struct history *h, const char *s, size_t n);

/* The oldest position still held. */
uint64_t history_oldest(const struct history *h);

/*
 * The next whole line from *pos (advanced past it): copies at most 'max' bytes of it without its
 * '\n' into 'out' and returns its length (clipped to 'max'), or -1 when no line is left. A *pos
 * that was overwritten moves to the first line that starts inside what is still held, so a line
 * is never shown with its beginning missing.
 */
int history_next_line(const struct history *h, uint64_t *pos, char *out, size_t max);

#endif
