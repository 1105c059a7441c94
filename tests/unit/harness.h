/* SPDX-License-Identifier: MIT */
#ifndef TESTS_HARNESS_H
#define TESTS_HARNESS_H

/*
 * A machine on the host for unit tests that reach the core: VM configs built by the test,
 * pCPUs as threads (each runs the scheduler's loop body, sched_run_once), and vCPUs whose
 * "guest" is a script: arch_vcpu_run returns the next scripted exit. The fake architecture
 * (host_arch.c, host_arch_vm.c) checks the core's contracts as it goes (a vCPU runs only when
 * loaded on its own pCPU and RUNNING, is never reset while loaded, a VM's memory goes only after
 * its vCPUs are put) and counts every breach as a violation, which host_machine_run reports.
 *
 *     host_machine_init(3, MiB(64));
 *     struct vm_config *c = host_vm_config_add(1, "a", 0);
 *     host_script(1, 0, 0, steps, ARRAY_SIZE(steps));
 *     CHECK(host_machine_run());
 *     ... assertions on vm_table[], the console, counters ...
 *     host_machine_fini();
 */

#include <axvm/exit.h>
#include <axvm/hypercall.h>
#include <axvm/vm.h>

/* ---- scripts -------------------------------------------------------------------------------- */

struct host_step {
    struct vcpu_exit exit;
    unsigned repeat; /* how many times this exit comes (0 counts as 1) */
    bool slice_over; /* the pCPU's one-shot timer fires during this exit */
    /* Runs on the vCPU's pCPU just before the exit is returned (the guest's side effects:
     * raising an interrupt, setting its timer, waiting for another vCPU). */
    void (*before)(struct vcpu *v);
};

/* The guest's RAM and devices in the configs host_vm_config_add builds. */
#define HOST_RAM       0x40000000ULL
#define HOST_RAM_SIZE  MiB(1)
#define HOST_LAZY      0x80000000ULL
#define HOST_LAZY_SIZE MiB(1)
#define HOST_UART      0x09000000ULL /* ns16550, one byte per register */
#define HOST_INTC      0x08000000ULL /* host-intc (host_intc.c), when asked for */
#define HOST_INTC_IRQ  5             /* the UART's line, when there is an intc */

/* Where host_vm_config_add's image puts HOST_IMAGE_TEXT, for AXVM_HC_CONSOLE_WRITE. */
#define HOST_IMAGE_TEXT_GPA (HOST_RAM + 0x100)
#define HOST_IMAGE_TEXT     "hello from the guest\n"

/* Exits (X_...) and steps that are just that exit (H_...). A step with more to it:
 * {.exit = X_HALT, .before = my_hook}. */
#define X_EXIT(k, ...)                                                                             \
    {                                                                                              \
        .kind = (k), .insn_len = 4, __VA_ARGS__                                                    \
    }
#define X_NONE                                                                                     \
    {                                                                                              \
        .kind = EXIT_NONE                                                                          \
    }
#define X_MMIO_W(a, w, val)                                                                        \
    X_EXIT(EXIT_MMIO,                                                                              \
           .mmio = {.gpa = (a), .width = (w), .write = true, .value = (val), .decoded = true})
#define X_MMIO_R(a, w) X_EXIT(EXIT_MMIO, .mmio = {.gpa = (a), .width = (w), .decoded = true})
#define X_PIO_W(p, w, val)                                                                         \
    X_EXIT(EXIT_PIO, .pio = {.port = (p), .width = (w), .write = true, .value = (val)})
#define X_PIO_R(p, w)     X_EXIT(EXIT_PIO, .pio = {.port = (p), .width = (w)})
#define X_HCALL(n, a, b)  X_EXIT(EXIT_HYPERCALL, .hcall = {.nr = (n), .args = {(a), (b)}})
#define X_HALT            X_EXIT(EXIT_HALT)
#define X_CPU_ON(t, e, a) X_EXIT(EXIT_CPU_ON, .cpu_on = {.target = (t), .entry = (e), .arg = (a)})
#define X_CPU_OFF         X_EXIT(EXIT_CPU_OFF)
#define X_SHUTDOWN        X_HCALL(AXVM_HC_SHUTDOWN, 0, 0)
#define X_REBOOT          X_HCALL(AXVM_HC_REBOOT, 0, 0)
#define X_FATAL(why)      X_EXIT(EXIT_FATAL, .fatal = {.addr = 0xbad, .reason = (why)})
/* The guest writes HOST_IMAGE_TEXT with the console hypercall. */
#define X_HELLO X_HCALL(AXVM_HC_CONSOLE_WRITE, HOST_IMAGE_TEXT_GPA, sizeof(HOST_IMAGE_TEXT) - 1)

#define H_NONE                                                                                     \
    {                                                                                              \
        .exit = X_NONE                                                                             \
    }
#define H_MMIO_W(a, w, val)                                                                        \
    {                                                                                              \
        .exit = X_MMIO_W(a, w, val)                                                                \
    }
#define H_MMIO_R(a, w)                                                                             \
    {                                                                                              \
        .exit = X_MMIO_R(a, w)                                                                     \
    }
#define H_PIO_W(p, w, val)                                                                         \
    {                                                                                              \
        .exit = X_PIO_W(p, w, val)                                                                 \
    }
#define H_PIO_R(p, w)                                                                              \
    {                                                                                              \
        .exit = X_PIO_R(p, w)                                                                      \
    }
#define H_HCALL(n, a, b)                                                                           \
    {                                                                                              \
        .exit = X_HCALL(n, a, b)                                                                   \
    }
#define H_HALT                                                                                     \
    {                                                                                              \
        .exit = X_HALT                                                                             \
    }
#define H_CPU_ON(t, e, a)                                                                          \
    {                                                                                              \
        .exit = X_CPU_ON(t, e, a)                                                                  \
    }
#define H_CPU_OFF                                                                                  \
    {                                                                                              \
        .exit = X_CPU_OFF                                                                          \
    }
#define H_SHUTDOWN                                                                                 \
    {                                                                                              \
        .exit = X_SHUTDOWN                                                                         \
    }
#define H_REBOOT                                                                                   \
    {                                                                                              \
        .exit = X_REBOOT                                                                           \
    }
#define H_FATAL(why)                                                                               \
    {                                                                                              \
        .exit = X_FATAL(why)                                                                       \
    }
#define H_HELLO                                                                                    \
    {                                                                                              \
        .exit = X_HELLO                                                                            \
    }

/* vCPU 'vcpu' of VM 'vm_id' runs these exits in boot 'boot' (1 = the first; 0 = every boot
 * without a script of its own). A script that runs out ends in a fatal exit (counted). */
void host_script(unsigned vm_id, unsigned vcpu, unsigned boot, const struct host_step *steps,
                 unsigned count);

/* Wait, from a step's 'before' (on another pCPU), until 'v' is in state 'st'; a breach if it
 * never gets there. */
void host_wait_state(struct vcpu *v, enum vcpu_state st);

/* Called while a VM is being created (from arch_vm_fdt, with its devices attached), for the
 * first boot and after a reboot: the test's view of "during vm_create". NULL: nothing. */
extern void (*host_vm_create_hook)(struct vm *vm);

/* Scripted exits that ran out (the guest had nothing more to do but was run again). */
extern unsigned host_script_overruns;

/* ---- the machine ---------------------------------------------------------------------------- */

/* 'cpus' pCPUs (1..CPU_MAX), 'ram' bytes of frames; console output captured, no VM configs. */
void host_machine_init(unsigned cpus, uint64_t ram);

/* A new config: 'vcpus' vCPUs on pCPUs 0, 1, ... (edit affinity[] to change), HOST_RAM_SIZE of
 * RAM at HOST_RAM holding a small image, a lazy region at HOST_LAZY and an ns16550 at
 * HOST_UART. 'intc' adds the host interrupt controller and gives the UART HOST_INTC_IRQ. */
struct vm_config *host_vm_config_add(unsigned id, const char *name, unsigned vcpus, bool intc);

/* Start the configured VMs (vm_start_all) on the main thread as pCPU 0 with the others as
 * threads, and run until the machine powers off (the last VM stopped). False if it did not:
 * a pCPU slept with work to do (a lost wake-up) and the run was abandoned after a long grace
 * period, or a contract was breached (each is printed). */
bool host_machine_run(void);

/* Free what host_machine_init took; the console capture ends. */
void host_machine_fini(void);

/* VMs vm_start_all started, and whether the boot CPU powered off. */
extern unsigned host_vms_started;
extern bool host_powered_off;

/* ---- what the tests look at ----------------------------------------------------------------- */

/* Everything the console multiplexer printed since host_machine_init. */
const char *host_console(void);
/* How many times 'text' occurs in it. */
unsigned host_console_count(const char *text);

/* arch_cpu_kick calls aimed at 'pcpu' since host_machine_init. */
unsigned long host_kicks(unsigned pcpu);

/* Sleeps of 'pcpu' that its one-shot timer ended (arch_timer_set), since host_machine_init. */
unsigned long host_timer_wakeups(unsigned pcpu);

/* Breaches of the core's contracts seen by the fake architecture. */
unsigned host_violations(void);

/* The vCPU loaded on 'pcpu' as the fake architecture saw it (arch_vcpu_load / _put). */
struct vcpu *host_loaded(unsigned pcpu);

/* The host interrupt controller's record (host_intc.c): set_level calls, host interrupts
 * claimed and released, all since host_machine_init. */
struct host_intc_stats {
    unsigned long set_calls, raised, claims, releases, ipis;
    unsigned last_irq;
    bool last_level;
    void *last_ctx; /* the model state set_level was called with */
};
struct host_intc_stats host_intc_read(void);
/* A line the host-intc model keeps for itself (vdev_type.irq_own), as x86's keeps the SCI. */
#define HOST_INTC_OWN_IRQ 62
extern const struct vdev_type host_intc_type;

/* Free frames right after host_machine_init: a run that gives everything back ends with as
 * many. */
extern uint64_t host_frames_initial;

/* ---- between the harness and the fake architecture ------------------------------------------ */

void host_violation(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void host_script_next(struct vcpu *v, struct vcpu_exit *e);
void host_intc_reset(void);
void host_loaded_set(unsigned pcpu, struct vcpu *v);
/* host_arch.c: the pCPUs. */
void host_pcpu_reset(unsigned cpus);
void host_pcpu_enter(unsigned index); /* ~0u: no pCPU (the thread runs as pCPU 0) */
void host_cpus_start(void);
bool host_boot_cpu_run(void);
void host_cpus_stop(void);
bool host_timer_fired(void);

#endif
