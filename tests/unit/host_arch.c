// SPDX-License-Identifier: MIT
/*
 * The arch interface on the host: enough for the core to link and run in unit tests, and pCPUs
 * as threads for the tests that run whole VMs (harness.h). A pCPU thread says which pCPU it is
 * (host_pcpu_enter); any other thread runs as pCPU 0. Kicks and the one-shot timer behave as
 * the contract in arch.h / arch_vm.h says: a kick ends the pCPU's next or current sleep, the
 * timer sets need_resched and ends a sleep once its deadline has passed.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <time.h>
#include <axvm/arch.h>
#include <axvm/arch_vm.h>
#include <axvm/percpu.h>
#include <axvm/sched.h>
#include "harness.h"

const char arch_name[] = "host";

/* A run that has not powered off by then has lost a wake-up: the pCPUs give up sleeping. */
#define HOST_HANG_NS (20 * 1000000000ULL)

struct host_pcpu {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool kicked;       /* a kick not yet consumed by a sleep */
    uint64_t deadline; /* the one-shot timer; only its own pCPU touches it */
    unsigned long kicks;
    unsigned long timer_wakeups; /* sleeps its timer ended */
};

static struct host_pcpu host_pcpus[CPU_MAX];
static __thread struct percpu *host_self;
static __thread jmp_buf *host_off_jump;
static bool host_running;     /* a machine run is on (atomic) */
static bool host_stopping;    /* the pCPU threads are to leave (atomic) */
static uint64_t host_run_end; /* HOST_HANG_NS after the run began */
bool host_powered_off;
static bool host_hung;

__attribute__((constructor)) static void host_pcpus_init(void)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    for (unsigned i = 0; i < CPU_MAX; i++) {
        pthread_mutex_init(&host_pcpus[i].lock, NULL);
        pthread_cond_init(&host_pcpus[i].wake, &attr);
        host_pcpus[i].deadline = ~0ULL;
    }
    pthread_condattr_destroy(&attr);
}

struct percpu *host_this_cpu(void)
{
    return host_self ? host_self : &percpu_table[0];
}

void host_pcpu_enter(unsigned index)
{
    host_self = index == ~0u ? NULL : &percpu_table[index];
}

/* Forget kicks, timers and counts of an earlier run; 'cpus' pCPUs online. */
void host_pcpu_reset(unsigned cpus)
{
    percpu_count = cpus;
    for (unsigned i = 0; i < CPU_MAX; i++) {
        struct percpu *c = &percpu_table[i];
        memset(c, 0, sizeof(*c));
        c->index = i;
        c->hwid = i;
        c->online = i < cpus;
        struct host_pcpu *h = &host_pcpus[i];
        h->kicked = false;
        h->deadline = ~0ULL;
        __atomic_store_n(&h->kicks, 0, __ATOMIC_SEQ_CST);
        __atomic_store_n(&h->timer_wakeups, 0, __ATOMIC_SEQ_CST);
        host_loaded_set(i, NULL);
    }
    host_powered_off = false;
    host_hung = false;
}

unsigned long host_kicks(unsigned pcpu)
{
    return __atomic_load_n(&host_pcpus[pcpu].kicks, __ATOMIC_SEQ_CST);
}

unsigned long host_timer_wakeups(unsigned pcpu)
{
    return __atomic_load_n(&host_pcpus[pcpu].timer_wakeups, __ATOMIC_SEQ_CST);
}

void arch_cpu_relax(void)
{
    /* Threads may outnumber cores: let the ticket holder run. */
    sched_yield();
}

static void host_wake(unsigned pcpu)
{
    struct host_pcpu *h = &host_pcpus[pcpu];
    pthread_mutex_lock(&h->lock);
    h->kicked = true;
    pthread_cond_signal(&h->wake);
    pthread_mutex_unlock(&h->lock);
}

void arch_cpu_kick(unsigned pcpu)
{
    __atomic_add_fetch(&host_pcpus[pcpu].kicks, 1, __ATOMIC_SEQ_CST);
    host_wake(pcpu);
}

void arch_cpu_kick_all(void)
{
    for (unsigned i = 0; i < percpu_count; i++)
        arch_cpu_kick(i);
}

void arch_timer_set(uint64_t deadline)
{
    host_pcpus[arch_this_cpu()->index].deadline = deadline;
}

/* The calling pCPU's timer has fired: the time slice is over. */
bool host_timer_fired(void)
{
    struct percpu *self = arch_this_cpu();
    struct host_pcpu *h = &host_pcpus[self->index];
    if (h->deadline > arch_counter_read())
        return false;
    h->deadline = ~0ULL;
    percpu_resched_set(self);
    return true;
}

static void timespec_after(struct timespec *ts, uint64_t ns)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    uint64_t t = (uint64_t)ts->tv_nsec + ns;
    ts->tv_sec += (time_t)(t / 1000000000ULL);
    ts->tv_nsec = (long)(t % 1000000000ULL);
}

/* Sleep until kicked or the timer fires. Outside a machine run (single-threaded tests) there is
 * nothing to wait for. */
void arch_wait_for_event(void)
{
    if (!host_self || !__atomic_load_n(&host_running, __ATOMIC_SEQ_CST))
        return;
    struct host_pcpu *h = &host_pcpus[host_self->index];
    pthread_mutex_lock(&h->lock);
    while (!h->kicked && !__atomic_load_n(&host_stopping, __ATOMIC_SEQ_CST)) {
        if (host_timer_fired()) {
            __atomic_add_fetch(&h->timer_wakeups, 1, __ATOMIC_SEQ_CST);
            break;
        }
        uint64_t now = arch_counter_read();
        if (now >= host_run_end) {
            __atomic_store_n(&host_hung, true, __ATOMIC_SEQ_CST);
            break;
        }
        uint64_t until = MIN(h->deadline, host_run_end);
        struct timespec ts;
        timespec_after(&ts, until - now);
        pthread_cond_timedwait(&h->wake, &h->lock, &ts);
    }
    h->kicked = false;
    pthread_mutex_unlock(&h->lock);
}

/* ---- running the pCPUs ---------------------------------------------------------------------- */

static pthread_t host_threads[CPU_MAX];

static void *host_pcpu_thread(void *arg)
{
    host_pcpu_enter((unsigned)(uintptr_t)arg);
    while (!__atomic_load_n(&host_stopping, __ATOMIC_SEQ_CST))
        sched_run_once();
    host_pcpu_enter(~0u);
    return NULL;
}

void host_cpus_start(void)
{
    __atomic_store_n(&host_stopping, false, __ATOMIC_SEQ_CST);
    host_run_end = arch_counter_read() + HOST_HANG_NS;
    __atomic_store_n(&host_running, true, __ATOMIC_SEQ_CST);
    for (unsigned i = 1; i < percpu_count; i++)
        pthread_create(&host_threads[i], NULL, host_pcpu_thread, (void *)(uintptr_t)i);
}

/* The calling thread becomes pCPU 0 and runs its loop until the machine powers off (true) or
 * the run hangs (false). */
bool host_boot_cpu_run(void)
{
    jmp_buf off;
    host_pcpu_enter(0);
    if (setjmp(off) == 0) {
        host_off_jump = &off;
        while (!__atomic_load_n(&host_hung, __ATOMIC_SEQ_CST))
            sched_run_once();
    }
    host_off_jump = NULL;
    host_pcpu_enter(~0u);
    return !__atomic_load_n(&host_hung, __ATOMIC_SEQ_CST);
}

void host_cpus_stop(void)
{
    __atomic_store_n(&host_stopping, true, __ATOMIC_SEQ_CST);
    for (unsigned i = 1; i < percpu_count; i++) {
        host_wake(i); /* not the core's kick: not counted */
        pthread_join(host_threads[i], NULL);
    }
    __atomic_store_n(&host_running, false, __ATOMIC_SEQ_CST);
}

unsigned long arch_irq_save(void)
{
    return 0;
}

void arch_irq_restore(unsigned long flags) {}

int arch_cpu_start(struct percpu *cpu, uint64_t hwid, void *stack_top)
{
    return -1;
}

const char *arch_cpu_start_describe(struct percpu *cpu)
{
    return "";
}

void arch_cpu_halt(void)
{
    fprintf(stderr, "arch_cpu_halt called in a unit test\n");
    abort();
}

/* The boot pCPU of a machine run powers off: back to host_boot_cpu_run. */
void arch_system_off(void)
{
    if (host_off_jump) {
        host_powered_off = true;
        longjmp(*host_off_jump, 1);
    }
    exit(0);
}

/* Tests move the clock forward by this much (ns) to see what a timeout does. */
uint64_t host_counter_skew;

uint64_t arch_counter_read(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec + host_counter_skew;
}

uint64_t arch_counter_freq(void)
{
    return 1000000000ULL;
}

uintptr_t arch_fault_probe_address(void)
{
    return 0;
}
