// SPDX-License-Identifier: MIT
/*
 * The shared-memory check (axvm.shm= on the kernel command line, docs/config.md "Shared memory
 * between VMs"): with the guest's own tools only, map the region another VM shares with this
 * one from /dev/mem, check the message that VM left there, write an answer, and where the
 * region has a doorbell interrupt take one through /dev/uio0 (uio_pdrv_genirq bound by
 * uio_pdrv_genirq.of_id=generic-uio), then ring the peer back through the region's doorbell
 * register page (the UIO device's second map). axvm.shm=dt finds the region in /proc/device-tree
 * (its "shmem@<address>" node); axvm.shm=uio finds it in the UIO device's first map, where the
 * driver took it from the device-tree node or, on x86, from the ACPI device the hypervisor
 * describes it with; axvm.shm=0x<address> gives the address and takes no doorbell. The peer
 * is the bare-metal guest's "shmemlinux" mode (guests/baremetal/shmem.c), whose layout this
 * shares, or another Linux VM playing that part (",ping" after the mode, shm_ping):
 *   0x000 msg_ready  SHM_MAGIC once the message is complete
 *   0x004 answered   SHM_MAGIC once the answer is complete
 *   0x008 rung       SHM_MAGIC once the peer has rung the doorbell for the answer
 *   0x040 msg[64]    32-bit words: shm_pattern(i)
 *   0x140 msg_sum    the sum of msg[] as 32-bit words
 *   0x200 answer[64] each msg word's bits inverted
 * Only aligned 32-bit accesses: /dev/mem maps memory that is not the kernel's RAM uncached, and
 * device memory faults on unaligned accesses (AArch64).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "init.h"

#define SHM_MAGIC    0x4c4e5853u /* "SXNL" */
#define SHM_WORDS    64
#define OFF_READY    0x000
#define OFF_ANSWERED 0x004
#define OFF_RUNG     0x008
#define OFF_MSG      0x040
#define OFF_SUM      0x140
#define OFF_ANSWER   0x200
#define SHM_MAP_SIZE 0x1000
#define BELL_RING    0x0
#define BELL_RINGS   0x4
#define WAIT_SECONDS 30

static uint32_t shm_pattern(unsigned i)
{
    return 0xa5a50000u ^ (i * 0x01010101u) ^ (i << 20);
}

static volatile uint32_t *word(volatile uint8_t *base, unsigned off)
{
    return (volatile uint32_t *)(base + off);
}

/* The region's address from its device-tree node: "reg" is two 64-bit big-endian cells. */
static int shm_from_dt(uint64_t *addr, uint64_t *size)
{
    DIR *d = opendir("/proc/device-tree");
    struct dirent *e;
    int found = 0;

    if (!d)
        return 0;
    while (!found && (e = readdir(d))) {
        char path[300];
        unsigned char reg[16];
        FILE *f;

        if (strncmp(e->d_name, "shmem@", 6) != 0)
            continue;
        snprintf(path, sizeof(path), "/proc/device-tree/%s/reg", e->d_name);
        f = fopen(path, "rb");
        if (f && fread(reg, 1, sizeof(reg), f) == sizeof(reg)) {
            *addr = *size = 0;
            for (int i = 0; i < 8; i++) {
                *addr = *addr << 8 | reg[i];
                *size = *size << 8 | reg[8 + i];
            }
            found = 1;
        }
        if (f)
            fclose(f);
    }
    closedir(d);
    return found;
}

/* /sys/class/uio/uio<n>/maps/map0/<what>, a hexadecimal number. */
static int uio_map_value(int n, const char *what, uint64_t *value)
{
    char path[80];
    unsigned long long v;
    FILE *f;
    int ok;

    snprintf(path, sizeof(path), "/sys/class/uio/uio%d/maps/map0/%s", n, what);
    f = fopen(path, "r");
    if (!f)
        return 0;
    ok = fscanf(f, "%llx", &v) == 1;
    fclose(f);
    *value = v;
    return ok;
}

/* /dev/uioN of the region (named "shmem": the device-tree node's name, the ACPI device's
 * linux,uio-name), opened; -1 if none.
 * With 'addr', also the region's address and size from the device's first map. */
static int shm_uio_open(uint64_t *addr, uint64_t *size)
{
    for (int n = 0; n < 8; n++) {
        char path[64], name[32] = "";
        FILE *f;

        snprintf(path, sizeof(path), "/sys/class/uio/uio%d/name", n);
        f = fopen(path, "r");
        if (!f)
            continue;
        if (!fgets(name, sizeof(name), f))
            name[0] = '\0';
        fclose(f);
        if (strncmp(name, "shmem", 5) != 0)
            continue;
        if (addr && (!uio_map_value(n, "addr", addr) || !uio_map_value(n, "size", size)))
            return -1;
        snprintf(path, sizeof(path), "/dev/uio%d", n);
        return open(path, O_RDWR);
    }
    return -1;
}

static int wait_word(volatile uint8_t *base, unsigned off)
{
    for (int i = 0; i < WAIT_SECONDS * 100; i++) {
        if (*word(base, off) == SHM_MAGIC)
            return 1;
        usleep(10000);
    }
    return 0;
}

/* Ring the peer back through the region's doorbell register page, the UIO device's second map
 * (docs/config.md: a store to RING at 0x0 rings, RINGS at 0x4 counts this VM's rings). */
static bool shm_ring_peer(int uio)
{
    long page = sysconf(_SC_PAGESIZE);
    volatile uint8_t *bell = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED, uio,
                                  page); /* offset N pages: map N */

    if (bell == MAP_FAILED) {
        say("shm: FAILED: no doorbell register page (map1 of /dev/uio): %s", strerror(errno));
        return false;
    }
    *word(bell, BELL_RING) = 1;
    say("shm: peer's doorbell rung through /dev/uio map1; rings received here: %u",
        *word(bell, BELL_RINGS));
    munmap((void *)bell, (size_t)page);
    return true;
}

/* Read the peer's message, answer it, and take the doorbell where there is one. */
static bool shm_exchange(volatile uint8_t *base, int uio)
{
    uint32_t sum = 0, bad = 0, one = 1, count = 0;

    if (!wait_word(base, OFF_READY)) {
        say("shm: FAILED: no message from the peer in %d s", WAIT_SECONDS);
        return false;
    }
    for (unsigned i = 0; i < SHM_WORDS; i++) {
        uint32_t v = *word(base, OFF_MSG + 4 * i);

        sum += v;
        bad += v != shm_pattern(i);
    }
    if (bad || sum != *word(base, OFF_SUM)) {
        say("shm: FAILED: message: %u words wrong, checksum 0x%08x, expected 0x%08x", bad, sum,
            *word(base, OFF_SUM));
        return false;
    }
    say("shm: message ok: %d words, checksum 0x%08x", SHM_WORDS, sum);
    /* Interrupts on before the answer: the doorbell that answers it cannot come too early. */
    if (uio >= 0 && write(uio, &one, sizeof(one)) != sizeof(one)) {
        say("shm: FAILED: enabling the doorbell on /dev/uio: %s", strerror(errno));
        return false;
    }
    for (unsigned i = 0; i < SHM_WORDS; i++)
        *word(base, OFF_ANSWER + 4 * i) = ~*word(base, OFF_MSG + 4 * i);
    __sync_synchronize();
    *word(base, OFF_ANSWERED) = SHM_MAGIC;
    say("shm: answer written");
    if (uio < 0)
        return true;
    /* read() blocks until the next interrupt and returns the total count. */
    if (read(uio, &count, sizeof(count)) != sizeof(count)) {
        say("shm: FAILED: waiting on /dev/uio: %s", strerror(errno));
        return false;
    }
    say("shm: doorbell interrupt received (count %u), peer says %s", count,
        *word(base, OFF_RUNG) == SHM_MAGIC ? "rung" : "nothing");
    return *word(base, OFF_RUNG) == SHM_MAGIC && shm_ring_peer(uio);
}

/* The other side: what the bare-metal peer's "shmemlinux" mode does, for a Linux peer that
 * answers (axvm.shm=<how>,ping). Write the message, wait for the answer and check it, ring the
 * peer through the doorbell page, and take its ring back through /dev/uio. */
static bool shm_ping(volatile uint8_t *base, int uio)
{
    uint32_t sum = 0, bad = 0, one = 1, count = 0;

    for (unsigned i = 0; i < SHM_WORDS; i++) {
        *word(base, OFF_MSG + 4 * i) = shm_pattern(i);
        sum += shm_pattern(i);
    }
    *word(base, OFF_SUM) = sum;
    __sync_synchronize();
    *word(base, OFF_READY) = SHM_MAGIC;
    say("shm: message written: %d words, checksum 0x%08x; waiting for the answer", SHM_WORDS, sum);
    if (!wait_word(base, OFF_ANSWERED)) {
        say("shm: FAILED: no answer from the peer in %d s", WAIT_SECONDS);
        return false;
    }
    for (unsigned i = 0; i < SHM_WORDS; i++)
        bad += *word(base, OFF_ANSWER + 4 * i) != ~shm_pattern(i);
    if (bad) {
        say("shm: FAILED: answer: %u words wrong", bad);
        return false;
    }
    /* Interrupts on before the ring: the ring back cannot come too early. */
    if (write(uio, &one, sizeof(one)) != sizeof(one)) {
        say("shm: FAILED: enabling the doorbell on /dev/uio: %s", strerror(errno));
        return false;
    }
    *word(base, OFF_RUNG) = SHM_MAGIC;
    __sync_synchronize();
    say("shm: answer ok: %d words", SHM_WORDS);
    if (!shm_ring_peer(uio))
        return false;
    if (read(uio, &count, sizeof(count)) != sizeof(count)) {
        say("shm: FAILED: waiting on /dev/uio: %s", strerror(errno));
        return false;
    }
    say("shm: doorbell interrupt received (count %u): the peer rang back", count);
    return true;
}

bool shm_check(const char *arg)
{
    uint64_t addr = 0, size = SHM_MAP_SIZE;
    volatile uint8_t *base;
    int mem, uio = -1;
    char how[32];
    const char *role = strchr(arg, ',');
    bool ok, ping = role && strcmp(role, ",ping") == 0;

    snprintf(how, sizeof(how), "%.*s", role ? (int)(role - arg) : (int)strlen(arg), arg);

    if (strcmp(how, "dt") == 0) {
        if (!shm_from_dt(&addr, &size)) {
            say("shm: FAILED: no shmem@ node in /proc/device-tree");
            return false;
        }
        uio = shm_uio_open(NULL, NULL);
        if (uio < 0) {
            say("shm: FAILED: no /dev/uio for the region (uio_pdrv_genirq.of_id=generic-uio?)");
            return false;
        }
    } else if (strcmp(how, "uio") == 0) {
        uio = shm_uio_open(&addr, &size);
        if (uio < 0) {
            say("shm: FAILED: no /dev/uio named shmem with a map "
                "(uio_pdrv_genirq.of_id=generic-uio?)");
            return false;
        }
    } else {
        addr = strtoull(how, NULL, 0);
    }
    say("shm: region at 0x%llx (%llu KiB) through /dev/mem%s", (unsigned long long)addr,
        (unsigned long long)(size >> 10), uio >= 0 ? ", doorbell through /dev/uio" : "");
    mem = open("/dev/mem", O_RDWR | O_SYNC);
    if (mem < 0) {
        say("shm: FAILED: /dev/mem: %s", strerror(errno));
        return false;
    }
    base = mmap(NULL, SHM_MAP_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, mem, (off_t)addr);
    if (base == MAP_FAILED) {
        say("shm: FAILED: mmap of 0x%llx: %s", (unsigned long long)addr, strerror(errno));
        close(mem);
        return false;
    }
    if (ping && uio < 0) {
        say("shm: FAILED: the pinging side needs the region's /dev/uio (axvm.shm=dt or uio)");
        ok = false;
    } else {
        ok = ping ? shm_ping(base, uio) : shm_exchange(base, uio);
    }
    munmap((void *)base, SHM_MAP_SIZE);
    close(mem);
    if (uio >= 0)
        close(uio);
    say("shm: %s", ok ? "ok" : "FAILED");
    return ok;
}
