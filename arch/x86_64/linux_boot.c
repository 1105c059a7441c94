// SPDX-License-Identifier: MIT
/*
 * Booting a Linux bzImage directly (arch/x86_64/bzimage_model.h has the protocol): the
 * zero page, the command line and the VM's ACPI tables, written into guest memory when the VM
 * is created. scripts/vmconfig.py has already placed the file so that its protected-mode part
 * is at 1 MiB and made that the entry point; arch_vcpu_reset gives the boot vCPU ESI = the zero
 * page (linux_boot_params).
 *
 * The ACPI tables describe the VM's processors, interrupt controller, power button and
 * shared-memory regions (vacpi_model.h).
 *
 * Guest-physical layout (the first megabyte, inside memory[0], which must start at 0):
 *   0x7000  zero page           0x8000  command line    0xe0000  ACPI tables (RSDP first)
 * All below 64 KiB or in the BIOS area, which Linux reserves before it allocates anything.
 *
 * The command line is the config's plus its virtio-mmio devices (virtio_mmio.device=, which
 * vdev_type.cmdline_arg writes) and what the guest must know of its clock
 * (Documentation/admin-guide/kernel-parameters.txt). It reads the host's TSC directly: the
 * same invariant counter on every pCPU, never offset or scaled, running while it sleeps.
 *   tsc_early_khz=<rate>  the rate, which it cannot calibrate against emulated timers: under
 *                         TCG each read of one is an exit of tens of microseconds;
 *   tsc=reliable          no watchdog over it: the only other clock, jiffies, falls behind
 *                         while the guest prints to its UART with interrupts off (every byte
 *                         an exit), and would have the TSC declared unstable.
 */
#include <string.h>
#include <axvm/arch.h>
#include <axvm/config.h>
#include <axvm/format.h>
#include <axvm/frame.h>
#include <axvm/log.h>
#include <axvm/shmem.h>
#include <axvm/vdev.h>
#include <axvm/vm.h>
#include <arch/linux_boot.h>
#include "bzimage_model.h"
#include "vacpi_model.h"
#include "vlegacy.h"

#define ZERO_PAGE_GPA 0x7000
#define CMDLINE_GPA   0x8000
#define CMDLINE_MAX   PAGE_SIZE
#define ACPI_GPA      0xe0000
#define ACPI_MAX      PAGE_SIZE

bool linux_boot_params(const struct vm *vm, uint64_t *gpa)
{
    struct bzimage_info bi;
    const struct vm_config *c = vm->cfg;
    if (bzimage_parse(c->image, c->image_size, &bi) != 0)
        return false;
    *gpa = ZERO_PAGE_GPA;
    return true;
}

static const struct vm_dev_config *find_ioapic(const struct vm_config *c)
{
    for (unsigned i = 0; i < c->dev_count; i++)
        if (strcmp(c->dev[i].type, "ioapic") == 0)
            return &c->dev[i];
    return NULL;
}

/* The shared regions the VM maps, for the DSDT's SHM<i> devices; returns how many. */
static unsigned shmem_list(const struct vm *vm, struct vacpi_shmem *out)
{
    unsigned n = 0;
    for (unsigned i = 0; i < shmem_config_count && i < SHMEM_MAX; i++) {
        const struct shmem_config *s = &shmem_configs[i];
        const struct shmem_map_config *m = shmem_map_of(s, vm->id);
        if (m)
            out[n++] = (struct vacpi_shmem){.base = m->gpa,
                                            .size = s->size,
                                            .label = s->name,
                                            .index = i,
                                            .gsi = m->irq,
                                            .doorbell = m->doorbell,
                                            .read_only = m->ro};
    }
    return n;
}

/* The config's command line, the clock's arguments, then each device that Linux can only
 * find there (a virtio-mmio device: x86 has no device tree). */
static size_t build_cmdline(const struct vm *vm, char *buf, size_t size)
{
    const struct vm_config *c = vm->cfg;
    uint64_t khz = arch_counter_freq() / 1000;
    format_snprintf(buf, size, "%s tsc_early_khz=%llu tsc=reliable", c->cmdline,
                    (unsigned long long)khz);
    size_t len = strlen(buf);
    for (unsigned i = 0; i < c->dev_count && len + 1 < size; i++) {
        const struct vdev_type *t = vdev_find(c->dev[i].type);
        if (!t || !t->cmdline_arg)
            continue;
        buf[len++] = ' ';
        len += t->cmdline_arg(&c->dev[i], vm->devs[i].size, buf + len, size - len);
    }
    return len + 1;
}

static unsigned build_e820(const struct vm_config *c, struct e820_entry *e820)
{
    struct e820_region ram[VM_MAX_MEM];
    for (unsigned i = 0; i < c->mem_count; i++)
        ram[i] = (struct e820_region){c->mem[i].gpa, c->mem[i].size};
    /* The config lists regions in any order; e820 wants them sorted. */
    for (unsigned i = 1; i < c->mem_count; i++)
        for (unsigned j = i; j > 0 && ram[j].base < ram[j - 1].base; j--) {
            struct e820_region t = ram[j];
            ram[j] = ram[j - 1];
            ram[j - 1] = t;
        }
    return e820_build(ram, c->mem_count, e820, E820_MAX);
}

static int write_tables(struct vm *vm, const struct bzimage_info *bi, uint8_t *page)
{
    const struct vm_config *c = vm->cfg;
    const struct vm_dev_config *ioapic = find_ioapic(c);
    if (!ioapic) {
        log_error("vm%u (%s): a Linux guest needs an interrupt controller: add a device of type "
                  "ioapic",
                  vm->id, c->name);
        return -1;
    }
    struct vacpi_shmem shmem[SHMEM_MAX];
    const struct vacpi_config acpi = {
        .cpu_count = c->vcpu_count,
        .ioapic_base = (uint32_t)ioapic->base,
        .ioapic_id = (uint8_t)c->vcpu_count,
        .pm1a_evt_port = VLEGACY_PM1_EVT,
        .pm1a_cnt_port = VLEGACY_PM1_CNT,
        /* No PM timer (optional since ACPI 5.0A): every read of it would be an exit of tens
         * of microseconds under TCG, too slow for Linux to trust it as a reference (its TSC
         * refinement and clocksource watchdog give up on it, and the TSC stays "tsc-early").
         * The TSC is the clock; its rate comes from the hypervisor. */
        .pm_tmr_port = 0,
        .reset_port = VLEGACY_RESET,
        .reset_value = VLEGACY_RESET_VALUE,
        .sci_irq = VLEGACY_SCI_IRQ,
        .shmem = shmem,
        .shmem_count = shmem_list(vm, shmem),
    };
    size_t len = vacpi_build(&acpi, ACPI_GPA, page, ACPI_MAX);
    if (!len) {
        log_error("vm%u (%s): its ACPI tables do not fit in %u bytes", vm->id, c->name,
                  (unsigned)ACPI_MAX);
        return -1;
    }
    int err = aspace_write(&vm->as, ACPI_GPA, page, len);
    if (err)
        return err;

    len = build_cmdline(vm, (char *)page, CMDLINE_MAX);
    if (len > bi->cmdline_max + 1) {
        log_error("vm%u (%s): command line of %llu bytes; the kernel takes at most %u", vm->id,
                  c->name, (unsigned long long)(len - 1), bi->cmdline_max);
        return -1;
    }
    err = aspace_write(&vm->as, CMDLINE_GPA, page, len);
    if (err)
        return err;

    static struct e820_entry e820[E820_MAX]; /* only VM creation uses it, one VM at a time */
    const struct boot_params_args args = {
        .cmdline_gpa = CMDLINE_GPA,
        .initrd_gpa = (uint32_t)vm->initrd_gpa,
        .initrd_size = (uint32_t)c->initrd_size,
        .rsdp_gpa = ACPI_GPA,
        .e820 = e820,
        .e820_count = build_e820(c, e820),
    };
    boot_params_build(page, c->image, &args);
    return aspace_write(&vm->as, ZERO_PAGE_GPA, page, BOOT_PARAMS_SIZE);
}

int linux_boot_setup(struct vm *vm)
{
    const struct vm_config *c = vm->cfg;
    struct bzimage_info bi;
    if (bzimage_parse(c->image, c->image_size, &bi) != 0)
        return 0; /* not a Linux guest */
    if (c->mem[0].gpa != 0 || c->mem[0].size < MiB(2)) {
        log_error("vm%u (%s): a Linux guest needs memory[0] to start at 0", vm->id, c->name);
        return -1;
    }
    if (c->load_addr < ACPI_GPA + ACPI_MAX) {
        log_error("vm%u (%s): the bzImage's %llu setup bytes reach down to the ACPI tables", vm->id,
                  c->name, (unsigned long long)(BZ_PM_ENTRY - c->load_addr));
        return -1;
    }
    if (c->initrd_size && vm->initrd_gpa + c->initrd_size > (uint64_t)bi.initrd_addr_max + 1) {
        log_error("vm%u (%s): the initrd ends above the kernel's limit 0x%x", vm->id, c->name,
                  bi.initrd_addr_max);
        return -1;
    }
    paddr_t page = frame_alloc(1, PAGE_SIZE);
    if (!page)
        return -1;
    int err = write_tables(vm, &bi, phys_to_ptr(page));
    frame_free(page, 1);
    return err;
}
