// SPDX-License-Identifier: MIT
/*
 * Turning AMD SVM on, per CPU (AMD APM vol. 2 §15.4): check that the CPU has SVM with nested
 * paging and that the firmware has not locked it off, give VMRUN a host save area
 * (VM_HSAVE_PA), set EFER.SVME. Also the memory every guest shares: the I/O and MSR permission
 * maps, and the VMCBs, which come from a fixed pool so that a VM's teardown frees nothing and
 * its reboot allocates nothing.
 */
#include <string.h>
#include <axvm/arch.h>
#include <axvm/arch_vm.h>
#include <axvm/errno.h>
#include <axvm/log.h>
#include <axvm/percpu.h>
#include <axvm/spinlock.h>
#include <axvm/vm.h>
#include <arch/cpu.h>
#include <arch/svm.h>
#include <arch/vmcb.h>

/* The I/O permission map: a bit per port, 12 KiB so that a multi-byte access at 0xffff has
 * bits too (APM vol. 2 §15.10.1). All ones: every port access exits to the hypervisor. */
static uint8_t iopm[3 * PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

/* The MSR permission map: two bits (read, write) per MSR for three ranges of 8K MSRs
 * (APM vol. 2 §15.11). MSRs outside the ranges are always intercepted. */
static uint8_t msrpm[2 * PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

/* VMRUN's save area for the host, and the VMSAVE/VMLOAD area for the rest of its state. */
static uint8_t host_hsave[CPU_MAX][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t host_area[CPU_MAX][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static struct vmcb vmcb_pool[VM_MAX][VM_MAX_VCPUS];

struct svm_features svm_features;

static spinlock_t svm_init_lock = SPINLOCK_INIT;
static bool svm_shared_ready;
static bool svm_reported;

/*
 * MSRs the guest reads and writes directly: VMLOAD/VMSAVE switch them with the rest of the
 * guest's state, so the host never sees the guest's values.
 */
static const uint32_t msr_passthrough[] = {
    MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_STAR,         MSR_LSTAR,
    MSR_CSTAR,   MSR_SFMASK,  MSR_SYSENTER_CS,    MSR_SYSENTER_ESP, MSR_SYSENTER_EIP,
};

static void msrpm_allow(uint32_t msr)
{
    uint32_t base;
    if (msr <= 0x1fff)
        base = 0;
    else if (msr - 0xc0000000u <= 0x1fff)
        base = 0x800 * 8;
    else if (msr - 0xc0010000u <= 0x1fff)
        base = 0x1000 * 8;
    else
        return;
    uint32_t bit = base + (msr & 0x1fff) * 2;
    msrpm[bit / 8] &= (uint8_t) ~(3u << (bit % 8));
}

paddr_t svm_iopm(void)
{
    return ptr_to_phys(iopm);
}

paddr_t svm_msrpm(void)
{
    return ptr_to_phys(msrpm);
}

struct vmcb *svm_vmcb(unsigned slot, unsigned index)
{
    if (slot >= VM_MAX || index >= VM_MAX_VCPUS)
        return NULL;
    return &vmcb_pool[slot][index];
}

/* What this CPU offers, or NULL and a sentence saying why it cannot run guests. */
static const char *svm_probe(struct svm_features *f)
{
    uint32_t a, b, c, d, max_ext;
    cpuid(0x80000000, 0, &max_ext, &b, &c, &d);
    if (max_ext < CPUID_SVM)
        return "no AMD SVM (CPUID has no SVM leaf)";
    cpuid(CPUID_EXT_FEATURES, 0, &a, &b, &c, &d);
    if (!(c & CPUID_EXT1_ECX_SVM))
        return "no AMD SVM (Intel VT-x is not supported)";
    f->npt_1g = d & CPUID_EXT1_EDX_PAGE1GB;
    if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS)
        return "SVM is disabled by the firmware (VM_CR.SVMDIS)";
    cpuid(CPUID_SVM, 0, &a, &b, &c, &d);
    if (!(d & CPUID_SVM_EDX_NESTED_PG))
        return "SVM has no nested paging (QEMU needs -cpu ...,+svm,+npt)";
    if (b < 2)
        return "SVM offers no ASID for guests";
    f->asids = b;
    f->flush_by_asid = d & CPUID_SVM_EDX_FLUSH_ASID;
    return NULL;
}

static void svm_shared_init(const struct svm_features *f)
{
    memset(iopm, 0xff, sizeof(iopm));
    memset(msrpm, 0xff, sizeof(msrpm));
    for (unsigned i = 0; i < ARRAY_SIZE(msr_passthrough); i++)
        msrpm_allow(msr_passthrough[i]);
    svm_features = *f;
}

int arch_virt_cpu_init(void)
{
    struct percpu *cpu = arch_this_cpu();
    struct svm_features f = {0};
    const char *why = svm_probe(&f);

    spin_lock(&svm_init_lock);
    if (why) {
        /* Every CPU is the same: saying it once is enough. */
        if (!svm_reported)
            log_error("cpu%u: cannot run guests: %s", cpu->index, why);
        svm_reported = true;
    } else if (!svm_shared_ready) {
        svm_shared_init(&f);
        svm_shared_ready = true;
    }
    spin_unlock(&svm_init_lock);
    if (why)
        return -ENODEV;

    wrmsr(MSR_VM_HSAVE, ptr_to_phys(host_hsave[cpu->index]));
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
    cpu->arch.svm_host_area = ptr_to_phys(host_area[cpu->index]);
    return 0;
}
