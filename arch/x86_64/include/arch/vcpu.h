/* SPDX-License-Identifier: MIT */
#ifndef ARCH_VCPU_H
#define ARCH_VCPU_H

#include <axvm/types.h>

/* General registers in the instruction encoding's order (ModRM.reg, REX.R extended). */
enum {
    GPR_RAX,
    GPR_RCX,
    GPR_RDX,
    GPR_RBX,
    GPR_RSP,
    GPR_RBP,
    GPR_RSI,
    GPR_RDI,
    GPR_R8,
    GPR_R9,
    GPR_R10,
    GPR_R11,
    GPR_R12,
    GPR_R13,
    GPR_R14,
    GPR_R15,
    GPR_COUNT
};

/* What arch/x86_64/svm_entry.S loads before VMRUN and stores after #VMEXIT: every register
 * but RAX and RSP, which VMRUN itself takes from the VMCB. arch_vcpu_run copies those two in
 * and out, so that gpr[] is always the whole register file while the hypervisor looks at it. */
struct guest_regs {
    uint64_t gpr[GPR_COUNT];
};

/* The x87 and SSE state FXSAVE stores (AMD APM vol. 2 §11.4.4): all the floating-point state
 * a guest has, since its CPUID offers no XSAVE. */
struct fxsave_area {
    uint8_t bytes[512];
} __attribute__((aligned(16)));

struct vmcb;

struct arch_vcpu {
    struct guest_regs regs;
    struct fxsave_area fpu; /* valid while another vCPU owns the pCPU's FPU (fpu.c) */
    struct vmcb *vmcb;      /* one of a fixed pool (svm.c): no frame to leak when a VM goes away */
    /* The register an emulated MMIO load writes: its width and whether it is AH..BH. */
    uint8_t load_width;
    bool load_high8;
};

#endif
