// SPDX-License-Identifier: MIT
/*
 * The test init of axvm's Linux guests (see init.c). Shared between its files.
 */
#ifndef AXVM_GUEST_INIT_H
#define AXVM_GUEST_INIT_H

#include <stdbool.h>

/* Printed on a line of their own once every check has run. */
#define MARKER_OK   "AXVM-GUEST-OK"
#define MARKER_FAIL "AXVM-GUEST-FAIL"

#define MAX_CPUS 64

/* A console line "init: ..." (flushed at once: the console is shared with the kernel). */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Wait until the console has sent everything written to it. */
void console_drain(void);

/* sync(2), console_drain, then reboot(2) with 'how' (RB_POWER_OFF or RB_AUTOBOOT). Never
 * returns. */
void power(int how) __attribute__((noreturn));

/* checks.c: each check says what it found and returns whether it passed. */
bool check_arithmetic(void);
bool check_tmpfs(const char *dir);
bool check_child(const char *self);
bool check_every_cpu(const int *cpus, int ncpus);

/* shm.c: the shared-memory check, axvm.shm=dt or axvm.shm=0x<address>. */
bool shm_check(const char *how);

/* soak.c: `/init --soak SECONDS [MS]`, load for long runs. */
int soak_run(int argc, char **argv);

/* power.c: a child that waits for the hypervisor's power request and powers off. */
void power_watch_start(void);

/* shell.c: a small interactive shell for guests without busybox. Returns at exit or EOF. */
int builtin_shell(void);

#endif
