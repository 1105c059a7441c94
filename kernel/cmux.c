// SPDX-License-Identifier: MIT
#include <axvm/cmux.h>
#include <axvm/console.h>
#include <axvm/format.h>
#include <axvm/log.h>
#include <axvm/panic.h>

void (*cmux_sink)(const char *s, size_t len) = console_write;

void cmux_stream_init(struct cmux_stream *s, unsigned vm_id, const char *name)
{
    format_snprintf(s->prefix, sizeof(s->prefix), "[%u:%s] ", vm_id, name);
    s->len = 0;
    s->out_state = 0;
    s->in_tail = s->in_count = 0;
    s->took = s->deaf = false;
    s->drops = 0;
    s->resume_due = false;
    s->drops_due = 0;
    s->notify_due = false;
    s->id = vm_id;
    s->lock = (spinlock_t)SPINLOCK_INIT;
    s->input_notify = NULL;
    s->registered = false;
    s->input_ctx = NULL;
    history_init(&s->hist, NULL, 0);
    s->seen = 0;
    s->keep_open = false;
    s->unshown = false;
}

void cmux_history_attach(struct cmux_stream *s, char *buf, uint32_t size)
{
    unsigned long flags = spin_lock_irqsave(&s->lock);
    history_init(&s->hist, buf, size);
    s->seen = 0;
    spin_unlock_irqrestore(&s->lock, flags);
}

/* The line is finished: keep it. Called with s->lock. */
static void history_record(struct cmux_stream *s)
{
    history_write(&s->hist, s->line, s->len);
    history_write(&s->hist, "\n", 1);
}

/* ---- output ------------------------------------------------------------------------------ */

/*
 * Lines go out whole, so the VMs' output never interleaves within a line. A prompt or an echoed
 * keystroke has no newline after it, though: when the VM in focus goes idle with part of a line
 * written, that part goes out ("opens" the line) and the rest of the line follows as it comes.
 * A whole line from anyone else arriving meanwhile first ends the open line visually, and
 * afterwards repeats it (prefix and the text so far) so typing goes on where it was.
 * output_lock keeps those sequences whole.
 */
static spinlock_t output_lock = SPINLOCK_INIT;
static struct cmux_stream *open_stream; /* its line is open on the terminal */

static void sink_str(const char *p)
{
    cmux_sink(p, __builtin_strlen(p));
}

void cmux_write_line(const char *line, size_t len)
{
    if (panic_in_progress()) {
        /* Another CPU may have died holding the lock: the report matters more. */
        cmux_sink(line, len);
        return;
    }
    unsigned long flags = spin_lock_irqsave(&output_lock);
    if (open_stream)
        cmux_sink("\n", 1);
    cmux_sink(line, len);
    if (open_stream) {
        sink_str(open_stream->prefix);
        cmux_sink(open_stream->line, open_stream->len);
    }
    spin_unlock_irqrestore(&output_lock, flags);
}

/* One sink call per line, so lines of different VMs never interleave. Called with s->lock. */
static void emit_line(struct cmux_stream *s)
{
    char buf[sizeof(s->prefix) + CMUX_LINE_MAX + 1];
    size_t n = 0;
    for (const char *p = s->prefix; *p; p++)
        buf[n++] = *p;
    for (unsigned i = 0; i < s->len; i++)
        buf[n++] = s->line[i];
    buf[n++] = '\n';
    history_record(s);
    s->len = 0;
    __atomic_store_n(&s->unshown, false, __ATOMIC_RELAXED);
    cmux_write_line(buf, n);
}

/* A character for the stream whose line is open: it goes out now. Called with s->lock. */
static void emit_char_open(struct cmux_stream *s, char c)
{
    unsigned long flags = spin_lock_irqsave(&output_lock);
    cmux_sink(&c, 1);
    if (c != '\n')
        s->line[s->len++] = c;
    if (c == '\n' || s->len == CMUX_LINE_MAX) {
        if (c != '\n')
            cmux_sink("\n", 1);
        history_record(s);
        s->len = 0;
        open_stream = NULL;
    }
    spin_unlock_irqrestore(&output_lock, flags);
}

/* Add one byte of text (or the newline) to the stream's line. Called with s->lock. */
static void line_add(struct cmux_stream *s, char c)
{
    if (open_stream == s) {
        emit_char_open(s, c);
    } else if (c == '\n') {
        emit_line(s);
    } else {
        s->line[s->len++] = c;
        __atomic_store_n(&s->unshown, true, __ATOMIC_RELAXED);
        if (s->len == CMUX_LINE_MAX)
            emit_line(s); /* an endless line still comes out, in pieces */
    }
}

/*
 * Backspace: take the last character (all bytes of a UTF-8 one) off the line. On an open line
 * the terminal's cursor goes back too, but only over a printable ASCII character, which is
 * exactly one column wide: a tab or a wide or combining character could otherwise let it reach
 * into the prefix. Called with s->lock.
 */
static void line_erase(struct cmux_stream *s)
{
    if (!s->len)
        return;
    char last = s->line[--s->len];
    while (s->len && (last & 0xc0) == 0x80) /* a UTF-8 continuation byte */
        last = s->line[--s->len];
    if (open_stream == s && last >= 0x20 && last < 0x7f) {
        unsigned long flags = spin_lock_irqsave(&output_lock);
        cmux_sink("\b", 1);
        spin_unlock_irqrestore(&output_lock, flags);
    }
}

/* Where the output filter is: in plain text or inside a sequence it is removing. */
enum {
    OUT_TEXT,
    OUT_ESC,     /* after ESC */
    OUT_CSI,     /* after ESC [: parameters until a final byte */
    OUT_OSC,     /* after ESC ]: a string until BEL or ESC \ */
    OUT_OSC_ESC, /* ESC inside such a string */
    OUT_C2,      /* after 0xc2, which with 0x80..0x9f encodes a C1 control in UTF-8 */
};

/* Plain text: returns the state after 'c', having added what it shows. Called with s->lock. */
static uint8_t out_text(struct cmux_stream *s, unsigned char c)
{
    if (c == '\n' || c == '\t' || (c >= 0x20 && c != 0x7f && c != 0xc2)) {
        line_add(s, (char)c);
    } else if (c == 0x1b) {
        return OUT_ESC;
    } else if (c == 0xc2) {
        return OUT_C2;
    } else if (c == '\b' || c == 0x7f) {
        line_erase(s);
    } else if (c != '\r' && c != 0) {
        /* Other C0 controls shown, harmlessly, in caret notation; CR and NUL dropped. */
        line_add(s, '^');
        line_add(s, (char)(c + 0x40));
    }
    return OUT_TEXT;
}

/* The filter: one byte of guest output in, text out. Called with s->lock. */
static uint8_t out_filter(struct cmux_stream *s, unsigned char c)
{
    switch (s->out_state) {
    case OUT_ESC:
        if (c == '[')
            return OUT_CSI;
        if (c == ']')
            return OUT_OSC;
        if (c >= 0x20 && c <= 0x2f)
            return OUT_ESC; /* intermediate bytes */
        if (c >= 0x30 && c <= 0x7e)
            return OUT_TEXT; /* the final byte of a two-byte sequence */
        return out_text(s, c);
    case OUT_CSI:
        if (c >= 0x20 && c <= 0x3f)
            return OUT_CSI;
        if (c >= 0x40 && c <= 0x7e)
            return OUT_TEXT;
        return out_text(s, c);
    case OUT_OSC:
        if (c == 0x1b)
            return OUT_OSC_ESC;
        if (c == '\n')
            return out_text(s, c); /* an unterminated string ends with its line */
        return c == 0x07 ? OUT_TEXT : OUT_OSC;
    case OUT_OSC_ESC:
        if (c == '\\')
            return OUT_TEXT;
        s->out_state = OUT_ESC;
        return out_filter(s, c);
    case OUT_C2:
        if (c >= 0x80 && c <= 0x9f) {
            line_add(s, '?');
            return OUT_TEXT;
        }
        line_add(s, (char)0xc2);
        return out_text(s, c);
    default:
        return out_text(s, c);
    }
}

void cmux_putc(struct cmux_stream *s, char c)
{
    unsigned long flags = spin_lock_irqsave(&s->lock);
    s->out_state = out_filter(s, (unsigned char)c);
    spin_unlock_irqrestore(&s->lock, flags);
}

void cmux_write_locked(struct cmux_stream *s, const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        s->out_state = out_filter(s, (unsigned char)buf[i]);
}

/* Open the stream's line on the terminal. */
static void line_open(struct cmux_stream *s, bool always)
{
    unsigned long flags = spin_lock_irqsave(&s->lock);
    unsigned long oflags = spin_lock_irqsave(&output_lock);
    bool held = open_stream && open_stream != s && open_stream->keep_open;
    if ((s->len || always) && open_stream != s && !held) {
        if (open_stream)
            cmux_sink("\n", 1); /* focus moved while another line was open */
        sink_str(s->prefix);
        cmux_sink(s->line, s->len);
        open_stream = s;
    }
    /* Still not shown only while another stream holds the terminal (the command line). */
    __atomic_store_n(&s->unshown, s->len && open_stream != s, __ATOMIC_RELAXED);
    spin_unlock_irqrestore(&output_lock, oflags);
    spin_unlock_irqrestore(&s->lock, flags);
}

void cmux_line_open(struct cmux_stream *s)
{
    line_open(s, true);
}

void cmux_idle(struct cmux_stream *s)
{
    cmux_check_input(); /* a VM waiting for input may be waiting for us */
    /* The line and the open stream are checked under the locks in line_open: another vCPU of
     * the VM may be writing to the line meanwhile. */
    if (s == cmux_focus())
        line_open(s, false);
}

bool cmux_idle_wanted(const struct cmux_stream *s, bool poll_input)
{
    if (poll_input && cmux_input_polled())
        return true;
    return __atomic_load_n(&s->unshown, __ATOMIC_RELAXED) && cmux_has_focus(s);
}

void cmux_focus_moved(struct cmux_stream *focus)
{
    unsigned long flags = spin_lock_irqsave(&output_lock);
    if (open_stream && open_stream != focus && !open_stream->keep_open) {
        /* Not shown again after other lines: it goes out whole when it ends. */
        cmux_sink("\n", 1);
        open_stream = NULL;
    }
    spin_unlock_irqrestore(&output_lock, flags);
}

void cmux_flush(struct cmux_stream *s)
{
    unsigned long flags = spin_lock_irqsave(&s->lock);
    unsigned long oflags = spin_lock_irqsave(&output_lock);
    if (open_stream == s) {
        cmux_sink("\n", 1);
        open_stream = NULL;
        s->len = 0;
        __atomic_store_n(&s->unshown, false, __ATOMIC_RELAXED);
    }
    spin_unlock_irqrestore(&output_lock, oflags);
    if (s->len)
        emit_line(s);
    spin_unlock_irqrestore(&s->lock, flags);
}

/* ---- history ----------------------------------------------------------------------------- */

void cmux_mark_seen(struct cmux_stream *s)
{
    unsigned long flags = spin_lock_irqsave(&s->lock);
    s->seen = s->hist.head;
    spin_unlock_irqrestore(&s->lock, flags);
}

/*
 * Replayed lines are prefixed "[<id>:<name>]< ": no guest line can look like one (every guest
 * line starts with its own "[<id>:<name>] "). The stream's lock is taken per line, not for the
 * whole replay: up to VM_HISTORY_MAX bytes on a slow serial line must not keep the VM's vCPUs
 * waiting to print (its new lines may come out between replayed ones, with their own prefix).
 * The replay ends where the history ended when it began.
 */
void cmux_replay(struct cmux_stream *s, bool unseen_only)
{
    int plen = (int)__builtin_strlen(s->prefix) - 1;
    unsigned long flags = spin_lock_irqsave(&s->lock);
    bool kept = s->hist.buf != NULL;
    uint64_t pos = unseen_only ? s->seen : 0, end = s->hist.head;
    bool lost = kept && pos < history_oldest(&s->hist);
    s->seen = end;
    spin_unlock_irqrestore(&s->lock, flags);
    if (!kept || pos >= end) {
        if (!unseen_only)
            log_info("console: %.*s %s", plen, s->prefix,
                     kept ? "has printed nothing yet" : "keeps no history");
        return;
    }
    log_info("console: %.*s %s%s:", plen, s->prefix,
             unseen_only ? "printed while out of focus" : "recent output",
             lost ? " (older lines are gone)" : "");
    char buf[sizeof(s->prefix) + CMUX_LINE_MAX + 2];
    size_t hdr = (size_t)plen;
    __builtin_memcpy(buf, s->prefix, hdr);
    buf[hdr++] = '<';
    buf[hdr++] = ' ';
    for (;;) {
        flags = spin_lock_irqsave(&s->lock);
        int n = pos < end ? history_next_line(&s->hist, &pos, buf + hdr, CMUX_LINE_MAX) : -1;
        spin_unlock_irqrestore(&s->lock, flags);
        if (n < 0)
            break;
        buf[hdr + (size_t)n] = '\n';
        cmux_write_line(buf, hdr + (size_t)n + 1);
    }
    log_info("console: end of %.*s's history", plen, s->prefix);
}
