// SPDX-License-Identifier: MIT
/*
 * The x86_64 test guest's calls into the hypervisor: VMMCALL for hypercalls (rax = number,
 * rdi, rsi = arguments, result in rax), the TSC for cycles, and COM1 as the console, which is
 * an I/O-port device and so not in the device tree: port 0x3f8 by convention.
 */
#include <axvm/hypercall.h>
#include "../../guest.h"

#define COM1     0x3f8
#define COM_LSR  5
#define LSR_THRE 0x20

/* Declared and defined weak in console.c: the console when the device tree names no UART. */

int64_t guest_hypercall(uint64_t nr, uint64_t a0, uint64_t a1)
{
    int64_t ret;
    __asm__ volatile("vmmcall" : "=a"(ret) : "a"(nr), "D"(a0), "S"(a1) : "memory");
    return ret;
}

int64_t guest_cpu_on(uint64_t hwid, uint64_t arg)
{
    /* Starting CPUs is INIT-SIPI to a local APIC, which axvm does not emulate yet. */
    (void)hwid;
    (void)arg;
    return -1;
}

uint64_t guest_cycles(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

void guest_relax(void)
{
    __asm__ volatile("pause" ::: "memory");
}

static uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

void guest_console_putc_fallback(char c)
{
    while (!(inb(COM1 + COM_LSR) & LSR_THRE))
        ;
    outb(COM1, (uint8_t)c);
}
