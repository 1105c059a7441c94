// SPDX-License-Identifier: MIT
/*
 * The boot-time half of the config check. scripts/vmconfig.py runs the same rules at build
 * time with file and line; here they run again against the machine actually found.
 */
#include <string.h>
#include <axvm/config.h>
#include <axvm/format.h>
#include <axvm/vdev.h>

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        format_snprintf(why, why_size, __VA_ARGS__);                                               \
        return false;                                                                              \
    } while (0)

static bool overlaps(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
    return a < b + bs && b < a + as;
}

static uint64_t dev_size(const struct vm_dev_config *d)
{
    const struct vdev_type *t = vdev_find(d->type);
    return d->size ? d->size : t ? t->default_size : 0;
}

bool vm_config_check(const struct vm_config *c, const struct machine_facts *m,
                     const struct vm_config *const *accepted, unsigned accepted_count, char *why,
                     size_t why_size)
{
    if (c->vcpu_count == 0 || c->vcpu_count > VM_MAX_VCPUS)
        FAIL("vcpus: %u is not between 1 and %u", c->vcpu_count, VM_MAX_VCPUS);
    for (unsigned i = 0; i < c->vcpu_count; i++)
        if (c->affinity[i] >= m->cpu_count)
            FAIL("cpu_affinity[%u]: pCPU %u does not exist (this machine has %u)", i,
                 c->affinity[i], m->cpu_count);
    if (c->mem_count == 0)
        FAIL("memory: no memory region");

    uint64_t needed = 0;
    for (unsigned i = 0; i < c->mem_count; i++) {
        const struct vm_mem_config *r = &c->mem[i];
        if (r->size == 0 || (r->gpa | r->size) & (PAGE_SIZE - 1))
            FAIL("memory[%u]: base 0x%llx and size 0x%llx must be non-zero multiples of 4 KiB", i,
                 (unsigned long long)r->gpa, (unsigned long long)r->size);
        for (unsigned j = 0; j < i; j++)
            if (overlaps(r->gpa, r->size, c->mem[j].gpa, c->mem[j].size))
                FAIL("memory[%u]: overlaps memory[%u]", i, j);
        if (r->kind != VM_MEM_IDENTITY)
            needed += r->size;
    }
    if (needed > m->free_bytes)
        FAIL("memory: needs %llu MiB, only %llu MiB free", (unsigned long long)(needed >> 20),
             (unsigned long long)(m->free_bytes >> 20));

    for (unsigned i = 0; i < c->dev_count; i++) {
        const struct vm_dev_config *d = &c->dev[i];
        if (!vdev_find(d->type))
            FAIL("device[%u].type: unknown device type '%s'", i, d->type);
        if (d->pio)
            continue;
        for (unsigned j = 0; j < c->mem_count; j++)
            if (overlaps(d->base, dev_size(d), c->mem[j].gpa, c->mem[j].size))
                FAIL("device[%u]: %s at 0x%llx lies on memory[%u]", i, d->type,
                     (unsigned long long)d->base, j);
    }

    bool image_inside = false;
    for (unsigned j = 0; j < c->mem_count; j++)
        image_inside |= c->load_addr >= c->mem[j].gpa &&
                        c->load_addr + c->image_size <= c->mem[j].gpa + c->mem[j].size;
    if (!image_inside)
        FAIL("image: %llu bytes at 0x%llx do not fit in one memory region",
             (unsigned long long)c->image_size, (unsigned long long)c->load_addr);

    for (unsigned k = 0; k < accepted_count; k++) {
        const struct vm_config *o = accepted[k];
        if (o->id == c->id)
            FAIL("id: %u is already used by vm '%s'", c->id, o->name);
        if (c->shared_pcpus && o->shared_pcpus)
            continue;
        for (unsigned i = 0; i < c->vcpu_count; i++)
            for (unsigned j = 0; j < o->vcpu_count; j++)
                if (c->affinity[i] == o->affinity[j])
                    FAIL("cpu_affinity[%u]: pCPU %u is already given to vm '%s' (set "
                         "share_pcpus = true in both to share it)",
                         i, c->affinity[i], o->name);
    }
    return true;
}
