// SPDX-License-Identifier: MIT
/* The boot CPU's path from ExitBootServices to kernel_main. */
#include <axvm/arch.h>
#include <axvm/config.h>
#include <axvm/console.h>
#include <axvm/log.h>
#include <axvm/panic.h>
#include <axvm/percpu.h>
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <arch/mmu.h>
#include <arch/power.h>
#include <arch/setup.h>
#include <arch/smp.h>
#include <arch/timer.h>
#include <arch/trap.h>

#define COM1 0x3f8

/* Legacy 8259 PICs: masking every line keeps the firmware's timer and devices quiet. */
#define PIC1_DATA 0x21
#define PIC2_DATA 0xa1

/* The boot CPU leaves the firmware's stack (boot-services memory, free for the allocator). */
static uint8_t boot_stack[CPU_STACK_SIZE] __attribute__((aligned(16)));

static uint8_t com_read(uintptr_t port)
{
    return inb((uint16_t)port);
}

static void com_write(uintptr_t port, uint8_t value)
{
    outb((uint16_t)port, value);
}

/* The interrupt controllers axvm drives that no device tree describes, for the boot-time
 * config check (kernel/machine_facts.c): no passthrough range may cover them. */
static void setup_record_host_devices(const struct acpi_info *acpi)
{
    machine_facts_add_device(lapic_base(), PAGE_SIZE);
    for (unsigned i = 0; i < acpi->ioapic_count; i++)
        machine_facts_add_device(acpi->ioapic_base[i], PAGE_SIZE);
    if (acpi->ioapics_dropped)
        log_warn("acpi: %u I/O APICs beyond the first %u left out", acpi->ioapics_dropped,
                 ACPI_MAX_IOAPICS);
}

static NORETURN void setup_enter_kernel(struct boot_info *bi)
{
    /* kernel_main never returns, so nothing of this frame is needed after the switch. */
    __asm__ volatile("movq %0, %%rsp\n\t"
                     "xorl %%ebp, %%ebp\n\t"
                     "pushq $0\n\t" /* as if called */
                     "jmp *%1"
                     :
                     : "r"(boot_stack + sizeof(boot_stack)), "r"(kernel_main), "D"(bi)
                     : "memory");
    __builtin_unreachable();
}

NORETURN void setup_machine(struct boot_info *bi, const struct setup_handoff *h)
{
    /* COM1, already programmed by the firmware. The core initialises it again in
     * kernel_main; doing it now lets what follows report problems. */
    bi->console = (struct uart_desc){
        .kind = UART_NS16550,
        .base = COM1,
        .reg_width = 1,
        .io_read = com_read,
        .io_write = com_write,
    };
    console_init(&bi->console);

    idt_init();
    cpu_init_local(percpu_get(0));
    uint64_t cr3 = mmu_build(h->page_tables, h->page_table_pages, h->map_top, h->wb, h->wb_count);
    if (!cr3)
        panic("page tables: %u pages are too few", h->page_table_pages);
    mmu_activate(cr3);

    if (h->ranges_dropped)
        log_warn("memory map: %u ranges did not fit and were left out", h->ranges_dropped);
    if (h->acpi.cpus_dropped)
        log_warn("acpi: %u CPUs beyond the first %u left out", h->acpi.cpus_dropped, CPU_MAX);
    if (h->acpi.has_8259) {
        outb(PIC1_DATA, 0xff);
        outb(PIC2_DATA, 0xff);
    }
    timer_calibrate(h->acpi.pm_timer, h->acpi.pm_timer_32bit);
    cpu_report_features();
    smp_init(h->trampoline, cr3);
    power_init(&h->acpi);
    setup_record_host_devices(&h->acpi);
    setup_enter_kernel(bi);
}
