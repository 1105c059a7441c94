/* SPDX-License-Identifier: MIT */
/*
 * The world switch: void svm_run(struct guest_regs *regs, paddr_t vmcb, paddr_t host_area).
 *
 * VMRUN loads from the VMCB, and #VMEXIT saves to it, only part of the state: segment
 * registers but FS, GS, TR and LDTR, control registers, RIP, RSP, RAX and RFLAGS (AMD APM
 * vol. 2 §15.5). VMSAVE/VMLOAD move the rest of the processor state (FS, GS, TR, LDTR with
 * their hidden parts, KernelGSBase, STAR/LSTAR/CSTAR/SFMASK, SYSENTER MSRs; §15.5.2), and the
 * general registers are ours to move. The host's GS base (its per-CPU pointer) is the guest's
 * between the guest's VMLOAD and the host's, so nothing in between may use %gs.
 *
 * Interrupts: the caller runs with IF=0. GIF=0 (CLGI) holds every interrupt off while IF is
 * set for VMRUN, which saves the host's IF=1; with V_INTR_MASKING that host IF is what lets
 * physical interrupts reach the guest, where the INTR intercept turns them into an exit
 * (§15.21.1). After #VMEXIT, GIF is 0 again: IF is cleared before STGI so that the interrupt
 * stays pending in the local APIC until the caller chooses to take it.
 */
#include <axvm/hypercall.h>

#define GPR(n) (8 * (n))

/* VMCB offsets and values (AMD APM vol. 2 appendix B/C; struct vmcb in arch/vmcb.h). */
#define VMCB_TLB_CONTROL    0x05c
#define VMCB_EXIT_CODE      0x070
#define VMCB_RIP            0x578
#define VMCB_RAX            0x5f8
#define SVM_EXIT_VMMCALL    0x081
#define TLB_CONTROL_NOTHING 0

    .text
    .globl svm_run
svm_run:
    push    %rbp
    mov     %rsp, %rbp
    push    %rbx
    push    %r12
    push    %r13
    push    %r14
    push    %r15
    push    %rdx                    /* host_area */
    push    %rdi                    /* regs */

    clgi
    sti
    mov     %rdx, %rax
    vmsave
    mov     %rsi, %rax
    vmload

    mov     GPR(1)(%rdi), %rcx
    mov     GPR(2)(%rdi), %rdx
    mov     GPR(3)(%rdi), %rbx
    mov     GPR(5)(%rdi), %rbp
    mov     GPR(6)(%rdi), %rsi
    mov     GPR(8)(%rdi), %r8
    mov     GPR(9)(%rdi), %r9
    mov     GPR(10)(%rdi), %r10
    mov     GPR(11)(%rdi), %r11
    mov     GPR(12)(%rdi), %r12
    mov     GPR(13)(%rdi), %r13
    mov     GPR(14)(%rdi), %r14
    mov     GPR(15)(%rdi), %r15
    mov     GPR(7)(%rdi), %rdi

1:  vmrun                           /* RAX = the VMCB; #VMEXIT gives it back */

    /* The trap-floor hypercall: answered here, the guest's registers still in the CPU and its
     * RAX in the VMCB. VMMCALL is 3 bytes (no NRIP save on QEMU); the TLB flush VMRUN just did
     * need not be repeated. */
    cmpq    $SVM_EXIT_VMMCALL, VMCB_EXIT_CODE(%rax)
    jne     2f
    cmpq    $AXVM_HC_TRAP_FLOOR, VMCB_RAX(%rax)
    jne     2f
    addq    $3, VMCB_RIP(%rax)
    movq    $0, VMCB_RAX(%rax)
    movb    $TLB_CONTROL_NOTHING, VMCB_TLB_CONTROL(%rax)
    jmp     1b
2:  vmsave
    push    %rdi                    /* the guest's RDI, while RDI points at regs */
    mov     8(%rsp), %rdi
    mov     %rcx, GPR(1)(%rdi)
    mov     %rdx, GPR(2)(%rdi)
    mov     %rbx, GPR(3)(%rdi)
    mov     %rbp, GPR(5)(%rdi)
    mov     %rsi, GPR(6)(%rdi)
    mov     %r8, GPR(8)(%rdi)
    mov     %r9, GPR(9)(%rdi)
    mov     %r10, GPR(10)(%rdi)
    mov     %r11, GPR(11)(%rdi)
    mov     %r12, GPR(12)(%rdi)
    mov     %r13, GPR(13)(%rdi)
    mov     %r14, GPR(14)(%rdi)
    mov     %r15, GPR(15)(%rdi)
    popq    GPR(7)(%rdi)

    mov     8(%rsp), %rax           /* host_area */
    vmload
    cli
    stgi

    add     $16, %rsp
    pop     %r15
    pop     %r14
    pop     %r13
    pop     %r12
    pop     %rbx
    pop     %rbp
    ret
