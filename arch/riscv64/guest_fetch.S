// SPDX-License-Identifier: MIT
/*
 * Reading a guest's instruction from HS-mode: HLVX.HU (Privileged spec 8.3.1) translates the
 * guest virtual address through vsatp and hgatp, with the privilege in hstatus.SPVP and
 * execute permission standing in for read permission, exactly as the guest's own fetch did.
 *
 * The read can still fault (a guest page table changed under another vCPU, or nothing mapped
 * there at all). A trap from HS-mode would be fatal in trap_entry, so stvec points at a local
 * handler for the one instruction: it records scause and steps over the HLVX. HS-mode runs
 * with interrupts off, so only that instruction can trap meanwhile. The trap overwrites sepc,
 * sstatus.SPP and hstatus.SPV; guest_exit saved the guest's values before any C code ran.
 *
 *   uint64_t guest_fetch_half(uint64_t gva, uint64_t *scause)
 *
 * returns the halfword at 'gva' with *scause = 0, or 0 with *scause = the trap's cause.
 */

    .text
    .balign 4
    .globl guest_fetch_half
guest_fetch_half:
    sd      zero, 0(a1)
    la      t0, guest_fetch_trap
    csrrw   t0, stvec, t0
    .option push
    .option arch, +h
    hlvx.hu a0, (a0)                        // 4 bytes: guest_fetch_trap skips exactly that
    .option pop
    csrw    stvec, t0
    ret

    .balign 4                               // stvec BASE is 4-byte aligned (4.1.2)
guest_fetch_trap:
    csrr    a0, scause
    sd      a0, 0(a1)
    csrr    a0, sepc
    addi    a0, a0, 4
    csrw    sepc, a0
    li      a0, 0
    sret
