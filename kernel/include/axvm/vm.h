/* SPDX-License-Identifier: MIT */
#ifndef AXVM_VM_H
#define AXVM_VM_H

/*
 * A virtual machine: created from its configuration, booted, run by its vCPUs on their pinned
 * pCPUs, shut down or rebooted (from a fresh copy of its image), and released.
 */

#include <axvm/aspace.h>
#include <axvm/cmux.h>
#include <axvm/config.h>
#include <axvm/emu.h>
#include <axvm/log.h>
#include <axvm/spinlock.h>
#include <axvm/vcpu.h>
#include <axvm/vintc.h>

enum vm_state {
    VM_EMPTY,    /* slot unused */
    VM_LOADED,   /* created, image loaded, not running yet */
    VM_RUNNING,  /* at least one vCPU may run */
    VM_STOPPING, /* shutdown/reboot asked; vCPUs are leaving */
    VM_STOPPED,  /* everything released */
};

enum vm_stop_reason {
    VM_STOP_NONE,
    VM_STOP_SHUTDOWN,
    VM_STOP_REBOOT,
    VM_STOP_FAULT,
    VM_STOP_CONSOLE, /* `stop` typed on the console: forced off */
};

/* Bytes of output kept per VM for the console (config `history`; 0 there means the default). */
#define VM_HISTORY_DEFAULT (16 * 1024)
#define VM_HISTORY_MAX     (64 * 1024)

/* Warnings a guest can cause at will, each rate-limited per VM (vm->warn_limit). */
enum vm_warn {
    VM_WARN_HYPERCALL, /* unknown axvm hypercall */
    VM_WARN_FIRMWARE,  /* unknown firmware call (SBI, SMCCC) */
    VM_WARN_DECODE,    /* an MMIO access by an instruction the hypervisor cannot decode */
    VM_WARN_KINDS,
};

/* How many distinct address ranges a VM's accesses to nothing are reported for. */
#define VM_BAD_ACCESS_LOGS 8

/* Where the generated device tree and the initrd go: the top of the first memory region. */
#define VM_FDT_MAX (64 * 1024)

/*
 * The object lives as long as the hypervisor: a reboot rebuilds what follows 'generation' (the
 * per-boot part) and leaves the rest, so pointers into it (console input, device models'
 * vm pointers, the scheduler's lists) never go stale. 'generation' counts the rebuilds.
 */
struct vm {
    unsigned id;
    const struct vm_config *cfg;
    spinlock_t lock;
    struct cmux_stream console;
    unsigned vmid; /* stage-2 tag */
    unsigned boots;
    bool starting; /* the console's start is creating it (under 'lock') */
    unsigned generation;
    struct log_ratelimit warn_limit[VM_WARN_KINDS]; /* log_ratelimited, per kind */
    /* ---- rebuilt for every boot from here on ---- */
    enum vm_state state; /* vm_state_get / vm_state_set only: read by every pCPU */
    enum vm_stop_reason stop_reason;
    bool releasing;        /* a pCPU has claimed the release of a stopping VM */
    uint64_t claimed_irqs; /* bit i: passthru[i]'s interrupt is routed to this VM */
    struct vintc intc;     /* its interrupt controller, if its config has one */
    struct aspace as;
    struct emu_bus bus;
    struct emu_device devs[VM_MAX_DEVICES];
    struct emu_device shmem_bells[SHMEM_MAX]; /* doorbell register pages (shmem.h) */
    void *dev_priv[VM_MAX_DEVICES];
    struct vcpu vcpus[VM_MAX_VCPUS];
    unsigned vcpu_count;
    uint64_t fdt_gpa;
    uint64_t initrd_gpa;
    uint64_t bad_access_logged[VM_BAD_ACCESS_LOGS]; /* 64 KiB ranges already reported, +1 */
    uint64_t shmem_rings[SHMEM_MAX]; /* doorbell rings received per shared region (shmem.h) */
    /* The console's polite stop (vm_stop_politely): when the guest was asked to power off and
     * by when it must have, as arch_counter_read() values (0: not asked); atomic, read by the
     * VM's pCPUs' schedulers. */
    uint64_t stop_asked_at;
    uint64_t stop_deadline;
    bool stop_forced_late; /* the deadline passed: it was forced off */
};

/* The VM's state is read without the VM lock by every pCPU that runs one of its vCPUs (and
 * changed under it, but for boot and release): atomic, sequentially consistent like the vCPU
 * states. */
static inline enum vm_state vm_state_get(const struct vm *vm)
{
    return __atomic_load_n(&vm->state, __ATOMIC_SEQ_CST);
}

static inline void vm_state_set(struct vm *vm, enum vm_state st)
{
    __atomic_store_n(&vm->state, st, __ATOMIC_SEQ_CST);
}

extern struct vm vm_table[VM_MAX];

/* Set at boot for configs whose identity memory overlaps what the hypervisor uses. */
extern bool vm_identity_clash[VM_MAX];

/* Build the VM from its config: address space, devices, image, device tree. */
int vm_create(struct vm *vm, const struct vm_config *cfg, unsigned vmid);

/* Make the boot vCPU runnable. */
int vm_boot(struct vm *vm);

/* Ask the VM to stop; its vCPUs leave at their next exit. The last one out releases it, and for
 * a reboot creates and boots it again. */
void vm_stop(struct vm *vm, enum vm_stop_reason reason);

/* Called by a vCPU's pCPU when that vCPU has left guest mode for good. */
void vm_vcpu_stopped(struct vcpu *v);

/* Release everything the VM holds (memory, tables); state becomes VM_STOPPED. */
void vm_release(struct vm *vm);

/* Report a guest error (one line naming VM, vCPU, address and guest PC) and stop the VM. */
void vm_fault(struct vcpu *v, const char *what, uint64_t addr, uint64_t pc);

/* Create and boot every configured VM that passes the boot-time check. Returns how many run. */
unsigned vm_start_all(void);

/*
 * True while any VM is loaded, running or stopping, and for good once the console could start
 * one again: some VM has autostart = false, or a VM was stopped by the console's `stop`. Until
 * then the machine powers off when its last VM stops, as it always has.
 */
bool vm_any_active(void);

/* True while any VM is loaded, running or stopping (vm_any_active without the console's part). */
bool vm_any_running(void);

/* The console's `start`: create and boot a stopped VM again from its config. 0, -EBUSY when it
 * is not stopped, or the creation's error. */
int vm_start(struct vm *vm);

/* The console's `stop` without asking: the VM is forced off at once. */
void vm_stop_from_console(struct vm *vm);

/* The console is stopping a VM: the machine stays on when no VM runs (vm_any_active). */
void vm_console_stopping(void);

/* What vm_stop_politely did. */
enum vm_ask {
    VM_ASK_ASKED,      /* the guest was asked; it is forced off at its deadline */
    VM_ASK_NO_TIMEOUT, /* stop_timeout_ms = 0: forced off at once */
    VM_ASK_NO_WAY,     /* the VM has no way to be asked: forced off at once */
    VM_ASK_AGAIN,      /* it had been asked already: forced off now */
    VM_ASK_NOT_RUNNING,
};

/*
 * The console's `stop` (kernel/vm_stop.c): ask the guest to power itself off the way its
 * platform does (arch_vm_power_request), and force it off if it has not within its config's
 * stop_timeout_ms. The stop completes as "powered off by the guest" or "forced after N ms".
 */
enum vm_ask vm_stop_politely(struct vm *vm);

/* The VM's polite-stop deadline (an arch_counter_read() value), ~0ULL when none is pending;
 * and, on one of its pCPUs, force it off if that deadline has passed (true if it did). The
 * scheduler arms the pCPU's timer for the deadline and checks it. */
uint64_t vm_stop_deadline(const struct vm *vm);
bool vm_stop_check(struct vm *vm);

/* The device-tree platforms' way of asking (arch_vm_power_request on AArch64 and RISC-V):
 * raise the VM's power-request interrupt (config power_irq, its node in the device tree).
 * -ENODEV when the VM has none. */
int vm_power_irq_raise(struct vm *vm);

/* Why the VM stopped, for its "stopped (...)" line: 'plain' (the reason's name), or how the
 * polite stop ended ("powered off by the guest, N ms after it was asked", "forced after N ms"). */
void vm_stop_describe(const struct vm *vm, enum vm_stop_reason why, const char *plain, char *buf,
                      size_t size);

/* PSCI CPU_ON / SBI hart_start: start the vCPU the guest calls 'hwid' at entry with arg.
 * Returns 0, -ENOENT for no such vCPU, -EBUSY if it is already on. */
int64_t vm_cpu_on(struct vm *vm, uint64_t hwid, uint64_t entry, uint64_t arg);

/* Drive an emulated device's interrupt line through the VM's interrupt controller (no-op for
 * irq < 0; the build refuses an irq in a VM without a controller). */
void vm_irq_set(struct vm *vm, int irq, bool level);

/* An edge on 'irq' (a shared-memory doorbell): pending until the guest takes it, through the
 * model's raise_edge, or a rising then falling line where the model latches that itself. */
void vm_irq_pulse(struct vm *vm, int irq);

/* True the first time 'gpa's 64 KiB range is reported for this VM (and while fewer than
 * VM_BAD_ACCESS_LOGS ranges have been); false after, so the caller logs once per range. */
bool vm_bad_access_note(struct vm *vm, uint64_t gpa);

struct vcpu *vm_find_vcpu_by_hwid(struct vm *vm, uint64_t hwid);

#endif
