/* SPDX-License-Identifier: MIT */
#ifndef AXVM_CMUX_H
#define AXVM_CMUX_H

/*
 * The console multiplexer: every VM's UART output goes to the one physical serial line,
 * prefixed "[<id>:<name>] ", a whole line at a time. When the VM in focus goes idle in the
 * middle of a line (a prompt, an echoed keystroke), that part is shown and the rest follows as it
 * comes; lines from others set such an open line aside and show it again after them. Input from
 * the serial line goes to the VM in focus.
 * Hotkeys (docs/architecture.md, "Console"): Ctrl-] then 'n' focuses the next VM, 'l' lists
 * the VMs, a digit focuses that VM id, Ctrl-] again sends a literal Ctrl-].
 */

#include <axvm/spinlock.h>
#include <axvm/types.h>

#define CMUX_LINE_MAX   200
#define CMUX_INPUT_SIZE 64
#define CMUX_ESCAPE     0x1d /* Ctrl-] */

struct cmux_stream {
    char prefix[32];
    char line[CMUX_LINE_MAX];
    unsigned len;
    spinlock_t lock;
    /* Input for this VM, filled by cmux_poll_input when it has focus. */
    char input[CMUX_INPUT_SIZE];
    unsigned in_head, in_tail;
    unsigned id;
    bool registered;
    /* Told when input arrives, so the VM's UART can raise its interrupt. */
    void (*input_notify)(void *ctx);
    void *input_ctx;
};

/* Print a finished line (the hypervisor's own log lines come through here), keeping the focused
 * VM's open line intact. */
void cmux_write_line(const char *line, size_t len);

/* Where finished lines go: console_write on the machine, a capture buffer in unit tests. */
extern void (*cmux_sink)(const char *s, size_t len);

void cmux_stream_init(struct cmux_stream *s, unsigned vm_id, const char *name);
void cmux_putc(struct cmux_stream *s, char c);
void cmux_flush(struct cmux_stream *s);

/* The stream's VM has gone idle: if it has focus, show the part of a line it has written. */
void cmux_idle(struct cmux_stream *s);

/* Make a stream eligible for input focus / drop it (when its VM stops). */
void cmux_register(struct cmux_stream *s);
void cmux_unregister(struct cmux_stream *s);

/* Read what the serial line has and route it; cheap when nothing is waiting. */
void cmux_poll_input(void);

/* Feed one byte as if it came from the serial line (what cmux_poll_input does per byte). */
void cmux_input_byte(char c);

/* Next input byte for this stream, or -1. */
int cmux_getc(struct cmux_stream *s);
bool cmux_has_input(const struct cmux_stream *s);

/* The stream in focus, or NULL. */
struct cmux_stream *cmux_focus(void);

#endif
