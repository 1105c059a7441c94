// SPDX-License-Identifier: MIT
/*
 * What the test guest does, in order, each step printing what it checked:
 *   hello (VM id and boot count from hypercalls), console hypercall, a compute loop checked
 *   against a known answer, every page of its memory written and read back (lazy regions fill
 *   on first touch), secondary vCPUs started through the firmware interface, then the action
 *   its command line asks for.
 * Command line: "bench" only runs the exit-cost benchmark (bench.c); "timerbench" only the timer
 * interrupt latency (timerbench.c, with "bare" on bare QEMU); "rounds=N" repeats the compute
 * N times (a long-running VM); "fpcanary=N" only runs N rounds of the FP/SIMD isolation check
 * (fpcanary.c); "faults" only runs the guest-fault checks (faults.c); "bad" misbehaves (unknown
 * hypercall, then a store outside its memory); "reboots=N" reboots until it has booted N+1
 * times; otherwise it shuts down.
 */
#include <string.h>
#include <libfdt.h>
#include <axvm/hypercall.h>
#include "faults.h"
#include "guest.h"

extern char __image_start[], __image_end[];

static const void *guest_fdt;
static volatile uint32_t secondary_done[8];
static volatile uint64_t secondary_result[8];

static bool cmdline_value(const char *key, unsigned long *out)
{
    int chosen = fdt_path_offset(guest_fdt, "/chosen");
    const char *args = chosen >= 0 ? fdt_getprop(guest_fdt, chosen, "bootargs", NULL) : NULL;
    size_t klen = strlen(key);
    for (const char *p = args; p && *p;) {
        while (*p == ' ')
            p++;
        if (strncmp(p, key, klen) == 0 && (p[klen] == '=' || p[klen] == ' ' || !p[klen])) {
            unsigned long v = 0;
            for (p += klen + (p[klen] == '='); *p >= '0' && *p <= '9'; p++)
                v = v * 10 + (unsigned long)(*p - '0');
            *out = v;
            return true;
        }
        while (*p && *p != ' ')
            p++;
    }
    return false;
}

/* The rate of guest_cycles(): the architecture's own idea, else the device tree's timebase. */
static uint64_t counter_freq(void)
{
    uint64_t hz = guest_counter_freq();
    int cpus = fdt_path_offset(guest_fdt, "/cpus");
    const fdt32_t *tb = cpus >= 0 ? fdt_getprop(guest_fdt, cpus, "timebase-frequency", NULL) : NULL;
    return hz ? hz : tb ? fdt32_to_cpu(*tb) : 0;
}

/* Primes below 'limit' in [from, to): trial division, deliberately plain work. */
static uint64_t count_primes(uint64_t from, uint64_t to)
{
    uint64_t n = 0;
    for (uint64_t x = from < 2 ? 2 : from; x < to; x++) {
        bool prime = true;
        for (uint64_t d = 2; d * d <= x; d++) {
            if (x % d == 0) {
                prime = false;
                break;
            }
        }
        n += prime;
    }
    return n;
}

#define PRIME_LIMIT        20000
#define PRIMES_BELOW_LIMIT 2262

static bool in_range(uint64_t a, uint64_t start, uint64_t end)
{
    return a >= start && a < end;
}

/* Write a pattern into every page of every memory node (except the image and the device tree)
 * and read it back. */
static void check_memory(void)
{
    /* The image includes the stacks and page tables (.bss). */
    uint64_t image_start = (uintptr_t)__image_start, image_end = (uintptr_t)__image_end;
    uint64_t fdt_start = (uintptr_t)guest_fdt, fdt_end = fdt_start + fdt_totalsize(guest_fdt);
    unsigned pages = 0, regions = 0, bad = 0;
    int node;
    fdt_for_each_subnode(node, guest_fdt, 0)
    {
        const char *type = fdt_getprop(guest_fdt, node, "device_type", NULL);
        const fdt64_t *reg = fdt_getprop(guest_fdt, node, "reg", NULL);
        if (!type || strcmp(type, "memory") != 0 || !reg)
            continue;
        uint64_t base = fdt64_ld(&reg[0]), size = fdt64_ld(&reg[1]);
        regions++;
        for (int pass = 0; pass < 2; pass++) {
            for (uint64_t a = base; a < base + size; a += 4096) {
                if (in_range(a, image_start & ~4095ULL, image_end + 8192) ||
                    in_range(a, fdt_start & ~4095ULL, fdt_end + 4096))
                    continue;
                volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)(a + 64);
                uint64_t pattern = a ^ 0x5a5aa5a5c3c33c3cULL;
                if (pass == 0) {
                    *p = pattern;
                    pages++;
                } else if (*p != pattern) {
                    bad++;
                }
            }
        }
    }
    if (bad)
        guest_printf("guest: MEMORY FAILED: %u of %u pages read back wrong\n", bad, pages);
    else
        guest_printf("guest: memory ok: %u pages in %u regions written and read back\n", pages,
                     regions);
}

void (*volatile guest_secondary_job)(void);

__attribute__((weak)) void sgi_repend_run(const void *fdt, uint64_t hz)
{
    (void)fdt;
    (void)hz;
    guest_printf("guest: SGI FAILED: no SGIs on this architecture\n");
}

void guest_secondary_main(uint64_t index)
{
    if (guest_secondary_job)
        guest_secondary_job();
    uint64_t id = (uint64_t)guest_hypercall(AXVM_HC_VCPU_ID, 0, 0);
    guest_printf("guest: vcpu%llu up\n", (unsigned long long)id);
    /* Its share of the work: the upper half of the range. */
    secondary_result[index] = count_primes(PRIME_LIMIT / 2, PRIME_LIMIT);
    __atomic_store_n(&secondary_done[index], 1, __ATOMIC_RELEASE);
    for (;;)
        guest_relax();
}

static void check_smp(void)
{
    int cpus = fdt_path_offset(guest_fdt, "/cpus");
    unsigned n = 0;
    int node;
    uint64_t hwids[8];
    fdt_for_each_subnode(node, guest_fdt, cpus)
    {
        const fdt32_t *reg = fdt_getprop(guest_fdt, node, "reg", NULL);
        if (reg && n < 8)
            hwids[n++] = fdt32_to_cpu(*reg);
    }
    if (n < 2)
        return;
    int64_t r = guest_cpu_on(hwids[1], 1);
    if (r != 0) {
        guest_printf("guest: SMP FAILED: starting vcpu1 returned %lld\n", (long long)r);
        return;
    }
    uint64_t mine = count_primes(0, PRIME_LIMIT / 2);
    for (uint64_t spins = 0; !__atomic_load_n(&secondary_done[1], __ATOMIC_ACQUIRE); spins++)
        guest_relax();
    uint64_t total = mine + secondary_result[1];
    if (total == PRIMES_BELOW_LIMIT)
        guest_printf("guest: smp ok: %u vCPUs counted %llu primes together\n", n,
                     (unsigned long long)total);
    else
        guest_printf("guest: SMP FAILED: %llu primes\n", (unsigned long long)total);
}

static void misbehave(void)
{
    int64_t r = guest_hypercall(0x7777, 1, 2);
    guest_printf("guest: unknown hypercall returned %lld\n", (long long)r);
    /* A store far past the end of every memory region and device. */
    uint64_t top = 0;
    int node;
    fdt_for_each_subnode(node, guest_fdt, 0)
    {
        const fdt64_t *reg = fdt_getprop(guest_fdt, node, "reg", NULL);
        if (reg) {
            uint64_t end = fdt64_ld(&reg[0]) + fdt64_ld(&reg[1]);
            top = end > top ? end : top;
        }
    }
    volatile uint64_t *wild = (volatile uint64_t *)(uintptr_t)(top + 0x10000000);
    guest_printf("guest: writing outside my memory at %p\n", (void *)wild);
    *wild = 0xbad;
    guest_printf("guest: STILL RUNNING after a wild write\n");
}

/* "hcspin=MS": call the hypercalls that only read for MS ms, checking every answer. The
 * hypervisor answers them in its exception entry; the pCPU must still be shared with others. */
static void hypercall_spin(unsigned long ms, uint64_t hz, int64_t id)
{
    uint64_t until = guest_cycles() + hz / 1000 * ms, calls = 0, wrong = 0;
    while (guest_cycles() < until) {
        wrong += guest_hypercall(AXVM_HC_VERSION, 0, 0) != AXVM_HC_ABI_VERSION;
        wrong += guest_hypercall(AXVM_HC_VM_ID, 0, 0) != id;
        wrong += guest_hypercall(AXVM_HC_VCPU_ID, 0, 0) != 0;
        calls += 3;
    }
    if (wrong)
        guest_printf("guest: HCSPIN FAILED: %llu of %llu answers wrong\n",
                     (unsigned long long)wrong, (unsigned long long)calls);
    else
        guest_printf("guest: hcspin: %llu hypercalls in %lu ms, all answered right\n",
                     (unsigned long long)calls, ms);
}

void guest_main(const void *fdt)
{
    guest_fdt = fdt;
    console_init(fdt);
    unsigned long v;
    if (cmdline_value("timerbench", &v)) {
        /* Also on bare QEMU ("bare"): not a single hypercall there. */
        timerbench_run(fdt, counter_freq());
        if (!cmdline_value("bare", &v))
            guest_hypercall(AXVM_HC_SHUTDOWN, 0, 0);
        for (;;)
            guest_relax();
    }
    int64_t id = guest_hypercall(AXVM_HC_VM_ID, 0, 0);
    int64_t version = guest_hypercall(AXVM_HC_VERSION, 0, 0);
    int64_t boot = guest_hypercall(AXVM_HC_BOOT_COUNT, 0, 0);
    guest_printf("guest: hello from vm%lld (hypercall ABI %lld), boot %lld\n", (long long)id,
                 (long long)version, (long long)boot);

    static const char msg[] = "guest: console hypercall ok\n";
    if (guest_hypercall(AXVM_HC_CONSOLE_WRITE, (uintptr_t)msg, sizeof(msg) - 1) !=
        (int64_t)sizeof(msg) - 1)
        guest_printf("guest: CONSOLE HYPERCALL FAILED\n");

    if (cmdline_value("bench", &v)) {
        bench_run(fdt);
        guest_printf("guest: bench done, shutting down\n");
        guest_hypercall(AXVM_HC_SHUTDOWN, 0, 0);
    }
    if (cmdline_value("hcspin", &v)) {
        hypercall_spin(v, counter_freq(), id);
        guest_hypercall(AXVM_HC_SHUTDOWN, 0, 0);
    }
    if (cmdline_value("fpcanary", &v)) {
        fpcanary_run(v, counter_freq());
        guest_hypercall(AXVM_HC_SHUTDOWN, 0, 0);
    }
    if (cmdline_value("shmemro", &v)) {
        shmem_write_read_only(fdt);
        guest_hypercall(AXVM_HC_SHUTDOWN, 0, 0);
    }
    if (cmdline_value("shmemlinux", &v)) {
        shmem_serve_linux(fdt);
        guest_hypercall(AXVM_HC_SHUTDOWN, 0, 0);
    }
    if (cmdline_value("shmem", &v)) {
        shmem_run(fdt, (uint64_t)id, v);
        guest_hypercall(AXVM_HC_SHUTDOWN, 0, 0);
    }
    if (cmdline_value("sgirepend", &v)) {
        sgi_repend_run(fdt, counter_freq());
        guest_hypercall(AXVM_HC_SHUTDOWN, 0, 0);
    }
    if (cmdline_value("faults", &v)) {
        faults_run(fdt, counter_freq());
        guest_hypercall(AXVM_HC_SHUTDOWN, 0, 0);
    }

    unsigned long rounds = 1, pace_ms = 0;
    cmdline_value("rounds", &rounds);
    cmdline_value("pace", &pace_ms);
    uint64_t hz = counter_freq();
    for (unsigned long i = 1; i <= rounds; i++) {
        if (pace_ms && hz) {
            uint64_t until = guest_cycles() + hz / 1000 * pace_ms;
            while (guest_cycles() < until)
                guest_relax();
        }
        uint64_t t0 = guest_cycles();
        uint64_t n = count_primes(0, PRIME_LIMIT);
        uint64_t t1 = guest_cycles();
        if (n == PRIMES_BELOW_LIMIT)
            guest_printf("guest: compute ok: %llu primes below %u (round %lu, %llu cycles)\n",
                         (unsigned long long)n, PRIME_LIMIT, i, (unsigned long long)(t1 - t0));
        else
            guest_printf("guest: COMPUTE FAILED: %llu primes\n", (unsigned long long)n);
    }

    check_memory();
    check_smp();

    if (cmdline_value("bad", &v))
        misbehave();

    unsigned long reboots = 0;
    if (cmdline_value("reboots", &reboots) && (unsigned long)boot <= reboots) {
        guest_printf("guest: rebooting after boot %lld of %lu\n", (long long)boot, reboots + 1);
        guest_hypercall(AXVM_HC_REBOOT, 0, 0);
    }
    guest_printf("guest: all checks passed, shutting down\n");
    guest_hypercall(AXVM_HC_SHUTDOWN, 0, 0);
    guest_printf("guest: SHUTDOWN RETURNED\n");
    for (;;)
        guest_relax();
}
