/* SPDX-License-Identifier: MIT */
#ifndef AXVM_PERCPU_H
#define AXVM_PERCPU_H

#include <axvm/boot.h>
#include <axvm/types.h>
#include <arch/percpu.h> /* struct arch_percpu: what each architecture keeps per CPU */

struct vcpu;

#define CPU_STACK_SIZE (16 * 1024)

struct percpu {
    unsigned index; /* logical CPU number, 0..cpu_count-1; the boot CPU is 0 */
    uint64_t hwid;  /* MPIDR affinity, hart id, APIC id */
    volatile bool online;
    volatile bool need_resched; /* the time slice of the vCPU running here is over */
    struct vcpu *vcpu_loaded;   /* whose state is on this pCPU (vcpu_load / vcpu_put) */
    void *stack_top;
    struct arch_percpu arch;
};

extern struct percpu percpu_table[CPU_MAX];
extern unsigned percpu_count;

/* Fill the table from the boot information; the boot CPU becomes index 0. */
void percpu_init(const struct boot_info *bi);

static inline struct percpu *percpu_get(unsigned index)
{
    return &percpu_table[index];
}

/* Ask the CPU's scheduler to run: other CPUs and its interrupt handlers write the flag while
 * it reads and clears it, so every access is atomic. */
static inline void percpu_resched_set(struct percpu *c)
{
    __atomic_store_n(&c->need_resched, true, __ATOMIC_SEQ_CST);
}

static inline bool percpu_resched_pending(const struct percpu *c)
{
    return __atomic_load_n(&c->need_resched, __ATOMIC_SEQ_CST);
}

/* Index of the CPU with hardware id 'hwid', or -1. */
int percpu_find_hwid(uint64_t hwid);

unsigned percpu_online_count(void);

#endif
