// SPDX-License-Identifier: MIT
/* VM lifecycle: create from config, boot, stop (shutdown, reboot, fault), release. */
#include <string.h>
#include <axvm/arch.h>
#include <axvm/arch_vm.h>
#include <axvm/errno.h>
#include <axvm/frame.h>
#include <axvm/log.h>
#include <axvm/percpu.h>
#include <axvm/sched.h>
#include <axvm/shmem.h>
#include <axvm/vdev.h>
#include <axvm/vm.h>
#include <axvm/vm_fdt.h>
#include <axvm/vmm.h>

struct vm vm_table[VM_MAX];
bool vm_identity_clash[VM_MAX];

/* VMs that have been started and not stopped for good (a reboot does not count as a stop). */
static volatile unsigned vms_alive;

/* The console may start a VM again: the machine stays on with no VM running (vm_any_active). */
static volatile bool vms_restartable;

/* Each VM slot's output history (a static pool: it lives as long as the VM object). */
static char vm_history[VM_MAX][VM_HISTORY_MAX];

static const char *const stop_names[] = {
    [VM_STOP_NONE] = "running",
    [VM_STOP_SHUTDOWN] = "shutdown",
    [VM_STOP_REBOOT] = "reboot",
    [VM_STOP_FAULT] = "fault",
    [VM_STOP_CONSOLE] = "forced from the console",
};

static int vm_add_devices(struct vm *vm)
{
    const struct vm_config *c = vm->cfg;
    emu_bus_init(&vm->bus);
    for (unsigned i = 0; i < c->dev_count; i++) {
        struct emu_device *d = &vm->devs[i];
        int err = vdev_attach(vm, d, &c->dev[i]);
        err = err ?: emu_bus_add(&vm->bus, d);
        if (err) {
            log_error("vm%u (%s): device %u (%s at 0x%llx): error %d", vm->id, c->name, i,
                      c->dev[i].type, (unsigned long long)c->dev[i].base, err);
            return err;
        }
    }
    return shmem_add_doorbells(vm);
}

/* Console input reaches the VM's first UART; with the devices gone (a reboot rebuilds them) it
 * must not reach anything. */
static void vm_unbind_console_input(struct vm *vm)
{
    unsigned long flags = spin_lock_irqsave(&vm->console.lock);
    vm->console.input_notify = NULL;
    vm->console.input_ctx = NULL;
    spin_unlock_irqrestore(&vm->console.lock, flags);
}

static void vm_remove_devices(struct vm *vm)
{
    vm_unbind_console_input(vm);
    for (unsigned i = 0; i < vm->cfg->dev_count; i++)
        vdev_detach(&vm->devs[i]);
    emu_bus_init(&vm->bus);
}

static int vm_add_memory(struct vm *vm)
{
    const struct vm_config *c = vm->cfg;
    static const enum region_kind kinds[] = {
        [VM_MEM_ALLOCATED] = REGION_ALLOCATED,
        [VM_MEM_LAZY] = REGION_LAZY,
        [VM_MEM_IDENTITY] = REGION_IDENTITY,
    };
    for (unsigned i = 0; i < c->mem_count; i++) {
        int err = aspace_add_region(&vm->as, c->mem[i].gpa, c->mem[i].size, kinds[c->mem[i].kind],
                                    PT_RWX);
        if (err) {
            log_error("vm%u (%s): memory %u at 0x%llx (%llu MiB): error %d", vm->id, c->name, i,
                      (unsigned long long)c->mem[i].gpa, (unsigned long long)(c->mem[i].size >> 20),
                      err);
            return err;
        }
    }
    for (unsigned i = 0; i < c->passthru_count; i++) {
        const struct vm_passthru_config *p = &c->passthru[i];
        uint64_t base = ALIGN_DOWN(p->base, PAGE_SIZE);
        uint64_t end = ALIGN_UP(p->base + p->size, PAGE_SIZE);
        int err = aspace_add_region(&vm->as, base, end - base, REGION_IDENTITY,
                                    PT_READ | PT_WRITE | PT_DEVICE);
        if (err) {
            log_error("vm%u (%s): passthrough %u at 0x%llx: error %d", vm->id, c->name, i,
                      (unsigned long long)c->passthru[i].base, err);
            return err;
        }
    }
    return shmem_map(vm);
}

/* Image at its load address; initrd and device tree at the top of the first memory region. */
static int vm_load(struct vm *vm)
{
    const struct vm_config *c = vm->cfg;
    int err = aspace_write(&vm->as, c->load_addr, c->image, c->image_size);
    if (err) {
        log_error("vm%u (%s): image does not fit at 0x%llx", vm->id, c->name,
                  (unsigned long long)c->load_addr);
        return err;
    }
    uint64_t top = c->mem[0].gpa + c->mem[0].size;
    vm->fdt_gpa = ALIGN_DOWN(top - VM_FDT_MAX, PAGE_SIZE);
    if (c->initrd_size) {
        vm->initrd_gpa = ALIGN_DOWN(vm->fdt_gpa - c->initrd_size, MiB(2));
        err = aspace_write(&vm->as, vm->initrd_gpa, c->initrd, c->initrd_size);
        if (err)
            return err;
    }
    paddr_t buf = frame_alloc(VM_FDT_MAX / PAGE_SIZE, PAGE_SIZE);
    if (!buf)
        return -ENOMEM;
    err = vm_fdt_build(vm, phys_to_ptr(buf), VM_FDT_MAX);
    if (err)
        log_error("vm%u (%s): device tree: libfdt error %d", vm->id, c->name, err);
    else
        err = aspace_write(&vm->as, vm->fdt_gpa, phys_to_ptr(buf), VM_FDT_MAX);
    frame_free(buf, VM_FDT_MAX / PAGE_SIZE);
    return err;
}

/* After the devices: routing an interrupt into the VM needs its interrupt controller. */
static int vm_claim_irqs(struct vm *vm)
{
    const struct vm_config *c = vm->cfg;
    for (unsigned i = 0; i < c->passthru_count; i++) {
        if (c->passthru[i].irq < 0)
            continue;
        const struct vintc *ic = &vm->intc;
        int err =
            ic->ops ? ic->ops->claim_host_irq(ic->ctx, (unsigned)c->passthru[i].irq) : -ENOSYS;
        if (err) {
            log_error("vm%u (%s): passthrough %u: interrupt %d: error %d", vm->id, c->name, i,
                      c->passthru[i].irq, err);
            return err;
        }
        vm->claimed_irqs |= 1ULL << i;
    }
    return 0;
}

static void vm_release_irqs(struct vm *vm)
{
    for (unsigned i = 0; i < vm->cfg->passthru_count; i++)
        if (vm->claimed_irqs & (1ULL << i))
            vm->intc.ops->release_host_irq(vm->intc.ctx, (unsigned)vm->cfg->passthru[i].irq);
    vm->claimed_irqs = 0;
}

/* The part of the VM that lives across reboots: set once, when the slot is first used. */
static void vm_init_once(struct vm *vm, const struct vm_config *cfg, unsigned vmid)
{
    memset(vm, 0, sizeof(*vm));
    vm->id = cfg->id;
    vm->cfg = cfg;
    vm->vmid = vmid;
    vm->lock = (spinlock_t)SPINLOCK_INIT;
    cmux_stream_init(&vm->console, cfg->id, cfg->name);
    size_t slot = (size_t)(vm - vm_table);
    uint32_t size = cfg->history_size ? cfg->history_size : VM_HISTORY_DEFAULT;
    if (slot < VM_MAX)
        cmux_history_attach(&vm->console, vm_history[slot],
                            size < VM_HISTORY_MAX ? size : VM_HISTORY_MAX);
}

int vm_create(struct vm *vm, const struct vm_config *cfg, unsigned vmid)
{
    if (vm->cfg != cfg)
        vm_init_once(vm, cfg, vmid);
    /* Everything from 'state' on is per boot. Nobody holds a pointer into it: the scheduler's
     * lists and the pCPUs' loaded vCPUs were cleared when the previous boot stopped. */
    memset((char *)vm + offsetof(struct vm, state), 0, sizeof(*vm) - offsetof(struct vm, state));
    vm->generation++;

    int err = aspace_init(&vm->as, vmid);
    err = err ?: vm_add_memory(vm);
    err = err ?: vm_add_devices(vm);
    err = err ?: vm_claim_irqs(vm);
    vm->vcpu_count = cfg->vcpu_count;
    for (unsigned i = 0; i < cfg->vcpu_count; i++) {
        struct vcpu *v = &vm->vcpus[i];
        v->vm = vm;
        v->id = i;
        v->hwid = arch_vcpu_hwid(i);
        v->pcpu = cfg->affinity[i];
        vcpu_state_set(v, VCPU_OFF);
    }
    err = err ?: vm_load(vm);
    if (err) {
        vm_release(vm);
        return err;
    }
    /* On their pCPUs' lists before any VM boots, so a pCPU shared with a VM that boots later
     * knows from the start that it is shared (and slices its time). */
    for (unsigned i = 0; i < vm->vcpu_count; i++)
        sched_add(&vm->vcpus[i]);
    vm_state_set(vm, VM_LOADED);
    return 0;
}

int vm_boot(struct vm *vm)
{
    const struct vm_config *c = vm->cfg;
    vm->boots++;
    log_info("vm%u (%s): boot #%u, %u vCPU%s on pCPU %u%s, %llu KiB image at 0x%llx", vm->id,
             c->name, vm->boots, c->vcpu_count, c->vcpu_count > 1 ? "s" : "", c->affinity[0],
             c->vcpu_count > 1 ? "..." : "", (unsigned long long)(c->image_size >> 10),
             (unsigned long long)c->load_addr);
    /* Once: a reboot keeps the stream registered (vm_finish_stop). */
    if (!vm->console.registered)
        cmux_register(&vm->console);
    struct vcpu *boot = &vm->vcpus[0];
    arch_vcpu_reset(boot, c->entry, vm->fdt_gpa, vm->as.pt.root, vm->vmid);
    vm_state_set(vm, VM_RUNNING);
    vcpu_state_move(boot, VCPU_OFF, VCPU_RUNNABLE);
    sched_wake(boot);
    return 0;
}

void vm_irq_set(struct vm *vm, int irq, bool level)
{
    if (irq >= 0 && vm->intc.ops)
        vm->intc.ops->set_level(vm->intc.ctx, (unsigned)irq, level);
}

void vm_irq_pulse(struct vm *vm, int irq)
{
    const struct vintc_ops *ops = vm->intc.ops;
    if (irq < 0 || !ops)
        return;
    if (ops->raise_edge) {
        ops->raise_edge(vm->intc.ctx, (unsigned)irq);
        return;
    }
    ops->set_level(vm->intc.ctx, (unsigned)irq, true);
    ops->set_level(vm->intc.ctx, (unsigned)irq, false);
}

bool vm_bad_access_note(struct vm *vm, uint64_t gpa)
{
    uint64_t key = (gpa >> 16) + 1; /* 0 marks a free slot */
    unsigned long flags = spin_lock_irqsave(&vm->lock);
    bool first = false;
    for (unsigned i = 0; i < VM_BAD_ACCESS_LOGS; i++) {
        if (vm->bad_access_logged[i] == key)
            break;
        if (!vm->bad_access_logged[i]) {
            vm->bad_access_logged[i] = key;
            first = true;
            break;
        }
    }
    spin_unlock_irqrestore(&vm->lock, flags);
    return first;
}

struct vcpu *vm_find_vcpu_by_hwid(struct vm *vm, uint64_t hwid)
{
    for (unsigned i = 0; i < vm->vcpu_count; i++)
        if (vm->vcpus[i].hwid == hwid)
            return &vm->vcpus[i];
    return NULL;
}

int64_t vm_cpu_on(struct vm *vm, uint64_t hwid, uint64_t entry, uint64_t arg)
{
    struct vcpu *t = vm_find_vcpu_by_hwid(vm, hwid);
    if (!t)
        return -ENOENT;
    unsigned long flags = spin_lock_irqsave(&vm->lock);
    if (vcpu_state_get(t) != VCPU_OFF || vm_state_get(vm) != VM_RUNNING) {
        spin_unlock_irqrestore(&vm->lock, flags);
        return -EBUSY;
    }
    /* Off means put (sched_after_run): resetting it cannot race with its pCPU. */
    arch_vcpu_reset(t, entry, arg, vm->as.pt.root, vm->vmid);
    vcpu_state_move(t, VCPU_OFF, VCPU_RUNNABLE);
    spin_unlock_irqrestore(&vm->lock, flags);
    log_info("vm%u (%s): vcpu%u started on pCPU %u", vm->id, vm->cfg->name, t->id, t->pcpu);
    sched_wake(t);
    return 0;
}

/* Everything of this boot. The console stream is the VM's, not the boot's: it stays registered
 * across a reboot, so input typed meanwhile waits in it for the next boot's UART, and focus
 * stays on the VM. */
static void vm_release_resources(struct vm *vm)
{
    vm_release_irqs(vm);
    cmux_flush(&vm->console);
    for (unsigned i = 0; i < vm->vcpu_count; i++)
        sched_remove(&vm->vcpus[i]);
    vm_remove_devices(vm);
    aspace_destroy(&vm->as);
}

void vm_release(struct vm *vm)
{
    vm_release_resources(vm);
    cmux_unregister(&vm->console);
    vm_state_set(vm, VM_STOPPED);
}

/* The last vCPU out finishes the stop: release, and for a reboot create and boot again. */
static void vm_finish_stop(struct vm *vm)
{
    enum vm_stop_reason why = vm->stop_reason;
    uint64_t exits = 0;
    for (unsigned i = 0; i < vm->vcpu_count; i++)
        exits += vm->vcpus[i].exits;
    uint64_t lazy = vm->as.lazy_faults;
    char text[80];
    vm_stop_describe(vm, why, stop_names[why], text, sizeof(text));
    vm_release_resources(vm);
    log_info("vm%u (%s): stopped (%s) after %llu exits, %llu lazy pages; %llu frames free", vm->id,
             vm->cfg->name, text, (unsigned long long)exits, (unsigned long long)lazy,
             (unsigned long long)frame_free_count());
    if (why == VM_STOP_REBOOT && vm_create(vm, vm->cfg, vm->vmid) == 0) {
        vm_boot(vm);
        return;
    }
    if (why == VM_STOP_REBOOT)
        log_error("vm%u (%s): could not be created again for its reboot", vm->id, vm->cfg->name);
    cmux_unregister(&vm->console);
    vm_state_set(vm, VM_STOPPED);
    __atomic_sub_fetch(&vms_alive, 1, __ATOMIC_SEQ_CST);
    arch_cpu_kick(0); /* the boot CPU powers off once the last VM is gone */
}

void vm_stop(struct vm *vm, enum vm_stop_reason reason)
{
    unsigned long flags = spin_lock_irqsave(&vm->lock);
    enum vm_state st = vm_state_get(vm);
    if (st != VM_RUNNING && st != VM_LOADED) {
        spin_unlock_irqrestore(&vm->lock, flags);
        return; /* already stopping: the first reason wins */
    }
    /* Asked to power off, a guest that restarts instead is stopped as asked. */
    if (reason == VM_STOP_REBOOT && __atomic_load_n(&vm->stop_deadline, __ATOMIC_SEQ_CST))
        reason = VM_STOP_SHUTDOWN;
    vm_state_set(vm, VM_STOPPING);
    vm->stop_reason = reason;
    spin_unlock_irqrestore(&vm->lock, flags);
    /* vCPUs in guest mode elsewhere must come out to notice. */
    for (unsigned i = 0; i < vm->vcpu_count; i++)
        arch_cpu_kick(vm->vcpus[i].pcpu);
}

void vm_vcpu_stopped(struct vcpu *v)
{
    struct vm *vm = v->vm;
    vcpu_put(v); /* the VM's release frees what its state points to */
    unsigned long flags = spin_lock_irqsave(&vm->lock);
    vcpu_state_set(v, VCPU_STOPPED);
    bool last = true;
    for (unsigned i = 0; i < vm->vcpu_count; i++) {
        enum vcpu_state st = vcpu_state_get(&vm->vcpus[i]);
        last &= st == VCPU_STOPPED || st == VCPU_OFF;
    }
    /* Claim the release so two pCPUs cannot both do it. The state stays VM_STOPPING until
     * the release is done, so the machine does not power off under it. */
    if (last && vm_state_get(vm) == VM_STOPPING && !vm->releasing)
        vm->releasing = true;
    else
        last = false;
    spin_unlock_irqrestore(&vm->lock, flags);
    if (last)
        vm_finish_stop(vm);
}

void vm_fault(struct vcpu *v, const char *what, uint64_t addr, uint64_t pc)
{
    struct vm *vm = v->vm;
    log_error("vm%u (%s) vcpu%u: %s: address 0x%llx, guest pc 0x%llx; stopping the VM", vm->id,
              vm->cfg->name, v->id, what, (unsigned long long)addr, (unsigned long long)pc);
    vm_stop(vm, VM_STOP_FAULT);
}

bool vm_any_active(void)
{
    return __atomic_load_n(&vms_alive, __ATOMIC_SEQ_CST) != 0 ||
           __atomic_load_n(&vms_restartable, __ATOMIC_SEQ_CST);
}

bool vm_any_running(void)
{
    return __atomic_load_n(&vms_alive, __ATOMIC_SEQ_CST) != 0;
}

void vm_console_stopping(void)
{
    __atomic_store_n(&vms_restartable, true, __ATOMIC_SEQ_CST);
}

void vm_stop_from_console(struct vm *vm)
{
    vm_console_stopping();
    vm_stop(vm, VM_STOP_CONSOLE);
}

int vm_start(struct vm *vm)
{
    unsigned long flags = spin_lock_irqsave(&vm->lock);
    bool mine = vm->cfg && vm_state_get(vm) == VM_STOPPED && !vm->starting;
    if (mine)
        vm->starting = true;
    spin_unlock_irqrestore(&vm->lock, flags);
    if (!mine)
        return -EBUSY;
    __atomic_add_fetch(&vms_alive, 1, __ATOMIC_SEQ_CST);
    int err = vm_create(vm, vm->cfg, vm->vmid);
    if (err == 0)
        vm_boot(vm);
    else
        __atomic_sub_fetch(&vms_alive, 1, __ATOMIC_SEQ_CST);
    flags = spin_lock_irqsave(&vm->lock);
    vm->starting = false;
    spin_unlock_irqrestore(&vm->lock, flags);
    return err;
}

unsigned vm_start_all(void)
{
    struct machine_facts m;
    machine_facts_fill(&m);
    const struct vm_config *accepted[VM_MAX];
    unsigned n = 0, vmid = 1;
    vms_restartable = false; /* set again below by a VM with autostart = false */
    if (shmem_init())
        return 0; /* the VMs sharing memory were configured to need it */
    for (unsigned i = 0; i < vm_config_count && n < VM_MAX; i++) {
        const struct vm_config *c = &vm_configs[i];
        char why[128];
        if (vm_identity_clash[i]) {
            log_error("%s: vm %u (%s): memory: an identity region covers memory the hypervisor "
                      "or the firmware uses; not started",
                      c->source, c->id, c->name);
            continue;
        }
        if (!vm_config_check(c, &m, accepted, n, why, sizeof(why))) {
            log_error("%s: vm %u (%s): %s; not started", c->source, c->id, c->name, why);
            continue;
        }
        if (vmid > arch_vmid_max()) {
            log_error("vm%u (%s): no VMID left; not started", c->id, c->name);
            continue;
        }
        struct vm *vm = &vm_table[n];
        if (c->manual_start) {
            /* Checked now, created by the console's start. */
            vm_init_once(vm, c, vmid);
            vm_state_set(vm, VM_STOPPED);
            accepted[n++] = c;
            vmid++;
            vms_restartable = true;
            log_info("vm%u (%s): autostart = false: type Ctrl-] :start %u to start it", c->id,
                     c->name, c->id);
            continue;
        }
        if (vm_create(vm, c, vmid) != 0)
            continue;
        accepted[n++] = c;
        vmid++;
        m.free_bytes = frame_free_count() * PAGE_SIZE;
    }
    cmux_command = vmm_run;
    unsigned booted = 0;
    for (unsigned i = 0; i < n; i++)
        booted += !vm_table[i].cfg->manual_start;
    vms_alive = booted;
    for (unsigned i = 0; i < n; i++)
        if (!vm_table[i].cfg->manual_start)
            vm_boot(&vm_table[i]);
    return booted;
}
