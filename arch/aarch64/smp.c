// SPDX-License-Identifier: MIT
/*
 * Secondary CPUs: started through PSCI CPU_ON (QEMU virt; a Raspberry Pi 4 with TF-A) or the
 * spin table (a Raspberry Pi 4 with the firmware's own armstub), whichever each CPU's
 * enable-method names (Documentation/arch/arm64/booting.rst, "CPU booting protocol").
 */
#include <arch/irq.h>
#include <arch/psci.h>
#include <arch/smp.h>
#include <arch/sysreg.h>
#include <drivers/gic.h>
#include <axvm/arch.h>
#include <axvm/errno.h>
#include <axvm/log.h>
#include <axvm/percpu.h>

extern char secondary_entry[];

static struct {
    uint64_t hwid;
    uint8_t method;
    uint64_t release_addr;
} cpu_start[CPU_MAX];
static unsigned cpu_start_count;

/*
 * A spin-table CPU jumps to its entry with only its MMU-off view of memory and no argument,
 * so it finds its boot arguments here (one CPU starts at a time: kernel/main.c waits for each).
 */
static uint64_t spin_table_args;
void spin_table_entry(void);
__asm__(".pushsection .text\n"
        ".globl spin_table_entry\n"
        "spin_table_entry:\n"
        "    ldr x0, =spin_table_args\n"
        "    ldr x0, [x0]\n"
        "    b secondary_entry\n"
        "    .ltorg\n"
        ".popsection\n");

void smp_init(const struct boot_info *bi)
{
    for (unsigned i = 0; i < bi->cpu_count; i++)
        cpu_start[i] =
            (typeof(cpu_start[0])){bi->cpu_hwid[i], bi->cpu_start[i], bi->cpu_release_addr[i]};
    cpu_start_count = bi->cpu_count;
}

/* Clean a line to the point of coherency: the other CPU reads it with caches off. */
static void clean_to_poc(const void *p)
{
    __asm__ volatile("dc civac, %0" ::"r"(p) : "memory");
}

/*
 * The spin table: write the entry point to the CPU's release address, push it to memory and
 * wake the CPU from its WFE loop with SEV.
 */
static int spin_table_release(uint64_t release_addr, void *boot_args)
{
    if (!release_addr || release_addr % 8)
        return -EINVAL;
    spin_table_args = ptr_to_phys(boot_args);
    clean_to_poc(&spin_table_args);
    volatile uint64_t *release = phys_to_ptr(release_addr);
    *release = ptr_to_phys(spin_table_entry);
    clean_to_poc((const void *)release);
    dsb_sy();
    __asm__ volatile("sev" ::: "memory");
    return 0;
}

int arch_cpu_start(struct percpu *cpu, uint64_t hwid, void *stack_top)
{
    cpu->arch.boot_args.stack_top = (uint64_t)(uintptr_t)stack_top;
    cpu->arch.boot_args.percpu = (uint64_t)(uintptr_t)cpu;
    /* The new CPU reads these with its MMU and caches off: push them to memory. */
    clean_to_poc(&cpu->arch.boot_args);
    dsb_sy();
    unsigned i = 0;
    while (i < cpu_start_count && cpu_start[i].hwid != hwid)
        i++;
    if (i < cpu_start_count && cpu_start[i].method == CPU_START_SPIN_TABLE)
        return spin_table_release(cpu_start[i].release_addr, &cpu->arch.boot_args);
    if (i < cpu_start_count && cpu_start[i].method == CPU_START_UNKNOWN) {
        log_error("cpu%u (hwid 0x%llx): enable-method not psci or spin-table: cannot start it",
                  cpu->index, (unsigned long long)hwid);
        return -ENOSYS;
    }
    int64_t r = psci_call(PSCI_CPU_ON_64, hwid, ptr_to_phys(secondary_entry),
                          ptr_to_phys(&cpu->arch.boot_args));
    return r == PSCI_SUCCESS ? 0 : (int)r;
}

NORETURN void arch_secondary_main(struct percpu *cpu)
{
    sysreg_write(tpidr_el2, cpu);
    cpu->arch.gic_cpu = gic_cpu_init(sysreg_read(mpidr_el1), GIC_HYP_PPIS);
    cpu->arch.gic_ready = cpu->arch.gic_cpu != 0;
    kernel_secondary_main(cpu);
}

const char *arch_cpu_start_describe(struct percpu *cpu)
{
    return ""; /* nothing more to ask the firmware */
}
