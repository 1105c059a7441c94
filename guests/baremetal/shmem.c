// SPDX-License-Identifier: MIT
/*
 * Ping-pong through memory shared with another VM ("shmem=N" on the command line: N messages).
 * The guest finds the region in its device tree (compatible "axvm,shmem"). VM 1 pings, any
 * other VM answers. Layout of the region:
 *   0x000  ping: the number of the message waiting in 'msg' (0: none yet)
 *   0x040  pong: the number of the answer waiting in 'reply'
 *   0x100  msg:  MSG_WORDS words, a pattern of the message number
 *   0x200  reply: the same words, each one's bits inverted
 * Every payload is checked word by word on both sides. After each message or answer the sender
 * rings the other VM's doorbell (AXVM_HC_SHMEM_RING); the receiver waits until its ring count
 * (AXVM_HC_SHMEM_RINGS) says the next one came: no interrupt, each VM has its own pCPU.
 */
#include <libfdt.h>
#include <axvm/hypercall.h>
#include "guest.h"

#define MSG_WORDS 16

struct ring {
    uint32_t ping;
    uint32_t pad0[15];
    uint32_t pong;
    uint32_t pad1[47];
    uint64_t msg[MSG_WORDS];
    uint64_t pad2[32 - MSG_WORDS];
    uint64_t reply[MSG_WORDS];
};

static uint64_t pattern(uint32_t n, unsigned w)
{
    return ((uint64_t)n << 32) ^ (0x9e3779b97f4a7c15ULL * (w + 1)) ^ n;
}

/* Wait for the n-th ring, then for the sequence number it announces. */
static bool wait_for(uint32_t index, volatile uint32_t *p, uint32_t n)
{
    int64_t rings;
    while ((rings = guest_hypercall(AXVM_HC_SHMEM_RINGS, index, 0)) >= 0 && rings < (int64_t)n)
        guest_relax();
    if (rings < 0) {
        guest_printf("shmem: FAILED: SHMEM_RINGS returned %lld\n", (long long)rings);
        return false;
    }
    while (__atomic_load_n(p, __ATOMIC_ACQUIRE) != n)
        guest_relax();
    return true;
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

void shmem_run(const void *fdt, uint64_t vm_id, unsigned long count)
{
    int node = fdt_node_offset_by_compatible(fdt, -1, "axvm,shmem");
    const fdt64_t *reg = node >= 0 ? fdt_getprop(fdt, node, "reg", NULL) : NULL;
    if (!reg) {
        guest_printf("shmem: FAILED: no axvm,shmem node in the device tree\n");
        return;
    }
    const char *label = fdt_getprop(fdt, node, "label", NULL);
    const fdt32_t *idx = fdt_getprop(fdt, node, "axvm,index", NULL);
    uint32_t index = idx ? fdt32_ld(idx) : 0;
    struct ring *r = (struct ring *)(uintptr_t)fdt64_ld(&reg[0]);
    bool pinger = vm_id == 1;
    guest_printf("shmem: region %s at %p (%llu KiB), %s %lu messages\n", label ? label : "?",
                 (void *)r, (unsigned long long)(fdt64_ld(&reg[1]) >> 10),
                 pinger ? "sending" : "answering", count);
    unsigned long bad = 0;
    for (uint32_t n = 1; n <= count; n++) {
        if (pinger) {
            for (unsigned w = 0; w < MSG_WORDS; w++)
                r->msg[w] = pattern(n, w);
            __atomic_store_n(&r->ping, n, __ATOMIC_RELEASE);
            if (!ring(index) || !wait_for(index, &r->pong, n))
                return;
            for (unsigned w = 0; w < MSG_WORDS; w++)
                bad += r->reply[w] != ~pattern(n, w);
        } else {
            if (!wait_for(index, &r->ping, n))
                return;
            for (unsigned w = 0; w < MSG_WORDS; w++) {
                uint64_t v = r->msg[w];
                bad += v != pattern(n, w);
                r->reply[w] = ~v;
            }
            __atomic_store_n(&r->pong, n, __ATOMIC_RELEASE);
            if (!ring(index))
                return;
        }
        if (bad) {
            guest_printf("shmem: MISMATCH in message %u: %lu words wrong\n", n, bad);
            return;
        }
    }
    guest_printf("shmem: %lu messages %s, every payload ok, %lld doorbell rings received\n", count,
                 pinger ? "sent and answered" : "answered",
                 (long long)guest_hypercall(AXVM_HC_SHMEM_RINGS, index, 0));
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
    guest_printf("shmem: read-only region at %p reads %u; writing it\n", (void *)p, p[0]);
    p[0] = 0xbad;
    guest_printf("shmem: STILL RUNNING after writing a read-only region\n");
}
