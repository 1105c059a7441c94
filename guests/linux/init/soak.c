// SPDX-License-Identifier: MIT
/*
 * Load for long runs (scripts/soak.py), run from the shell as `/init --soak SECONDS [MS]`: one
 * process spins on the last CPU while this one, on the first CPU, prints a numbered line every
 * MS milliseconds (default 5) for SECONDS seconds and then "soak: done, N lines", so that a
 * reader can check that every line arrived whole, once and in order (soak_line() is the
 * format). It runs in the foreground, so the shell's prompt never lands inside its output.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "init.h"

#define PAYLOAD 48

static const char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/* Line n: "soak: line 00000042 " and PAYLOAD characters that depend on n, then a newline. */
static size_t soak_line(unsigned long n, char *buf, size_t size)
{
    int len = snprintf(buf, size, "soak: line %08lu ", n);

    for (unsigned long i = 0; i < PAYLOAD && (size_t)len + 2 < size; i++)
        buf[len++] = alphabet[(n * 31 + i * 7) % (sizeof(alphabet) - 1)];
    buf[len++] = '\n';
    return (size_t)len;
}

static void pin(int cpu)
{
    cpu_set_t set;

    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof(set), &set);
}

static void write_all(const char *p, size_t len)
{
    while (len) {
        ssize_t n = write(STDOUT_FILENO, p, len);

        if (n <= 0)
            return;
        p += n;
        len -= (size_t)n;
    }
}

static double seconds_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_lines(double seconds, long ms)
{
    struct timespec pause = {.tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000L};
    double end = seconds_now() + seconds;
    unsigned long n = 0;
    char line[128];

    while (seconds_now() < end) {
        write_all(line, soak_line(++n, line, sizeof(line)));
        nanosleep(&pause, NULL);
    }
    write_all(line, (size_t)snprintf(line, sizeof(line), "soak: done, %lu lines\n", n));
}

int soak_run(int argc, char **argv)
{
    double seconds = argc > 2 ? atof(argv[2]) : 60;
    long ms = argc > 3 ? atol(argv[3]) : 5;
    int cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
    char line[128];

    /* The kernel writes its messages straight to the console, in the middle of a numbered line
     * if it likes (the host's load makes it warn about timers): only emergencies from here on,
     * so the serial line carries the numbered lines alone. */
    klogctl(8 /* SYSLOG_ACTION_CONSOLE_LEVEL */, NULL, 1);
    pid_t spinner = fork();

    if (spinner == 0) {
        volatile unsigned long spins = 0;

        pin(cpus - 1);
        for (;;)
            spins++;
    }
    pin(0);
    write_all(line, (size_t)snprintf(line, sizeof(line),
                                     "soak: started: a line every %ld ms for %.0f s on cpu0, "
                                     "spinning on cpu%d\n",
                                     ms, seconds, cpus - 1));
    print_lines(seconds, ms);
    if (spinner > 0) {
        kill(spinner, SIGKILL);
        waitpid(spinner, NULL, 0);
    }
    return 0;
}
