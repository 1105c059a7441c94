// SPDX-License-Identifier: MIT
/* Memory shared between VMs (shmem.h). */
#include <string.h>
#include <axvm/errno.h>
#include <axvm/frame.h>
#include <axvm/log.h>
#include <axvm/shmem.h>
#include <axvm/vm.h>

static paddr_t frames[SHMEM_MAX];

int shmem_init(void)
{
    for (unsigned i = 0; i < shmem_config_count && i < SHMEM_MAX; i++) {
        const struct shmem_config *s = &shmem_configs[i];
        if (frames[i])
            continue; /* allocated by an earlier start: its contents stay */
        frames[i] = frame_alloc(s->size / PAGE_SIZE, PAGE_SIZE);
        if (!frames[i]) {
            log_error("shmem %s: no memory for %llu KiB", s->name,
                      (unsigned long long)(s->size >> 10));
            return -ENOMEM;
        }
        memset(phys_to_ptr(frames[i]), 0, s->size);
        log_info("shmem %s: %llu KiB shared by %u VMs", s->name,
                 (unsigned long long)(s->size >> 10), s->map_count);
    }
    return 0;
}

paddr_t shmem_frames(unsigned index)
{
    return index < SHMEM_MAX ? frames[index] : 0;
}

int shmem_map(struct vm *vm)
{
    for (unsigned i = 0; i < shmem_config_count && i < SHMEM_MAX; i++) {
        const struct shmem_config *s = &shmem_configs[i];
        for (unsigned k = 0; k < s->map_count; k++) {
            const struct shmem_map_config *m = &s->map[k];
            if (m->vm_id != vm->id)
                continue;
            if (!frames[i])
                return -ENOMEM;
            unsigned prot = m->ro ? PT_READ : PT_READ | PT_WRITE;
            int err = aspace_add_shared(&vm->as, m->gpa, s->size, frames[i], prot);
            if (err) {
                log_error("vm%u (%s): shmem %s at 0x%llx: error %d", vm->id, vm->cfg->name, s->name,
                          (unsigned long long)m->gpa, err);
                return err;
            }
        }
    }
    return 0;
}

const struct shmem_map_config *shmem_map_of(const struct shmem_config *s, unsigned vm_id)
{
    for (unsigned k = 0; k < s->map_count && k < VM_MAX; k++)
        if (s->map[k].vm_id == vm_id)
            return &s->map[k];
    return NULL;
}

int64_t shmem_ring(struct vm *vm, uint64_t index)
{
    if (index >= shmem_config_count || index >= SHMEM_MAX ||
        !shmem_map_of(&shmem_configs[index], vm->id))
        return -EINVAL;
    int64_t rung = 0;
    for (unsigned i = 0; i < VM_MAX; i++) {
        struct vm *peer = &vm_table[i];
        const struct shmem_map_config *m =
            peer->cfg ? shmem_map_of(&shmem_configs[index], peer->id) : NULL;
        if (peer == vm || !m)
            continue;
        /* Under the peer's lock a running VM cannot begin to stop, so its interrupt controller
         * stays until the doorbell is in it. A stopped VM's counts start again at its next boot. */
        unsigned long flags = spin_lock_irqsave(&peer->lock);
        if (vm_state_get(peer) == VM_RUNNING) {
            __atomic_add_fetch(&peer->shmem_rings[index], 1, __ATOMIC_SEQ_CST);
            vm_irq_pulse(peer, m->irq);
            rung++;
        }
        spin_unlock_irqrestore(&peer->lock, flags);
    }
    return rung;
}

static int bell_read(struct emu_device *dev, uint64_t offset, unsigned width, uint64_t *value)
{
    unsigned index = (unsigned)(uintptr_t)dev->priv;
    *value = offset == SHMEM_BELL_RINGS ? (uint32_t)shmem_rings(dev->vm, index) : 0;
    return 0;
}

static int bell_write(struct emu_device *dev, uint64_t offset, unsigned width, uint64_t value)
{
    if (offset == SHMEM_BELL_RING)
        shmem_ring(dev->vm, (uintptr_t)dev->priv);
    return 0;
}

static const struct emu_ops bell_ops = {.read = bell_read, .write = bell_write};

int shmem_add_doorbells(struct vm *vm)
{
    for (unsigned i = 0; i < shmem_config_count && i < SHMEM_MAX; i++) {
        const struct shmem_map_config *m = shmem_map_of(&shmem_configs[i], vm->id);
        if (!m || !m->doorbell)
            continue;
        struct emu_device *d = &vm->shmem_bells[i];
        *d = (struct emu_device){.name = "shmem-doorbell",
                                 .space = EMU_MMIO,
                                 .base = m->doorbell,
                                 .size = PAGE_SIZE,
                                 .ops = &bell_ops,
                                 .priv = (void *)(uintptr_t)i,
                                 .vm = vm};
        int err = emu_bus_add(&vm->bus, d);
        if (err) {
            log_error("vm%u (%s): shmem %s doorbell at 0x%llx: error %d", vm->id, vm->cfg->name,
                      shmem_configs[i].name, (unsigned long long)m->doorbell, err);
            return err;
        }
    }
    return 0;
}

const char *shmem_read_only_at(const struct vm *vm, uint64_t gpa)
{
    for (unsigned i = 0; i < shmem_config_count && i < SHMEM_MAX; i++) {
        const struct shmem_config *s = &shmem_configs[i];
        const struct shmem_map_config *m = shmem_map_of(s, vm->id);
        if (m && m->ro && gpa >= m->gpa && gpa - m->gpa < s->size)
            return s->name;
    }
    return NULL;
}

int64_t shmem_rings(struct vm *vm, uint64_t index)
{
    if (index >= shmem_config_count || index >= SHMEM_MAX ||
        !shmem_map_of(&shmem_configs[index], vm->id))
        return -EINVAL;
    return (int64_t)__atomic_load_n(&vm->shmem_rings[index], __ATOMIC_SEQ_CST);
}
