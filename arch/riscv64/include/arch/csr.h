/* SPDX-License-Identifier: MIT */
#ifndef ARCH_CSR_H
#define ARCH_CSR_H

/*
 * Supervisor and hypervisor CSR bits the hypervisor uses (RISC-V Privileged Architecture
 * 20211203, chapters 4 and 8). Usable from C and from assembly.
 */

/* sstatus (4.1.1) */
#define SSTATUS_SIE        (1UL << 1)
#define SSTATUS_SPIE       (1UL << 5)
#define SSTATUS_SPP        (1UL << 8)
#define SSTATUS_FS         (3UL << 13) /* FPU state: Off, Initial, Clean, Dirty */
#define SSTATUS_FS_INITIAL (1UL << 13)
#define SSTATUS_FS_CLEAN   (2UL << 13)
#define SSTATUS_FS_DIRTY   (3UL << 13)

/* sie / sip (4.1.3): supervisor software, timer and external interrupts */
#define SIP_SSIP (1UL << 1)
#define SIP_STIP (1UL << 5)
#define SIP_SEIP (1UL << 9)

/* hip / hie / hvip / hideleg (8.2.3, 8.2.4): the VS-level interrupts */
#define HIP_VSSIP (1UL << 2)
#define HIP_VSTIP (1UL << 6)
#define HIP_VSEIP (1UL << 10)

/* scause (4.1.9, with the H extension's codes of table 8.6) */
#define SCAUSE_INTERRUPT (1UL << 63)

#define EXC_INSN_MISALIGNED        0
#define EXC_INSN_ACCESS            1
#define EXC_ILLEGAL_INSN           2
#define EXC_BREAKPOINT             3
#define EXC_LOAD_MISALIGNED        4
#define EXC_LOAD_ACCESS            5
#define EXC_STORE_MISALIGNED       6
#define EXC_STORE_ACCESS           7
#define EXC_ECALL_U                8
#define EXC_ECALL_VS               10
#define EXC_INSN_PAGE_FAULT        12
#define EXC_LOAD_PAGE_FAULT        13
#define EXC_STORE_PAGE_FAULT       15
#define EXC_INSN_GUEST_PAGE_FAULT  20
#define EXC_LOAD_GUEST_PAGE_FAULT  21
#define EXC_VIRTUAL_INSN           22
#define EXC_STORE_GUEST_PAGE_FAULT 23

#define IRQ_S_SOFT  1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT   9

/* hstatus (8.2.1): SPV says whether the trap came from a virtualised mode (VS/VU); SPVP is
 * the privilege HLV/HLVX/HSV use (and the guest's at the trap); VTW traps a guest's WFI. */
#define HSTATUS_SPV     (1UL << 7)
#define HSTATUS_SPVP    (1UL << 8)
#define HSTATUS_VTW     (1UL << 21)
#define HSTATUS_VSXL_64 (2UL << 32)

/* hgatp (8.2.10): MODE[63:60], VMID[57:44], PPN[43:0] of the G-stage root. */
#define HGATP_MODE_SV39X4 (8UL << 60)
#define HGATP_VMID_SHIFT  44
#define HGATP_VMID_MASK   (0x3fffUL << HGATP_VMID_SHIFT)
#define HGATP_PPN_MASK    ((1UL << 44) - 1)

/* henvcfg (8.2.5): STCE lets VS-mode use stimecmp, which becomes vstimecmp (Sstc). */
#define HENVCFG_STCE (1UL << 63)

/* vsstatus (8.2.11): UXL, the XLEN of VU-mode, bits 33:32. */
#define VSSTATUS_UXL_64 (2UL << 32)

/* satp (4.1.11) */
#define SATP_MODE_SV39 (8UL << 60)
#define SATP_PPN_SHIFT 12

#ifndef __ASSEMBLY__

#define csr_read(csr)                                                                              \
    ({                                                                                             \
        unsigned long __v;                                                                         \
        __asm__ volatile("csrr %0, " #csr : "=r"(__v)::"memory");                                  \
        __v;                                                                                       \
    })

#define csr_write(csr, val)                                                                        \
    __asm__ volatile("csrw " #csr ", %0" ::"rK"((unsigned long)(val)) : "memory")

#define csr_set(csr, bits)                                                                         \
    __asm__ volatile("csrs " #csr ", %0" ::"rK"((unsigned long)(bits)) : "memory")

#define csr_clear(csr, bits)                                                                       \
    __asm__ volatile("csrc " #csr ", %0" ::"rK"((unsigned long)(bits)) : "memory")

/* Clear 'bits' and return the previous value, atomically with respect to traps. */
#define csr_read_clear(csr, bits)                                                                  \
    ({                                                                                             \
        unsigned long __v;                                                                         \
        __asm__ volatile("csrrc %0, " #csr ", %1"                                                  \
                         : "=r"(__v)                                                               \
                         : "rK"((unsigned long)(bits))                                             \
                         : "memory");                                                              \
        __v;                                                                                       \
    })

#endif /* !__ASSEMBLY__ */

#endif
