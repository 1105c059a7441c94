// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <axvm/vmm_cmd.h>
#include "check.h"

static void type(struct vmm_line *l, const char *s)
{
    while (*s)
        vmm_line_key(l, *s++);
}

TEST(vmm_line_edits_and_runs)
{
    struct vmm_line l;
    vmm_line_reset(&l);
    CHECK_EQ(vmm_line_key(&l, 's'), VMM_KEY_ECHO);
    type(&l, "tpo");
    CHECK_STR(l.text, "stpo");
    CHECK_EQ(vmm_line_key(&l, 0x7f), VMM_KEY_ERASE);
    CHECK_EQ(vmm_line_key(&l, '\b'), VMM_KEY_ERASE);
    type(&l, "op 2");
    CHECK_STR(l.text, "stop 2");
    CHECK_EQ(vmm_line_key(&l, '\x01'), VMM_KEY_IGNORE); /* control characters never enter */
    CHECK_EQ(vmm_line_key(&l, (char)0xc3), VMM_KEY_IGNORE);
    CHECK_STR(l.text, "stop 2");
    CHECK_EQ(vmm_line_key(&l, '\r'), VMM_KEY_RUN);
    CHECK_EQ(vmm_line_key(&l, 0x03), VMM_KEY_CANCEL);
    CHECK_EQ(vmm_line_key(&l, 0x1b), VMM_KEY_CANCEL);
    vmm_line_reset(&l);
    CHECK_EQ(vmm_line_key(&l, 0x7f), VMM_KEY_IGNORE); /* nothing to erase */
    for (int i = 0; i < VMM_LINE_MAX; i++)
        CHECK_EQ(vmm_line_key(&l, 'x'), VMM_KEY_ECHO);
    CHECK_EQ(vmm_line_key(&l, 'x'), VMM_KEY_IGNORE); /* full */
    CHECK_EQ(l.len, VMM_LINE_MAX);
}

static enum vmm_op parse(const char *line, const char **vm, const char **err)
{
    static struct vmm_cmd c;
    vmm_cmd_parse(line, &c);
    *vm = c.vm;
    *err = c.error;
    return c.op;
}

TEST(vmm_cmd_parses_the_commands)
{
    const char *vm, *err;
    CHECK_EQ(parse("", &vm, &err), VMM_OP_NONE);
    CHECK_EQ(parse("   ", &vm, &err), VMM_OP_NONE);
    CHECK_EQ(parse("help", &vm, &err), VMM_OP_HELP);
    CHECK_EQ(parse("  list  ", &vm, &err), VMM_OP_LIST);
    CHECK_EQ(parse("stop 2", &vm, &err), VMM_OP_STOP);
    CHECK_STR(vm, "2");
    CHECK_EQ(parse("start  right ", &vm, &err), VMM_OP_START);
    CHECK_STR(vm, "right");
    CHECK_EQ(parse("reboot left", &vm, &err), VMM_OP_REBOOT);
    CHECK_STR(vm, "left");
    CHECK_EQ(parse("info 1", &vm, &err), VMM_OP_INFO);
    CHECK_EQ(parse("log 1", &vm, &err), VMM_OP_LOG);
}

TEST(vmm_cmd_refuses_bad_lines_in_one_line)
{
    const char *vm, *err;
    CHECK_EQ(parse("stpo 2", &vm, &err), VMM_OP_ERROR);
    CHECK_STR(err, "unknown command (try help)");
    CHECK_EQ(parse("st 2", &vm, &err), VMM_OP_ERROR); /* no abbreviations */
    CHECK_EQ(parse("stops 2", &vm, &err), VMM_OP_ERROR);
    CHECK_EQ(parse("STOP 2", &vm, &err), VMM_OP_ERROR);
    CHECK_EQ(parse("stop", &vm, &err), VMM_OP_ERROR);
    CHECK_STR(err, "which VM? give its id or name");
    CHECK_EQ(parse("stop 1 2", &vm, &err), VMM_OP_ERROR); /* never the first of two */
    CHECK_STR(err, "too many arguments");
    CHECK_EQ(parse("list 1", &vm, &err), VMM_OP_ERROR);
    CHECK_STR(err, "too many arguments");
}

TEST(vmm_cmd_matches_only_an_exact_id_or_name)
{
    unsigned ids[] = {1, 2, 12};
    const char *names[] = {"left", "right", "2"};
    CHECK_EQ(vmm_cmd_match("1", ids, names, 3), 0);
    CHECK_EQ(vmm_cmd_match("12", ids, names, 3), 2);
    CHECK_EQ(vmm_cmd_match("2", ids, names, 3), 1); /* a number is an id, never a name */
    CHECK_EQ(vmm_cmd_match("right", ids, names, 3), 1);
    CHECK_EQ(vmm_cmd_match("righ", ids, names, 3), -1);
    CHECK_EQ(vmm_cmd_match("rightt", ids, names, 3), -1);
    CHECK_EQ(vmm_cmd_match("Right", ids, names, 3), -1);
    CHECK_EQ(vmm_cmd_match("3", ids, names, 3), -1);
    CHECK_EQ(vmm_cmd_match("01", ids, names, 3), 0);
    CHECK_EQ(vmm_cmd_match("99999999999999999999", ids, names, 3), -1); /* no wrap to an id */
    CHECK_EQ(vmm_cmd_match("", ids, names, 3), -1);
}

static uint64_t rng_state = 0x243f6a8885a308d3ULL;

static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dULL;
}

/* Random bytes through the editor and the parser (fixed seed): nothing crashes, the line stays
 * printable and bounded, and every parse is one of the promised results. */
TEST(fuzz_vmm_command_line)
{
    const char *seed = getenv("AXVM_FUZZ_SEED");
    if (seed)
        rng_state = strtoull(seed, NULL, 0) | 1;
    static const char *const words[] = {"stop", "start", "reboot", "info",  "log", "list", "help",
                                        "1",    "2",     "left",   "right", " ",   " ",    "\r"};
    unsigned ids[] = {1, 2};
    const char *names[] = {"left", "right"};
    unsigned runs = 0;
    for (unsigned round = 0; round < 20000; round++) {
        struct vmm_line l;
        vmm_line_reset(&l);
        unsigned n = rng() % 100;
        for (unsigned i = 0; i < n; i++) {
            uint64_t r = rng();
            /* Mostly whole words of the command vocabulary, so parses get deep. */
            char one[2] = {(char)(r >> 8), 0};
            const char *w = r % 4 ? words[(r >> 16) % (sizeof(words) / sizeof(words[0]))] : one;
            enum vmm_key k = VMM_KEY_IGNORE;
            for (; *w && k != VMM_KEY_RUN && k != VMM_KEY_CANCEL; w++)
                k = vmm_line_key(&l, *w);
            CHECK(l.len <= VMM_LINE_MAX);
            CHECK_EQ(strlen(l.text), l.len);
            if (k == VMM_KEY_RUN || k == VMM_KEY_CANCEL) {
                struct vmm_cmd cmd;
                vmm_cmd_parse(l.text, &cmd);
                CHECK(cmd.op <= VMM_OP_ERROR);
                CHECK(cmd.op != VMM_OP_ERROR || cmd.error);
                CHECK(strlen(cmd.vm) <= VMM_LINE_MAX);
                if (cmd.op >= VMM_OP_INFO && cmd.op <= VMM_OP_REBOOT) {
                    int m = vmm_cmd_match(cmd.vm, ids, names, 2);
                    CHECK(m == -1 || !strcmp(cmd.vm, names[m]) || atoi(cmd.vm) == (int)ids[m]);
                    runs++;
                }
                vmm_line_reset(&l);
            }
        }
        for (const unsigned char *p = (const unsigned char *)l.text; *p; p++)
            CHECK(*p >= 0x20 && *p < 0x7f);
        /* And the raw bytes, unedited, straight into the parser. */
        char raw[128];
        unsigned rn = rng() % sizeof(raw);
        for (unsigned i = 0; i < rn; i++)
            raw[i] = (char)(rng() | 1); /* no NUL inside */
        raw[rn] = '\0';
        struct vmm_cmd cmd;
        vmm_cmd_parse(raw, &cmd);
        CHECK(cmd.op <= VMM_OP_ERROR);
    }
    CHECK(runs > 100); /* the vocabulary made real commands, not only errors */
}
