/* SPDX-License-Identifier: MIT */
#ifndef AXVM_CMUX_H
#define AXVM_CMUX_H

/*
 * The console multiplexer: every VM's UART output goes to the one physical serial line,
 * prefixed "[<id>:<name>] ", a whole line at a time. When the VM in focus goes idle in the
 * middle of a line (a prompt, an echoed keystroke), that part is shown and the rest follows as it
 * comes; lines from others set such an open line aside and show it again after them.
 *
 * Guest output reaches the terminal as text only: escape sequences are removed, backspace edits
 * the guest's own line (never its prefix), carriage returns are dropped and other control
 * characters are shown as ^X. So a guest cannot move the cursor, erase its prefix or print a
 * line that looks like the hypervisor's.
 *
 * Input from the serial line goes to the VM in focus, through a CMUX_INPUT_SIZE buffer per VM
 * that its UART drains. Input is flow-controlled: when the focused VM's buffer is full, the
 * multiplexer stops reading the serial line (and its receive interrupt), so the bytes stay in
 * the UART and the sender is held back; reading resumes once the VM has taken a quarter of its
 * buffer. A VM that takes none of its input for CMUX_DEAF_MS while more waits is not reading:
 * that is said once, and what is typed to it is dropped (and counted) until it reads again,
 * so the hotkeys keep working.
 * Hotkeys (docs/architecture.md, "Console"): Ctrl-] then 'n' focuses the next VM, 'l' lists
 * the VMs, a digit focuses that VM id, Ctrl-] again sends a literal Ctrl-], and ':' opens the
 * hypervisor's command line (kernel/vmm_cmd.h): it is echoed as "[axvm] :..." and run on Enter.
 *
 * Each VM's finished lines are also kept in its history (history.h): when the focus moves to a
 * VM, what it printed while out of focus is shown again, each line prefixed "[<id>:<name>]< "
 * between two [axvm] lines, and `log` shows all of it the same way.
 */

#include <axvm/history.h>
#include <axvm/spinlock.h>
#include <axvm/types.h>

#define CMUX_LINE_MAX     200
#define CMUX_INPUT_SIZE   4096
#define CMUX_INPUT_RESUME (CMUX_INPUT_SIZE / 4) /* free bytes before reading again */
#define CMUX_DEAF_MS      2000
#define CMUX_ESCAPE       0x1d /* Ctrl-] */

struct cmux_stream {
    char prefix[32];
    char line[CMUX_LINE_MAX];
    unsigned len;
    uint8_t out_state; /* where the output filter is in an escape sequence */
    spinlock_t lock;
    /* Input for this VM: a ring of in_count bytes starting at in_tail. */
    char input[CMUX_INPUT_SIZE];
    unsigned in_tail, in_count;
    bool took;           /* took input since the multiplexer began holding input for it */
    bool deaf;           /* not reading (see above): input for it is dropped */
    unsigned long drops; /* bytes dropped while deaf */
    /* Noted by cmux_read_locked for cmux_input_taken: read the serial line again, and how many
     * dropped bytes to report. */
    bool resume_due;
    unsigned long drops_due;
    unsigned id;
    bool registered;
    /* Told when input arrives (once per batch: notify_due), so the VM's UART can raise its
     * interrupt; called with 'lock' held. */
    bool notify_due;
    void (*input_notify)(void *ctx);
    void *input_ctx;
    /* Its recent output (under 'lock'), and how much of it was written while it had focus. */
    struct history hist;
    uint64_t seen;
    bool keep_open; /* the command line: once open, another VM's partial line does not close it */
    bool unshown;   /* part of a line is written and not on the terminal yet (atomic) */
};

/* Print a finished line (the hypervisor's own log lines come through here), keeping the focused
 * VM's open line intact. */
void cmux_write_line(const char *line, size_t len);

/* Where finished lines go: console_write on the machine, a capture buffer in unit tests. */
extern void (*cmux_sink)(const char *s, size_t len);

/* Where input comes from: the console UART on the machine (console.h), a script in unit tests. */
struct cmux_input_ops {
    int (*getc)(void);          /* the next byte, or -1 */
    void (*pause)(bool paused); /* stop / restart the receive interrupt */
    bool (*by_irq)(void);       /* does input arrive by interrupt (no polling needed)? */
};
extern const struct cmux_input_ops *cmux_input;

void cmux_stream_init(struct cmux_stream *s, unsigned vm_id, const char *name);
void cmux_putc(struct cmux_stream *s, char c);
void cmux_flush(struct cmux_stream *s);

/* The stream's VM has gone idle: if it has focus, show the part of a line it has written. */
void cmux_idle(struct cmux_stream *s);

/*
 * Would cmux_idle have work for this stream's VM if it went idle now? True when the stream has
 * the focus and part of a line waits to be shown (a prompt), or, with 'poll_input', when the
 * serial line has no receive interrupt and must be looked at. Lock-free and cheap: a vCPU that
 * waits in its guest's own WFI/HLT (no halt exit) asks it after its exits and, while true, has
 * its pCPU's timer bring it back for cmux_idle (kernel/vcpu.c).
 */
bool cmux_idle_wanted(const struct cmux_stream *s, bool poll_input);

/* Lock-free: does 's' have the input focus right now (a hint; cmux_focus is exact)? */
bool cmux_has_focus(const struct cmux_stream *s);

/* Input is read by polling the serial line (no receive interrupt). */
bool cmux_input_polled(void);

/* The focus moved to 'focus' (cmux_input.c tells the output side): a line left open by another
 * VM is ended on the terminal. */
void cmux_focus_moved(struct cmux_stream *focus);

/* Make a stream eligible for input focus / drop it (when its VM stops). */
void cmux_register(struct cmux_stream *s);
void cmux_unregister(struct cmux_stream *s);

/* Read what the serial line has, as long as its target can take it, and route it. */
void cmux_poll_input(void);

/*
 * A guest looks at its UART's receive status. Where input arrives by interrupt this does
 * nothing; elsewhere the serial line is read at most once per millisecond.
 */
void cmux_check_input(void);

/*
 * Route one byte as if it came from the serial line (what cmux_poll_input does per byte).
 * Returns false, changing nothing, when the focused VM's buffer is full: the caller keeps the
 * byte and offers it again.
 */
bool cmux_input_byte(char c);

/* Next input byte for this stream, or -1. Taking input lets held-back input flow again. */
int cmux_getc(struct cmux_stream *s);
bool cmux_has_input(const struct cmux_stream *s);

/*
 * For a console device that moves whole buffers (virtio-console), with s->lock held: the
 * device keeps its own state under the stream's lock, so that console input can be handed to it
 * from input_notify (which runs with that lock held) and its output needs no second lock.
 * cmux_write_locked: 'len' bytes of output, as cmux_putc each.
 * cmux_read_locked: take up to 'max' input bytes; returns how many.
 * cmux_input_taken: without the lock, after input was taken (not from input_notify: the reader
 * that called it goes on by itself): lets held-back input flow again, as cmux_getc does.
 */
void cmux_write_locked(struct cmux_stream *s, const char *buf, size_t len);
size_t cmux_read_locked(struct cmux_stream *s, char *buf, size_t max);
void cmux_input_taken(struct cmux_stream *s);

/* Keep the stream's recent output in 'buf' (size bytes). */
void cmux_history_attach(struct cmux_stream *s, char *buf, uint32_t size);

/* Show the stream's history again (all of it, or what it printed since it last had focus). */
void cmux_replay(struct cmux_stream *s, bool unseen_only);

/* The stream lost the focus: what it prints from now on is "unseen". */
void cmux_mark_seen(struct cmux_stream *s);

/* Show the stream's partial line now and keep the line open (as cmux_idle does for the focus). */
void cmux_line_open(struct cmux_stream *s);

/* Runs a command line typed after Ctrl-] ':' (kernel/vmm.c); outside every console lock. */
extern void (*cmux_command)(const char *line);

/* The stream in focus, or NULL. */
struct cmux_stream *cmux_focus(void);

#endif
