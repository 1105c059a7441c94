/* SPDX-License-Identifier: MIT */
#ifndef ARCH_VCPU_H
#define ARCH_VCPU_H

#include <axvm/types.h>
#include <arch/vgic.h>

/* Guest general registers as arch/aarch64/guest_entry.S saves them; offsets fixed there. */
struct guest_regs {
    uint64_t x[31];
    uint64_t elr;  /* guest PC */
    uint64_t spsr; /* guest PSTATE */
    uint64_t esr;  /* syndrome of the last exit */
    uint64_t far;
    uint64_t hpfar;
};

/* EL1 state that belongs to the guest; switched only when another vCPU takes the pCPU. */
struct el1_regs {
    uint64_t sctlr, ttbr0, ttbr1, tcr, mair, amair, vbar, contextidr;
    uint64_t tpidr_el0, tpidrro_el0, tpidr_el1, sp_el0, sp_el1, elr, spsr;
    uint64_t esr, far, afsr0, afsr1, par, cpacr, cntkctl, cntv_ctl, cntv_cval, csselr, mdscr;
};

struct arch_vcpu {
    struct guest_regs regs;
    struct el1_regs el1;
    struct vgic_cpu gic;
    struct vgic *vgic; /* the VM's, looked up once at reset; NULL without one */
    uint64_t vttbr;
    uint64_t vmpidr;
    unsigned advance; /* bytes to step over the exiting instruction on completion */
    bool el1_fresh;   /* reset since last loaded: load el1 even if this vCPU is current */
};

#endif
