/* SPDX-License-Identifier: MIT */
#ifndef ARCH_VCPU_EXIT_H
#define ARCH_VCPU_EXIT_H

/* The pieces of running a vCPU and decoding its exits that live in their own files. */

#include <axvm/exit.h>
#include <arch/vcpu.h>

struct vcpu;

/* guest_entry.S: run the guest until its next trap to HS-mode, which fills 'regs'. */
void guest_enter(struct guest_regs *regs);

/* guest_fetch.S: the guest halfword at virtual address 'gva' (HLVX.HU); on a fault returns 0
 * and sets *scause to the cause, else sets it to 0. */
uint64_t guest_fetch_half(uint64_t gva, uint64_t *scause);

/* fpu.S */
void fpu_save(struct fpu_regs *f);
void fpu_load(const struct fpu_regs *f);

/* The instruction at the guest's sepc (16 bits in the low half if compressed). False if it
 * could not be read. */
bool vcpu_fetch_insn(struct vcpu *v, uint32_t *insn);

/* vcpu_mmio.c: a load, store or fetch guest-page fault (scause 20, 21, 23). */
void vcpu_guest_page_fault(struct vcpu *v, struct vcpu_exit *e);

/* Take the guest into its own trap handler with scause 'cause' and stval 'tval', as a hart
 * without the H extension would (arch/riscv64/vcpu_fault.c). The vCPU must be loaded. */
void vcpu_inject_exception(struct vcpu *v, uint64_t cause, uint64_t tval);

/* sbi_guest.c: an ECALL from VS-mode, the guest's SBI (RISC-V SBI specification v1.0). Calls
 * answered in place set their result and come back as EXIT_NONE; the rest are described in
 * 'e' for the core (hypercalls, hart start/stop, system reset). */
void vcpu_sbi_call(struct vcpu *v, struct vcpu_exit *e);

/* sbi_guest_remote.c: SBI IPI send_ipi and RFENCE function 'fid' for the harts named by
 * (hart_mask, hart_mask_base). Return the SBI error. */
long vcpu_sbi_ipi(struct vcpu *v, unsigned long mask, unsigned long base);
long vcpu_sbi_rfence(struct vcpu *v, unsigned long fid, unsigned long mask, unsigned long base);

/* sbi_guest_remote.c: take the interrupts and fences other vCPUs asked of this one. Call with
 * the vCPU loaded on this hart, before entering it. */
void vcpu_remote_serve(struct vcpu *v);

/* sbi_guest_remote.c: raise the guest's supervisor software interrupt (hvip.VSSIP) on 't', from
 * any pCPU, and wake or kick it to take it. */
void vcpu_ipi_raise(struct vcpu *t);

/* vcpu.c: the guest's interrupt enables (vsie, in sie's bit positions), live if it is loaded on
 * this hart, else as saved. */
uint64_t vcpu_guest_sie(struct vcpu *v);

/* sbi_guest.c: put the core's result of a hypercall or hart_start where the SBI wants it. */
void vcpu_sbi_complete(struct vcpu *v, const struct vcpu_exit *e);

#endif
