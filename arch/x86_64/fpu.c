// SPDX-License-Identifier: MIT
/*
 * The guests' x87/SSE state. The hypervisor itself never touches these registers (it is built
 * with -mgeneral-regs-only) and VMRUN does not switch them, so a vCPU's state simply stays in
 * the registers while it is loaded (the core's vcpu_load / vcpu_put). A reset vCPU starts from
 * the state FNINIT and power-on give (AMD APM vol. 2 §11.2.2): control word 0x37f, every
 * register empty, MXCSR 0x1f80.
 */
#include <string.h>
#include <axvm/arch.h>
#include <axvm/percpu.h>
#include <axvm/vcpu.h>
#include <arch/svm.h>

#define FX_FCW     0      /* 16-bit x87 control word */
#define FX_MXCSR   24     /* 32-bit SSE control and status */
#define FCW_INIT   0x037f /* every exception masked, 64-bit precision, round to nearest */
#define MXCSR_INIT 0x1f80 /* every exception masked, round to nearest */

static void fxsave(struct fxsave_area *a)
{
    __asm__ volatile("fxsave64 %0" : "=m"(*a));
}

static void fxrstor(const struct fxsave_area *a)
{
    __asm__ volatile("fxrstor64 %0" : : "m"(*a));
}

static void fpu_init_area(struct fxsave_area *a)
{
    uint16_t fcw = FCW_INIT;
    uint32_t mxcsr = MXCSR_INIT;
    memset(a, 0, sizeof(*a));
    memcpy(a->bytes + FX_FCW, &fcw, sizeof(fcw));
    memcpy(a->bytes + FX_MXCSR, &mxcsr, sizeof(mxcsr));
}

/* A reset vCPU starts from the power-on state. */
void fpu_reset(struct vcpu *v)
{
    fpu_init_area(&v->arch.fpu);
}

void fpu_load(struct vcpu *v)
{
    fxrstor(&v->arch.fpu);
}

void fpu_save(struct vcpu *v)
{
    fxsave(&v->arch.fpu);
}
