// SPDX-License-Identifier: MIT
/*
 * Console input: from the serial line to the focused VM's buffer, with the hotkeys and the flow
 * control described in cmux.h.
 */
#include <axvm/arch.h>
#include <axvm/cmux.h>
#include <axvm/console.h>
#include <axvm/log.h>
#include <axvm/vmm_cmd.h>

#define CMUX_MAX_STREAMS 8

static const struct cmux_input_ops console_input = {
    .getc = console_getc,
    .pause = console_rx_pause,
    .by_irq = console_rx_irq_active,
};
const struct cmux_input_ops *cmux_input = &console_input;

/* The streams that can have focus, and the hotkey state; under registry_lock. */
static struct cmux_stream *streams[CMUX_MAX_STREAMS];
static int focus = -1;
/* streams[focus], also readable without the lock (cmux_has_focus): set only by focus_set. */
static struct cmux_stream *focus_stream;
static bool escape_pending;
static bool said_no_target; /* "no VM takes input" said since a stream last registered */
static bool cmd_mode;       /* after Ctrl-] ':': bytes go to the command line */
/* The stream the focus was last settled on (focus_settle): what lost the focus since, and
 * what gained it, whatever moved it. */
static struct cmux_stream *settled;
static spinlock_t registry_lock = SPINLOCK_INIT;

/*
 * The command line, edited by the one reader of the serial line at a time (under input_lock, or
 * a unit test's single thread): echoed through a stream of its own, run outside input_lock once
 * Enter was typed (a command may stop a VM, whose release reads input again).
 */
void (*cmux_command)(const char *line);
static struct vmm_line cmd_line;
static struct cmux_stream cmd_echo;
static char cmd_ready[VMM_LINE_MAX + 1];
static bool cmd_pending;

/*
 * Flow control, under input_lock (one reader of the serial line at a time): a byte read from the
 * serial line that the focused VM had no room for, the stream it waits for and since when, and
 * whether the receive interrupt is off meanwhile.
 */
static spinlock_t input_lock = SPINLOCK_INIT;
static int held = -1;
static struct cmux_stream *waiting_for;
static uint64_t held_since;
static bool paused;
static uint64_t last_check; /* counter value of cmux_check_input's last poll */

/* ---- focus and hotkeys -------------------------------------------------------------------- */

/* Called with registry_lock. */
static void focus_set(int i)
{
    focus = i;
    __atomic_store_n(&focus_stream, i >= 0 ? streams[i] : NULL, __ATOMIC_RELAXED);
}

static void focus_settle(bool announced);

void cmux_register(struct cmux_stream *s)
{
    unsigned long flags = spin_lock_irqsave(&registry_lock);
    for (int i = 0; i < CMUX_MAX_STREAMS; i++) {
        if (!streams[i]) {
            streams[i] = s;
            s->registered = true;
            if (focus < 0)
                focus_set(i);
            break;
        }
    }
    said_no_target = false;
    spin_unlock_irqrestore(&registry_lock, flags);
    focus_settle(false);
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
                focus_set(next_stream(i));
        }
    }
    spin_unlock_irqrestore(&registry_lock, flags);
    cmux_focus_moved(cmux_focus());
    focus_settle(false);
    cmux_poll_input(); /* input held back for it goes to whoever has focus now */
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

bool cmux_has_focus(const struct cmux_stream *s)
{
    return __atomic_load_n(&focus_stream, __ATOMIC_RELAXED) == s;
}

bool cmux_input_polled(void)
{
    return !cmux_input->by_irq();
}

/* The stream's name as shown, "[1:linux]", for the hypervisor's own lines. */
#define STREAM_NAME(s) (int)__builtin_strlen((s)->prefix) - 1, (s)->prefix

static void announce_focus(void)
{
    struct cmux_stream *s = cmux_focus();
    cmux_focus_moved(s);
    if (s)
        log_info("console: input goes to %.*s", STREAM_NAME(s));
    else
        log_info("console: no VM to send input to");
}

/*
 * After any focus change (a hotkey, a VM stopping or starting): the stream that lost the focus
 * has seen what it printed so far, and the one that has it now shows again what it printed
 * while it had not ("input goes to" first, unless the hotkey said it already). Outside every
 * console lock: the replay prints.
 */
static void focus_settle(bool announced)
{
    unsigned long flags = spin_lock_irqsave(&registry_lock);
    struct cmux_stream *now = focus_locked(), *was = settled;
    settled = now;
    spin_unlock_irqrestore(&registry_lock, flags);
    if (now == was)
        return;
    if (was)
        cmux_mark_seen(was);
    if (!now)
        return;
    if (!announced && was)
        announce_focus();
    cmux_replay(now, true);
}

static void list_streams(void)
{
    for (int i = 0; i < CMUX_MAX_STREAMS; i++)
        if (streams[i])
            log_info("console: %s%.*s%s", i == focus ? "* " : "  ", STREAM_NAME(streams[i]),
                     streams[i]->deaf ? " (not reading its input)" : "");
}

/* A hotkey after the escape. Called with registry_lock; returns what to say afterwards. */
enum hotkey_note { NOTE_NONE, NOTE_FOCUS, NOTE_LIST, NOTE_COMMAND, NOTE_KEY };

static enum hotkey_note hotkey(char c)
{
    enum hotkey_note note = NOTE_NONE; /* anything else after the escape is ignored */
    if (c == 'n' || c == 'N') {
        focus_set(next_stream(focus));
        note = NOTE_FOCUS;
    } else if (c == 'l' || c == 'L') {
        note = NOTE_LIST;
    } else if (c == ':') {
        cmd_mode = true;
        note = NOTE_COMMAND;
    } else if (c >= '0' && c <= '9') {
        for (int i = 0; i < CMUX_MAX_STREAMS; i++)
            if (streams[i] && streams[i]->id == (unsigned)(c - '0'))
                focus_set(i);
        note = NOTE_FOCUS;
    }
    return note;
}

/* ---- the command line --------------------------------------------------------------------- */

static void command_open(void)
{
    cmux_stream_init(&cmd_echo, 0, "");
    __builtin_memcpy(cmd_echo.prefix, "[axvm] :", sizeof("[axvm] :"));
    cmd_echo.keep_open = true;
    vmm_line_reset(&cmd_line);
    cmux_line_open(&cmd_echo);
}

static void command_key(char c)
{
    enum vmm_key k = vmm_line_key(&cmd_line, c);
    switch (k) {
    case VMM_KEY_ECHO:
        cmux_putc(&cmd_echo, c);
        break;
    case VMM_KEY_ERASE:
        cmux_putc(&cmd_echo, '\b');
        cmux_putc(&cmd_echo, ' ');
        cmux_putc(&cmd_echo, '\b');
        break;
    case VMM_KEY_RUN:
    case VMM_KEY_CANCEL:
        cmux_putc(&cmd_echo, '\n');
        __atomic_store_n(&cmd_mode, false, __ATOMIC_RELAXED);
        if (k == VMM_KEY_CANCEL) {
            log_info("console: command abandoned");
        } else {
            __builtin_memcpy(cmd_ready, cmd_line.text, sizeof(cmd_ready));
            cmd_pending = true;
        }
        break;
    default:
        break;
    }
}

/* ---- the buffers ------------------------------------------------------------------------- */

/* Store 'c' for the stream (its devices are told by notify_input): false if its buffer is
 * full. A VM that is not reading loses it (counted) instead. */
static bool deliver(struct cmux_stream *s, char c)
{
    bool taken = true;
    unsigned long flags = spin_lock_irqsave(&s->lock);
    if (s->in_count < CMUX_INPUT_SIZE) {
        s->input[(s->in_tail + s->in_count++) % CMUX_INPUT_SIZE] = c;
        s->notify_due = true;
    } else if (s->deaf) {
        s->drops++;
    } else {
        taken = false;
    }
    spin_unlock_irqrestore(&s->lock, flags);
    return taken;
}

/*
 * Tell the stream's devices that input arrived (a UART raises its receive interrupt, a virtio
 * console fills the buffers its driver posted): once per batch of bytes read from the serial
 * line, not per byte, so a paste fills whole buffers. Under the stream's lock, which the VM takes
 * to unbind its devices before they go (kernel/vm.c): none is told once they are gone.
 */
static void notify_input(struct cmux_stream *s)
{
    if (!s)
        return;
    unsigned long flags = spin_lock_irqsave(&s->lock);
    if (s->notify_due && s->input_notify)
        s->input_notify(s->input_ctx);
    s->notify_due = false;
    spin_unlock_irqrestore(&s->lock, flags);
}

/* Route one byte; '*to' is the stream it was stored for (NULL: none). */
static bool route_byte(char c, struct cmux_stream **to)
{
    *to = NULL;
    unsigned long flags = spin_lock_irqsave(&registry_lock);
    struct cmux_stream *target = NULL;
    enum hotkey_note note = NOTE_NONE;
    bool taken = true, no_target = false;
    if (cmd_mode) {
        note = NOTE_KEY;
    } else if (escape_pending && c != CMUX_ESCAPE) {
        escape_pending = false;
        note = hotkey(c);
    } else if (!escape_pending && c == CMUX_ESCAPE) {
        escape_pending = true;
    } else {
        /* Ordinary input, or the second escape of a literal one. */
        target = focus_locked();
        taken = !target || deliver(target, c);
        if (taken)
            escape_pending = false;
        if (taken && target)
            *to = target;
        no_target = !target && !said_no_target;
        said_no_target = said_no_target || no_target;
    }
    spin_unlock_irqrestore(&registry_lock, flags);
    if (no_target)
        log_warn("console: no VM takes input: what is typed is dropped");
    if (note == NOTE_FOCUS) {
        announce_focus();
        focus_settle(true);
    } else if (note == NOTE_LIST) {
        list_streams();
    } else if (note == NOTE_COMMAND) {
        command_open();
    } else if (note == NOTE_KEY) {
        command_key(c);
    }
    return taken;
}

bool cmux_input_byte(char c)
{
    struct cmux_stream *to;
    bool taken = route_byte(c, &to);
    notify_input(to);
    return taken;
}

/*
 * Take up to 'max' bytes with s->lock held. What must follow outside the lock (reading the
 * serial line again once there is room, saying how much a deaf VM lost) is noted in the stream
 * for cmux_input_taken.
 */
size_t cmux_read_locked(struct cmux_stream *s, char *buf, size_t max)
{
    size_t n = 0;
    while (n < max && s->in_count) {
        buf[n++] = s->input[s->in_tail];
        s->in_tail = (s->in_tail + 1) % CMUX_INPUT_SIZE;
        s->in_count--;
    }
    if (!n)
        return 0;
    if (__atomic_load_n(&waiting_for, __ATOMIC_ACQUIRE) == s) {
        s->took = true;
        s->resume_due |= CMUX_INPUT_SIZE - s->in_count >= CMUX_INPUT_RESUME;
    }
    if (s->deaf) {
        s->deaf = false;
        s->drops_due += s->drops;
        s->drops = 0;
        s->resume_due = true;
    }
    return n;
}

void cmux_input_taken(struct cmux_stream *s)
{
    unsigned long flags = spin_lock_irqsave(&s->lock);
    bool resume = s->resume_due;
    unsigned long drops = s->drops_due;
    s->resume_due = false;
    s->drops_due = 0;
    spin_unlock_irqrestore(&s->lock, flags);
    if (drops)
        log_warn("console: %.*s reads its input again; %lu bytes typed to it were dropped",
                 STREAM_NAME(s), drops);
    if (resume)
        cmux_poll_input();
}

int cmux_getc(struct cmux_stream *s)
{
    char c;
    unsigned long flags = spin_lock_irqsave(&s->lock);
    size_t n = cmux_read_locked(s, &c, 1);
    bool follow = s->resume_due || s->drops_due;
    spin_unlock_irqrestore(&s->lock, flags);
    if (follow)
        cmux_input_taken(s);
    return n ? (unsigned char)c : -1;
}

bool cmux_has_input(const struct cmux_stream *s)
{
    return __atomic_load_n(&s->in_count, __ATOMIC_RELAXED) != 0;
}

/* ---- reading the serial line ------------------------------------------------------------- */

static unsigned room(struct cmux_stream *s)
{
    unsigned long flags = spin_lock_irqsave(&s->lock);
    unsigned n = CMUX_INPUT_SIZE - s->in_count;
    spin_unlock_irqrestore(&s->lock, flags);
    return n;
}

/* Start (or go on) waiting for 's' to make room. Called with input_lock. */
static void wait_for(struct cmux_stream *s, uint64_t now)
{
    if (waiting_for == s)
        return;
    unsigned long flags = spin_lock_irqsave(&s->lock);
    s->took = false;
    spin_unlock_irqrestore(&s->lock, flags);
    held_since = now;
    __atomic_store_n(&waiting_for, s, __ATOMIC_RELEASE);
}

/*
 * Has the stream we wait for taken nothing for CMUX_DEAF_MS? Then it is not reading: say so
 * once, and from now on what is typed to it is dropped. Called with input_lock.
 */
static bool gone_deaf(uint64_t now)
{
    struct cmux_stream *s = waiting_for;
    if (now - held_since < arch_counter_freq() / 1000 * CMUX_DEAF_MS)
        return false;
    bool deaf = false;
    unsigned long flags = spin_lock_irqsave(&s->lock);
    if (s->took) {
        s->took = false; /* slow but reading: wait on */
    } else {
        s->deaf = deaf = true;
        s->drops = 0;
    }
    spin_unlock_irqrestore(&s->lock, flags);
    held_since = now;
    if (deaf)
        log_warn("console: %.*s has taken no input for %u s: what is typed to it is dropped "
                 "until it reads again (Ctrl-] n moves the focus)",
                 STREAM_NAME(s), CMUX_DEAF_MS / 1000);
    return deaf;
}

/* Read and route bytes while their target can take them. Called with input_lock. */
static void poll_locked(void)
{
    struct cmux_stream *told = NULL; /* bytes were stored for it since its devices were told */
    for (;;) {
        if (cmd_pending)
            break; /* run it before reading on: the next byte may depend on it */
        int c = held >= 0 ? held : cmux_input->getc();
        if (c < 0)
            break;
        struct cmux_stream *to;
        if (route_byte((char)c, &to)) {
            __atomic_store_n(&held, -1, __ATOMIC_RELAXED);
            if (told && to != told)
                notify_input(told);
            told = to ? to : told;
            continue;
        }
        /* Full: its devices hear of what it has before we wait for them to take some. */
        notify_input(told);
        told = NULL;
        uint64_t now = arch_counter_read();
        __atomic_store_n(&held, c, __ATOMIC_RELAXED);
        struct cmux_stream *target = cmux_focus();
        if (!target)
            continue; /* its VM stopped meanwhile: try again, for whoever has focus now */
        wait_for(target, now);
        /* Room made after the byte was refused (the VM could not know we wait): offer it again
         * at once. Later takers see waiting_for. */
        if (room(waiting_for))
            continue;
        if (!gone_deaf(now))
            break;
    }
    notify_input(told);
    if (held < 0)
        __atomic_store_n(&waiting_for, NULL, __ATOMIC_RELEASE);
    bool pause = held >= 0;
    if (pause != paused) {
        paused = pause;
        cmux_input->pause(pause);
    }
}

void cmux_poll_input(void)
{
    for (;;) {
        char line[VMM_LINE_MAX + 1];
        unsigned long flags = spin_lock_irqsave(&input_lock);
        poll_locked();
        bool run = cmd_pending;
        if (run)
            __builtin_memcpy(line, cmd_ready, sizeof(line));
        cmd_pending = false;
        spin_unlock_irqrestore(&input_lock, flags);
        if (!run)
            return;
        if (cmux_command)
            cmux_command(line);
    }
}

void cmux_check_input(void)
{
    /* Without held-back input, an interrupt brings what arrives. Without the interrupt (or
     * to notice a VM that stopped reading) a look per millisecond is enough: a guest that
     * polls its UART status in a loop must not pay for a physical UART access each time. */
    if (__atomic_load_n(&held, __ATOMIC_RELAXED) < 0 && cmux_input->by_irq())
        return;
    uint64_t now = arch_counter_read();
    if (now - __atomic_load_n(&last_check, __ATOMIC_RELAXED) < arch_counter_freq() / 1000)
        return;
    __atomic_store_n(&last_check, now, __ATOMIC_RELAXED);
    cmux_poll_input();
}
