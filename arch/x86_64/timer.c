// SPDX-License-Identifier: MIT
#include <axvm/arch.h>
#include <axvm/log.h>
#include <arch/cpu.h>
#include <arch/timer.h>

#define PM_TIMER_HZ  3579545u
#define PIT_HZ       1193182u
#define CALIBRATE_MS 20u

/* Port 0x61 (system control port B) gates PIT channel 2 and shows its output. */
#define PORT_B          0x61
#define PORT_B_GATE2    0x01
#define PORT_B_SPEAKER  0x02
#define PORT_B_OUT2     0x20
#define PIT_CH2         0x42
#define PIT_CMD         0x43
#define PIT_CH2_ONESHOT 0xb0 /* channel 2, low then high byte, mode 0, binary */

/* A reference timer that never moves must not hang the boot: give up after this many TSC
 * cycles (seconds at any plausible TSC rate). */
#define CALIBRATE_GIVE_UP (1ull << 34)

static uint64_t tsc_hz;

static uint64_t calibrate_pm_timer(uint16_t port, bool wide)
{
    uint32_t mask = wide ? 0xffffffffu : 0xffffffu;
    uint32_t want = PM_TIMER_HZ / 1000 * CALIBRATE_MS;
    uint32_t start = inl(port) & mask, elapsed;
    uint64_t t0 = rdtsc(), t1;
    do {
        elapsed = ((inl(port) & mask) - start) & mask;
        t1 = rdtsc();
        if (t1 - t0 > CALIBRATE_GIVE_UP)
            return 0;
    } while (elapsed < want);
    return (t1 - t0) * PM_TIMER_HZ / elapsed;
}

static uint64_t calibrate_pit(void)
{
    uint32_t count = PIT_HZ * CALIBRATE_MS / 1000;
    uint8_t saved = inb(PORT_B);
    outb(PORT_B, (saved & ~PORT_B_SPEAKER) | PORT_B_GATE2);
    outb(PIT_CMD, PIT_CH2_ONESHOT);
    outb(PIT_CH2, count & 0xff);
    outb(PIT_CH2, count >> 8);
    /* In mode 0 the output goes high when the count reaches zero. */
    uint64_t t0 = rdtsc(), t1;
    do {
        t1 = rdtsc();
        if (t1 - t0 > CALIBRATE_GIVE_UP) {
            outb(PORT_B, saved);
            return 0;
        }
    } while (!(inb(PORT_B) & PORT_B_OUT2));
    outb(PORT_B, saved);
    return (t1 - t0) * PIT_HZ / count;
}

void timer_calibrate(uint16_t pm_timer_port, bool pm_timer_32bit)
{
    const char *ref = "the ACPI PM timer";
    tsc_hz = pm_timer_port ? calibrate_pm_timer(pm_timer_port, pm_timer_32bit) : 0;
    if (!tsc_hz) {
        ref = "PIT channel 2";
        tsc_hz = calibrate_pit();
    }
    if (!tsc_hz) {
        tsc_hz = 1000000000;
        log_warn("timer: no reference timer ticks; assuming a 1 GHz TSC, timeouts will be off");
        return;
    }
    log_info("timer: TSC at %llu.%03llu MHz (measured against %s)",
             (unsigned long long)(tsc_hz / 1000000), (unsigned long long)(tsc_hz / 1000 % 1000),
             ref);
}

void timer_delay_us(uint64_t us)
{
    uint64_t end = rdtsc() + tsc_hz / 1000000 * us;
    while (rdtsc() < end)
        arch_cpu_relax();
}

uint64_t arch_counter_read(void)
{
    return rdtsc();
}

uint64_t arch_counter_freq(void)
{
    return tsc_hz;
}
