// SPDX-License-Identifier: MIT
/*
 * /init of axvm's Linux test guests.
 *
 * It mounts proc, sys, devtmpfs and a tmpfs, reports the kernel version and the online CPUs,
 * checks that the machine really works (arithmetic, a file in tmpfs, a child process, work on
 * every CPU), prints AXVM-GUEST-OK (or AXVM-GUEST-FAIL) on a line of its own and then does
 * what the kernel command line asks:
 *
 *   axvm.after=shell      an interactive shell (default): busybox sh when the initramfs has
 *                         /bin/busybox, else the built-in shell of shell.c
 *   axvm.after=poweroff   power the machine off
 *   axvm.after=reboot     reboot it
 *
 * Parameters with a dot are not passed to init by the kernel, so it reads /proc/cmdline.
 * While a shell runs, SIGUSR2 (busybox `poweroff`), SIGUSR1 (`halt`) and SIGTERM (`reboot`)
 * act as they do for busybox init; when the shell exits the machine powers off.
 *
 * Before the shell starts, a child waits for the hypervisor's power request (power.c).
 *
 * Run from the shell, `/init --soak SECONDS [MS]` loads the machine for long runs (soak.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "init.h"

#define SELF     "/init"
#define BUSYBOX  "/bin/busybox"
#define PROMPT   "axvm# "
#define CHILD_OP "--exit-code"

void say(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fputs("init: ", stdout);
    vprintf(fmt, ap);
    fputc('\n', stdout);
    fflush(stdout);
    va_end(ap);
}

/* The serial driver sends what user space wrote from its buffer, by interrupt, while the
 * kernel's own messages on the way down go to the UART at once: without waiting here, the
 * last lines come out cut into pieces by "reboot: Restarting system" (and a test looking for
 * AXVM-GUEST-OK on a line of its own misses it). tcdrain is async-signal-safe. */
void console_drain(void)
{
    tcdrain(STDOUT_FILENO);
}

void power(int how)
{
    say("%s", how == RB_AUTOBOOT ? "rebooting" : "powering off");
    sync();
    console_drain();
    reboot(how);
    say("reboot(2) failed: %s", strerror(errno));
    for (;;)
        pause();
}

static bool mount_fs(const char *type, const char *dir, unsigned long flags)
{
    mkdir(dir, 0755);
    if (mount(type, dir, type, flags, NULL) == 0 || errno == EBUSY)
        return true;
    say("cannot mount %s on %s: %s", type, dir, strerror(errno));
    return false;
}

static bool read_file(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    size_t n;

    if (!f)
        return false;
    n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
    return true;
}

/* The CPU ids in /sys/devices/system/cpu/online ("0-3", "0,2-3"); returns how many. */
static int online_cpus(int *cpus, int max)
{
    char buf[256], *p = buf;
    int n = 0;

    if (!read_file("/sys/devices/system/cpu/online", buf, sizeof(buf)))
        return -1;
    while (*p >= '0' && *p <= '9') {
        long lo = strtol(p, &p, 10), hi = lo;

        if (*p == '-')
            hi = strtol(p + 1, &p, 10);
        for (long c = lo; c <= hi && n < max; c++)
            cpus[n++] = (int)c;
        if (*p == ',')
            p++;
    }
    return n;
}

static double uptime(void)
{
    char buf[64];

    return read_file("/proc/uptime", buf, sizeof(buf)) ? strtod(buf, NULL) : -1.0;
}

/* The value of 'key' (e.g. "axvm.after=") on the kernel command line, 'fallback' if absent. */
static const char *cmdline_value(const char *key, const char *fallback)
{
    static char cmdline[4096];
    char *tok;

    if (!read_file("/proc/cmdline", cmdline, sizeof(cmdline)))
        return fallback;
    for (tok = strtok(cmdline, " \t\n"); tok; tok = strtok(NULL, " \t\n"))
        if (strncmp(tok, key, strlen(key)) == 0)
            return tok + strlen(key);
    return fallback;
}

/* The value of axvm.after= on the kernel command line, "shell" if absent. */
static const char *after_action(void)
{
    return cmdline_value("axvm.after=", "shell");
}

/* Busybox's poweroff/halt/reboot signal PID 1; the handler acts at once (sync and reboot are
 * system calls, safe in a handler). */
static void on_power_signal(int sig)
{
    static const char msg[] = "init: power request from the shell\n";

    if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0) {
        /* nothing better to do */
    }
    sync();
    console_drain();
    reboot(sig == SIGTERM ? RB_AUTOBOOT : RB_POWER_OFF);
}

/* /dev/console cannot be a controlling terminal; give the shell the real console device
 * (the last entry of /sys/class/tty/console/active) so that job control and Ctrl-C work. */
static void take_console(void)
{
    char active[256], path[300], *name = NULL, *tok;
    int fd;

    setsid();
    if (!read_file("/sys/class/tty/console/active", active, sizeof(active)))
        return;
    for (tok = strtok(active, " \n"); tok; tok = strtok(NULL, " \n"))
        name = tok;
    if (!name)
        return;
    snprintf(path, sizeof(path), "/dev/%s", name);
    fd = open(path, O_RDWR);
    if (fd < 0)
        return;
    ioctl(fd, TIOCSCTTY, 0);
    dup2(fd, STDIN_FILENO);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    if (fd > STDERR_FILENO)
        close(fd);
}

static void run_quietly(char *const argv[])
{
    pid_t pid = fork();
    int status;

    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);

        if (null >= 0)
            dup2(null, STDOUT_FILENO);
        execv(argv[0], argv);
        _exit(127);
    }
    if (pid > 0)
        waitpid(pid, &status, 0);
}

static void run_shell(void)
{
    bool busybox = access(BUSYBOX, X_OK) == 0;
    struct sigaction sa = {.sa_handler = on_power_signal};
    pid_t shell;

    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    if (busybox) {
        /* Links for every applet, so that `ls`, `poweroff`... work as commands. */
        char *const install[] = {BUSYBOX, "--install", "-s", NULL};

        run_quietly(install);
    }
    say("starting %s (poweroff, or exit / Ctrl-D, to power off)",
        busybox ? "busybox sh" : "the built-in shell");
    shell = fork();
    if (shell == 0) {
        signal(SIGUSR1, SIG_DFL);
        signal(SIGUSR2, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        take_console();
        if (busybox) {
            execl(BUSYBOX, "sh", (char *)NULL);
            say("cannot run %s: %s", BUSYBOX, strerror(errno));
        }
        _exit(builtin_shell());
    }
    if (shell < 0) {
        say("fork: %s", strerror(errno));
        return;
    }
    /* PID 1 reaps every orphan until the shell itself exits. */
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, 0);

        if (pid == shell || (pid < 0 && errno == ECHILD))
            break;
    }
    say("the shell exited");
}

/* Run as a child by check_child(): report and exit with the requested status. */
static int child_main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--soak") == 0)
        return soak_run(argc, argv);
    if (argc == 3 && strcmp(argv[1], CHILD_OP) == 0) {
        printf("child pid %d\n", (int)getpid());
        return atoi(argv[2]);
    }
    fprintf(stderr, "%s: axvm's guest init runs as process 1 only\n", argv[0]);
    return 1;
}

int main(int argc, char **argv)
{
    int cpus[MAX_CPUS], ncpus;
    struct utsname u;
    const char *after;
    bool ok = true;

    if (getpid() != 1)
        return child_main(argc, argv);

    setvbuf(stdout, NULL, _IOLBF, 0);
    setenv("PATH", "/bin:/sbin:/usr/bin:/usr/sbin", 1);
    setenv("HOME", "/root", 1);
    setenv("PS1", PROMPT, 1);
    umask(022);

    ok = mount_fs("proc", "/proc", MS_NOSUID | MS_NODEV | MS_NOEXEC) && ok;
    ok = mount_fs("sysfs", "/sys", MS_NOSUID | MS_NODEV | MS_NOEXEC) && ok;
    ok = mount_fs("devtmpfs", "/dev", MS_NOSUID) && ok;
    ok = mount_fs("tmpfs", "/tmp", MS_NOSUID | MS_NODEV) && ok;

    uname(&u);
    say("kernel %s %s", u.release, u.machine);
    ncpus = online_cpus(cpus, MAX_CPUS);
    say("cpus online %d", ncpus);
    if (ncpus < 1) {
        say("cannot read the online CPUs from /sys");
        ok = false;
    }

    ok = check_arithmetic() && ok;
    ok = check_tmpfs("/tmp") && ok;
    ok = check_child(SELF) && ok;
    ok = ncpus > 0 && check_every_cpu(cpus, ncpus) && ok;
    if (cmdline_value("axvm.shm=", NULL))
        ok = shm_check(cmdline_value("axvm.shm=", NULL)) && ok;

    if (ok) {
        say("all checks passed at %.3f s uptime", uptime());
        puts(MARKER_OK);
    } else {
        puts(MARKER_FAIL);
    }
    fflush(stdout);

    after = after_action();
    if (strcmp(after, "poweroff") == 0)
        power(RB_POWER_OFF);
    if (strcmp(after, "reboot") == 0)
        power(RB_AUTOBOOT);
    if (strcmp(after, "shell") != 0)
        say("unknown axvm.after=%s (poweroff, reboot or shell): starting a shell", after);
    power_watch_start();
    run_shell();
    power(RB_POWER_OFF);
}
