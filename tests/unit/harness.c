// SPDX-License-Identifier: MIT
/* The host machine for tests that run whole VMs (harness.h): configs, scripts, the console
 * capture, and the run itself. */
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <axvm/arch.h>
#include <axvm/cmux.h>
#include <axvm/frame.h>
#include <axvm/percpu.h>
#include <axvm/sched.h>
#include <axvm/vm.h>
#include "harness.h"

/*
 * The unit binary packs no VM configs: the tests write them here. The core reads the table by
 * its usual names (config.h declares them const); these definitions take those symbol names.
 */
struct vm_config host_vm_configs[VM_MAX] __asm__("vm_configs");
unsigned host_vm_config_count __asm__("vm_config_count");
struct shmem_config host_shmem_configs[SHMEM_MAX] __asm__("shmem_configs");
unsigned host_shmem_config_count __asm__("shmem_config_count");

unsigned host_vms_started;
uint64_t host_frames_initial;
unsigned host_script_overruns;

/* ---- scripts -------------------------------------------------------------------------------- */

struct host_script_entry {
    unsigned vm_id, vcpu, boot;
    const struct host_step *steps;
    unsigned count;
};

static struct host_script_entry scripts[64];
static unsigned script_count;

void host_script(unsigned vm_id, unsigned vcpu, unsigned boot, const struct host_step *steps,
                 unsigned count)
{
    if (script_count == ARRAY_SIZE(scripts)) {
        fprintf(stderr, "harness: too many scripts\n");
        abort();
    }
    scripts[script_count++] = (struct host_script_entry){vm_id, vcpu, boot, steps, count};
}

static const struct host_script_entry *script_find(const struct vcpu *v)
{
    const struct host_script_entry *any = NULL;
    for (unsigned i = 0; i < script_count; i++) {
        const struct host_script_entry *s = &scripts[i];
        if (s->vm_id != v->vm->id || s->vcpu != v->id)
            continue;
        if (s->boot == v->vm->boots)
            return s;
        if (s->boot == 0)
            any = s;
    }
    return any;
}

/* The next exit of the vCPU's script; a vCPU without one powers off at once. */
void host_script_next(struct vcpu *v, struct vcpu_exit *e)
{
    const struct host_script_entry *s = script_find(v);
    memset(e, 0, sizeof(*e));
    e->pc = v->arch.entry + v->arch.stepped;
    if (!s) {
        e->kind = EXIT_SHUTDOWN;
        return;
    }
    if (v->arch.step >= s->count) {
        __atomic_add_fetch(&host_script_overruns, 1, __ATOMIC_SEQ_CST);
        exit_fatal(e, 0, "the host script ran out", 0, 0);
        return;
    }
    const struct host_step *st = &s->steps[v->arch.step];
    if (++v->arch.rep >= (st->repeat ? st->repeat : 1)) {
        v->arch.step++;
        v->arch.rep = 0;
    }
    if (st->before)
        st->before(v);
    uint64_t pc = e->pc;
    *e = st->exit;
    e->pc = pc;
    if (st->slice_over)
        percpu_resched_set(arch_this_cpu());
}

void host_wait_state(struct vcpu *v, enum vcpu_state st)
{
    uint64_t give_up = arch_counter_read() + 10 * 1000000000ULL;
    while (vcpu_state_get(v) != st) {
        if (arch_counter_read() > give_up) {
            host_violation("vm%u vcpu%u: never reached state %d (is %d)", v->vm->id, v->id, (int)st,
                           (int)vcpu_state_get(v));
            return;
        }
        sched_yield();
    }
}

/* ---- the console and contract breaches ------------------------------------------------------ */

static pthread_mutex_t capture_lock = PTHREAD_MUTEX_INITIALIZER;
static char capture[1 << 16];
static size_t capture_len;
static void (*saved_sink)(const char *s, size_t len);
static unsigned violations;

static void capture_sink(const char *s, size_t len)
{
    pthread_mutex_lock(&capture_lock);
    size_t n = MIN(len, sizeof(capture) - 1 - capture_len);
    memcpy(capture + capture_len, s, n);
    capture_len += n;
    capture[capture_len] = '\0';
    pthread_mutex_unlock(&capture_lock);
}

const char *host_console(void)
{
    return capture;
}

unsigned host_console_count(const char *text)
{
    unsigned n = 0;
    pthread_mutex_lock(&capture_lock);
    for (const char *p = capture; (p = strstr(p, text)); p += strlen(text))
        n++;
    pthread_mutex_unlock(&capture_lock);
    return n;
}

void host_violation(const char *fmt, ...)
{
    va_list ap;
    pthread_mutex_lock(&capture_lock);
    violations++;
    fprintf(stderr, "  contract breach: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    pthread_mutex_unlock(&capture_lock);
}

unsigned host_violations(void)
{
    pthread_mutex_lock(&capture_lock);
    unsigned n = violations;
    pthread_mutex_unlock(&capture_lock);
    return n;
}

/* ---- the machine ---------------------------------------------------------------------------- */

static void *arena;
static uint8_t host_image[0x200];

void host_machine_init(unsigned cpus, uint64_t ram)
{
    arena = aligned_alloc(MiB(2), ram);
    struct mem_range r = {(paddr_t)(uintptr_t)arena, ram};
    frame_init(&r, 1);
    host_frames_initial = frame_free_count();
    host_pcpu_reset(cpus);
    memset(vm_table, 0, sizeof(vm_table));
    memset(vm_identity_clash, 0, sizeof(vm_identity_clash));
    memset(host_vm_configs, 0, sizeof(host_vm_configs));
    host_vm_config_count = 0;
    script_count = 0;
    host_script_overruns = 0;
    host_vms_started = 0;
    violations = 0;
    capture_len = 0;
    capture[0] = '\0';
    saved_sink = cmux_sink;
    cmux_sink = capture_sink;
    host_intc_reset();
    host_vm_create_hook = NULL;
    memcpy(host_image + (HOST_IMAGE_TEXT_GPA - HOST_RAM), HOST_IMAGE_TEXT, sizeof(HOST_IMAGE_TEXT));
}

struct vm_config *host_vm_config_add(unsigned id, const char *name, unsigned vcpus, bool intc)
{
    struct vm_config *c = &host_vm_configs[host_vm_config_count++];
    *c = (struct vm_config){
        .source = "harness",
        .id = id,
        .name = name,
        .vcpu_count = vcpus,
        .mem = {{HOST_RAM, HOST_RAM_SIZE, VM_MEM_ALLOCATED},
                {HOST_LAZY, HOST_LAZY_SIZE, VM_MEM_LAZY}},
        .mem_count = 2,
        .dev = {{"ns16550", HOST_UART, 0, -1, false}},
        .dev_count = 1,
        .image = host_image,
        .image_size = sizeof(host_image),
        .load_addr = HOST_RAM,
        .entry = HOST_RAM,
        .cmdline = "console=ttyS0",
    };
    for (unsigned i = 0; i < vcpus; i++)
        c->affinity[i] = i;
    if (intc) {
        c->dev[1] = (struct vm_dev_config){"host-intc", HOST_INTC, 0, -1, false};
        c->dev[0].irq = HOST_INTC_IRQ;
        c->dev_count = 2;
    }
    return c;
}

static const char *const vm_state_names[] = {"empty", "loaded", "running", "stopping", "stopped"};

bool host_machine_run(void)
{
    host_cpus_start();
    host_pcpu_enter(0);
    host_vms_started = vm_start_all();
    bool off = host_boot_cpu_run();
    host_cpus_stop();
    for (unsigned i = 0; i < CPU_MAX; i++) {
        struct vcpu *v = host_loaded(i);
        if (v)
            host_violation("vm%u vcpu%u: still loaded on pCPU %u after the machine stopped",
                           v->vm->id, v->id, i);
    }
    if (!off) {
        fprintf(stderr, "  the machine did not power off (a lost wake-up?):");
        for (unsigned i = 0; i < host_vm_config_count; i++)
            fprintf(stderr, " vm%u %s;", vm_table[i].id, vm_state_names[vm_table[i].state]);
        fprintf(stderr, "\n");
    }
    if (host_script_overruns)
        fprintf(stderr, "  %u vCPU runs past the end of their scripts\n", host_script_overruns);
    bool ok = off && host_violations() == 0 && host_script_overruns == 0;
    if (!ok)
        fprintf(stderr, "  console:\n%s", capture);
    return ok;
}

void host_machine_fini(void)
{
    /* After a run that did not finish: nothing may point into the table the next test clears. */
    for (unsigned i = 0; i < VM_MAX; i++) {
        struct vm *vm = &vm_table[i];
        if (vm->console.registered)
            cmux_unregister(&vm->console);
        for (unsigned k = 0; k < vm->vcpu_count; k++)
            sched_remove(&vm->vcpus[k]);
    }
    cmux_sink = saved_sink;
    free(arena);
    arena = NULL;
}
