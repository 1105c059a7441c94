// SPDX-License-Identifier: MIT
/*
 * The CPUID a guest sees: the host's, with the hypervisor bit set and what the guest's virtual
 * CPU does not have taken away (AMD APM vol. 3, appendix E): SVM (nested virtualization is not
 * offered), VMX, MONITOR/MWAIT (intercepted as #UD), x2APIC (the emulated local APIC is an
 * xAPIC, arch/x86_64/vapic.c) and XSAVE with the AVX state it manages (fpu.c switches x87/SSE
 * state only; XSETBV is #UD). The APIC ID fields carry the vCPU's.
 *
 * Time: the guest reads the host's TSC directly (no offset unless it writes IA32_TSC), so the
 * TSC is invariant to it whatever pCPU runs it and while it sleeps (leaf 0x80000007). Its local
 * APIC has the TSC-deadline timer (leaf 1) and keeps running in C-states (ARAT, leaf 6): Linux
 * then needs neither the PIT nor an APIC timer calibration. The TSC rate, which the guest
 * cannot measure well under emulation, is in the hypervisor leaf 0x40000010 (kHz of the TSC and
 * of the APIC timer, as other hypervisors give it) and, for Linux, on its command line
 * (arch/x86_64/linux_boot.c). Leaf 0x40000000 names the hypervisor.
 */
#include <axvm/arch.h>
#include <axvm/vcpu.h>
#include <arch/cpu.h>
#include <arch/vcpu_exit.h>

#define CPUID1_ECX_MONITOR    0x00000008
#define CPUID1_ECX_FMA        0x00001000
#define CPUID1_ECX_X2APIC     0x00200000
#define CPUID1_ECX_XSAVE      0x04000000
#define CPUID1_ECX_OSXSAVE    0x08000000
#define CPUID1_ECX_AVX        0x10000000
#define CPUID1_ECX_TSC_DEADLN 0x01000000
#define CPUID1_ECX_F16C       0x20000000
#define CPUID_THERMAL         0x00000006
#define CPUID6_EAX_ARAT       0x00000004
#define CPUID_EXT_POWER       0x80000007
#define CPUID_EXTP_EDX_INVTSC 0x00000100
#define CPUID1_ECX_HYPERVISOR 0x80000000
#define CPUID_EXT_TOPOLOGY    0x0000000b
#define CPUID_XSAVE           0x0000000d
#define CPUID_EXT_TOPOLOGY_V2 0x0000001f
#define CPUID_HV_BASE         0x40000000
#define CPUID_HV_TIMING       0x40000010
#define CPUID_HV_LAST         0x4fffffff

/* Leaf 1 ECX features the guest's CPU does not have. */
static const uint32_t leaf1_ecx_hidden = CPUID1_ECX_VMX | CPUID1_ECX_MONITOR | CPUID1_ECX_FMA |
                                         CPUID1_ECX_X2APIC | CPUID1_ECX_XSAVE | CPUID1_ECX_OSXSAVE |
                                         CPUID1_ECX_AVX | CPUID1_ECX_F16C;

void cpuid_guest(struct vcpu *v)
{
    uint64_t *r = v->arch.regs.gpr;
    uint32_t leaf = (uint32_t)r[GPR_RAX], sub = (uint32_t)r[GPR_RCX];
    uint32_t a = 0, b = 0, c = 0, d = 0;

    if (leaf >= CPUID_HV_BASE && leaf <= CPUID_HV_LAST) {
        if (leaf == CPUID_HV_BASE) {
            a = CPUID_HV_TIMING; /* the highest hypervisor leaf */
            b = 0x6d767861;      /* "axvm" */
            c = 0x6d767861;
            d = 0x6d767861;
        } else if (leaf == CPUID_HV_TIMING) {
            a = (uint32_t)(arch_counter_freq() / 1000); /* TSC, kHz */
            b = a; /* the local APIC timer counts at the TSC rate (vlapic_model.h) */
        }
    } else {
        cpuid(leaf, sub, &a, &b, &c, &d);
        switch (leaf) {
        case CPUID_FEATURES:
            c &= ~leaf1_ecx_hidden;
            c |= CPUID1_ECX_HYPERVISOR | CPUID1_ECX_TSC_DEADLN;
            b = (b & 0x00ffffff) | ((uint32_t)v->hwid << 24); /* initial APIC ID */
            break;
        case CPUID_EXT_TOPOLOGY:
        case CPUID_EXT_TOPOLOGY_V2:
            d = (uint32_t)v->hwid; /* x2APIC ID */
            break;
        case CPUID_EXT_FEATURES:
            c &= ~CPUID_EXT1_ECX_SVM;
            break;
        case CPUID_THERMAL:
            a |= CPUID6_EAX_ARAT;
            break;
        case CPUID_EXT_POWER:
            d |= CPUID_EXTP_EDX_INVTSC;
            break;
        case CPUID_SVM:
        case CPUID_XSAVE:
            a = b = c = d = 0;
            break;
        default:
            break;
        }
    }
    /* CPUID writes 32-bit registers, which clears the upper halves. */
    r[GPR_RAX] = a;
    r[GPR_RBX] = b;
    r[GPR_RCX] = c;
    r[GPR_RDX] = d;
}
