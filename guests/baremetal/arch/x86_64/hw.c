// SPDX-License-Identifier: MIT
/*
 * The x86_64 test guest's calls into the hypervisor: VMMCALL for hypercalls (rax = number,
 * rdi, rsi = arguments, result in rax), the TSC for cycles, and COM1 as the console, which is
 * an I/O-port device and so not in the device tree: port 0x3f8 by convention.
 */
#include <string.h>
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

/* Starting a CPU: INIT, then a SIPI whose vector is the page of the real-mode trampoline
 * (start.S), through the local APIC's interrupt command register (Intel SDM vol. 3 §9.4.4). */
#define TRAMPOLINE_BASE 0x8000
#define LAPIC_ICR_LO    ((volatile uint32_t *)0xfee00300)
#define LAPIC_ICR_HI    ((volatile uint32_t *)0xfee00310)
#define ICR_INIT_ASSERT 0x00004500
#define ICR_STARTUP     0x00004600
#define SECONDARY_STACK 8192

extern const char trampoline_start[], trampoline_end[];
volatile uint64_t secondary_stack, secondary_index;
static uint8_t secondary_stacks[8][SECONDARY_STACK] __attribute__((aligned(16)));

int64_t guest_cpu_on(uint64_t hwid, uint64_t arg)
{
    if (arg >= 8)
        return -1;
    memcpy((void *)TRAMPOLINE_BASE, trampoline_start, (size_t)(trampoline_end - trampoline_start));
    secondary_index = arg;
    secondary_stack = (uint64_t)(uintptr_t)&secondary_stacks[arg][SECONDARY_STACK];
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    *LAPIC_ICR_HI = (uint32_t)hwid << 24;
    *LAPIC_ICR_LO = ICR_INIT_ASSERT;
    *LAPIC_ICR_HI = (uint32_t)hwid << 24;
    *LAPIC_ICR_LO = ICR_STARTUP | (TRAMPOLINE_BASE >> 12);
    return 0;
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
