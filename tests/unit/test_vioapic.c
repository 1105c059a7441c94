// SPDX-License-Identifier: MIT
/* The I/O APIC register model (arch/x86_64/vioapic_model.c): the register window, edge and
 * level pins, remote IRR and the EOI broadcast. */
#include "check.h"
#include "x86_64/vioapic_model.h"

static uint64_t sent[16];
static unsigned sent_count;

static void record(void *ctx, uint64_t entry)
{
    (void)ctx;
    if (sent_count < 16)
        sent[sent_count] = entry;
    sent_count++;
}

static void program(struct vioapic *io, unsigned pin, uint64_t entry)
{
    vioapic_write(io, IOAPIC_REGSEL, 0x10 + 2 * pin + 1);
    vioapic_write(io, IOAPIC_WIN, (uint32_t)(entry >> 32));
    vioapic_write(io, IOAPIC_REGSEL, 0x10 + 2 * pin);
    vioapic_write(io, IOAPIC_WIN, (uint32_t)entry);
}

static uint64_t entry_of(struct vioapic *io, unsigned pin)
{
    vioapic_write(io, IOAPIC_REGSEL, 0x10 + 2 * pin);
    uint64_t lo = vioapic_read(io, IOAPIC_WIN);
    vioapic_write(io, IOAPIC_REGSEL, 0x10 + 2 * pin + 1);
    return lo | (uint64_t)vioapic_read(io, IOAPIC_WIN) << 32;
}

TEST(vioapic_registers)
{
    struct vioapic io;
    vioapic_reset(&io, 0, record, NULL);
    vioapic_write(&io, IOAPIC_REGSEL, 1);
    CHECK_EQ(vioapic_read(&io, IOAPIC_WIN), 0x170011); /* 24 entries, version 0x11 */
    vioapic_write(&io, IOAPIC_REGSEL, 0);
    vioapic_write(&io, IOAPIC_WIN, 5u << 24);
    CHECK_EQ(vioapic_read(&io, IOAPIC_WIN), 5u << 24);
    CHECK_EQ(entry_of(&io, 7), REDIR_MASKED);
    program(&io, 7, (3ull << 56) | REDIR_LEVEL | 0x39);
    CHECK_EQ(entry_of(&io, 7), (3ull << 56) | REDIR_LEVEL | 0x39);
    /* Remote IRR and delivery status are read-only. */
    program(&io, 7, REDIR_REMOTE_IRR | REDIR_PENDING | 0x39);
    CHECK_EQ(entry_of(&io, 7), 0x39);
}

TEST(vioapic_edge)
{
    struct vioapic io;
    sent_count = 0;
    vioapic_reset(&io, 0, record, NULL);
    vioapic_set_level(&io, 4, true); /* masked: nothing */
    vioapic_set_level(&io, 4, false);
    CHECK_EQ(sent_count, 0);
    program(&io, 4, (1ull << 56) | 0x24);
    vioapic_set_level(&io, 4, true);
    vioapic_set_level(&io, 4, true); /* still high: no new edge */
    CHECK_EQ(sent_count, 1);
    CHECK_EQ(REDIR_VECTOR(sent[0]), 0x24);
    CHECK_EQ(REDIR_DEST(sent[0]), 1);
    vioapic_set_level(&io, 4, false);
    vioapic_set_level(&io, 4, true);
    CHECK_EQ(sent_count, 2);
    CHECK_EQ(entry_of(&io, 4) & REDIR_REMOTE_IRR, 0);
}

TEST(vioapic_level_remote_irr)
{
    struct vioapic io;
    sent_count = 0;
    vioapic_reset(&io, 0, record, NULL);
    /* A line already high when the guest unmasks it is sent then. */
    vioapic_set_level(&io, 9, true);
    program(&io, 9, REDIR_LEVEL | 0x41);
    CHECK_EQ(sent_count, 1);
    CHECK(entry_of(&io, 9) & REDIR_REMOTE_IRR);
    /* Until the EOI, no second delivery. */
    vioapic_set_level(&io, 9, true);
    CHECK_EQ(sent_count, 1);
    /* EOI of another vector changes nothing. */
    vioapic_eoi(&io, 0x42);
    CHECK_EQ(sent_count, 1);
    /* EOI with the line still high: sent again. */
    vioapic_eoi(&io, 0x41);
    CHECK_EQ(sent_count, 2);
    CHECK(entry_of(&io, 9) & REDIR_REMOTE_IRR);
    /* The device lowers the line; EOI: remote IRR clears, nothing sent. */
    vioapic_set_level(&io, 9, false);
    vioapic_eoi(&io, 0x41);
    CHECK_EQ(sent_count, 2);
    CHECK_EQ(entry_of(&io, 9) & REDIR_REMOTE_IRR, 0);
    vioapic_set_level(&io, 9, true);
    CHECK_EQ(sent_count, 3);
    /* Masked while asserted: held until unmasked. */
    vioapic_eoi(&io, 0x41);
    CHECK_EQ(sent_count, 4);
    program(&io, 9, REDIR_MASKED | REDIR_LEVEL | 0x41);
    vioapic_eoi(&io, 0x41);
    CHECK_EQ(sent_count, 4);
    program(&io, 9, REDIR_LEVEL | 0x41);
    CHECK_EQ(sent_count, 5);
}
