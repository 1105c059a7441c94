// SPDX-License-Identifier: MIT
#include <axvm/history.h>
#include <stdio.h>
#include "check.h"

/* Every line left from 'pos', joined with '|'. */
static const char *lines_from(const struct history *h, uint64_t pos)
{
    static char out[512];
    char line[64];
    size_t n = 0;
    int len;
    out[0] = '\0';
    while ((len = history_next_line(h, &pos, line, sizeof(line))) >= 0) {
        if (n)
            out[n++] = '|';
        memcpy(out + n, line, (size_t)len);
        n += (size_t)len;
        out[n] = '\0';
    }
    return out;
}

TEST(history_keeps_lines_in_order)
{
    char buf[32];
    struct history h;
    history_init(&h, buf, sizeof(buf));
    CHECK_STR(lines_from(&h, 0), "");
    history_write(&h, "one\n", 4);
    history_write(&h, "two\n", 4);
    CHECK_EQ(h.head, 8);
    CHECK_EQ(history_oldest(&h), 0);
    CHECK_STR(lines_from(&h, 0), "one|two");
    CHECK_STR(lines_from(&h, 4), "two"); /* from a position: only what came after */
    CHECK_STR(lines_from(&h, 8), "");
    history_write(&h, "part", 4); /* an unfinished line is not shown */
    CHECK_STR(lines_from(&h, 0), "one|two");
}

TEST(history_wraps_and_drops_a_line_it_lost_the_start_of)
{
    char buf[16];
    struct history h;
    history_init(&h, buf, sizeof(buf));
    history_write(&h, "aaaa\n", 5);   /* 0..4 */
    history_write(&h, "bbbbbb\n", 7); /* 5..11 */
    history_write(&h, "cccc\n", 5);   /* 12..16: wraps, overwrites buf[0] */
    CHECK_EQ(h.head, 17);
    CHECK_EQ(history_oldest(&h), 1);
    /* "aaaa" lost its first byte: never shown in part. */
    CHECK_STR(lines_from(&h, 0), "bbbbbb|cccc");
    history_write(&h, "dddddddddd\n", 11); /* 17..27: oldest is 12, the start of "cccc" */
    CHECK_EQ(history_oldest(&h), 12);
    /* Position 12 starts "cccc", but the newline before it is gone, so it cannot be proven to
     * start a line: it is skipped too. */
    CHECK_STR(lines_from(&h, 0), "dddddddddd");
    CHECK_STR(lines_from(&h, 17), "dddddddddd");
    /* Exact bytes in the ring after wrapping twice. */
    CHECK(memcmp(buf, "\ndddddddddd\ncccc", 16) == 0);
}

TEST(history_clips_long_lines_and_ignores_no_buffer)
{
    char buf[64];
    struct history h;
    history_init(&h, buf, sizeof(buf));
    history_write(&h, "0123456789\nxy\n", 14);
    char out[4];
    uint64_t pos = 0;
    CHECK_EQ(history_next_line(&h, &pos, out, sizeof(out)), 4);
    CHECK(memcmp(out, "0123", 4) == 0);
    CHECK_EQ(pos, 11); /* past the whole line, not just the part copied */
    CHECK_EQ(history_next_line(&h, &pos, out, sizeof(out)), 2);
    CHECK_EQ(history_next_line(&h, &pos, out, sizeof(out)), -1);

    struct history none;
    history_init(&none, NULL, 0);
    history_write(&none, "x\n", 2);
    pos = 0;
    CHECK_EQ(history_next_line(&none, &pos, out, sizeof(out)), -1);
}

TEST(history_many_wraps_keep_the_newest_lines_exactly)
{
    char buf[100];
    struct history h;
    history_init(&h, buf, sizeof(buf));
    char line[16];
    for (unsigned i = 0; i < 1000; i++) {
        int n = snprintf(line, sizeof(line), "line %u\n", i);
        history_write(&h, line, (size_t)n);
    }
    /* The last lines are "line 9xx\n" (9 bytes each): 100 bytes hold the newline of line 988
     * and the 11 lines after it, whole. */
    const char *got = lines_from(&h, 0);
    CHECK_STR(got,
              "line 989|line 990|line 991|line 992|line 993|line 994|line 995|line 996|line 997|"
              "line 998|line 999");
}
