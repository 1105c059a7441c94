/* SPDX-License-Identifier: MIT */
#ifndef GUEST_FPREGS_H
#define GUEST_FPREGS_H

/*
 * The guest's FP/SIMD registers as memory, for the FP canary (fpcanary.c). Each architecture
 * writes them in arch/<arch>/fpregs.S, the only guest code allowed to touch them: the rest of
 * the guest is built without FP (-mgeneral-regs-only, soft-float), so between fpregs_load and
 * fpregs_save nothing but the hypervisor can change them.
 */

#include <stdint.h>

#define FPREGS_MAX_REGS  32
#define FPREGS_MAX_LANES 2 /* 64-bit lanes of the widest register (128-bit q / xmm) */
#define FPREGS_MAX_CTLS  2

/* Every register at the same offsets on every architecture (fpregs.S relies on them). */
struct fpregs {
    uint64_t reg[FPREGS_MAX_REGS][FPREGS_MAX_LANES]; /* byte 0: q0 / f0 / xmm0, 16 bytes each */
    uint64_t ctl[FPREGS_MAX_CTLS];                   /* byte 512: FPCR, FPSR / fcsr / MXCSR */
};

/* What this architecture has, defined in arch/<arch>/fpregs.S (read-only data). */
struct fpregs_shape {
    uint32_t regs;  /* data registers: 32 q, 32 f, 16 xmm */
    uint32_t lanes; /* 64-bit lanes each */
    uint32_t ctls;  /* control and status registers */
    uint32_t pad;
    /* Control register k holds ctl_fixed[k] | (any value & ctl_bits[k]): bits that are
     * implemented and that cannot make a register move trap (exception masks stay set).
     * ctl_fixed is also the value at reset. */
    uint64_t ctl_bits[FPREGS_MAX_CTLS];
    uint64_t ctl_fixed[FPREGS_MAX_CTLS];
    const char *reg_prefix;                /* "q", "f", "xmm" */
    const char *ctl_name[FPREGS_MAX_CTLS]; /* "fpcr", "fpsr" / "fcsr" / "mxcsr" */
};

extern const struct fpregs_shape fpregs_shape;

/* Let this (EL1, VS, ring 0) guest use the FP unit: CPACR_EL1.FPEN, sstatus.FS, CR0/CR4. */
void fpregs_enable(void);
/* Every data and control register from *r, and back. */
void fpregs_load(const struct fpregs *r);
void fpregs_save(struct fpregs *r);

#endif
