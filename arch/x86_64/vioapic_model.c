// SPDX-License-Identifier: MIT
/* The I/O APIC's registers and routing (vioapic_model.h; Intel 82093AA datasheet §3). */
#include <string.h>
#include "vioapic_model.h"

#define IOAPIC_REG_ID      0x00
#define IOAPIC_REG_VERSION 0x01
#define IOAPIC_REG_ARB     0x02
#define IOAPIC_REG_REDIR   0x10 /* two 32-bit registers per entry */
#define IOAPIC_VERSION     0x11 /* the 82093AA */
/* What software may write: everything but delivery status and remote IRR. */
#define REDIR_WRITABLE (~(REDIR_PENDING | REDIR_REMOTE_IRR))

void vioapic_reset(struct vioapic *io, uint32_t id, vioapic_deliver_fn deliver, void *ctx)
{
    memset(io, 0, sizeof(*io));
    io->id = id;
    io->deliver = deliver;
    io->ctx = ctx;
    for (unsigned i = 0; i < VIOAPIC_PINS; i++)
        io->redir[i] = REDIR_MASKED;
}

/* Send pin 'pin' if its entry lets it: unmasked, and for level pins no EOI outstanding. */
static void vioapic_service(struct vioapic *io, unsigned pin)
{
    uint64_t e = io->redir[pin];
    if (e & REDIR_MASKED)
        return;
    if (e & REDIR_LEVEL) {
        if (!(io->level & (1u << pin)) || (e & REDIR_REMOTE_IRR))
            return;
        io->redir[pin] |= REDIR_REMOTE_IRR;
    }
    io->deliver(io->ctx, io->redir[pin]);
}

void vioapic_set_level(struct vioapic *io, unsigned pin, bool level)
{
    if (pin >= VIOAPIC_PINS)
        return;
    uint32_t bit = 1u << pin;
    bool was = io->level & bit;
    io->level = level ? io->level | bit : io->level & ~bit;
    if (!level)
        return;
    if (io->redir[pin] & REDIR_LEVEL)
        vioapic_service(io, pin);
    else if (!was)
        vioapic_service(io, pin); /* edge: only the rising edge counts */
}

void vioapic_eoi(struct vioapic *io, unsigned vector)
{
    for (unsigned i = 0; i < VIOAPIC_PINS; i++) {
        uint64_t e = io->redir[i];
        if (!(e & REDIR_LEVEL) || !(e & REDIR_REMOTE_IRR) || REDIR_VECTOR(e) != vector)
            continue;
        io->redir[i] &= ~REDIR_REMOTE_IRR;
        vioapic_service(io, i);
    }
}

uint32_t vioapic_read(struct vioapic *io, unsigned offset)
{
    if (offset == IOAPIC_REGSEL)
        return io->regsel;
    if (offset != IOAPIC_WIN)
        return 0;
    unsigned r = io->regsel;
    if (r == IOAPIC_REG_ID || r == IOAPIC_REG_ARB)
        return (io->id & 0xf) << 24;
    if (r == IOAPIC_REG_VERSION)
        return IOAPIC_VERSION | ((VIOAPIC_PINS - 1) << 16);
    if (r >= IOAPIC_REG_REDIR && r < IOAPIC_REG_REDIR + 2 * VIOAPIC_PINS) {
        uint64_t e = io->redir[(r - IOAPIC_REG_REDIR) / 2];
        return (r & 1) ? (uint32_t)(e >> 32) : (uint32_t)e;
    }
    return 0;
}

void vioapic_write(struct vioapic *io, unsigned offset, uint32_t value)
{
    if (offset == IOAPIC_REGSEL) {
        io->regsel = value & 0xff;
        return;
    }
    if (offset != IOAPIC_WIN)
        return;
    unsigned r = io->regsel;
    if (r == IOAPIC_REG_ID) {
        io->id = (value >> 24) & 0xf;
        return;
    }
    if (r < IOAPIC_REG_REDIR || r >= IOAPIC_REG_REDIR + 2 * VIOAPIC_PINS)
        return;
    unsigned pin = (r - IOAPIC_REG_REDIR) / 2;
    uint64_t e = io->redir[pin];
    uint64_t keep = e & ~REDIR_WRITABLE;
    if (r & 1)
        e = (e & 0xffffffffull) | ((uint64_t)value << 32);
    else
        e = (e & ~0xffffffffull) | value;
    io->redir[pin] = (e & REDIR_WRITABLE) | keep;
    if (!(io->redir[pin] & REDIR_LEVEL))
        io->redir[pin] &= ~REDIR_REMOTE_IRR; /* remote IRR means nothing for edge pins */
    /* Unmasking a level pin whose line is high sends it now. */
    if (io->redir[pin] & REDIR_LEVEL)
        vioapic_service(io, pin);
}
