/* SPDX-License-Identifier: MIT */
#ifndef ARCH_CSR_H
#define ARCH_CSR_H

/*
 * Supervisor and hypervisor CSR bits the hypervisor uses (RISC-V Privileged Architecture
 * 20211203, chapters 4 and 8). Usable from C and from assembly.
 */

/* sstatus (4.1.1) */
#define SSTATUS_SIE  (1UL << 1)
#define SSTATUS_SPIE (1UL << 5)
#define SSTATUS_SPP  (1UL << 8)

/* sie / sip (4.1.3): supervisor software, timer and external interrupts */
#define SIP_SSIP (1UL << 1)
#define SIP_STIP (1UL << 5)
#define SIP_SEIP (1UL << 9)

/* scause (4.1.9) */
#define SCAUSE_INTERRUPT (1UL << 63)

/* hstatus (8.2.1): SPV says whether the trap came from a virtualised mode (VS/VU). */
#define HSTATUS_SPV  (1UL << 7)
#define HSTATUS_SPVP (1UL << 8)

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
