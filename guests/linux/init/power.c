// SPDX-License-Identifier: MIT
/*
 * The hypervisor's power request (its console's `stop`): a child of init waits for it and
 * powers the machine off cleanly, as a desktop does when its power button is pressed.
 *
 *   - device-tree machines (AArch64, RISC-V): axvm's "power-request" node is bound to the
 *     generic UIO driver (uio_pdrv_genirq.of_id=generic-uio on the kernel command line); its
 *     interrupt is one read() on /dev/uioN, the N whose /sys/class/uio/uioN/name says
 *     "power-request" (other generic-uio nodes, such as shared memory, have their own names).
 *   - ACPI machines (x86_64): the fixed power button is an input device (the ACPI button
 *     driver); a KEY_POWER press on its /dev/input/eventN is the request.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/input.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <unistd.h>

#include "init.h"

#define UIO_NAME "power-request"

/* The first line of 'path' without its newline, in 'buf'; false if it cannot be read. */
static bool first_line(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    bool ok = f && fgets(buf, (int)size, f);

    if (f)
        fclose(f);
    if (ok)
        buf[strcspn(buf, "\n")] = '\0';
    return ok;
}

/* <devdir>/<entry> of the first entry of 'dir' (named prefix...) whose 'file' reads 'want'. */
static bool find_dev(const char *dir, const char *prefix, const char *file, const char *want,
                     const char *devdir, char *dev, size_t size)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    bool found = false;

    while (d && !found && (e = readdir(d))) {
        char path[512], name[128];

        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s/%s", dir, e->d_name, file);
        if (first_line(path, name, sizeof(name)) && strcmp(name, want) == 0) {
            snprintf(dev, size, "%s/%s", devdir, e->d_name);
            found = true;
        }
    }
    if (d)
        closedir(d);
    return found;
}

/* Block until the UIO device's interrupt comes. Writing 1 first unmasks it: an interrupt that
 * came before the device was opened (the driver masks it once seen) then comes again. */
static bool wait_uio(int fd)
{
    uint32_t on = 1, count;

    if (write(fd, &on, sizeof(on)) != sizeof(on))
        return false;
    return read(fd, &count, sizeof(count)) == sizeof(count);
}

/* Block until a KEY_POWER press arrives on the input device. */
static bool wait_power_key(int fd)
{
    struct input_event ev;

    while (read(fd, &ev, sizeof(ev)) == sizeof(ev))
        if (ev.type == EV_KEY && ev.code == KEY_POWER && ev.value == 1)
            return true;
    return false;
}

static void power_watch(void)
{
    char dev[300];
    bool uio = find_dev("/sys/class/uio", "uio", "name", UIO_NAME, "/dev", dev, sizeof(dev));
    bool ok;
    int fd;

    if (!uio && !find_dev("/sys/class/input", "event", "device/name", "Power Button", "/dev/input",
                          dev, sizeof(dev))) {
        say("no power request device: the hypervisor's stop will be forced");
        return;
    }
    fd = open(dev, uio ? O_RDWR : O_RDONLY);
    if (fd < 0) {
        say("cannot open %s: %s", dev, strerror(errno));
        return;
    }
    say("waiting for power requests on %s (%s)", dev, uio ? UIO_NAME : "ACPI power button");
    ok = uio ? wait_uio(fd) : wait_power_key(fd);
    close(fd);
    if (!ok) {
        say("reading %s failed: %s", dev, strerror(errno));
        return;
    }
    say("power request, powering off");
    power(RB_POWER_OFF);
}

void power_watch_start(void)
{
    pid_t pid = fork();

    if (pid == 0) {
        power_watch();
        _exit(0);
    }
    if (pid < 0)
        say("fork: %s", strerror(errno));
}
