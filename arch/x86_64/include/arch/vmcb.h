/* SPDX-License-Identifier: MIT */
#ifndef ARCH_VMCB_H
#define ARCH_VMCB_H

/*
 * The virtual machine control block of AMD SVM (AMD APM vol. 2, appendix B "Layout of VMCB"):
 * a 4 KiB page per vCPU, a control area at 0x000 (what to intercept, the exit code and its
 * information, nested paging) and a state-save area at 0x400 (the guest's registers that VMRUN
 * loads and #VMEXIT stores; RAX and RSP included, the other general registers are not).
 */

#include <axvm/types.h>

/* Intercept vector 3 (control.intercept_misc1), APM vol. 2 table B-1. */
#define INTERCEPT_INTR     (1u << 0)
#define INTERCEPT_NMI      (1u << 1)
#define INTERCEPT_SMI      (1u << 2)
#define INTERCEPT_INIT     (1u << 3)
#define INTERCEPT_VINTR    (1u << 4)
#define INTERCEPT_CPUID    (1u << 18)
#define INTERCEPT_INVD     (1u << 22)
#define INTERCEPT_HLT      (1u << 24)
#define INTERCEPT_INVLPGA  (1u << 26)
#define INTERCEPT_IOIO     (1u << 27)
#define INTERCEPT_MSR      (1u << 28)
#define INTERCEPT_SHUTDOWN (1u << 31)

/* Intercept vector 4 (control.intercept_misc2). */
#define INTERCEPT_VMRUN   (1u << 0)
#define INTERCEPT_VMMCALL (1u << 1)
#define INTERCEPT_VMLOAD  (1u << 2)
#define INTERCEPT_VMSAVE  (1u << 3)
#define INTERCEPT_STGI    (1u << 4)
#define INTERCEPT_CLGI    (1u << 5)
#define INTERCEPT_SKINIT  (1u << 6)
#define INTERCEPT_ICEBP   (1u << 8)
#define INTERCEPT_MONITOR (1u << 10)
#define INTERCEPT_MWAIT   (1u << 11)
#define INTERCEPT_XSETBV  (1u << 13)

/* control.tlb_control (APM vol. 2 §15.16.1). */
#define TLB_CONTROL_NOTHING    0
#define TLB_CONTROL_FLUSH_ALL  1 /* every ASID on this CPU */
#define TLB_CONTROL_FLUSH_ASID 3 /* only this guest's ASID (CPUID FlushByAsid) */

/* control.int_ctl: guest IF masks only virtual interrupts; physical ones follow the host's IF
 * as it was at VMRUN (APM vol. 2 §15.21.1). */
#define INT_CTL_V_INTR_MASKING (1u << 24)
#define INT_STATE_SHADOW       (1u << 0)

/* A virtual interrupt for the guest (§15.21.4): V_IRQ with its priority, and V_IGN_TPR to take
 * it whatever the guest's TPR; int_vector is its vector. */
#define INT_CTL_V_IRQ          (1u << 8)
#define INT_CTL_V_INTR_PRIO(p) ((uint32_t)(p) << 16)
#define INT_CTL_V_IGN_TPR      (1u << 20)

#define NESTED_CTL_NP_ENABLE (1u << 0)

/* control.event_inj and exit_int_info (APM vol. 2 §15.20). */
#define EVENT_VECTOR(e)   ((e)&0xff)
#define EVENT_TYPE(e)     (((e) >> 8) & 7)
#define EVENT_TYPE_INTR   0
#define EVENT_TYPE_NMI    2
#define EVENT_TYPE_EXCEPT 3
#define EVENT_TYPE_SOFT   4
#define EVENT_ERROR_VALID (1u << 11)
#define EVENT_VALID       (1u << 31)

/* Exit codes (APM vol. 2 appendix C). */
#define SVM_EXIT_EXCP_BASE 0x040
#define SVM_EXIT_INTR      0x060
#define SVM_EXIT_NMI       0x061
#define SVM_EXIT_VINTR     0x064
#define SVM_EXIT_CPUID     0x072
#define SVM_EXIT_INVD      0x076
#define SVM_EXIT_HLT       0x078
#define SVM_EXIT_INVLPGA   0x07a
#define SVM_EXIT_IOIO      0x07b
#define SVM_EXIT_MSR       0x07c
#define SVM_EXIT_SHUTDOWN  0x07f
#define SVM_EXIT_VMRUN     0x080
#define SVM_EXIT_VMMCALL   0x081
#define SVM_EXIT_VMLOAD    0x082
#define SVM_EXIT_VMSAVE    0x083
#define SVM_EXIT_STGI      0x084
#define SVM_EXIT_CLGI      0x085
#define SVM_EXIT_SKINIT    0x086
#define SVM_EXIT_ICEBP     0x088
#define SVM_EXIT_MONITOR   0x08a
#define SVM_EXIT_MWAIT     0x08b
#define SVM_EXIT_XSETBV    0x08d
#define SVM_EXIT_NPF       0x400
#define SVM_EXIT_INVALID   (~0ULL) /* VMRUN refused the guest state */

/* IOIO EXITINFO1 (APM vol. 2 §15.10.2, figure 15-2). */
#define IOIO_IN      (1u << 0)
#define IOIO_STRING  (1u << 2)
#define IOIO_REP     (1u << 3)
#define IOIO_SIZE(i) (((i) >> 4) & 7) /* one-hot: 1, 2 or 4 bytes */
#define IOIO_PORT(i) ((uint16_t)((i) >> 16))

/* Nested page fault EXITINFO1 (APM vol. 2 §15.25.6): a #PF error code plus where it hit. */
#define NPF_PRESENT    (1ull << 0)
#define NPF_WRITE      (1ull << 1)
#define NPF_RESERVED   (1ull << 3)
#define NPF_FETCH      (1ull << 4)
#define NPF_FINAL_GPA  (1ull << 32) /* translating the guest's final physical address */
#define NPF_GUEST_WALK (1ull << 33) /* reading the guest's own page tables */

/* Segment attributes: descriptor bits 40-47 and 52-55 packed into 12 bits (APM vol. 2
 * §15.5.1). */
#define SEG_ATTR_TYPE(t) ((t)&0xf)
#define SEG_ATTR_S       (1u << 4)
#define SEG_ATTR_P       (1u << 7)
#define SEG_ATTR_L       (1u << 9)
#define SEG_ATTR_DB      (1u << 10)
#define SEG_ATTR_G       (1u << 11)

struct vmcb_seg {
    uint16_t selector;
    uint16_t attrib;
    uint32_t limit;
    uint64_t base;
};

struct vmcb_control {
    uint16_t intercept_cr_read;  /* 0x000 */
    uint16_t intercept_cr_write; /* 0x002 */
    uint16_t intercept_dr_read;  /* 0x004 */
    uint16_t intercept_dr_write; /* 0x006 */
    uint32_t intercept_exceptions;
    uint32_t intercept_misc1; /* 0x00c */
    uint32_t intercept_misc2; /* 0x010 */
    uint32_t intercept_misc3; /* 0x014 */
    uint8_t reserved0[0x03c - 0x018];
    uint16_t pause_filter_threshold; /* 0x03c */
    uint16_t pause_filter_count;     /* 0x03e */
    uint64_t iopm_base_pa;           /* 0x040 */
    uint64_t msrpm_base_pa;          /* 0x048 */
    uint64_t tsc_offset;             /* 0x050 */
    uint32_t asid;                   /* 0x058 */
    uint8_t tlb_control;             /* 0x05c */
    uint8_t reserved1[3];
    uint32_t int_ctl;    /* 0x060 */
    uint32_t int_vector; /* 0x064 */
    uint32_t int_state;  /* 0x068 */
    uint8_t reserved2[4];
    uint64_t exit_code;         /* 0x070 */
    uint64_t exit_info1;        /* 0x078 */
    uint64_t exit_info2;        /* 0x080 */
    uint32_t exit_int_info;     /* 0x088 */
    uint32_t exit_int_info_err; /* 0x08c */
    uint64_t nested_ctl;        /* 0x090 */
    uint64_t avic_apic_bar;     /* 0x098 */
    uint64_t ghcb_pa;           /* 0x0a0 */
    uint32_t event_inj;         /* 0x0a8 */
    uint32_t event_inj_err;     /* 0x0ac */
    uint64_t nested_cr3;        /* 0x0b0 */
    uint64_t virt_ext;          /* 0x0b8 */
    uint32_t clean;             /* 0x0c0: state the CPU may keep cached; 0 = reload all */
    uint32_t reserved3;
    uint64_t next_rip;      /* 0x0c8: only with NRIP save, which QEMU does not offer */
    uint8_t insn_len;       /* 0x0d0: only with decode assists */
    uint8_t insn_bytes[15]; /* 0x0d1 */
    uint8_t reserved4[0x400 - 0x0e0];
};

struct vmcb_save {
    struct vmcb_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr; /* 0x400 */
    uint8_t reserved0[0x4cb - 0x4a0];
    uint8_t cpl; /* 0x4cb */
    uint8_t reserved1[4];
    uint64_t efer; /* 0x4d0 */
    uint8_t reserved2[0x548 - 0x4d8];
    uint64_t cr4;    /* 0x548 */
    uint64_t cr3;    /* 0x550 */
    uint64_t cr0;    /* 0x558 */
    uint64_t dr7;    /* 0x560 */
    uint64_t dr6;    /* 0x568 */
    uint64_t rflags; /* 0x570 */
    uint64_t rip;    /* 0x578 */
    uint8_t reserved3[0x5d8 - 0x580];
    uint64_t rsp; /* 0x5d8 */
    uint8_t reserved4[0x5f8 - 0x5e0];
    uint64_t rax;            /* 0x5f8 */
    uint64_t star;           /* 0x600 */
    uint64_t lstar;          /* 0x608 */
    uint64_t cstar;          /* 0x610 */
    uint64_t sfmask;         /* 0x618 */
    uint64_t kernel_gs_base; /* 0x620 */
    uint64_t sysenter_cs;    /* 0x628 */
    uint64_t sysenter_esp;   /* 0x630 */
    uint64_t sysenter_eip;   /* 0x638 */
    uint64_t cr2;            /* 0x640 */
    uint8_t reserved5[0x668 - 0x648];
    uint64_t g_pat;  /* 0x668 */
    uint64_t dbgctl; /* 0x670 */
    uint8_t reserved6[0xc00 - 0x678];
};

struct vmcb {
    struct vmcb_control control;
    struct vmcb_save save;
} __attribute__((aligned(4096)));

_Static_assert(sizeof(struct vmcb_control) == 0x400, "VMCB control area layout");
_Static_assert(__builtin_offsetof(struct vmcb, save.efer) == 0x4d0, "VMCB save area layout");
_Static_assert(__builtin_offsetof(struct vmcb, save.rip) == 0x578, "VMCB save area layout");
_Static_assert(__builtin_offsetof(struct vmcb, save.rax) == 0x5f8, "VMCB save area layout");
_Static_assert(__builtin_offsetof(struct vmcb, save.g_pat) == 0x668, "VMCB save area layout");
_Static_assert(sizeof(struct vmcb) == 4096, "VMCB is one page");

#endif
