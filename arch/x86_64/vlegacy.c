// SPDX-License-Identifier: MIT
/* The legacy PC devices of an x86 VM (vlegacy.h). */
#include <string.h>
#include <axvm/arch.h>
#include <axvm/vm.h>
#include "vlegacy.h"

#define PIT_HZ 1193182u

/* ---- 8259 PIC (Intel 8259A datasheet): the init sequence and the mask register. ---------- */

#define ICW1_INIT 0x10
#define ICW1_ICW4 0x01

static int pic_read(struct emu_device *d, uint64_t off, unsigned width, uint64_t *value)
{
    struct vpic *p = d->priv;
    *value = off == 1 ? p->imr : 0; /* nothing is ever requested or in service */
    return 0;
}

static int pic_write(struct emu_device *d, uint64_t off, unsigned width, uint64_t value)
{
    struct vpic *p = d->priv;
    uint8_t v = (uint8_t)value;
    if (off == 0) {
        if (v & ICW1_INIT) {
            p->icw_step = 1;
            p->icw4_needed = v & ICW1_ICW4;
            p->imr = 0;
        }
        return 0; /* OCW2/OCW3: EOIs and register selects change nothing here */
    }
    switch (p->icw_step) {
    case 1:
        p->vector_base = v & 0xf8;
        p->icw_step = 2;
        break;
    case 2:
        p->icw_step = p->icw4_needed ? 3 : 0;
        break;
    case 3:
        p->icw_step = 0;
        break;
    default:
        p->imr = v;
        break;
    }
    return 0;
}

static const struct emu_ops pic_ops = {.read = pic_read, .write = pic_write};

/* ---- 8254 PIT (Intel 8254 datasheet), counting from the TSC ------------------------------- */

#define PIT_ACCESS_LATCH 0
#define PIT_ACCESS_LSB   1
#define PIT_ACCESS_MSB   2
#define PIT_ACCESS_WORD  3
#define PORT_B_GATE2     0x01
#define PORT_B_OUT2      0x20

static uint64_t pit_elapsed(const struct vpit_channel *c)
{
    /* Counter ticks to PIT ticks; the quotient first keeps the product in 64 bits. */
    uint64_t ticks = arch_counter_read() - c->start, f = arch_counter_freq();
    return ticks / f * PIT_HZ + ticks % f * PIT_HZ / f;
}

static uint32_t pit_period(const struct vpit_channel *c)
{
    return c->initial ? c->initial : 0x10000;
}

static uint16_t pit_count(const struct vpit_channel *c)
{
    uint64_t n = pit_elapsed(c);
    if (c->mode == 2 || c->mode == 3) /* rate generator, square wave: periodic */
        return (uint16_t)(pit_period(c) - n % pit_period(c));
    return (uint16_t)(pit_period(c) - n); /* mode 0 and the rest: down, wrapping */
}

static bool pit_out(const struct vpit_channel *c)
{
    if (c->mode == 0)
        return pit_elapsed(c) >= pit_period(c); /* high from terminal count on */
    return true;
}

static int pit_read(struct emu_device *d, uint64_t off, unsigned width, uint64_t *value)
{
    struct vlegacy *l = d->priv;
    if (off > 2)
        return 0;
    struct vpit_channel *c = &l->pit[off];
    uint16_t count = c->latched ? c->latch : pit_count(c);
    bool msb = c->access == PIT_ACCESS_MSB || (c->access == PIT_ACCESS_WORD && c->read_msb_next);
    *value = msb ? count >> 8 : count & 0xff;
    if (c->access == PIT_ACCESS_WORD)
        c->read_msb_next = !c->read_msb_next;
    if (c->latched && (c->access != PIT_ACCESS_WORD || !c->read_msb_next))
        c->latched = false;
    return 0;
}

static void pit_command(struct vlegacy *l, uint8_t v)
{
    unsigned ch = v >> 6;
    if (ch == 3)
        return; /* read-back: Linux does not use it */
    struct vpit_channel *c = &l->pit[ch];
    unsigned access = (v >> 4) & 3;
    if (access == PIT_ACCESS_LATCH) {
        c->latch = pit_count(c);
        c->latched = true;
        c->read_msb_next = false;
        return;
    }
    c->access = (uint8_t)access;
    c->mode = (v >> 1) & 7;
    c->write_msb_next = c->read_msb_next = c->latched = false;
}

static int pit_write(struct emu_device *d, uint64_t off, unsigned width, uint64_t value)
{
    struct vlegacy *l = d->priv;
    uint8_t v = (uint8_t)value;
    if (off == 3) {
        pit_command(l, v);
        return 0;
    }
    struct vpit_channel *c = &l->pit[off];
    bool msb = c->access == PIT_ACCESS_MSB || (c->access == PIT_ACCESS_WORD && c->write_msb_next);
    if (msb)
        c->initial = (uint16_t)((c->initial & 0xff) | v << 8);
    else
        c->initial = (uint16_t)((c->initial & 0xff00) | v);
    if (c->access == PIT_ACCESS_WORD && !c->write_msb_next) {
        c->write_msb_next = true;
        return 0; /* the count loads once both bytes are in */
    }
    c->write_msb_next = false;
    c->start = arch_counter_read();
    return 0;
}

static const struct emu_ops pit_ops = {.read = pit_read, .write = pit_write};

static int port_b_read(struct emu_device *d, uint64_t off, unsigned width, uint64_t *value)
{
    struct vlegacy *l = d->priv;
    *value = (l->port_b & 0x0f) | (pit_out(&l->pit[2]) ? PORT_B_OUT2 : 0);
    return 0;
}

static int port_b_write(struct emu_device *d, uint64_t off, unsigned width, uint64_t value)
{
    struct vlegacy *l = d->priv;
    l->port_b = (uint8_t)(value & 0x0f);
    return 0;
}

static const struct emu_ops port_b_ops = {.read = port_b_read, .write = port_b_write};

/* ---- CMOS RTC (MC146818): a stopped clock, BCD, 24-hour ---------------------------------- */

#define RTC_STATUS_A 0x0a
#define RTC_STATUS_B 0x0b
#define RTC_STATUS_D 0x0d

static uint8_t rtc_register(unsigned index)
{
    static const uint8_t time[10] = {
        [0] = 0x00, [2] = 0x00, [4] = 0x00,             /* 00:00:00 */
        [6] = 0x05, [7] = 0x01, [8] = 0x01, [9] = 0x26, /* Thursday 2026-01-01 */
    };
    if (index < ARRAY_SIZE(time))
        return time[index];
    if (index == RTC_STATUS_A)
        return 0x26; /* 32.768 kHz base, 1024 Hz rate, no update in progress */
    if (index == RTC_STATUS_B)
        return 0x02; /* 24-hour, BCD, no interrupts */
    if (index == RTC_STATUS_D)
        return 0x80; /* the battery is fine */
    return 0;
}

static int rtc_read(struct emu_device *d, uint64_t off, unsigned width, uint64_t *value)
{
    struct vlegacy *l = d->priv;
    *value = off == 1 ? rtc_register(l->rtc_index) : 0xff;
    return 0;
}

static int rtc_write(struct emu_device *d, uint64_t off, unsigned width, uint64_t value)
{
    struct vlegacy *l = d->priv;
    if (off == 0)
        l->rtc_index = value & 0x7f; /* bit 7 is the NMI mask */
    return 0;                        /* the clock cannot be set */
}

static const struct emu_ops rtc_ops = {.read = rtc_read, .write = rtc_write};

/* ---- ACPI PM block (ACPI 6.4 §4.8) ------------------------------------------------------- */

#define PM1_CNT_SCI_EN     0x0001
#define PM1_CNT_SLP_TYP(v) (((v) >> 10) & 7)
#define PM1_CNT_SLP_EN     0x2000
#define PM1_PWRBTN         0x0100 /* PWRBTN_STS in PM1_STS, PWRBTN_EN in PM1_EN */

/* The SCI follows (status & enable) as a level. Called with pm_lock. */
static void pm_sci_update(struct vlegacy *l)
{
    vm_irq_set(l->vm, VLEGACY_SCI_IRQ, (l->pm1_sts & l->pm1_en & PM1_PWRBTN) != 0);
}

void vlegacy_power_button(struct vlegacy *l)
{
    unsigned long flags = spin_lock_irqsave(&l->pm_lock);
    l->pm1_sts |= PM1_PWRBTN;
    pm_sci_update(l);
    spin_unlock_irqrestore(&l->pm_lock, flags);
}

/* PM1_STS at 0, PM1_EN at 2: a 32-bit access covers both. */
static int pm_read(struct emu_device *d, uint64_t off, unsigned width, uint64_t *value)
{
    struct vlegacy *l = d->priv;
    uint64_t port = d->base + off;
    unsigned long flags = spin_lock_irqsave(&l->pm_lock);
    uint32_t evt = l->pm1_sts | (uint32_t)l->pm1_en << 16;
    spin_unlock_irqrestore(&l->pm_lock, flags);
    if (port >= VLEGACY_PM1_EVT && port < VLEGACY_PM1_EVT + 4)
        *value = evt >> (8 * (port - VLEGACY_PM1_EVT));
    else if (port == VLEGACY_PM1_CNT)
        *value = PM1_CNT_SCI_EN; /* always in ACPI mode */
    else
        *value = 0;
    return 0;
}

/* A write to the event block: status bits are cleared by writing 1 (§4.8.3.1.1), the enable
 * register is written as it is. */
static void pm_evt_write(struct vlegacy *l, unsigned at, unsigned width, uint64_t value)
{
    uint32_t bytes = (uint32_t)(value << (8 * at));
    uint32_t mask =
        (uint32_t)((width >= 4 ? 0xffffffffULL : (1ULL << (8 * width)) - 1) << (8 * at));
    unsigned long flags = spin_lock_irqsave(&l->pm_lock);
    l->pm1_sts &= (uint16_t) ~(bytes & mask & 0xffff);
    l->pm1_en = (uint16_t)((l->pm1_en & ~(mask >> 16)) | ((bytes & mask) >> 16));
    pm_sci_update(l);
    spin_unlock_irqrestore(&l->pm_lock, flags);
}

static int pm_write(struct emu_device *d, uint64_t off, unsigned width, uint64_t value)
{
    struct vlegacy *l = d->priv;
    uint64_t port = d->base + off;
    if (port >= VLEGACY_PM1_EVT && port < VLEGACY_PM1_EVT + 4) {
        pm_evt_write(l, (unsigned)(port - VLEGACY_PM1_EVT), width, value);
    } else if (port == VLEGACY_PM1_CNT) {
        if ((value & PM1_CNT_SLP_EN) && PM1_CNT_SLP_TYP(value) == 5)
            vm_stop(d->vm, VM_STOP_SHUTDOWN);
    } else if (port == VLEGACY_RESET && (value & 0xff) == VLEGACY_RESET_VALUE) {
        vm_stop(d->vm, VM_STOP_REBOOT);
    }
    return 0;
}

static const struct emu_ops pm_ops = {.read = pm_read, .write = pm_write};

static int add(struct vm *vm, struct emu_device *d, const char *name, uint64_t port, uint64_t size,
               const struct emu_ops *ops, void *priv)
{
    *d = (struct emu_device){.name = name,
                             .space = EMU_PIO,
                             .base = port,
                             .size = size,
                             .ops = ops,
                             .priv = priv,
                             .vm = vm};
    return emu_bus_add(&vm->bus, d);
}

int vlegacy_attach(struct vm *vm, struct vlegacy *l)
{
    memset(l, 0, sizeof(*l));
    l->pm_lock = (spinlock_t)SPINLOCK_INIT;
    l->vm = vm;
    for (unsigned i = 0; i < 2; i++)
        l->pic[i].imr = 0xff;
    for (unsigned i = 0; i < 3; i++)
        l->pit[i].access = PIT_ACCESS_WORD;
    int err = add(vm, &l->pic_dev[0], "8259", 0x20, 2, &pic_ops, &l->pic[0]);
    err = err ?: add(vm, &l->pic_dev[1], "8259", 0xa0, 2, &pic_ops, &l->pic[1]);
    err = err ?: add(vm, &l->pit_dev, "8254", 0x40, 4, &pit_ops, l);
    err = err ?: add(vm, &l->port_b_dev, "port-b", 0x61, 1, &port_b_ops, l);
    err = err ?: add(vm, &l->rtc_dev, "cmos", 0x70, 2, &rtc_ops, l);
    err = err ?: add(vm, &l->pm_dev, "acpi-pm", VLEGACY_PM_BASE, 16, &pm_ops, l);
    return err;
}
