// SPDX-License-Identifier: MIT
/*
 * Ping-pong through memory shared with another VM ("shmem=N" on the command line: N messages).
 * The guest finds the region in its device tree (compatible "axvm,shmem") with its doorbell
 * interrupt ("axvm,irq"). VM 1 pings, any other VM answers. Layout of the region:
 *   0x000  ping:  the number of the message waiting in 'msg' (0: none yet)
 *   0x004  ready: the answering VM takes doorbell interrupts now (its peer may ring it)
 *   0x040  pong:  the number of the answer waiting in 'reply'
 *   0x100  msg:   MSG_WORDS words, a pattern of the message number
 *   0x200  reply: the same words, each one's bits inverted
 * Every payload is checked word by word on both sides. After each message or answer the sender
 * rings the other VM's doorbell (AXVM_HC_SHMEM_RING); the receiver sleeps (WFI, HLT) until its
 * doorbell interrupt has come once more, then reads the sequence number it announces. At the
 * end each side prints how many interrupts it took and how many rings the hypervisor counted.
 */
#include <libfdt.h>
#include <axvm/hypercall.h>
#include "faults.h"
#include "guest.h"

#define MSG_WORDS   16
#define READY_MAGIC 0x52454459 /* "REDY" */

struct ring {
    uint32_t ping;
    uint32_t ready;
    uint32_t pad0[14];
    uint32_t pong;
    uint32_t pad1[47];
    uint64_t msg[MSG_WORDS];
    uint64_t pad2[32 - MSG_WORDS];
    uint64_t reply[MSG_WORDS];
};

static volatile uint32_t doorbells; /* doorbell interrupts taken */

static void on_doorbell(void)
{
    __atomic_add_fetch(&doorbells, 1, __ATOMIC_RELEASE);
}

static uint64_t pattern(uint32_t n, unsigned w)
{
    return ((uint64_t)n << 32) ^ (0x9e3779b97f4a7c15ULL * (w + 1)) ^ n;
}

/* Sleep until the n-th doorbell interrupt, then wait for the sequence number it announces
 * (written before the ring, so normally already there). */
static void wait_for(volatile uint32_t *p, uint32_t n)
{
    guest_irq_wait(&doorbells, n);
    while (__atomic_load_n(p, __ATOMIC_ACQUIRE) != n)
        guest_relax();
}

/* Ring the peer; while it is not running yet (0 rung), ring again. */
static bool ring(uint32_t index)
{
    int64_t r;
    while ((r = guest_hypercall(AXVM_HC_SHMEM_RING, index, 0)) == 0)
        guest_relax();
    if (r < 1)
        guest_printf("shmem: FAILED: SHMEM_RING returned %lld\n", (long long)r);
    return r >= 1;
}

/* One message each way; false when the guest must stop (said). */
static bool exchange(struct ring *r, uint32_t index, bool pinger, uint32_t n)
{
    unsigned long bad = 0;
    if (pinger) {
        for (unsigned w = 0; w < MSG_WORDS; w++)
            r->msg[w] = pattern(n, w);
        __atomic_store_n(&r->ping, n, __ATOMIC_RELEASE);
        if (!ring(index))
            return false;
        wait_for(&r->pong, n);
        for (unsigned w = 0; w < MSG_WORDS; w++)
            bad += r->reply[w] != ~pattern(n, w);
    } else {
        wait_for(&r->ping, n);
        for (unsigned w = 0; w < MSG_WORDS; w++) {
            uint64_t v = r->msg[w];
            bad += v != pattern(n, w);
            r->reply[w] = ~v;
        }
        __atomic_store_n(&r->pong, n, __ATOMIC_RELEASE);
        if (!ring(index))
            return false;
    }
    if (bad)
        guest_printf("shmem: MISMATCH in message %u: %lu words wrong\n", n, bad);
    return !bad;
}

void shmem_run(const void *fdt, uint64_t vm_id, unsigned long count)
{
    int node = fdt_node_offset_by_compatible(fdt, -1, "axvm,shmem");
    const fdt64_t *reg = node >= 0 ? fdt_getprop(fdt, node, "reg", NULL) : NULL;
    const fdt32_t *irq = node >= 0 ? fdt_getprop(fdt, node, "axvm,irq", NULL) : NULL;
    if (!reg || !irq) {
        guest_printf("shmem: FAILED: no axvm,shmem node with a doorbell in the device tree\n");
        return;
    }
    const char *label = fdt_getprop(fdt, node, "label", NULL);
    const fdt32_t *idx = fdt_getprop(fdt, node, "axvm,index", NULL);
    uint32_t index = idx ? fdt32_ld(idx) : 0;
    struct ring *r = (struct ring *)(uintptr_t)fdt64_ld(&reg[0]);
    bool pinger = vm_id == 1;
    if (!guest_irq_enable(fdt, fdt32_ld(irq), on_doorbell)) {
        guest_printf("shmem: FAILED: cannot take interrupt %u\n", fdt32_ld(irq));
        return;
    }
    guest_printf("shmem: region %s at %p (%llu KiB), doorbell interrupt %u, %s %lu messages\n",
                 label ? label : "?", (void *)r, (unsigned long long)(fdt64_ld(&reg[1]) >> 10),
                 fdt32_ld(irq), pinger ? "sending" : "answering", count);
    /* An edge that comes before the receiver has unmasked its line may be lost (an I/O APIC
     * drops it): the first message waits until the answering VM says it is ready. */
    if (pinger) {
        while (__atomic_load_n(&r->ready, __ATOMIC_ACQUIRE) != READY_MAGIC)
            guest_relax();
    } else {
        __atomic_store_n(&r->ready, READY_MAGIC, __ATOMIC_RELEASE);
    }
    for (uint32_t n = 1; n <= count; n++)
        if (!exchange(r, index, pinger, n))
            return;
    guest_printf("shmem: %lu messages %s, every payload ok, %u doorbell interrupts taken, %lld "
                 "doorbell rings received\n",
                 count, pinger ? "sent and answered" : "answered",
                 __atomic_load_n(&doorbells, __ATOMIC_ACQUIRE),
                 (long long)guest_hypercall(AXVM_HC_SHMEM_RINGS, index, 0));
}

/* The layout guests/linux/init/shm.c reads: 32-bit words only (Linux maps the region
 * uncached through /dev/mem). */
#define LINUX_MAGIC       0x4c4e5853u /* "SXNL" */
#define LINUX_WORDS       64
#define LINUX_RING_WAIT_S 60
#define LINUX_RING_SPINS  (1ull << 28) /* the bound where the counter's rate is unknown */

struct linux_ring {
    uint32_t msg_ready, answered, rung;
    uint32_t pad0[13];
    uint32_t msg[LINUX_WORDS];
    uint32_t msg_sum;
    uint32_t pad1[47];
    uint32_t answer[LINUX_WORDS];
};

_Static_assert(__builtin_offsetof(struct linux_ring, msg) == 0x40, "layout");
_Static_assert(__builtin_offsetof(struct linux_ring, msg_sum) == 0x140, "layout");
_Static_assert(__builtin_offsetof(struct linux_ring, answer) == 0x200, "layout");

static uint32_t linux_pattern(unsigned i)
{
    return 0xa5a50000u ^ (i * 0x01010101u) ^ (i << 20);
}

void shmem_serve_linux(const void *fdt)
{
    int node = fdt_node_offset_by_compatible(fdt, -1, "axvm,shmem");
    const fdt64_t *reg = node >= 0 ? fdt_getprop(fdt, node, "reg", NULL) : NULL;
    const fdt32_t *idx = node >= 0 ? fdt_getprop(fdt, node, "axvm,index", NULL) : NULL;
    if (!reg) {
        guest_printf("shmem: FAILED: no axvm,shmem node in the device tree\n");
        return;
    }
    uint32_t index = idx ? fdt32_ld(idx) : 0;
    volatile struct linux_ring *r = (volatile struct linux_ring *)(uintptr_t)fdt64_ld(&reg[0]);
    uint32_t sum = 0;
    for (unsigned i = 0; i < LINUX_WORDS; i++) {
        r->msg[i] = linux_pattern(i);
        sum += linux_pattern(i);
    }
    r->msg_sum = sum;
    __atomic_store_n(&r->msg_ready, LINUX_MAGIC, __ATOMIC_RELEASE);
    guest_printf("shmem: message for linux at %p, checksum 0x%08x; waiting for its answer\n",
                 (void *)r, sum);
    while (__atomic_load_n(&r->answered, __ATOMIC_ACQUIRE) != LINUX_MAGIC)
        guest_relax();
    unsigned bad = 0;
    for (unsigned i = 0; i < LINUX_WORDS; i++)
        bad += r->answer[i] != ~linux_pattern(i);
    if (bad) {
        guest_printf("shmem: MISMATCH in linux's answer: %u words wrong\n", bad);
        return;
    }
    __atomic_store_n(&r->rung, LINUX_MAGIC, __ATOMIC_RELEASE);
    if (!ring(index))
        return;
    guest_printf("shmem: linux answered, every word ok; its doorbell rung\n");
    /* Linux rings back through its doorbell register page (a plain store, which a process can
     * make): counted by the hypervisor whether or not this VM takes the interrupt. */
    uint64_t hz = guest_counter_freq(), start = guest_cycles(), spins = 0;
    int64_t rings = 0;
    while ((rings = guest_hypercall(AXVM_HC_SHMEM_RINGS, index, 0)) < 1 &&
           (hz ? guest_cycles() - start < LINUX_RING_WAIT_S * hz : ++spins < LINUX_RING_SPINS))
        guest_relax();
    if (rings >= 1)
        guest_printf("shmem: linux rang our doorbell (%lld ring)\n", (long long)rings);
    else
        guest_printf("shmem: no doorbell from linux in %d s\n", LINUX_RING_WAIT_S);
}

void shmem_write_read_only(const void *fdt)
{
    int node = fdt_node_offset_by_compatible(fdt, -1, "axvm,shmem");
    while (node >= 0 && !fdt_getprop(fdt, node, "read-only", NULL))
        node = fdt_node_offset_by_compatible(fdt, node, "axvm,shmem");
    const fdt64_t *reg = node >= 0 ? fdt_getprop(fdt, node, "reg", NULL) : NULL;
    if (!reg) {
        guest_printf("shmem: FAILED: no read-only axvm,shmem node in the device tree\n");
        return;
    }
    volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)fdt64_ld(&reg[0]);
    uint32_t before = p[0];
    guest_printf("shmem: read-only region at %p reads %u; writing it\n", (void *)p, before);
    /* on_bad_access = "stop" ends the VM here; "fault" gives what the hardware would: an abort
     * or access fault (resumed after the store), or on x86 a write that goes nowhere. */
    trap_init();
    trap_expect(TRAP_STEP);
    p[0] = 0xbad;
    struct trap_record t = trap_done();
    uint32_t after = p[0];
    if (after != before) {
        guest_printf("shmem: STILL RUNNING after writing a read-only region, which now reads %u\n",
                     after);
        return;
    }
    if (t.count)
        guest_printf("shmem: the write faulted (cause 0x%llx, address 0x%llx); the region still "
                     "reads %u\n",
                     (unsigned long long)t.cause, (unsigned long long)t.addr, after);
    else
        guest_printf("shmem: the write was dropped; the region still reads %u\n", after);
}
