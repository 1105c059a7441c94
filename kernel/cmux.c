// SPDX-License-Identifier: MIT
#include <axvm/cmux.h>
#include <axvm/console.h>
#include <axvm/format.h>
#include <axvm/log.h>
#include <axvm/panic.h>

#define CMUX_MAX_STREAMS 8

void (*cmux_sink)(const char *s, size_t len) = console_write;

static struct cmux_stream *streams[CMUX_MAX_STREAMS];
static int focus = -1;
static bool escape_pending;
static spinlock_t registry_lock = SPINLOCK_INIT;
static spinlock_t input_lock = SPINLOCK_INIT;

void cmux_stream_init(struct cmux_stream *s, unsigned vm_id, const char *name)
{
    format_snprintf(s->prefix, sizeof(s->prefix), "[%u:%s] ", vm_id, name);
    s->len = 0;
    s->in_head = s->in_tail = 0;
    s->id = vm_id;
    s->lock = (spinlock_t)SPINLOCK_INIT;
    s->input_notify = NULL;
    s->registered = false;
    s->input_ctx = NULL;
}

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
    s->len = 0;
    cmux_write_line(buf, n);
}

/* A character for the stream whose line is open: it goes out now. Called with s->lock. */
static void emit_char_open(struct cmux_stream *s, char c)
{
    unsigned long flags = spin_lock_irqsave(&output_lock);
    cmux_sink(&c, 1);
    if (c == '\n' || s->len + 1 == CMUX_LINE_MAX) {
        if (c != '\n')
            cmux_sink("\n", 1);
        s->len = 0;
        open_stream = NULL;
    } else {
        s->line[s->len++] = c;
    }
    spin_unlock_irqrestore(&output_lock, flags);
}

void cmux_putc(struct cmux_stream *s, char c)
{
    if (c == '\r')
        return;
    unsigned long flags = spin_lock_irqsave(&s->lock);
    if (open_stream == s) {
        emit_char_open(s, c);
    } else if (c == '\n') {
        emit_line(s);
    } else {
        s->line[s->len++] = c;
        if (s->len == CMUX_LINE_MAX)
            emit_line(s); /* an endless line still comes out, in pieces */
    }
    spin_unlock_irqrestore(&s->lock, flags);
}

void cmux_idle(struct cmux_stream *s)
{
    /* The line and the open stream are checked under the locks below: another vCPU of the VM
     * may be writing to the line meanwhile. */
    if (s != cmux_focus())
        return;
    unsigned long flags = spin_lock_irqsave(&s->lock);
    unsigned long oflags = spin_lock_irqsave(&output_lock);
    if (s->len && open_stream != s) {
        if (open_stream)
            cmux_sink("\n", 1); /* focus moved while another line was open */
        sink_str(s->prefix);
        cmux_sink(s->line, s->len);
        open_stream = s;
    }
    spin_unlock_irqrestore(&output_lock, oflags);
    spin_unlock_irqrestore(&s->lock, flags);
}

void cmux_flush(struct cmux_stream *s)
{
    unsigned long flags = spin_lock_irqsave(&s->lock);
    unsigned long oflags = spin_lock_irqsave(&output_lock);
    if (open_stream == s) {
        cmux_sink("\n", 1);
        open_stream = NULL;
        s->len = 0;
    }
    spin_unlock_irqrestore(&output_lock, oflags);
    if (s->len)
        emit_line(s);
    spin_unlock_irqrestore(&s->lock, flags);
}

void cmux_register(struct cmux_stream *s)
{
    unsigned long flags = spin_lock_irqsave(&registry_lock);
    for (int i = 0; i < CMUX_MAX_STREAMS; i++) {
        if (!streams[i]) {
            streams[i] = s;
            s->registered = true;
            if (focus < 0)
                focus = i;
            break;
        }
    }
    spin_unlock_irqrestore(&registry_lock, flags);
}

/* Next registered stream after 'from' (wrapping), or -1. Called with registry_lock. */
static int next_stream(int from)
{
    for (int k = 1; k <= CMUX_MAX_STREAMS; k++) {
        int i = (from + k + CMUX_MAX_STREAMS) % CMUX_MAX_STREAMS;
        if (streams[i])
            return i;
    }
    return -1;
}

void cmux_unregister(struct cmux_stream *s)
{
    cmux_flush(s);
    unsigned long flags = spin_lock_irqsave(&registry_lock);
    for (int i = 0; i < CMUX_MAX_STREAMS; i++) {
        if (streams[i] == s) {
            streams[i] = NULL;
            s->registered = false;
            if (focus == i)
                focus = next_stream(i);
        }
    }
    spin_unlock_irqrestore(&registry_lock, flags);
}

/* Called with registry_lock. */
static struct cmux_stream *focus_locked(void)
{
    return focus >= 0 ? streams[focus] : NULL;
}

struct cmux_stream *cmux_focus(void)
{
    unsigned long flags = spin_lock_irqsave(&registry_lock);
    struct cmux_stream *s = focus_locked();
    spin_unlock_irqrestore(&registry_lock, flags);
    return s;
}

static void announce_focus(void)
{
    struct cmux_stream *s = cmux_focus();
    if (s)
        log_info("console: input goes to %.*s", (int)__builtin_strlen(s->prefix) - 1, s->prefix);
    else
        log_info("console: no VM to send input to");
}

static void list_streams(void)
{
    for (int i = 0; i < CMUX_MAX_STREAMS; i++)
        if (streams[i])
            log_info("console: %s%.*s", i == focus ? "* " : "  ",
                     (int)__builtin_strlen(streams[i]->prefix) - 1, streams[i]->prefix);
}

static void deliver(struct cmux_stream *s, char c)
{
    unsigned long flags = spin_lock_irqsave(&s->lock);
    unsigned next = (s->in_head + 1) % CMUX_INPUT_SIZE;
    if (next != s->in_tail) { /* full: drop, as a real UART overruns */
        s->input[s->in_head] = c;
        s->in_head = next;
    }
    spin_unlock_irqrestore(&s->lock, flags);
    if (s->input_notify)
        s->input_notify(s->input_ctx);
}

void cmux_input_byte(char c)
{
    unsigned long flags = spin_lock_irqsave(&registry_lock);
    struct cmux_stream *target = NULL;
    bool announce = false, list = false;
    if (escape_pending) {
        escape_pending = false;
        if (c == 'n' || c == 'N') {
            focus = next_stream(focus);
            announce = true;
        } else if (c == 'l' || c == 'L') {
            list = true;
        } else if (c >= '0' && c <= '9') {
            for (int i = 0; i < CMUX_MAX_STREAMS; i++)
                if (streams[i] && streams[i]->id == (unsigned)(c - '0'))
                    focus = i;
            announce = true;
        } else if (c == CMUX_ESCAPE) {
            target = focus_locked();
        }
    } else if (c == CMUX_ESCAPE) {
        escape_pending = true;
    } else {
        target = focus_locked();
    }
    spin_unlock_irqrestore(&registry_lock, flags);
    if (target)
        deliver(target, c);
    if (announce)
        announce_focus();
    if (list)
        list_streams();
}

void cmux_poll_input(void)
{
    /* One poller at a time; the others have nothing to add. */
    if (!spin_trylock(&input_lock))
        return;
    int c;
    while ((c = console_getc()) >= 0)
        cmux_input_byte((char)c);
    spin_unlock(&input_lock);
}

int cmux_getc(struct cmux_stream *s)
{
    int c = -1;
    unsigned long flags = spin_lock_irqsave(&s->lock);
    if (s->in_tail != s->in_head) {
        c = (unsigned char)s->input[s->in_tail];
        s->in_tail = (s->in_tail + 1) % CMUX_INPUT_SIZE;
    }
    spin_unlock_irqrestore(&s->lock, flags);
    return c;
}

bool cmux_has_input(const struct cmux_stream *s)
{
    return s->in_tail != s->in_head;
}
