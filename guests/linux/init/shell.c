// SPDX-License-Identifier: MIT
/*
 * A small shell for guests without busybox (Debian has no riscv64 userland): one command per
 * line, words split at blanks, no quoting, pipes or variables. A few built-in commands cover
 * looking around a fresh guest; any other word is run as a program (searched in $PATH unless
 * it contains a '/').
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "init.h"

#define MAX_ARGS 32

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
};

static const struct command commands[];

/* Ctrl-C: set by the handler, so that a prompt or a built-in `sleep` is abandoned. */
static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
    interrupted = 1;
}

static int err(const char *what, const char *arg)
{
    fprintf(stderr, "%s: %s: %s\n", what, arg, strerror(errno));
    return 1;
}

static int cmd_echo(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        printf("%s%s", argv[i], i + 1 < argc ? " " : "");
    putchar('\n');
    return 0;
}

static int cat_fd(int fd)
{
    char buf[4096];
    ssize_t n;

    fflush(stdout);
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        if (write(STDOUT_FILENO, buf, n) != n)
            return 1;
    return n < 0;
}

static int cmd_cat(int argc, char **argv)
{
    int rc = 0;

    if (argc == 1)
        return cat_fd(STDIN_FILENO);
    for (int i = 1; i < argc; i++) {
        int fd = open(argv[i], O_RDONLY);

        if (fd < 0) {
            rc = err("cat", argv[i]);
            continue;
        }
        rc |= cat_fd(fd);
        close(fd);
    }
    return rc;
}

static int list_dir(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;

    if (!d)
        return err("ls", path);
    while ((e = readdir(d)) != NULL) {
        const char *mark = e->d_type == DT_DIR ? "/" : e->d_type == DT_LNK ? "@" : "";

        if (e->d_name[0] != '.')
            printf("%s%s\n", e->d_name, mark);
    }
    closedir(d);
    return 0;
}

static int cmd_ls(int argc, char **argv)
{
    int rc = 0;

    if (argc == 1)
        return list_dir(".");
    for (int i = 1; i < argc; i++) {
        if (argc > 2)
            printf("%s:\n", argv[i]);
        rc |= list_dir(argv[i]);
    }
    return rc;
}

static int cmd_uname(int argc, char **argv)
{
    struct utsname u;

    uname(&u);
    if (argc > 1 && strcmp(argv[1], "-r") == 0)
        printf("%s\n", u.release);
    else if (argc > 1 && strcmp(argv[1], "-a") == 0)
        printf("%s %s %s %s %s\n", u.sysname, u.nodename, u.release, u.version, u.machine);
    else
        printf("%s\n", u.sysname);
    return 0;
}

static int cmd_cd(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/";

    return chdir(dir) == 0 ? 0 : err("cd", dir);
}

static int cmd_pwd(int argc, char **argv)
{
    char buf[4096];

    if (!getcwd(buf, sizeof(buf)))
        return err("pwd", ".");
    printf("%s\n", buf);
    return 0;
}

static int cmd_mkdir(int argc, char **argv)
{
    int rc = 0;

    for (int i = 1; i < argc; i++)
        if (mkdir(argv[i], 0755) != 0)
            rc = err("mkdir", argv[i]);
    return rc;
}

static int cmd_rm(int argc, char **argv)
{
    int rc = 0;

    for (int i = 1; i < argc; i++)
        if (unlink(argv[i]) != 0 && rmdir(argv[i]) != 0)
            rc = err("rm", argv[i]);
    return rc;
}

static int cmd_dmesg(int argc, char **argv)
{
    int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
    char *buf;
    int n;

    if (size <= 0)
        size = 1 << 16;
    buf = malloc(size);
    if (!buf)
        return 1;
    n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, size);
    if (n < 0) {
        free(buf);
        return err("dmesg", "klogctl");
    }
    fflush(stdout);
    if (write(STDOUT_FILENO, buf, n) != n)
        n = -1;
    free(buf);
    return n < 0;
}

static int cmd_sleep(int argc, char **argv)
{
    struct timespec ts = {.tv_sec = argc > 1 ? atoi(argv[1]) : 1};

    return nanosleep(&ts, NULL) == 0 ? 0 : 130;
}

static int cmd_poweroff(int argc, char **argv)
{
    power(RB_POWER_OFF);
}

static int cmd_reboot(int argc, char **argv)
{
    power(RB_AUTOBOOT);
}

static int cmd_help(int argc, char **argv)
{
    printf("Built-in commands (one per line, no quoting or pipes); other words run programs:\n");
    for (const struct command *c = commands; c->name; c++)
        printf("  %-9s %s\n", c->name, c->help);
    printf("  %-9s %s\n", "exit", "leave the shell (the machine powers off)");
    return 0;
}

static const struct command commands[] = {
    {"cat", cmd_cat, "FILE... print files"},
    {"cd", cmd_cd, "DIR change directory"},
    {"dmesg", cmd_dmesg, "print the kernel log"},
    {"echo", cmd_echo, "WORD... print words"},
    {"help", cmd_help, "this list"},
    {"ls", cmd_ls, "[DIR...] list directories"},
    {"mkdir", cmd_mkdir, "DIR... make directories"},
    {"poweroff", cmd_poweroff, "power the machine off"},
    {"pwd", cmd_pwd, "print the current directory"},
    {"reboot", cmd_reboot, "reboot the machine"},
    {"rm", cmd_rm, "PATH... remove files or empty directories"},
    {"sleep", cmd_sleep, "SECONDS wait (Ctrl-C interrupts)"},
    {"uname", cmd_uname, "[-r|-a] print system information"},
    {NULL, NULL, NULL},
};

/* Fork and exec argv[0] (through $PATH unless it holds a '/'); wait for it. */
static int run_program(char **argv)
{
    int status;
    pid_t pid;

    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        signal(SIGINT, SIG_DFL);
        signal(SIGQUIT, SIG_DFL);
        setpgid(0, 0);
        tcsetpgrp(STDIN_FILENO, getpid());
        execvp(argv[0], argv);
        fprintf(stderr, "%s: %s\n", argv[0], errno == ENOENT ? "not found" : strerror(errno));
        _exit(127);
    }
    if (pid < 0)
        return err("fork", argv[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    tcsetpgrp(STDIN_FILENO, getpgrp());
    if (WIFSIGNALED(status)) {
        printf("[%s killed by signal %d]\n", argv[0], WTERMSIG(status));
        return 128 + WTERMSIG(status);
    }
    return WEXITSTATUS(status);
}

int builtin_shell(void)
{
    const char *prompt = getenv("PS1") ? getenv("PS1") : "# ";
    char line[1024], *argv[MAX_ARGS + 1];
    int status = 0;

    struct sigaction sa = {.sa_handler = on_interrupt};

    /* Ctrl-C interrupts the program running in the foreground (its own process group) or the
     * line being typed, never the shell. No SA_RESTART: a read or sleep returns EINTR. */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGQUIT, SIG_IGN);
    signal(SIGTTOU, SIG_IGN);
    printf("Built-in shell of axvm's guest init; `help` lists its commands.\n");
    for (;;) {
        int argc = 0;
        const struct command *c;

        interrupted = 0;
        fputs(prompt, stdout);
        fflush(stdout);
        if (!fgets(line, sizeof(line), stdin)) {
            putchar('\n');
            if (interrupted) {
                clearerr(stdin);
                continue;
            }
            return status;
        }
        for (char *w = strtok(line, " \t\r\n"); w && argc < MAX_ARGS; w = strtok(NULL, " \t\r\n"))
            argv[argc++] = w;
        argv[argc] = NULL;
        if (argc == 0 || argv[0][0] == '#')
            continue;
        if (strcmp(argv[0], "exit") == 0)
            return argc > 1 ? atoi(argv[1]) : status;
        for (c = commands; c->name && strcmp(c->name, argv[0]) != 0; c++)
            ;
        status = c->name ? c->run(argc, argv) : run_program(argv);
        fflush(stdout);
    }
}
