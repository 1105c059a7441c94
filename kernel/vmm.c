// SPDX-License-Identifier: MIT
/* The console commands against the VM table (vmm.h). */
#include <axvm/errno.h>
#include <axvm/format.h>
#include <axvm/log.h>
#include <axvm/shmem.h>
#include <axvm/vm.h>
#include <axvm/vmm.h>
#include <axvm/vmm_cmd.h>

static const char *const state_names[] = {
    [VM_EMPTY] = "empty",       [VM_LOADED] = "loaded",   [VM_RUNNING] = "running",
    [VM_STOPPING] = "stopping", [VM_STOPPED] = "stopped",
};

static const char *const mem_kinds[] = {
    [VM_MEM_ALLOCATED] = "allocated",
    [VM_MEM_LAZY] = "lazy",
    [VM_MEM_IDENTITY] = "identity",
};

/* The VM the argument names, or NULL (said). Only slots that hold a configured VM count. */
static struct vm *vmm_find(const char *arg)
{
    unsigned ids[VM_MAX];
    const char *names[VM_MAX];
    struct vm *vms[VM_MAX];
    unsigned n = 0;
    for (unsigned i = 0; i < VM_MAX; i++) {
        if (!vm_table[i].cfg)
            continue;
        ids[n] = vm_table[i].id;
        names[n] = vm_table[i].cfg->name;
        vms[n++] = &vm_table[i];
    }
    int k = vmm_cmd_match(arg, ids, names, n);
    if (k < 0) {
        log_info("console: no VM is called %s (list shows their ids and names)", arg);
        return NULL;
    }
    return vms[k];
}

static uint64_t vm_exits(const struct vm *vm)
{
    uint64_t exits = 0;
    for (unsigned i = 0; i < vm->vcpu_count; i++)
        exits += __atomic_load_n(&vm->vcpus[i].exits, __ATOMIC_RELAXED);
    return exits;
}

static uint64_t vm_memory(const struct vm_config *c)
{
    uint64_t bytes = 0;
    for (unsigned i = 0; i < c->mem_count; i++)
        bytes += c->mem[i].size;
    return bytes;
}

static void vmm_list(void)
{
    log_info("console: id name             state     vCPUs->pCPUs  boots      exits  memory");
    for (unsigned i = 0; i < VM_MAX; i++) {
        const struct vm *vm = &vm_table[i];
        const struct vm_config *c = vm->cfg;
        if (!c)
            continue;
        char cpus[48];
        size_t n = format_snprintf(cpus, sizeof(cpus), "%u->", c->vcpu_count);
        for (unsigned k = 0; k < c->vcpu_count && n < sizeof(cpus); k++)
            n += format_snprintf(cpus + n, sizeof(cpus) - n, "%s%u", k ? "," : "", c->affinity[k]);
        enum vm_state st = vm_state_get(vm);
        log_info("console: %2u %-16s %-9s %-13s %5u %10llu  %llu MiB", vm->id, c->name,
                 st <= VM_STOPPED ? state_names[st] : "?", cpus, vm->boots,
                 (unsigned long long)vm_exits(vm), (unsigned long long)(vm_memory(c) >> 20));
    }
}

static const char *const exit_names[EXIT_KINDS] = {
    [EXIT_NONE] = "arch",       [EXIT_MMIO] = "mmio",         [EXIT_PIO] = "pio",
    [EXIT_HYPERCALL] = "hvc",   [EXIT_HALT] = "halt",         [EXIT_CPU_ON] = "cpu_on",
    [EXIT_CPU_OFF] = "cpu_off", [EXIT_SHUTDOWN] = "shutdown", [EXIT_REBOOT] = "reboot",
    [EXIT_FATAL] = "fatal",
};

/* "mmio 12, halt 3, ..." for the kinds this vCPU has had. */
static void exit_kinds_format(const struct vcpu *v, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (unsigned k = 0; k < EXIT_KINDS && n < size; k++) {
        uint64_t c = __atomic_load_n(&v->exit_kinds[k], __ATOMIC_RELAXED);
        if (c)
            n += format_snprintf(buf + n, size - n, "%s%s %llu", n ? ", " : "", exit_names[k],
                                 (unsigned long long)c);
    }
}

static void vmm_info(const struct vm *vm)
{
    const struct vm_config *c = vm->cfg;
    enum vm_state st = vm_state_get(vm);
    log_info("console: vm%u (%s): %s, boot %u, %llu exits, image %llu KiB at 0x%llx, entry 0x%llx",
             vm->id, c->name, st <= VM_STOPPED ? state_names[st] : "?", vm->boots,
             (unsigned long long)vm_exits(vm), (unsigned long long)(c->image_size >> 10),
             (unsigned long long)c->load_addr, (unsigned long long)c->entry);
    for (unsigned i = 0; i < c->vcpu_count; i++) {
        char kinds[160];
        exit_kinds_format(&vm->vcpus[i], kinds, sizeof(kinds));
        log_info("console:   vcpu%u on pCPU %u: %llu exits (%s)", i, c->affinity[i],
                 (unsigned long long)__atomic_load_n(&vm->vcpus[i].exits, __ATOMIC_RELAXED), kinds);
    }
    for (unsigned i = 0; i < c->mem_count; i++)
        log_info("console:   memory 0x%llx-0x%llx (%llu KiB, %s)",
                 (unsigned long long)c->mem[i].gpa,
                 (unsigned long long)(c->mem[i].gpa + c->mem[i].size - 1),
                 (unsigned long long)(c->mem[i].size >> 10),
                 c->mem[i].kind <= VM_MEM_IDENTITY ? mem_kinds[c->mem[i].kind] : "?");
    log_info("console:   %llu pages filled on a fault, %llu 2 MiB blocks zeroed on first touch",
             (unsigned long long)__atomic_load_n(&vm->as.lazy_faults, __ATOMIC_RELAXED),
             (unsigned long long)__atomic_load_n(&vm->as.late_fills, __ATOMIC_RELAXED));
    for (unsigned i = 0; i < c->dev_count; i++) {
        const struct vm_dev_config *d = &c->dev[i];
        char irq[24] = "no interrupt";
        if (d->irq >= 0)
            format_snprintf(irq, sizeof(irq), "interrupt %d", d->irq);
        log_info("console:   device %s at %s0x%llx (0x%llx bytes), %s", d->type,
                 d->pio ? "port " : "", (unsigned long long)d->base, (unsigned long long)d->size,
                 irq);
    }
    for (unsigned i = 0; i < c->passthru_count; i++) {
        const struct vm_passthru_config *p = &c->passthru[i];
        char irq[24] = "no interrupt";
        if (p->irq >= 0)
            format_snprintf(irq, sizeof(irq), "interrupt %d", p->irq);
        log_info("console:   passthrough 0x%llx (0x%llx bytes), %s", (unsigned long long)p->base,
                 (unsigned long long)p->size, irq);
    }
    for (unsigned i = 0; i < shmem_config_count && i < SHMEM_MAX; i++) {
        const struct shmem_config *s = &shmem_configs[i];
        const struct shmem_map_config *m = shmem_map_of(s, vm->id);
        if (!m)
            continue;
        char bell[48] = "";
        if (m->doorbell)
            format_snprintf(bell, sizeof(bell), ", doorbell page 0x%llx",
                            (unsigned long long)m->doorbell);
        log_info("console:   shmem %s at 0x%llx (%llu KiB, %s%s), rung %llu times", s->name,
                 (unsigned long long)m->gpa, (unsigned long long)(s->size >> 10),
                 m->ro ? "read-only" : "read-write", bell,
                 (unsigned long long)__atomic_load_n(&vm->shmem_rings[i], __ATOMIC_RELAXED));
    }
    log_info("console:   output history %u bytes, %llu written", vm->console.hist.size,
             (unsigned long long)__atomic_load_n(&vm->console.hist.head, __ATOMIC_RELAXED));
}

static void vmm_start(struct vm *vm)
{
    enum vm_state st = vm_state_get(vm);
    if (st != VM_STOPPED) {
        log_info("console: vm%u (%s) is %s: only a stopped VM can be started", vm->id,
                 vm->cfg->name, st <= VM_STOPPED ? state_names[st] : "?");
        return;
    }
    log_info("console: starting vm%u (%s)", vm->id, vm->cfg->name);
    int err = vm_start(vm);
    if (err)
        log_info("console: vm%u (%s) did not start: error %d", vm->id, vm->cfg->name, err);
}

/* The console's `stop`: ask the guest first (vm_stop_politely), and say how it goes on. */
static void vmm_stop(struct vm *vm)
{
    const char *name = vm->cfg->name;
    enum vm_state st = vm_state_get(vm);
    switch (vm_stop_politely(vm)) {
    case VM_ASK_ASKED:
        log_info("console: asking vm%u (%s) to power off; forced off after %u ms", vm->id, name,
                 vm->cfg->stop_timeout_ms);
        break;
    case VM_ASK_NO_TIMEOUT:
        log_info("console: stopping vm%u (%s): forced off at once (stop_timeout_ms = 0)", vm->id,
                 name);
        break;
    case VM_ASK_NO_WAY:
        log_info("console: stopping vm%u (%s): forced off at once (it has no way to be asked)",
                 vm->id, name);
        break;
    case VM_ASK_AGAIN:
        log_info("console: vm%u (%s) was asked already: forced off now", vm->id, name);
        break;
    case VM_ASK_NOT_RUNNING:
        log_info("console: vm%u (%s) is %s: only a running VM can be stopped", vm->id, name,
                 st <= VM_STOPPED ? state_names[st] : "?");
        break;
    }
}

static void vmm_reboot(struct vm *vm)
{
    enum vm_state st = vm_state_get(vm);
    if (st != VM_RUNNING && st != VM_LOADED) {
        log_info("console: vm%u (%s) is %s: only a running VM can be rebooted", vm->id,
                 vm->cfg->name, st <= VM_STOPPED ? state_names[st] : "?");
        return;
    }
    if (vm_stop_deadline(vm) != ~0ULL) {
        log_info("console: vm%u (%s) is being asked to power off: stop it again to force it",
                 vm->id, vm->cfg->name);
        return;
    }
    log_info("console: rebooting vm%u (%s)", vm->id, vm->cfg->name);
    vm_stop(vm, VM_STOP_REBOOT);
}

void vmm_run(const char *line)
{
    struct vmm_cmd cmd;
    vmm_cmd_parse(line, &cmd);
    struct vm *vm = NULL;
    switch (cmd.op) {
    case VMM_OP_NONE:
        return;
    case VMM_OP_ERROR:
        log_info("console: %s", cmd.error);
        return;
    case VMM_OP_HELP:
        for (const char *const *h = vmm_cmd_help; *h; h++)
            log_info("console: %s", *h);
        return;
    case VMM_OP_LIST:
        vmm_list();
        return;
    default:
        break;
    }
    vm = vmm_find(cmd.vm);
    if (!vm)
        return;
    switch (cmd.op) {
    case VMM_OP_INFO:
        vmm_info(vm);
        break;
    case VMM_OP_LOG:
        cmux_replay(&vm->console, false);
        break;
    case VMM_OP_START:
        vmm_start(vm);
        break;
    case VMM_OP_STOP:
        vmm_stop(vm);
        break;
    case VMM_OP_REBOOT:
        vmm_reboot(vm);
        break;
    default:
        break;
    }
}
