// SPDX-License-Identifier: MIT
#include <string.h>
#include <axvm/arch.h>
#include <axvm/log.h>
#include <axvm/percpu.h>
#include <arch/cpu.h>
#include <arch/gdt.h>
#include <arch/lapic.h>
#include <arch/trap.h>

const char arch_name[] = "x86_64";

void arch_cpu_relax(void)
{
    __asm__ volatile("pause" ::: "memory");
}

void arch_wait_for_event(void)
{
    /* "sti; hlt" leaves no window: interrupts are recognised only after the instruction
     * following sti, so a kick that arrived while they were masked wakes this hlt. */
    unsigned long flags = arch_irq_save();
    __asm__ volatile("sti; hlt" ::: "memory");
    arch_irq_restore(flags);
}

void arch_cpu_kick_all(void)
{
    lapic_send_ipi(0, ICR_ALL_BUT_SELF | ICR_FIXED | VECTOR_KICK);
}

unsigned long arch_irq_save(void)
{
    unsigned long flags;
    __asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
    return flags & RFLAGS_IF;
}

void arch_irq_restore(unsigned long flags)
{
    if (flags & RFLAGS_IF)
        __asm__ volatile("sti" ::: "memory");
    else
        __asm__ volatile("cli" ::: "memory");
}

NORETURN void arch_cpu_halt(void)
{
    for (;;)
        __asm__ volatile("cli; hlt" ::: "memory");
}

void cpu_init_local(struct percpu *cpu)
{
    cpu->arch.self = cpu;
    /* INIT keeps the PAT, and firmware may have changed it: the page tables' cache bits
     * assume the power-on value. Reloading CR3 drops translations made under the old one. */
    wrmsr(MSR_PAT, PAT_POWER_ON);
    write_cr3(read_cr3());
    gdt_load(cpu);
    wrmsr(MSR_GS_BASE, (uintptr_t)cpu);
    idt_load();
    lapic_enable();
}

void cpu_report_features(void)
{
    uint32_t a, b, c, d, max_ext;
    char vendor[13], brand[49];

    cpuid(0, 0, &a, &b, &c, &d);
    memcpy(vendor, &b, 4);
    memcpy(vendor + 4, &d, 4);
    memcpy(vendor + 8, &c, 4);
    vendor[12] = '\0';
    cpuid(1, 0, &a, &b, &c, &d);
    bool vmx = c & CPUID1_ECX_VMX;

    cpuid(0x80000000, 0, &max_ext, &b, &c, &d);
    brand[0] = '\0';
    if (max_ext >= CPUID_EXT_BRAND + 2) {
        uint32_t *w = (uint32_t *)brand;
        for (unsigned i = 0; i < 3; i++)
            cpuid(CPUID_EXT_BRAND + i, 0, &w[4 * i], &w[4 * i + 1], &w[4 * i + 2], &w[4 * i + 3]);
        brand[48] = '\0';
    }
    const char *name = brand;
    while (*name == ' ')
        name++;
    log_info("cpu: %s (%s)", *name ? name : "unknown model", vendor);

    bool svm = false, npt = false;
    uint32_t asids = 0;
    if (max_ext >= CPUID_EXT_FEATURES) {
        cpuid(CPUID_EXT_FEATURES, 0, &a, &b, &c, &d);
        svm = c & CPUID_EXT1_ECX_SVM;
    }
    if (svm && max_ext >= CPUID_SVM) {
        cpuid(CPUID_SVM, 0, &a, &asids, &c, &d);
        npt = d & CPUID_SVM_EDX_NESTED_PG;
    }

    if (svm && (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS))
        log_warn("cpu: SVM is present but disabled by the firmware (VM_CR.SVMDIS): "
                 "guests cannot run");
    else if (svm && npt)
        log_info("cpu: SVM with nested paging: yes (%u ASIDs)", asids);
    else if (svm)
        log_warn("cpu: SVM without nested paging: guests cannot run (QEMU needs -cpu ...,+npt)");
    else if (vmx)
        log_warn("cpu: Intel VT-x only, no AMD SVM: guests cannot run (VMX is not supported)");
    else
        log_warn("cpu: no AMD SVM: guests cannot run");
}
