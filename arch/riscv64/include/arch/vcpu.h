/* SPDX-License-Identifier: MIT */
#ifndef ARCH_VCPU_H
#define ARCH_VCPU_H

/*
 * One RISC-V vCPU: the registers a VS-mode guest owns and the HS-mode state that describes it
 * (RISC-V Privileged Architecture 20211203, chapter 8, "Hypervisor Extension").
 */

/* Offsets into struct guest_regs for arch/riscv64/guest_entry.S; checked in vcpu.c. x[0] has a
 * slot (never loaded or stored) so that x[n] is register xn. */
#define GUEST_REGS_X(n)    ((n)*8)
#define GUEST_REGS_SEPC    (32 * 8)
#define GUEST_REGS_SSTATUS (33 * 8)
#define GUEST_REGS_HSTATUS (34 * 8)
#define GUEST_REGS_SCAUSE  (35 * 8)
#define GUEST_REGS_STVAL   (36 * 8)
#define GUEST_REGS_HTVAL   (37 * 8)
#define GUEST_REGS_HTINST  (38 * 8)

#ifdef __ASSEMBLY__
#include <arch/percpu.h>
/* The guest's t5 and t6, parked by trap_entry in this hart's scratch slots ('pc' = struct
 * arch_percpu), into its struct guest_regs at 'regs'; 'tmp' is clobbered. */
// clang-format off
.macro save_parked_t5_t6 pc, regs, tmp
    ld      \tmp, ARCH_PERCPU_SCRATCH_T5(\pc)
    sd      \tmp, GUEST_REGS_X(30)(\regs)
    ld      \tmp, ARCH_PERCPU_SCRATCH_T6(\pc)
    sd      \tmp, GUEST_REGS_X(31)(\regs)
.endm
// clang-format on
#else

#include <axvm/types.h>

/*
 * What guest_enter loads and guest_exit saves on every entry and exit. sstatus and hstatus
 * carry the guest's privilege (SPP, SPVP: VS or VU) across an exit; the last four say why the
 * guest trapped.
 */
struct guest_regs {
    uint64_t x[32];
    uint64_t sepc; /* guest PC */
    uint64_t sstatus;
    uint64_t hstatus;
    uint64_t scause;
    uint64_t stval;
    uint64_t htval;
    uint64_t htinst;
};

/* The VS-level CSRs (8.2.11-8.2.19, plus Sstc's vstimecmp) and hvip, whose VSSIP bit the guest
 * writes through sip. Switched only when another vCPU takes the hart. */
struct vs_csrs {
    uint64_t vsstatus, vsie, vstvec, vsscratch, vsepc, vscause, vstval, vsatp, hvip, vstimecmp;
    /* Not banked for VS-mode: the guest's writes reach the hart's own scounteren, which gates
     * its U-mode counter reads, so it is switched with the rest. */
    uint64_t scounteren;
};

/* f0-f31 and fcsr: the hypervisor is soft-float, so these too belong to the guest. */
struct fpu_regs {
    uint64_t f[32];
    uint64_t fcsr;
};

/* Fences other vCPUs asked this one to run (SBI RFENCE), bits of arch_vcpu.pending_fence. */
#define VCPU_FENCE_VVMA 0x1u /* HFENCE.VVMA: the guest's own TLB entries */
#define VCPU_FENCE_I    0x2u /* FENCE.I */

struct vplic;

struct arch_vcpu {
    struct guest_regs regs;
    struct vs_csrs vs;
    struct fpu_regs fpu;
    uint64_t hgatp; /* Sv39x4 root and VMID */
    unsigned vmid;
    struct vplic *vplic; /* the VM's, looked up once at reset; NULL without one */
    uint64_t fence_gpa;  /* a G-stage entry to refetch before the next entry (lazy fill) */
    bool fence_pending;
    bool sbi_legacy; /* the exit is a legacy SBI call: the result goes to a0 alone */
    /* Without Sstc: the guest timer's deadline from SBI set_timer, ~0 for none or fired
     * (arch/riscv64/timer.c). */
    uint64_t sbi_timer;
    bool hsm_suspended; /* halted by HSM hart_suspend, until it next enters the guest */
    /* Requests from other vCPUs (arch/riscv64/sbi_guest_remote.c), set and taken atomically:
     * VS-level interrupts to add to hvip, and VCPU_FENCE_* bits. */
    uint64_t pending_hvip;
    unsigned pending_fence;
};

#endif /* !__ASSEMBLY__ */

#endif
