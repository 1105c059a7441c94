// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <axvm/cmux.h>
#include "check.h"

static char captured[16384];
static size_t captured_len;
static unsigned sink_calls;

static void capture(const char *s, size_t len)
{
    CHECK(captured_len + len < sizeof(captured));
    if (captured_len + len >= sizeof(captured))
        return;
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
    /* When the focus moves, the open line is not shown again; it ends whole. */
    cmux_input_byte(CMUX_ESCAPE);
    before = captured_len;
    cmux_input_byte('2');
    CHECK_STR(captured + before, "\n[axvm] console: input goes to [2:bm]\n");
    put(&sh, "exit\n");
    CHECK_STR(captured + before + 38, "[1:linux] $ exit\n");
    /* A VM not in focus never shows part of a line. */
    put(&sh, "half");
    cmux_idle(&sh);
    CHECK_EQ(strstr(captured, "half") == NULL, 1);
    cmux_unregister(&sh);
    cmux_unregister(&other);
}

/* ---- guest output reaches the terminal as text only ------------------------------------- */

TEST(cmux_output_removes_escape_sequences_and_controls)
{
    reset_capture();
    struct cmux_stream a;
    cmux_stream_init(&a, 1, "linux");
    /* The forgery the filter exists for: erase the line, return, print a hypervisor line. */
    put(&a, "\x1b[2K\r[axvm] error: forged\n");
    CHECK_STR(captured, "[1:linux] [axvm] error: forged\n");
    reset_capture();
    put(&a, "\x1b[1;32mOK\x1b[0m \x1b]0;title\x07"
            "done\x1b(B\n");
    CHECK_STR(captured, "[1:linux] OK done\n");
    reset_capture();
    put(&a, "a\tb\x07"
            "c\x01"
            "d");
    cmux_putc(&a, '\0');
    put(&a, "e\n"); /* tab kept, BEL and ^A shown, NUL dropped */
    CHECK_STR(captured, "[1:linux] a\tb^Gc^Ade\n");
    reset_capture();
    /* C1 controls encoded in UTF-8 (CSI is U+009B) are replaced; other UTF-8 passes. */
    put(&a, "x\xc2\x9b"
            "2Jy \xc3\xa9\xc2\xa0z\n");
    CHECK_STR(captured, "[1:linux] x?2Jy \xc3\xa9\xc2\xa0z\n");
    reset_capture();
    /* An unterminated string ends with its line; OSC ended by ESC \ too. */
    put(&a, "\x1b]2;never ended\nnext \x1b]8;;u\x1b\\link\n");
    CHECK_STR(captured, "[1:linux] \n[1:linux] next link\n");
}

TEST(cmux_backspace_edits_only_the_guests_own_text)
{
    reset_capture();
    struct cmux_stream a;
    cmux_stream_init(&a, 1, "linux");
    put(&a, "abc\b\bd\n");
    CHECK_STR(captured, "[1:linux] ad\n");
    reset_capture();
    put(&a, "\b\b\b\x7fx\n"); /* nothing to erase: the prefix stays */
    CHECK_STR(captured, "[1:linux] x\n");
    reset_capture();
    put(&a, "caf\xc3\xa9\b!\n"); /* a UTF-8 character goes whole */
    CHECK_STR(captured, "[1:linux] caf!\n");

    /* On an open line the cursor goes back over printable ASCII only. */
    cmux_register(&a);
    reset_capture();
    put(&a, "# ");
    cmux_idle(&a);
    put(&a, "ls\b \b\t\b");
    CHECK_STR(captured, "[1:linux] # ls\b \b\t");
    put(&a, "\b\b\b\b\n"); /* "l", " " and "#" erased on the terminal; the prefix never */
    CHECK_STR(captured, "[1:linux] # ls\b \b\t\b\b\b\n");
    cmux_unregister(&a);
}

/* ---- input flow control ------------------------------------------------------------------ */

extern uint64_t host_counter_skew;

/* A serial line that has 'script' to give. */
static char script[8192];
static size_t script_len, script_pos;
static bool rx_paused;
static unsigned pause_calls;

static int script_getc(void)
{
    return script_pos < script_len ? (unsigned char)script[script_pos++] : -1;
}

static void script_pause(bool paused)
{
    rx_paused = paused;
    pause_calls++;
}

static bool script_by_irq(void)
{
    return true;
}

static const struct cmux_input_ops script_input = {script_getc, script_pause, script_by_irq};

/* Byte i of a long paste. */
static char paste(size_t i)
{
    return (char)('!' + i % 90);
}

static void script_set(size_t pasted, const char *tail)
{
    script_len = script_pos = 0;
    for (size_t i = 0; i < pasted; i++)
        script[script_len++] = paste(i);
    while (*tail)
        script[script_len++] = *tail++;
    pause_calls = 0;
    cmux_input = &script_input;
}

static void drain(struct cmux_stream *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cmux_getc(s);
}

TEST(cmux_input_full_buffer_holds_the_sender_back)
{
    reset_capture();
    struct cmux_stream a;
    cmux_stream_init(&a, 1, "a");
    cmux_register(&a);
    script_set(5000, "");
    cmux_poll_input();
    /* The buffer takes 4096 bytes; the one read after that waits; the rest stays unread. */
    CHECK_EQ(a.in_count, CMUX_INPUT_SIZE);
    CHECK_EQ(script_pos, CMUX_INPUT_SIZE + 1);
    CHECK(rx_paused);
    CHECK_EQ(pause_calls, 1);
    cmux_poll_input(); /* nothing changes while the VM takes nothing */
    CHECK_EQ(script_pos, CMUX_INPUT_SIZE + 1);
    /* Reading resumes once the VM has taken a quarter of its buffer. */
    for (size_t i = 0; i < CMUX_INPUT_RESUME - 1; i++)
        CHECK_EQ(cmux_getc(&a), paste(i));
    CHECK_EQ(script_pos, CMUX_INPUT_SIZE + 1);
    CHECK(rx_paused);
    CHECK_EQ(cmux_getc(&a), paste(CMUX_INPUT_RESUME - 1));
    CHECK_EQ(script_pos, 5000);
    CHECK(!rx_paused);
    CHECK_EQ(pause_calls, 2);
    CHECK_EQ(a.in_count, 5000 - CMUX_INPUT_RESUME);
    /* Every byte once, in order, and nothing said. */
    size_t bad = 0;
    for (size_t i = CMUX_INPUT_RESUME; i < 5000; i++)
        bad += cmux_getc(&a) != paste(i);
    CHECK_EQ(bad, 0);
    CHECK_EQ(cmux_getc(&a), -1);
    CHECK_STR(captured, "");
    cmux_unregister(&a);
}

TEST(cmux_input_hotkeys_work_with_a_full_buffer)
{
    reset_capture();
    struct cmux_stream a, b;
    cmux_stream_init(&a, 1, "a");
    cmux_stream_init(&b, 2, "b");
    cmux_register(&a);
    cmux_register(&b);
    /* Hotkeys need no room: typed right after a full buffer, they act. */
    script_set(CMUX_INPUT_SIZE, "\x1dnxy\x1dl");
    cmux_poll_input();
    CHECK_EQ(a.in_count, CMUX_INPUT_SIZE);
    CHECK(cmux_focus() == &b);
    CHECK_EQ(cmux_getc(&b), 'x');
    CHECK_EQ(cmux_getc(&b), 'y');
    CHECK_EQ(script_pos, script_len);
    CHECK(!rx_paused);
    CHECK_STR(captured, "[axvm] console: input goes to [2:b]\n"
                        "[axvm] console:   [1:a]\n"
                        "[axvm] console: * [2:b]\n");
    /* A literal escape does need room: it waits like any byte. */
    script_set(CMUX_INPUT_SIZE, "\x1d\x1dk");
    cmux_poll_input();
    CHECK_EQ(b.in_count, CMUX_INPUT_SIZE);
    CHECK(rx_paused);
    drain(&b, CMUX_INPUT_RESUME);
    CHECK(!rx_paused);
    drain(&b, CMUX_INPUT_SIZE - CMUX_INPUT_RESUME);
    CHECK_EQ(cmux_getc(&b), 0x1d);
    CHECK_EQ(cmux_getc(&b), 'k');
    drain(&a, CMUX_INPUT_SIZE);
    cmux_unregister(&a);
    cmux_unregister(&b);
}

TEST(cmux_input_vm_not_reading_is_said_once_and_loses_input)
{
    reset_capture();
    struct cmux_stream a, b;
    cmux_stream_init(&a, 1, "a");
    cmux_stream_init(&b, 2, "b");
    cmux_register(&a);
    cmux_register(&b);
    script_set(CMUX_INPUT_SIZE, "zw\x1dnq");
    cmux_poll_input();
    CHECK(rx_paused);
    CHECK_EQ(script_pos, CMUX_INPUT_SIZE + 1); /* the hotkey waits behind 'z' */
    host_counter_skew += 1000000000ULL;
    cmux_poll_input();
    CHECK_STR(captured, ""); /* a second is not enough */
    /* A VM that takes something is slow, not deaf: its clock starts again. */
    CHECK_EQ(cmux_getc(&a), paste(0));
    host_counter_skew += 1500000000ULL;
    cmux_poll_input(); /* 'z' fits now, 'w' waits */
    CHECK_EQ(script_pos, CMUX_INPUT_SIZE + 2);
    CHECK(!a.deaf);
    CHECK_STR(captured, "");
    host_counter_skew += 2100000000ULL;
    cmux_poll_input();
    CHECK(a.deaf);
    CHECK(!rx_paused);
    CHECK(cmux_focus() == &b);
    CHECK_EQ(cmux_getc(&b), 'q');
    CHECK_STR(captured, "[axvm] warning: console: [1:a] has taken no input for 2 s: what is "
                        "typed to it is dropped until it reads again (Ctrl-] n moves the "
                        "focus)\n"
                        "[axvm] console: input goes to [2:b]\n");
    /* Meanwhile typed to it: dropped and counted; it shows in the list. */
    script_set(0, "\x1d"
                  "1rs\x1dl");
    cmux_poll_input();
    CHECK_EQ(a.drops, 3); /* 'w', 'r' and 's' */
    reset_capture();
    CHECK_EQ(cmux_getc(&a), paste(1));
    CHECK(!a.deaf);
    CHECK_STR(captured, "[axvm] warning: console: [1:a] reads its input again; 3 bytes typed "
                        "to it were dropped\n");
    drain(&a, CMUX_INPUT_SIZE);
    cmux_unregister(&a);
    cmux_unregister(&b);
}

TEST(cmux_input_held_for_a_stopping_vm_goes_to_the_next)
{
    reset_capture();
    struct cmux_stream a, b;
    cmux_stream_init(&a, 1, "a");
    cmux_stream_init(&b, 2, "b");
    cmux_register(&a);
    cmux_register(&b);
    script_set(CMUX_INPUT_SIZE, "uv");
    cmux_poll_input();
    CHECK(rx_paused);
    cmux_unregister(&a);
    CHECK(!rx_paused);
    CHECK_EQ(cmux_getc(&b), 'u');
    CHECK_EQ(cmux_getc(&b), 'v');
    CHECK_EQ(cmux_getc(&b), -1);
    /* With no VM left, input is dropped, and that is said once. */
    cmux_unregister(&b);
    script_set(0, "abc");
    cmux_poll_input();
    CHECK_EQ(script_pos, 3);
    CHECK_STR(captured, "[axvm] console: input goes to [2:b]\n"
                        "[axvm] warning: console: no VM takes input: what is typed is dropped\n");
}

/* Every focus change replays, not only the hotkeys: a VM that stops hands the focus to the next,
 * which shows what it printed meanwhile; one that registers into an empty console gets it too. */
TEST(cmux_focus_moved_by_a_stopping_vm_replays_the_next)
{
    reset_capture();
    char ha[256], hb[256];
    struct cmux_stream a, b;
    cmux_stream_init(&a, 1, "a");
    cmux_stream_init(&b, 2, "b");
    cmux_history_attach(&a, ha, sizeof(ha));
    cmux_history_attach(&b, hb, sizeof(hb));
    cmux_register(&a);
    cmux_register(&b);
    put(&b, "out of focus\n");
    put(&a, "in focus\n");
    reset_capture();
    cmux_unregister(&a);
    CHECK(cmux_focus() == &b);
    CHECK_STR(captured, "[axvm] console: input goes to [2:b]\n"
                        "[axvm] console: [2:b] printed while out of focus:\n"
                        "[2:b]< out of focus\n"
                        "[axvm] console: end of [2:b]'s history\n");
    /* a comes back while b has the focus: nothing moves, nothing is replayed. */
    put(&a, "restarting\n");
    reset_capture();
    cmux_register(&a);
    CHECK(cmux_focus() == &b);
    CHECK_STR(captured, "");
    /* b stops: a has it again and shows what it printed since it lost it. */
    cmux_unregister(&b);
    CHECK_STR(captured, "[axvm] console: input goes to [1:a]\n"
                        "[axvm] console: [1:a] printed while out of focus:\n"
                        "[1:a]< restarting\n"
                        "[axvm] console: end of [1:a]'s history\n");
    /* The last one stops: nobody to show; the next to register gets the focus and its lines. */
    cmux_unregister(&a);
    put(&b, "booting again\n");
    reset_capture();
    cmux_register(&b);
    CHECK(cmux_focus() == &b);
    CHECK_STR(captured, "[axvm] console: [2:b] printed while out of focus:\n"
                        "[2:b]< booting again\n"
                        "[axvm] console: end of [2:b]'s history\n");
    cmux_unregister(&b);
}

static char last_command[80];
static unsigned commands_run;

static void record_command(const char *line)
{
    snprintf(last_command, sizeof(last_command), "%s", line);
    commands_run++;
}

TEST(cmux_command_line_is_echoed_edited_and_run)
{
    reset_capture();
    struct cmux_stream a;
    cmux_stream_init(&a, 1, "a");
    cmux_register(&a);
    cmux_command = record_command;
    commands_run = 0;
    /* Typed as a user would: a typo, two backspaces, Enter; then text for the VM again. */
    script_set(0, "\x1d:lsti\x7f\x7fit 1\rq");
    cmux_poll_input();
    CHECK_EQ(commands_run, 1);
    CHECK_STR(last_command, "lsit 1");
    CHECK_STR(captured, "[axvm] :lsti\b \b\b \bit 1\n");
    CHECK_EQ(cmux_getc(&a), 'q'); /* nothing of the command reached the VM */
    CHECK_EQ(cmux_getc(&a), -1);

    /* A VM's line arriving meanwhile leaves the command line open and shows it again. */
    reset_capture();
    script_set(0, "\x1d:st");
    cmux_poll_input();
    cmux_putc(&a, 'h');
    cmux_putc(&a, '\n');
    script_set(0, "op\x1b");
    cmux_poll_input();
    CHECK_EQ(commands_run, 1); /* Escape abandons it */
    CHECK_STR(captured, "[axvm] :st\n[1:a] h\n[axvm] :stop\n[axvm] console: command abandoned\n");
    cmux_unregister(&a);
    cmux_command = NULL;
}

TEST(cmux_focus_switch_replays_what_was_printed_out_of_focus)
{
    reset_capture();
    char ha[256], hb[256];
    struct cmux_stream a, b;
    cmux_stream_init(&a, 1, "a");
    cmux_stream_init(&b, 2, "b");
    cmux_history_attach(&a, ha, sizeof(ha));
    cmux_history_attach(&b, hb, sizeof(hb));
    cmux_register(&a);
    cmux_register(&b);
    put(&b, "early\n");
    cmux_input_byte(CMUX_ESCAPE);
    cmux_input_byte('2');
    const char *want1 = "[2:b] early\n"
                        "[axvm] console: input goes to [2:b]\n"
                        "[axvm] console: [2:b] printed while out of focus:\n"
                        "[2:b]< early\n"
                        "[axvm] console: end of [2:b]'s history\n";
    CHECK_STR(captured, want1);
    /* Printed in focus: not replayed; a's lines meanwhile are. */
    put(&b, "seen\n");
    put(&a, "while away\n");
    reset_capture();
    cmux_input_byte(CMUX_ESCAPE);
    cmux_input_byte('1');
    CHECK_STR(captured, "[axvm] console: input goes to [1:a]\n"
                        "[axvm] console: [1:a] printed while out of focus:\n"
                        "[1:a]< while away\n"
                        "[axvm] console: end of [1:a]'s history\n");
    reset_capture();
    cmux_input_byte(CMUX_ESCAPE);
    cmux_input_byte('2'); /* b printed nothing since: nothing replayed */
    CHECK_STR(captured, "[axvm] console: input goes to [2:b]\n");
    reset_capture();
    cmux_replay(&b, false); /* `log`: everything kept */
    CHECK_STR(captured, "[axvm] console: [2:b] recent output:\n"
                        "[2:b]< early\n[2:b]< seen\n"
                        "[axvm] console: end of [2:b]'s history\n");
    cmux_unregister(&a);
    cmux_unregister(&b);
}

TEST(cmux_replay_of_a_wrapped_history_says_older_lines_are_gone)
{
    reset_capture();
    char h[24];
    struct cmux_stream a;
    cmux_stream_init(&a, 4, "w");
    cmux_replay(&a, false);
    CHECK_STR(captured, "[axvm] console: [4:w] keeps no history\n");
    cmux_history_attach(&a, h, sizeof(h));
    reset_capture();
    cmux_replay(&a, false);
    CHECK_STR(captured, "[axvm] console: [4:w] has printed nothing yet\n");
    put(&a, "line 1\nline 2\nline 3\nline 4\n"); /* 28 bytes into 24 */
    reset_capture();
    cmux_replay(&a, false);
    CHECK_STR(captured, "[axvm] console: [4:w] recent output (older lines are gone):\n"
                        "[4:w]< line 2\n[4:w]< line 3\n[4:w]< line 4\n"
                        "[axvm] console: end of [4:w]'s history\n");
}
