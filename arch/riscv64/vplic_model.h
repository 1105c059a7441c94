/* SPDX-License-Identifier: MIT */
#ifndef RISCV64_VPLIC_MODEL_H
#define RISCV64_VPLIC_MODEL_H

/*
 * The register model of the virtual PLIC: the platform-level interrupt controller of QEMU's
 * virt machine and SiFive's cores, as Linux's "sifive,plic-1.0.0" driver uses it (RISC-V PLIC
 * Specification 1.0.0). Pure C and lock-free: the device (arch/riscv64/vplic.c) serialises
 * calls, and the host unit tests drive it directly (tests/unit/test_vplic.c).
 *
 * Each interrupt source has a priority (0 = never) and a pending bit; each context (here one
 * per vCPU: its S-mode external interrupt) has enable bits and a priority threshold. A
 * context's external-interrupt line is up while some pending source it enables has a priority
 * above its threshold. Reading the context's claim register returns the best such source
 * (highest priority, then lowest id) and clears its pending bit; the source then delivers
 * nothing more until the guest writes its id back to the same register (completion).
 *
 * Two kinds of source: an emulated device's level-triggered line (vplic_model_set_level),
 * pending while asserted and again at completion if still asserted; and a host interrupt of a
 * passthrough device (vplic_model_raise_hw), pending once per arrival, whose completion the
 * caller forwards to the host PLIC, where the source stayed claimed meanwhile.
 */

#include <stdbool.h>
#include <stdint.h>

#define VPLIC_SOURCES      64 /* ids 1..63; 0 means "no interrupt" */
#define VPLIC_CONTEXTS_MAX 8  /* VM_MAX_VCPUS */
#define VPLIC_PRIORITY_MAX 7  /* three priority bits, as on QEMU virt */

/* Register map (PLIC specification, chapter "Memory Map"). */
#define VPLIC_PRIORITY       0x000000 /* 4 bytes per source */
#define VPLIC_PENDING        0x001000 /* one bit per source */
#define VPLIC_ENABLE         0x002000 /* one bit per source, per context: */
#define VPLIC_ENABLE_STRIDE  0x80
#define VPLIC_CONTEXT        0x200000 /* threshold at +0, claim/complete at +4, per context: */
#define VPLIC_CONTEXT_STRIDE 0x1000
#define VPLIC_CONTEXT_CLAIM  4
#define VPLIC_DEFAULT_SIZE   0x400000

struct vplic_model {
    unsigned contexts;
    uint8_t priority[VPLIC_SOURCES];
    uint64_t pending; /* bit per source */
    uint64_t level;   /* emulated lines that are asserted */
    uint64_t claimed; /* claimed by a context and not completed yet */
    uint64_t hw;      /* host interrupts (passthrough): completion goes to the host */
    uint64_t enable[VPLIC_CONTEXTS_MAX];
    uint8_t threshold[VPLIC_CONTEXTS_MAX];
};

/* Reset state: everything zero (priorities 0, nothing enabled, thresholds 0), 'contexts'
 * contexts. Host sources stay marked as such. */
void vplic_model_reset(struct vplic_model *m, unsigned contexts);

/* An emulated device's line. Returns true if this made the source pending. */
bool vplic_model_set_level(struct vplic_model *m, unsigned src, bool level);

/* An edge on emulated source 'src' (a doorbell): pending until claimed; one that comes while
 * the source is in flight is delivered again after completion. True if it is pending now. */
bool vplic_model_raise_edge(struct vplic_model *m, unsigned src);

/* A host interrupt for passthrough source 'src' arrived. Returns true if it is pending now. */
bool vplic_model_raise_hw(struct vplic_model *m, unsigned src);

/* The source context 'ctx' would get from a claim now, 0 for none: its line is up if not 0. */
unsigned vplic_model_best(const struct vplic_model *m, unsigned ctx);

/*
 * A 32-bit register access at 'off' (the only width the PLIC has). Returns 0, or -EINVAL for
 * another width or a misaligned offset. Offsets with no register read 0 and ignore writes.
 * A read of a claim register claims. A write of a completion that took effect on a host
 * source sets *completed_hw to its id (else 0): the caller completes it at the host.
 */
int vplic_model_read(struct vplic_model *m, uint64_t off, unsigned width, uint32_t *value);
int vplic_model_write(struct vplic_model *m, uint64_t off, unsigned width, uint32_t value,
                      unsigned *completed_hw);

#endif
