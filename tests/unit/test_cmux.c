// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <axvm/cmux.h>
#include "check.h"

static char captured[4096];
static size_t captured_len;
static unsigned sink_calls;

static void capture(const char *s, size_t len)
{
    memcpy(captured + captured_len, s, len);
    captured_len += len;
    captured[captured_len] = '\0';
    sink_calls++;
}

static void reset_capture(void)
{
    captured_len = 0;
    captured[0] = '\0';
    sink_calls = 0;
    cmux_sink = capture;
}

static void put(struct cmux_stream *s, const char *text)
{
    while (*text)
        cmux_putc(s, *text++);
}

TEST(cmux_whole_prefixed_lines)
{
    reset_capture();
    struct cmux_stream a, b;
    cmux_stream_init(&a, 1, "linux");
    cmux_stream_init(&b, 2, "hello");
    /* Interleaved characters from two VMs come out as two whole lines. */
    put(&a, "boo");
    put(&b, "hi ");
    put(&a, "t\r\n");
    put(&b, "there\n");
    CHECK_STR(captured, "[1:linux] boot\n[2:hello] hi there\n");
    CHECK_EQ(sink_calls, 2);
    /* A partial line waits until flushed. */
    put(&a, "partial");
    CHECK_EQ(sink_calls, 2);
    cmux_flush(&a);
    CHECK_STR(captured + strlen("[1:linux] boot\n[2:hello] hi there\n"), "[1:linux] partial\n");
    cmux_flush(&a); /* nothing pending: nothing printed */
    CHECK_EQ(sink_calls, 3);
}

TEST(cmux_long_line_comes_out_in_pieces)
{
    reset_capture();
    struct cmux_stream a;
    cmux_stream_init(&a, 3, "x");
    for (int i = 0; i < CMUX_LINE_MAX + 5; i++)
        cmux_putc(&a, 'a');
    cmux_putc(&a, '\n');
    CHECK_EQ(sink_calls, 2);
    CHECK_EQ(captured_len, (strlen("[3:x] ") + 1) * 2 + CMUX_LINE_MAX + 5);
}

TEST(cmux_input_follows_focus_and_hotkeys)
{
    reset_capture();
    struct cmux_stream a, b;
    cmux_stream_init(&a, 1, "a");
    cmux_stream_init(&b, 2, "b");
    cmux_register(&a);
    cmux_register(&b);
    CHECK(cmux_focus() == &a); /* the first VM gets focus */
    cmux_input_byte('x');
    CHECK_EQ(cmux_getc(&a), 'x');
    CHECK_EQ(cmux_getc(&a), -1);
    CHECK_EQ(cmux_getc(&b), -1);

    cmux_input_byte(CMUX_ESCAPE);
    cmux_input_byte('n');
    CHECK(cmux_focus() == &b);
    cmux_input_byte('y');
    CHECK_EQ(cmux_getc(&b), 'y');
    CHECK(!cmux_has_input(&a));

    cmux_input_byte(CMUX_ESCAPE); /* a literal escape */
    cmux_input_byte(CMUX_ESCAPE);
    CHECK_EQ(cmux_getc(&b), CMUX_ESCAPE);

    cmux_input_byte(CMUX_ESCAPE); /* focus by id */
    cmux_input_byte('1');
    CHECK(cmux_focus() == &a);

    cmux_unregister(&a); /* focus moves on when its VM goes */
    CHECK(cmux_focus() == &b);
    cmux_unregister(&b);
    CHECK(cmux_focus() == NULL);
    cmux_input_byte('z'); /* nobody to take it: dropped */
    CHECK_EQ(cmux_getc(&a), -1);
}

TEST(cmux_input_ring_drops_when_full)
{
    struct cmux_stream a;
    cmux_stream_init(&a, 1, "a");
    cmux_register(&a);
    for (int i = 0; i < CMUX_INPUT_SIZE + 10; i++)
        cmux_input_byte((char)('0' + i % 10));
    int n = 0;
    while (cmux_getc(&a) >= 0)
        n++;
    CHECK_EQ(n, CMUX_INPUT_SIZE - 1);
    cmux_unregister(&a);
}

TEST(cmux_idle_focused_line_opens_and_survives_other_lines)
{
    reset_capture();
    struct cmux_stream sh, other;
    cmux_stream_init(&sh, 1, "linux");
    cmux_stream_init(&other, 2, "bm");
    cmux_register(&sh);
    cmux_register(&other);
    CHECK(cmux_focus() == &sh);
    /* Part of a line waits like any other... */
    put(&sh, "~ # ");
    CHECK_STR(captured, "");
    /* ...until its VM goes idle (waiting for input): then it shows. */
    cmux_idle(&sh);
    CHECK_STR(captured, "[1:linux] ~ # ");
    cmux_idle(&sh); /* nothing new: nothing printed */
    CHECK_STR(captured, "[1:linux] ~ # ");
    /* Another VM's line ends the open line, then the prompt comes back. */
    put(&other, "tick\n");
    CHECK_STR(captured, "[1:linux] ~ # \n[2:bm] tick\n[1:linux] ~ # ");
    /* Echoed typing continues on the open line at once. */
    put(&sh, "l");
    CHECK_STR(captured, "[1:linux] ~ # \n[2:bm] tick\n[1:linux] ~ # l");
    put(&sh, "s\n");
    CHECK_STR(captured, "[1:linux] ~ # \n[2:bm] tick\n[1:linux] ~ # ls\n");
    /* Once the line is closed, lines are whole again. */
    size_t before = captured_len;
    put(&sh, "out");
    CHECK_EQ(captured_len, before);
    put(&sh, "put\n");
    CHECK_STR(captured + before, "[1:linux] output\n");
    /* The hypervisor's own lines behave like another VM's. */
    put(&sh, "$ ");
    cmux_idle(&sh);
    before = captured_len;
    cmux_write_line("[axvm] note\n", 12);
    CHECK_STR(captured + before, "\n[axvm] note\n[1:linux] $ ");
    /* A VM not in focus never shows part of a line. */
    put(&other, "half");
    cmux_idle(&other);
    CHECK_EQ(strstr(captured, "half") == NULL, 1);
    cmux_unregister(&sh);
    cmux_unregister(&other);
}
