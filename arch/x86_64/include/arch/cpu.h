/* SPDX-License-Identifier: MIT */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

/* Instructions and registers of an x86_64 CPU that C cannot reach by itself. The constants
 * are plain numbers so that assembly can use them too. */

/* Control register bits (Intel SDM vol. 3 §2.5, AMD APM vol. 2 §3.1). */
#define CR0_PE 0x00000001
#define CR0_MP 0x00000002
#define CR0_ET 0x00000010
#define CR0_NE 0x00000020
#define CR0_WP 0x00010000
#define CR0_PG 0x80000000

#define CR4_PAE        0x00000020
#define CR4_MCE        0x00000040
#define CR4_OSFXSR     0x00000200
#define CR4_OSXMMEXCPT 0x00000400
#define CR4_LA57       0x00001000

#define RFLAGS_IF 0x00000200

/* CPUID leaves and bits (AMD APM vol. 3, appendix E; Intel SDM vol. 2A, CPUID). */
#define CPUID_FEATURES           0x00000001
#define CPUID1_ECX_VMX           0x00000020
#define CPUID_EXT_FEATURES       0x80000001
#define CPUID_EXT1_ECX_SVM       0x00000004
#define CPUID_EXT1_EDX_PAGE1GB   0x04000000
#define CPUID_EXT_BRAND          0x80000002
#define CPUID_SVM                0x8000000a
#define CPUID_SVM_EDX_NESTED_PG  0x00000001
#define CPUID_SVM_EDX_FLUSH_ASID 0x00000040

/* Model-specific registers. */
#define MSR_TSC            0x00000010
#define MSR_APIC_BASE      0x0000001b
#define MSR_MTRR_CAP       0x000000fe
#define MSR_SYSENTER_CS    0x00000174
#define MSR_SYSENTER_ESP   0x00000175
#define MSR_SYSENTER_EIP   0x00000176
#define MSR_PAT            0x00000277
#define MSR_MTRR_DEF_TYPE  0x000002ff
#define MSR_EFER           0xc0000080
#define MSR_STAR           0xc0000081
#define MSR_LSTAR          0xc0000082
#define MSR_CSTAR          0xc0000083
#define MSR_SFMASK         0xc0000084
#define MSR_FS_BASE        0xc0000100
#define MSR_GS_BASE        0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_VM_CR          0xc0010114 /* AMD: SVM lock and disable bits */
#define MSR_VM_HSAVE       0xc0010117 /* AMD: where VMRUN saves the host's state */

#define EFER_SCE   0x00000001
#define EFER_LME   0x00000100
#define EFER_LMA   0x00000400
#define EFER_NXE   0x00000800
#define EFER_SVME  0x00001000
#define EFER_LMSLE 0x00002000
#define EFER_FFXSR 0x00004000
#define EFER_TCE   0x00008000

/* The power-on PAT (Intel SDM vol. 3 §11.12.4): entry 0 write-back, entry 3 uncacheable. */
#define PAT_POWER_ON 0x0007040600070406

#define VM_CR_SVMDIS 0x00000010

#ifndef __ASSEMBLY__
#include <axvm/types.h>

static inline void cpuid(uint32_t leaf, uint32_t subleaf, uint32_t *a, uint32_t *b, uint32_t *c,
                         uint32_t *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(subleaf));
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t value)
{
    __asm__ volatile("wrmsr"
                     :
                     : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
                     : "memory");
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

#define DEFINE_CR_ACCESSORS(n)                                                                     \
    static inline uint64_t read_cr##n(void)                                                        \
    {                                                                                              \
        uint64_t v;                                                                                \
        __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                                          \
        return v;                                                                                  \
    }                                                                                              \
    static inline void write_cr##n(uint64_t v)                                                     \
    {                                                                                              \
        __asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory");                                 \
    }

DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)

#undef DEFINE_CR_ACCESSORS

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint16_t inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint64_t read_rflags(void)
{
    uint64_t v;
    __asm__ volatile("pushfq; popq %0" : "=r"(v));
    return v;
}

/* Set this CPU's registers that every CPU shares the same way (PAT, GDT, TSS, IDT, GS base)
 * and point GS at 'cpu'. The boot CPU and each secondary call it once. */
struct percpu;
void cpu_init_local(struct percpu *cpu);

/* Log the CPU model and whether it can run guests (SVM with nested paging). */
void cpu_report_features(void);
#endif

#endif
