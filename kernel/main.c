// SPDX-License-Identifier: MIT
/* What every CPU does from the moment translation is on: the same on every architecture. */
#include <axvm/arch.h>
#include <axvm/arch_vm.h>
#include <axvm/cmdline.h>
#include <axvm/console.h>
#include <axvm/frame.h>
#include <axvm/log.h>
#include <axvm/memmap.h>
#include <axvm/panic.h>
#include <axvm/percpu.h>
#include <axvm/sched.h>
#include <axvm/selftest.h>
#include <axvm/version.h>
#include <axvm/vm.h>

/* How long the boot CPU waits for a secondary before giving up on it: a real CPU comes up in
 * milliseconds, but an emulated one on a loaded host (four QEMU vCPU threads on two cores) took
 * over 2 s once in a fresh-clone `make test` (RISC-V hart 3), which lost the CPU and the VMs
 * placed on it. */
#define CPU_START_TIMEOUT_MS 5000

static void log_level_from_cmdline(const char *cmdline)
{
    char v[16];
    if (!cmdline_get(cmdline, "loglevel", v, sizeof(v)))
        return;
    if (v[0] >= '0' && v[0] <= '3' && v[1] == '\0')
        log_set_level((enum log_level)(v[0] - '0'));
    else
        log_warn("loglevel=%s ignored: expected 0 (errors) to 3 (debug)", v);
}

/* idle=trap: every guest's WFI/HLT exits, even on a pCPU of its own (for measurements). */
static void idle_from_cmdline(const char *cmdline)
{
    char v[16];
    if (!cmdline_get(cmdline, "idle", v, sizeof(v)))
        return;
    if (__builtin_strcmp(v, "trap") == 0)
        sched_set_idle_trap(true);
    else if (__builtin_strcmp(v, "guest") != 0)
        log_warn("idle=%s ignored: expected trap or guest", v);
}

/*
 * RAM that VMs take as identity regions (for devices that reach it by DMA) must never be
 * handed out by the allocator. One that would cover the hypervisor itself or firmware is
 * refused: its VM will not start (vm_start_all checks vm_identity_ok).
 */
static void reserve_identity_regions(struct boot_info *bi)
{
    /* What the firmware and the hypervisor keep; one VM's identity region overlapping
     * another's is vm_config_check's to refuse, naming the other VM. */
    unsigned kept = bi->reserved_count;
    for (unsigned i = 0; i < vm_config_count; i++) {
        const struct vm_config *c = &vm_configs[i];
        for (unsigned j = 0; j < c->mem_count; j++) {
            const struct vm_mem_config *m = &c->mem[j];
            if (m->kind != VM_MEM_IDENTITY)
                continue;
            bool clash = false;
            for (unsigned k = 0; k < kept; k++)
                clash |= m->gpa < bi->reserved[k].base + bi->reserved[k].size &&
                         bi->reserved[k].base < m->gpa + m->size;
            if (clash)
                vm_identity_clash[i] = true;
            else
                boot_add_range(bi->reserved, &bi->reserved_count, m->gpa, m->size);
        }
    }
}

static void memory_init(struct boot_info *bi)
{
    machine_facts_record(bi); /* before the identity regions join the reserved ones */
    reserve_identity_regions(bi);
    struct mem_range free[FRAME_MAX_ZONES];
    unsigned dropped = 0;
    unsigned n = memmap_free_ranges(bi->ram, bi->ram_count, bi->reserved, bi->reserved_count,
                                    PAGE_SIZE, free, FRAME_MAX_ZONES, &dropped);
    if (dropped)
        log_warn("memory map: %u free ranges beyond the first %u ignored", dropped, n);
    for (unsigned i = 0; i < bi->ram_count; i++)
        log_debug("ram      0x%010llx-0x%010llx", (unsigned long long)bi->ram[i].base,
                  (unsigned long long)(bi->ram[i].base + bi->ram[i].size));
    for (unsigned i = 0; i < bi->reserved_count; i++)
        log_debug("reserved 0x%010llx-0x%010llx", (unsigned long long)bi->reserved[i].base,
                  (unsigned long long)(bi->reserved[i].base + bi->reserved[i].size));
    frame_init(free, n);
}

static bool wait_online(struct percpu *cpu)
{
    uint64_t freq = arch_counter_freq();
    uint64_t deadline = arch_counter_read() + freq / 1000 * CPU_START_TIMEOUT_MS;
    while (!cpu->online) {
        if (panic_in_progress()) /* the new CPU died on its way up and reports it */
            panic_halt_self();
        if (arch_counter_read() > deadline)
            return false;
        arch_cpu_relax();
    }
    return true;
}

static void secondaries_start(void)
{
    for (unsigned i = 1; i < percpu_count; i++) {
        struct percpu *cpu = percpu_get(i);
        paddr_t stack = frame_alloc(CPU_STACK_SIZE / PAGE_SIZE, PAGE_SIZE);
        if (!stack) {
            log_error("cpu%u: no memory for its stack", i);
            continue;
        }
        cpu->stack_top = phys_to_ptr(stack + CPU_STACK_SIZE);
        int err = arch_cpu_start(cpu, cpu->hwid, cpu->stack_top);
        if (err) {
            log_error("cpu%u (hwid 0x%llx): firmware refused to start it (%d)", i,
                      (unsigned long long)cpu->hwid, err);
            continue;
        }
        if (!wait_online(cpu))
            log_error("cpu%u (hwid 0x%llx): did not come online within %u ms%s", i,
                      (unsigned long long)cpu->hwid, CPU_START_TIMEOUT_MS,
                      arch_cpu_start_describe(cpu));
    }
}

NORETURN void kernel_main(struct boot_info *bi)
{
    /* The time the core starts: `make bench` measures from here to a guest's first
     * instruction (on the counter guests read too). */
    uint64_t start = arch_counter_read();
    console_init(&bi->console);
    log_level_from_cmdline(bi->cmdline);
    idle_from_cmdline(bi->cmdline);
    percpu_init(bi);
    memory_init(bi);

    uint64_t ram = memmap_total(bi->ram, bi->ram_count);
    log_info("axvm %s (%s) on %s", AXVM_VERSION, AXVM_REVISION, arch_name);
    log_debug("started at counter %llu, %llu Hz", (unsigned long long)start,
              (unsigned long long)arch_counter_freq());
    log_info("firmware %s, %u CPUs, %llu MiB RAM, %llu MiB free for guests",
             bi->firmware[0] ? bi->firmware : "unknown", percpu_count,
             (unsigned long long)(ram >> 20),
             (unsigned long long)((frame_free_count() * PAGE_SIZE) >> 20));
    if (bi->entry[0])
        log_info("entered %s", bi->entry);
    if (bi->irqchip)
        log_info("interrupt controller %s at 0x%llx", bi->irqchip,
                 (unsigned long long)bi->intc.reg[0].base);
    if (bi->cmdline[0])
        log_info("command line: %s", bi->cmdline);

    struct percpu *boot = percpu_get(0);
    boot->online = true;
    log_info("cpu0 online (hwid 0x%llx, boot CPU)", (unsigned long long)boot->hwid);
    secondaries_start();
    log_info("%u of %u CPUs online", percpu_online_count(), percpu_count);

    selftest_run(bi->cmdline);

    /* "vms=none" boots the hypervisor alone: the foundation tests use it. */
    char vms[8];
    bool skip = cmdline_get(bi->cmdline, "vms", vms, sizeof(vms)) && vms[0] == 'n';
    if (!skip && vm_config_count > 0) {
        if (arch_virt_cpu_init() != 0) {
            log_error("this CPU cannot run guests: no VM started");
        } else {
            unsigned started = vm_start_all();
            log_info("%u of %u VMs started", started, vm_config_count);
            if (started || vm_any_active()) /* autostart = false: the console may start it */
                sched_loop();
        }
    }

    log_info("nothing left to run: powering off");
    arch_system_off();
}

NORETURN void kernel_secondary_main(struct percpu *cpu)
{
    log_info("cpu%u online (hwid 0x%llx)", cpu->index, (unsigned long long)cpu->hwid);
    int virt = arch_virt_cpu_init();
    __atomic_store_n(&cpu->online, true, __ATOMIC_RELEASE);
    if (virt == 0)
        sched_loop();
    for (;;) {
        if (panic_in_progress())
            panic_halt_self();
        arch_wait_for_event();
    }
}
