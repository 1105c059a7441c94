// SPDX-License-Identifier: MIT
/*
 * The init's self-checks. Each computes something whose right answer is known in advance, so
 * a guest that boots but computes wrongly (lost FP state, a bad page, a CPU that never runs)
 * fails instead of printing the success marker.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "init.h"

#define TMPFS_MAGIC 0x01021994

/* Known answers: the primes below 10^5 and 2*10^6, and the sum of 1/k^2 for k = 1..10^4. */
#define PRIMES_SMALL_LIMIT 100000UL
#define PRIMES_SMALL_COUNT 9592UL
#define PRIMES_SMALL_SUM   454396537UL
#define PRIMES_CPU_LIMIT   2000000UL
#define PRIMES_CPU_COUNT   148933UL
#define BASEL_TERMS        10000
#define BASEL_SUM          1.6448340718480652

/* Count the primes in [lo, hi) with a sieve of that segment; add their sum to *sum. */
static unsigned long count_primes(unsigned long lo, unsigned long hi, unsigned long *sum)
{
    unsigned long count = 0;
    unsigned char *composite;

    if (hi <= lo)
        return 0;
    composite = calloc(hi - lo, 1);
    if (!composite)
        return 0;
    for (unsigned long p = 2; p * p < hi; p++) {
        unsigned long start = p * p > lo ? p * p : (lo + p - 1) / p * p;

        for (unsigned long m = start; m < hi; m += p)
            composite[m - lo] = 1;
    }
    for (unsigned long n = lo < 2 ? 2 : lo; n < hi; n++) {
        if (!composite[n - lo]) {
            count++;
            if (sum)
                *sum += n;
        }
    }
    free(composite);
    return count;
}

bool check_arithmetic(void)
{
    /* volatile: the compiler must not fold the answers in at build time. */
    volatile unsigned long limit = PRIMES_SMALL_LIMIT;
    volatile int terms = BASEL_TERMS;
    unsigned long sum = 0, count = count_primes(0, limit, &sum);
    double basel = 0.0;

    for (int k = 1; k <= terms; k++)
        basel += 1.0 / ((double)k * k);
    if (count != PRIMES_SMALL_COUNT || sum != PRIMES_SMALL_SUM) {
        say("arithmetic FAILED: %lu primes below %lu summing to %lu (want %lu, %lu)", count, limit,
            sum, PRIMES_SMALL_COUNT, PRIMES_SMALL_SUM);
        return false;
    }
    if (basel < BASEL_SUM - 1e-12 || basel > BASEL_SUM + 1e-12) {
        say("arithmetic FAILED: sum of 1/k^2 is %.16f (want %.16f)", basel, BASEL_SUM);
        return false;
    }
    say("arithmetic ok: %lu primes below %lu, sum %lu; sum of 1/k^2 = %.12f", count, limit, sum,
        basel);
    return true;
}

static unsigned char pattern(size_t i)
{
    return (unsigned char)((i * 2654435761u) >> 13);
}

bool check_tmpfs(const char *dir)
{
    enum { SIZE = 256 * 1024, CHUNK = 4096 };
    unsigned char buf[CHUNK];
    char path[256];
    struct statfs fs;
    struct stat st;
    int fd;

    if (statfs(dir, &fs) != 0 || fs.f_type != TMPFS_MAGIC) {
        say("tmpfs FAILED: %s is not a tmpfs", dir);
        return false;
    }
    snprintf(path, sizeof(path), "%s/axvm-check", dir);
    fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (fd < 0) {
        say("tmpfs FAILED: create %s: %s", path, strerror(errno));
        return false;
    }
    for (size_t off = 0; off < SIZE; off += CHUNK) {
        for (size_t i = 0; i < CHUNK; i++)
            buf[i] = pattern(off + i);
        if (write(fd, buf, CHUNK) != CHUNK) {
            say("tmpfs FAILED: write %s: %s", path, strerror(errno));
            close(fd);
            return false;
        }
    }
    fsync(fd);
    close(fd);
    if (stat(path, &st) != 0 || st.st_size != SIZE) {
        say("tmpfs FAILED: %s has the wrong size", path);
        return false;
    }
    fd = open(path, O_RDONLY);
    if (fd < 0) {
        say("tmpfs FAILED: reopen %s: %s", path, strerror(errno));
        return false;
    }
    for (size_t off = 0; off < SIZE; off += CHUNK) {
        if (read(fd, buf, CHUNK) != CHUNK) {
            say("tmpfs FAILED: short read at %zu", off);
            close(fd);
            return false;
        }
        for (size_t i = 0; i < CHUNK; i++) {
            if (buf[i] != pattern(off + i)) {
                say("tmpfs FAILED: byte %zu reads back 0x%02x, wrote 0x%02x", off + i, buf[i],
                    pattern(off + i));
                close(fd);
                return false;
            }
        }
    }
    close(fd);
    if (unlink(path) != 0 || access(path, F_OK) == 0) {
        say("tmpfs FAILED: %s could not be removed", path);
        return false;
    }
    say("tmpfs ok: %d bytes written to %s and read back", SIZE, path);
    return true;
}

bool check_child(const char *self)
{
    char out[128] = "", want[64];
    int fds[2], status;
    ssize_t n, got = 0;
    pid_t pid;

    if (pipe(fds) != 0) {
        say("child FAILED: pipe: %s", strerror(errno));
        return false;
    }
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], STDOUT_FILENO);
        execl(self, self, "--exit-code", "42", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        say("child FAILED: fork: %s", strerror(errno));
        return false;
    }
    while ((n = read(fds[0], out + got, sizeof(out) - 1 - got)) > 0)
        got += n;
    out[got] = '\0';
    close(fds[0]);
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 42) {
        say("child FAILED: %s --exit-code 42 ended with status 0x%x", self, status);
        return false;
    }
    snprintf(want, sizeof(want), "child pid %d\n", (int)pid);
    if (strcmp(out, want) != 0) {
        say("child FAILED: it printed \"%s\", want \"%s\"", out, want);
        return false;
    }
    say("child ok: pid %d ran %s, reported its pid through a pipe and exited with 42", (int)pid,
        self);
    return true;
}

struct cpu_result {
    int index;
    int cpu;
    unsigned long primes;
};

/* Child 'index': pin itself to 'cpu', count its share of the primes, report, exit. */
static void cpu_worker(int fd, int index, int cpu, int ncpus)
{
    unsigned long lo = PRIMES_CPU_LIMIT * index / ncpus;
    unsigned long hi = PRIMES_CPU_LIMIT * (index + 1) / ncpus;
    struct cpu_result r = {.index = index, .cpu = -1};
    cpu_set_t set;

    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof(set), &set) == 0) {
        r.primes = count_primes(lo, hi, NULL);
        r.cpu = sched_getcpu();
    }
    /* One write below PIPE_BUF: atomic even with every worker writing at once. */
    _exit(write(fd, &r, sizeof(r)) == sizeof(r) ? 0 : 1);
}

bool check_every_cpu(const int *cpus, int ncpus)
{
    bool seen[MAX_CPUS] = {false}, ok = true;
    unsigned long total = 0;
    struct timespec t0, t1;
    struct cpu_result r;
    int fds[2], status;
    long ms;

    if (pipe(fds) != 0) {
        say("cpus FAILED: pipe: %s", strerror(errno));
        return false;
    }
    fflush(stdout);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < ncpus; i++) {
        pid_t pid = fork();

        if (pid == 0) {
            close(fds[0]);
            cpu_worker(fds[1], i, cpus[i], ncpus);
        }
        if (pid < 0) {
            say("cpus FAILED: fork: %s", strerror(errno));
            ok = false;
            ncpus = i;
            break;
        }
    }
    close(fds[1]);
    for (int i = 0; i < ncpus; i++) {
        if (read(fds[0], &r, sizeof(r)) != sizeof(r)) {
            say("cpus FAILED: only %d of %d workers reported", i, ncpus);
            ok = false;
            break;
        }
        if (r.index < 0 || r.index >= ncpus || seen[r.index]) {
            say("cpus FAILED: a worker reported a bad index %d", r.index);
            ok = false;
            continue;
        }
        seen[r.index] = true;
        if (r.cpu != cpus[r.index]) {
            say("cpus FAILED: the worker pinned to cpu%d ran on cpu%d", cpus[r.index], r.cpu);
            ok = false;
        }
        total += r.primes;
    }
    close(fds[0]);
    while (wait(&status) > 0)
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            ok = false;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    if (ok && total != PRIMES_CPU_COUNT) {
        say("cpus FAILED: the workers counted %lu primes below %lu (want %lu)", total,
            PRIMES_CPU_LIMIT, PRIMES_CPU_COUNT);
        ok = false;
    }
    if (ok)
        say("every cpu ok: %d workers, one pinned to each cpu, counted %lu primes below %lu "
            "in %ld ms",
            ncpus, total, PRIMES_CPU_LIMIT, ms);
    return ok;
}
