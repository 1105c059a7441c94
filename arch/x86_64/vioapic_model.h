/* SPDX-License-Identifier: MIT */
#ifndef X86_64_VIOAPIC_MODEL_H
#define X86_64_VIOAPIC_MODEL_H

/*
 * The register model of an I/O APIC (Intel 82093AA datasheet): the index/data window
 * (IOREGSEL at 0x00, IOWIN at 0x10), ID, version, arbitration and 24 redirection entries, with
 * edge- and level-triggered inputs, remote IRR and the EOI that a local APIC broadcasts when
 * the guest finishes a level-triggered vector.
 *
 * Pure C with no hypervisor dependency (also built into the host unit tests,
 * tests/unit/test_vioapic.c). An interrupt the model decides to send is handed to the caller's
 * 'deliver' function with its redirection entry; the caller finds the local APICs it names.
 * Locking is the caller's.
 */

#include <stdbool.h>
#include <stdint.h>

#define VIOAPIC_BASE  0xfec00000ull /* where PCs have it, and what the MADT says */
#define VIOAPIC_SIZE  0x1000
#define VIOAPIC_PINS  24
#define IOAPIC_REGSEL 0x00
#define IOAPIC_WIN    0x10

/* Redirection entry fields. */
#define REDIR_VECTOR(e)   ((unsigned)((e)&0xff))
#define REDIR_DELIVERY(e) ((unsigned)(((e) >> 8) & 7))
#define REDIR_LOGICAL     (1ull << 11)
#define REDIR_PENDING     (1ull << 12) /* delivery status: read-only */
#define REDIR_ACTIVE_LOW  (1ull << 13)
#define REDIR_REMOTE_IRR  (1ull << 14) /* read-only */
#define REDIR_LEVEL       (1ull << 15)
#define REDIR_MASKED      (1ull << 16)
#define REDIR_DEST(e)     ((uint32_t)((e) >> 56))

struct vioapic;
typedef void (*vioapic_deliver_fn)(void *ctx, uint64_t entry);

struct vioapic {
    uint32_t id;
    uint32_t regsel;
    uint64_t redir[VIOAPIC_PINS];
    uint32_t level; /* bit n: input pin n is asserted (as the device drives it, active high) */
    vioapic_deliver_fn deliver;
    void *ctx;
};

/* Power-on state: every pin masked, edge-triggered; 'deliver(ctx, entry)' sends interrupts. */
void vioapic_reset(struct vioapic *io, uint32_t id, vioapic_deliver_fn deliver, void *ctx);

/* 32-bit accesses to the register window ('offset' 0x00 or 0x10). */
uint32_t vioapic_read(struct vioapic *io, unsigned offset);
void vioapic_write(struct vioapic *io, unsigned offset, uint32_t value);

/* Input pin 'pin' is driven to 'level' (active high, as the devices drive their lines; an
 * entry programmed active-low is treated the same, since no device here inverts). An edge pin
 * sends on the rising edge; a level pin sends while asserted whenever remote IRR is clear. */
void vioapic_set_level(struct vioapic *io, unsigned pin, bool level);

/* A local APIC finished level-triggered 'vector': clear remote IRR of the entries sending it,
 * and send again those whose line is still asserted. */
void vioapic_eoi(struct vioapic *io, unsigned vector);

#endif
