// SPDX-License-Identifier: MIT
/* The exit loop (run the guest, serve what can be served in place, return the rest), and
 * where a vCPU's state lives: vcpu_load / vcpu_put and the state machine. */
#include <axvm/arch.h>
#include <axvm/arch_vm.h>
#include <axvm/cmux.h>
#include <axvm/percpu.h>
#include <axvm/errno.h>
#include <axvm/format.h>
#include <axvm/hypercall_handle.h>
#include <axvm/log.h>
#include <axvm/sched.h>
#include <axvm/shmem.h>
#include <axvm/vm.h>

static uint64_t width_mask(unsigned width)
{
    return width >= 8 ? ~0ULL : (1ULL << (width * 8)) - 1;
}

/*
 * An access to nothing: what hardware gives the guest (arch_vcpu_bad_access), or a stopped VM
 * if its config says so. Logged once per VM and 64 KiB range (vm_bad_access_note), so a guest
 * probing addresses cannot flood the console.
 */
static enum exit_kind serve_bad_access(struct vcpu *v, struct vcpu_exit *e)
{
    struct vm *vm = v->vm;
    const struct exit_mmio *m = &e->mmio;
    const char *what = m->fetch   ? "instruction fetch from an address with no memory"
                       : m->write ? "write to an address with no memory or device"
                                  : "read from an address with no memory or device";
    const char *ro = m->write ? shmem_read_only_at(vm, m->gpa) : NULL;
    char buf[24 + SHMEM_NAME_MAX];
    if (ro) {
        format_snprintf(buf, sizeof(buf), "write to read-only shared region %s", ro);
        what = buf;
    }
    if (vm->cfg->stop_on_bad_access) {
        vm_fault(v, what, m->gpa, e->pc);
        return EXIT_FATAL;
    }
    if (vm_bad_access_note(vm, m->gpa))
        log_warn("vm%u (%s) vcpu%u: %s: address 0x%llx, guest pc 0x%llx; the guest gets a fault",
                 vm->id, vm->cfg->name, v->id, what, (unsigned long long)m->gpa,
                 (unsigned long long)e->pc);
    arch_vcpu_bad_access(v, e);
    if (e->kind != EXIT_FATAL)
        return EXIT_NONE;
    vm_fault(v, e->fatal.reason, e->fatal.addr, e->pc);
    return EXIT_FATAL;
}

/* A stage-2 fault on a guest address: lazy RAM, an emulated device, or a guest error. */
static enum exit_kind serve_mmio(struct vcpu *v, struct vcpu_exit *e)
{
    struct vm *vm = v->vm;
    struct exit_mmio *m = &e->mmio;
    /* A device first: its registers are the common case (a UART status read per character),
     * and the checked config keeps memory and devices apart, so nothing there is lazy memory. */
    if (m->fetch || !emu_bus_find(&vm->bus, EMU_MMIO, m->gpa)) {
        if (aspace_fault(&vm->as, m->gpa) == 0)
            return EXIT_NONE; /* backed now: the guest retries the access */
        return serve_bad_access(v, e);
    }
    if (!m->decoded) {
        vm_fault(v, "MMIO access by an instruction the hypervisor cannot decode", m->gpa, e->pc);
        return EXIT_FATAL;
    }
    /* Devices see exactly the bytes the guest accessed, whatever the register held. */
    uint64_t value = m->value & width_mask(m->width);
    int err = emu_bus_access(&vm->bus, EMU_MMIO, m->gpa, m->width, m->write, &value);
    if (err) {
        vm_fault(v, "MMIO access the device refused", m->gpa, e->pc);
        return EXIT_FATAL;
    }
    if (!m->write) {
        value &= width_mask(m->width); /* a device cannot return more than was read */
        if (m->sign_extend && m->width < 8) {
            uint64_t sign = 1ULL << (m->width * 8 - 1);
            value = (value ^ sign) - sign;
        }
        m->value = value;
    }
    arch_vcpu_complete(v, e);
    return EXIT_NONE;
}

/*
 * One port access. A port nobody emulates is like an empty ISA slot: reads float high, writes
 * vanish. An access that runs past the end of a device's ports is what the bus would make of
 * it: one byte at a time, each to whoever owns that port.
 */
static int pio_access(struct emu_bus *bus, uint16_t port, unsigned width, bool write,
                      uint64_t *value)
{
    const struct emu_device *d = emu_bus_find(bus, EMU_PIO, port);
    if (!d) {
        if (!write)
            *value = ~0ULL;
        return 0;
    }
    if (port + width <= d->base + d->size)
        return emu_bus_access(bus, EMU_PIO, port, width, write, value);
    uint64_t out = 0;
    for (unsigned i = 0; i < width; i++) {
        uint64_t byte = (*value >> (8 * i)) & 0xff;
        int err = pio_access(bus, (uint16_t)(port + i), 1, write, &byte);
        if (err)
            return err;
        out |= (byte & 0xff) << (8 * i);
    }
    if (!write)
        *value = out;
    return 0;
}

static enum exit_kind serve_pio(struct vcpu *v, struct vcpu_exit *e)
{
    struct exit_pio *p = &e->pio;
    uint64_t value = p->value & width_mask(p->width);
    int err = pio_access(&v->vm->bus, p->port, p->width, p->write, &value);
    if (err) {
        vm_fault(v, "I/O port access the device refused", p->port, e->pc);
        return EXIT_FATAL;
    }
    if (!p->write)
        p->value = value & width_mask(p->width);
    arch_vcpu_complete(v, e);
    return EXIT_NONE;
}

static enum exit_kind serve_cpu_on(struct vcpu *v, struct vcpu_exit *e)
{
    struct exit_cpu_on *c = &e->cpu_on;
    c->ret = vm_cpu_on(v->vm, c->target, c->entry, c->arg);
    arch_vcpu_complete(v, e);
    return EXIT_NONE;
}

/* How long the console may wait for a vCPU that idles in its guest: a prompt shows, and
 * polled input is read, within this. */
#define CONSOLE_IDLE_MS 25

void vcpu_idle_in_guest(struct vcpu *v, bool in_guest)
{
    v->idle_in_guest = in_guest;
    v->console_poll = in_guest && v->pcpu == 0 && cmux_input_polled();
    arch_vcpu_trap_idle(v, !in_guest);
}

/*
 * The console's idle work (cmux_idle: show the prompt of the VM in focus, read a polled serial
 * line) normally runs at the guest's halt exits. A vCPU idling in its guest has none, so while
 * the console wants that work (cmux_idle_wanted) its pCPU's timer brings it back within
 * CONSOLE_IDLE_MS. A polled serial line (no receive interrupt) is the boot pCPU's to look at
 * (sched_run_once does while it is idle), so a vCPU on pCPU 0 looks for it. 'entry': the scheduler
 * has just set the pCPU's timer, so a pending look is armed again.
 */
/* The pCPU's timer for the console's look at 'due', not past a polite stop's deadline (the
 * scheduler set the timer for that, sched_run_one). */
static void console_timer_set(struct vcpu *v, uint64_t due)
{
    uint64_t stop = vm_stop_deadline(v->vm);
    arch_timer_set(due < stop ? due : stop);
}

static void console_idle_tick(struct vcpu *v, bool entry)
{
    struct cmux_stream *s = &v->vm->console;
    if (v->console_due) {
        if (arch_counter_read() < v->console_due) {
            if (entry)
                console_timer_set(v, v->console_due);
            return;
        }
        v->console_due = 0;
        cmux_idle(s);
    }
    if (cmux_idle_wanted(s, v->console_poll)) {
        v->console_due = arch_counter_read() + arch_counter_freq() / 1000 * CONSOLE_IDLE_MS;
        console_timer_set(v, v->console_due);
    }
}

/* Cheap enough for every exit: anything for console_idle_tick to do? */
static inline bool console_idle_maybe(const struct vcpu *v)
{
    return v->idle_in_guest && (v->console_due || v->console_poll ||
                                __atomic_load_n(&v->vm->console.unshown, __ATOMIC_RELAXED));
}

enum exit_kind vcpu_run(struct vcpu *v)
{
    struct vm *vm = v->vm;
    struct vcpu_exit e;
    if (v->idle_in_guest)
        console_idle_tick(v, true);
    for (;;) {
        if (vm_state_get(vm) != VM_RUNNING)
            return EXIT_SHUTDOWN;
        arch_vcpu_run(v, &e);
        v->exits++;
        v->exit_kinds[e.kind < EXIT_KINDS ? e.kind : EXIT_NONE]++;
        enum exit_kind next = EXIT_NONE;
        switch (e.kind) {
        case EXIT_NONE:
            /* Served inside the architecture (a system register, a firmware call): the one
             * place that steps over it is still arch_vcpu_complete. */
            if (e.insn_len)
                arch_vcpu_complete(v, &e);
            break;
        case EXIT_MMIO:
            next = serve_mmio(v, &e);
            break;
        case EXIT_PIO:
            next = serve_pio(v, &e);
            break;
        case EXIT_HYPERCALL:
            next = hypercall_handle(v, &e.hcall);
            if (next == EXIT_NONE)
                arch_vcpu_complete(v, &e);
            break;
        case EXIT_CPU_ON:
            next = serve_cpu_on(v, &e);
            break;
        case EXIT_FATAL:
            vm_fault(v, e.fatal.reason, e.fatal.addr, e.pc);
            next = EXIT_FATAL;
            break;
        case EXIT_HALT:
            /* Waiting for input, perhaps: show its prompt. */
            cmux_idle(&vm->console);
            arch_vcpu_complete(v, &e);
            next = e.kind;
            break;
        case EXIT_CPU_OFF:
        case EXIT_SHUTDOWN:
        case EXIT_REBOOT:
            arch_vcpu_complete(v, &e);
            next = e.kind;
            break;
        }
        if (next != EXIT_NONE)
            return next;
        if (percpu_resched_pending(arch_this_cpu()))
            return EXIT_NONE; /* slice over: back to the scheduler, still runnable */
        if (console_idle_maybe(v))
            console_idle_tick(v, false);
    }
}

void vcpu_load(struct vcpu *v)
{
    struct percpu *cpu = arch_this_cpu();
    if (cpu->vcpu_loaded == v)
        return;
    if (cpu->vcpu_loaded)
        vcpu_put(cpu->vcpu_loaded);
    arch_vcpu_load(v);
    cpu->vcpu_loaded = v;
}

void vcpu_put(struct vcpu *v)
{
    struct percpu *cpu = arch_this_cpu();
    if (cpu->vcpu_loaded != v)
        return;
    arch_vcpu_put(v);
    cpu->vcpu_loaded = NULL;
}

bool vcpu_state_move(struct vcpu *v, enum vcpu_state from, enum vcpu_state to)
{
    return __atomic_compare_exchange_n(&v->state, &from, to, false, __ATOMIC_SEQ_CST,
                                       __ATOMIC_SEQ_CST);
}

void vcpu_state_set(struct vcpu *v, enum vcpu_state to)
{
    __atomic_store_n(&v->state, to, __ATOMIC_SEQ_CST);
}

enum vcpu_state vcpu_state_get(const struct vcpu *v)
{
    return __atomic_load_n(&v->state, __ATOMIC_SEQ_CST);
}

bool vcpu_wake_pending(struct vcpu *v)
{
    const struct vintc *ic = &v->vm->intc;
    if (ic->ops && ic->ops->pending(ic->ctx, v))
        return true;
    return arch_vcpu_event_pending(v);
}
