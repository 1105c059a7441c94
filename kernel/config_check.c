// SPDX-License-Identifier: MIT
/*
 * The boot-time half of the config check. scripts/vmconfig.py runs the same rules at build
 * time with file and line; here they run again against the machine actually found: its CPUs,
 * free memory, RAM, what the firmware and the hypervisor keep, and the devices the hypervisor
 * drives. No VM may be given host memory or devices another owner has (issue 9).
 */
#include <string.h>
#include <axvm/boot.h>
#include <axvm/config.h>
#include <axvm/format.h>
#include <axvm/shmem.h>
#include <axvm/vdev.h>

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        format_snprintf(why, why_size, __VA_ARGS__);                                               \
        return false;                                                                              \
    } while (0)

#define HEX(x) ((unsigned long long)(x))

/* Ranges here have been checked to end inside the guest address space (< 2^64). */
static bool overlaps(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
    return a < b + bs && b < a + as;
}

/* [base, base + size) ends at or below 2^bits, without overflowing. */
static bool fits_bits(uint64_t base, uint64_t size, unsigned bits)
{
    uint64_t limit = bits >= 64 ? UINT64_MAX : (1ULL << bits);
    return size <= limit && base <= limit - size;
}

/* Unknown: 63, which no architecture reaches and which keeps page rounding from wrapping. */
static unsigned addr_bits(const struct machine_facts *m)
{
    return m->guest_addr_bits && m->guest_addr_bits < 63 ? m->guest_addr_bits : 63;
}

static const struct mem_range *find_overlap(const struct mem_range *list, unsigned n, uint64_t base,
                                            uint64_t size)
{
    for (unsigned i = 0; i < n; i++)
        if (overlaps(base, size, list[i].base, list[i].size))
            return &list[i];
    return NULL;
}

static bool inside_one(const struct mem_range *list, unsigned n, uint64_t base, uint64_t size)
{
    for (unsigned i = 0; i < n; i++)
        if (base >= list[i].base && size <= list[i].size &&
            base - list[i].base <= list[i].size - size)
            return true;
    return false;
}

static uint64_t dev_size(const struct vm_dev_config *d)
{
    const struct vdev_type *t = vdev_find(d->type);
    return d->size ? d->size : t ? t->default_size : 0;
}

/* The whole pages a passthrough range maps (kernel/vm.c vm_add_memory). */
static void passthru_pages(const struct vm_passthru_config *p, uint64_t *base, uint64_t *size)
{
    *base = ALIGN_DOWN(p->base, PAGE_SIZE);
    *size = ALIGN_UP(p->base + p->size, PAGE_SIZE) - *base;
}

static bool check_memory(const struct vm_config *c, const struct machine_facts *m, char *why,
                         size_t why_size)
{
    uint64_t needed = 0;
    for (unsigned i = 0; i < c->mem_count; i++) {
        const struct vm_mem_config *r = &c->mem[i];
        if (r->size == 0 || (r->gpa | r->size) & (PAGE_SIZE - 1))
            FAIL("memory[%u]: base 0x%llx and size 0x%llx must be non-zero multiples of 4 KiB", i,
                 HEX(r->gpa), HEX(r->size));
        if (!fits_bits(r->gpa, r->size, addr_bits(m)))
            FAIL("memory[%u]: 0x%llx + 0x%llx reaches past the %u-bit guest-physical address "
                 "space",
                 i, HEX(r->gpa), HEX(r->size), addr_bits(m));
        for (unsigned j = 0; j < i; j++)
            if (overlaps(r->gpa, r->size, c->mem[j].gpa, c->mem[j].size))
                FAIL("memory[%u]: overlaps memory[%u]", i, j);
        if (r->kind != VM_MEM_IDENTITY) {
            needed = needed > UINT64_MAX - r->size ? UINT64_MAX : needed + r->size;
            continue;
        }
        if (!inside_one(m->ram, m->ram_count, r->gpa, r->size))
            FAIL("memory[%u]: identity range 0x%llx-0x%llx is not inside host RAM", i, HEX(r->gpa),
                 HEX(r->gpa + r->size));
        const struct mem_range *k = find_overlap(m->reserved, m->reserved_count, r->gpa, r->size);
        if (k)
            FAIL("memory[%u]: identity range 0x%llx-0x%llx covers 0x%llx-0x%llx, which the "
                 "firmware or the hypervisor keeps",
                 i, HEX(r->gpa), HEX(r->gpa + r->size), HEX(k->base), HEX(k->base + k->size));
    }
    if (needed > m->free_bytes)
        FAIL("memory: needs %llu MiB, only %llu MiB free", HEX(needed >> 20),
             HEX(m->free_bytes >> 20));
    return true;
}

/* A line the interrupt controller model raises itself (the x86 SCI): nobody else's. */
static bool irq_is_own(const struct vdev_type *chip, int irq)
{
    return irq >= 0 && irq < 64 && (chip->irq_own >> irq & 1);
}

static bool check_devices(const struct vm_config *c, const struct machine_facts *m, char *why,
                          size_t why_size)
{
    const struct vdev_type *chip = vdev_irqchip(c);
    for (unsigned i = 0; i < c->dev_count; i++) {
        const struct vm_dev_config *d = &c->dev[i];
        const struct vdev_type *t = vdev_find(d->type);
        if (!t)
            FAIL("device[%u].type: unknown device type '%s'", i, d->type);
        if (t->irq_required && d->irq < 0)
            FAIL("device[%u].irq: a %s needs an interrupt line", i, d->type);
        if (chip && irq_is_own(chip, d->irq))
            FAIL("device[%u].irq: interrupt %d is the %s model's own line", i, d->irq, chip->name);
        if (d->pio)
            continue;
        if (!fits_bits(d->base, dev_size(d), addr_bits(m)))
            FAIL("device[%u]: %s at 0x%llx reaches past the %u-bit guest-physical address space", i,
                 d->type, HEX(d->base), addr_bits(m));
        for (unsigned j = 0; j < c->mem_count; j++)
            if (overlaps(d->base, dev_size(d), c->mem[j].gpa, c->mem[j].size))
                FAIL("device[%u]: %s at 0x%llx lies on memory[%u]", i, d->type, HEX(d->base), j);
    }
    return true;
}

static bool check_passthrough(const struct vm_config *c, const struct machine_facts *m, char *why,
                              size_t why_size)
{
    for (unsigned i = 0; i < c->passthru_count; i++) {
        const struct vm_passthru_config *p = &c->passthru[i];
        /* 2^bits is page-aligned, so the pages around a range that fits fit too. */
        if (p->size == 0 || !fits_bits(p->base, p->size, addr_bits(m)))
            FAIL("passthrough[%u]: 0x%llx + 0x%llx is empty or reaches past the %u-bit "
                 "guest-physical address space",
                 i, HEX(p->base), HEX(p->size), addr_bits(m));
        uint64_t base, size;
        passthru_pages(p, &base, &size);
        const struct mem_range *k = find_overlap(m->devices, m->device_count, base, size);
        if (k)
            FAIL("passthrough[%u]: pages 0x%llx-0x%llx cover the hypervisor's own device at "
                 "0x%llx-0x%llx",
                 i, HEX(base), HEX(base + size), HEX(k->base), HEX(k->base + k->size));
        k = find_overlap(m->reserved, m->reserved_count, base, size);
        if (!k)
            k = find_overlap(m->ram, m->ram_count, base, size);
        if (k)
            FAIL("passthrough[%u]: pages 0x%llx-0x%llx lie on host memory 0x%llx-0x%llx: only "
                 "devices may be passed through",
                 i, HEX(base), HEX(base + size), HEX(k->base), HEX(k->base + k->size));
        for (unsigned j = 0; j < c->mem_count; j++)
            if (overlaps(base, size, c->mem[j].gpa, c->mem[j].size))
                FAIL("passthrough[%u]: lies on memory[%u]", i, j);
        for (unsigned j = 0; j < c->dev_count; j++)
            if (!c->dev[j].pio && overlaps(base, size, c->dev[j].base, dev_size(&c->dev[j])))
                FAIL("passthrough[%u]: overlaps emulated device[%u] (%s)", i, j, c->dev[j].type);
    }
    return true;
}

#define SHMEM_FAIL(fmt, ...)                                                                       \
    FAIL("shmem[%u].map[%u] (region '%s'): " fmt, i, (unsigned)(r - s->map), s->name, __VA_ARGS__)

/* Region 'i''s doorbell in this VM: a line its interrupt controller implements that none of
 * its devices, passthrough ranges or earlier regions use. */
static bool check_shmem_irq(const struct vm_config *c, unsigned i, char *why, size_t why_size)
{
    const struct shmem_config *s = &shmem_configs[i];
    const struct shmem_map_config *r = shmem_map_of(s, c->id);
    if (r->irq < 0)
        return true;
    const struct vdev_type *chip = vdev_irqchip(c);
    if (!chip)
        SHMEM_FAIL("irq %d: the VM has no interrupt controller", r->irq);
    if ((unsigned)r->irq < chip->irq_first || (unsigned)r->irq - chip->irq_first >= chip->irq_count)
        SHMEM_FAIL("irq %d is not a %s line (%u..%u)", r->irq, chip->name, chip->irq_first,
                   chip->irq_first + chip->irq_count - 1);
    if (irq_is_own(chip, r->irq))
        SHMEM_FAIL("irq %d is the %s model's own line", r->irq, chip->name);
    for (unsigned j = 0; j < c->dev_count; j++)
        if (c->dev[j].irq == r->irq)
            SHMEM_FAIL("irq %d is device[%u]'s", r->irq, j);
    for (unsigned j = 0; j < c->passthru_count; j++)
        if (c->passthru[j].irq == r->irq)
            SHMEM_FAIL("irq %d is passthrough[%u]'s", r->irq, j);
    for (unsigned k = 0; k < i; k++) {
        const struct shmem_map_config *o = shmem_map_of(&shmem_configs[k], c->id);
        if (o && o->irq == r->irq)
            SHMEM_FAIL("irq %d is region '%s''s", r->irq, shmem_configs[k].name);
    }
    return true;
}

/* What of the VM's memory, MMIO devices and passthrough pages [base, base + size) meets, said
 * into 'what' ("lies on memory[0]"); false when nothing. Shared regions and their doorbell
 * pages are placed by this rule. */
static bool vm_range_clash(const struct vm_config *c, uint64_t base, uint64_t size, char *what,
                           size_t what_size)
{
    for (unsigned j = 0; j < c->mem_count; j++)
        if (overlaps(base, size, c->mem[j].gpa, c->mem[j].size)) {
            format_snprintf(what, what_size, "lies on memory[%u]", j);
            return true;
        }
    for (unsigned j = 0; j < c->dev_count; j++)
        if (!c->dev[j].pio && overlaps(base, size, c->dev[j].base, dev_size(&c->dev[j]))) {
            format_snprintf(what, what_size, "overlaps device[%u] (%s)", j, c->dev[j].type);
            return true;
        }
    for (unsigned j = 0; j < c->passthru_count; j++) {
        uint64_t pbase, psize;
        passthru_pages(&c->passthru[j], &pbase, &psize);
        if (overlaps(base, size, pbase, psize)) {
            format_snprintf(what, what_size, "overlaps passthrough[%u]", j);
            return true;
        }
    }
    return false;
}

/* Region 'i''s doorbell page in this VM: inside the guest address space, on none of its
 * memory, devices, passthrough pages, regions or earlier regions' doorbells. */
static bool check_shmem_doorbell(const struct vm_config *c, const struct machine_facts *m,
                                 unsigned i, char *why, size_t why_size)
{
    const struct shmem_config *s = &shmem_configs[i];
    const struct shmem_map_config *r = shmem_map_of(s, c->id);
    uint64_t bell = r->doorbell;
    if (!bell)
        return true;
    if (bell & (PAGE_SIZE - 1) || !fits_bits(bell, PAGE_SIZE, addr_bits(m)))
        SHMEM_FAIL("doorbell 0x%llx is not a page inside the %u-bit guest-physical address space",
                   HEX(bell), addr_bits(m));
    char clash[64];
    if (vm_range_clash(c, bell, PAGE_SIZE, clash, sizeof(clash)))
        SHMEM_FAIL("doorbell 0x%llx %s", HEX(bell), clash);
    for (unsigned k = 0; k < shmem_config_count && k < SHMEM_MAX; k++) {
        const struct shmem_map_config *o = shmem_map_of(&shmem_configs[k], c->id);
        if (o && overlaps(bell, PAGE_SIZE, o->gpa, shmem_configs[k].size))
            SHMEM_FAIL("doorbell 0x%llx lies on region '%s'", HEX(bell), shmem_configs[k].name);
        if (o && k < i && o->doorbell == bell)
            SHMEM_FAIL("doorbell 0x%llx is region '%s''s", HEX(bell), shmem_configs[k].name);
    }
    return true;
}

/* The shared regions the VM maps ([[shmem]]): whole pages inside the guest address space, on
 * none of its memory, devices, passthrough pages or other regions, and a valid doorbell. */
static bool check_shmem(const struct vm_config *c, const struct machine_facts *m, char *why,
                        size_t why_size)
{
    for (unsigned i = 0; i < shmem_config_count && i < SHMEM_MAX; i++) {
        const struct shmem_config *s = &shmem_configs[i];
        const struct shmem_map_config *r = shmem_map_of(s, c->id);
        if (!r)
            continue;
        uint64_t gpa = r->gpa, size = s->size;
        if (size == 0 || (gpa | size) & (PAGE_SIZE - 1) || !fits_bits(gpa, size, addr_bits(m)))
            SHMEM_FAIL("0x%llx + 0x%llx is not whole pages inside the %u-bit guest-physical "
                       "address space",
                       HEX(gpa), HEX(size), addr_bits(m));
        char clash[64];
        if (vm_range_clash(c, gpa, size, clash, sizeof(clash)))
            SHMEM_FAIL("0x%llx-0x%llx %s", HEX(gpa), HEX(gpa + size), clash);
        for (unsigned k = 0; k < i; k++) {
            const struct shmem_map_config *o = shmem_map_of(&shmem_configs[k], c->id);
            if (o && overlaps(gpa, size, o->gpa, shmem_configs[k].size))
                SHMEM_FAIL("0x%llx-0x%llx overlaps region '%s'", HEX(gpa), HEX(gpa + size),
                           shmem_configs[k].name);
        }
        if (!check_shmem_irq(c, i, why, why_size) || !check_shmem_doorbell(c, m, i, why, why_size))
            return false;
    }
    return true;
}

/* The console's polite stop: a timeout in range, and the power-request line (if any) on the
 * VM's interrupt controller and no device's. */
static bool check_stop(const struct vm_config *c, char *why, size_t why_size)
{
    if (c->stop_timeout_ms > VM_STOP_TIMEOUT_MAX)
        FAIL("stop_timeout_ms: %u ms is more than %u", c->stop_timeout_ms, VM_STOP_TIMEOUT_MAX);
    if (!c->power_irq)
        return true;
    const struct vdev_type *chip = vdev_irqchip(c);
    if (!chip || !chip->fdt_irq)
        FAIL("power_irq: the VM has no interrupt controller in its device tree");
    for (unsigned i = 0; i < c->dev_count; i++)
        if (c->dev[i].irq == (int)c->power_irq)
            FAIL("power_irq: interrupt %u is already device[%u]'s", c->power_irq, i);
    for (unsigned i = 0; i < c->passthru_count; i++)
        if (c->passthru[i].irq == (int)c->power_irq)
            FAIL("power_irq: interrupt %u is already passthrough[%u]'s", c->power_irq, i);
    for (unsigned i = 0; i < shmem_config_count && i < SHMEM_MAX; i++) {
        const struct shmem_map_config *r = shmem_map_of(&shmem_configs[i], c->id);
        if (r && r->irq == (int)c->power_irq)
            FAIL("power_irq: interrupt %u is already shared region '%s''s doorbell", c->power_irq,
                 shmem_configs[i].name);
    }
    return true;
}

/* Host memory, devices and interrupts belong to one VM at a time. */
static bool check_shared(const struct vm_config *c, const struct vm_config *o, char *why,
                         size_t why_size)
{
    for (unsigned i = 0; i < c->mem_count; i++) {
        const struct vm_mem_config *r = &c->mem[i];
        for (unsigned j = 0; j < o->mem_count && r->kind == VM_MEM_IDENTITY; j++)
            if (o->mem[j].kind == VM_MEM_IDENTITY &&
                overlaps(r->gpa, r->size, o->mem[j].gpa, o->mem[j].size))
                FAIL("memory[%u]: identity range 0x%llx-0x%llx is also vm '%s''s memory[%u]", i,
                     HEX(r->gpa), HEX(r->gpa + r->size), o->name, j);
    }
    for (unsigned i = 0; i < c->passthru_count; i++) {
        uint64_t base, size, obase, osize;
        passthru_pages(&c->passthru[i], &base, &size);
        for (unsigned j = 0; j < o->passthru_count; j++) {
            passthru_pages(&o->passthru[j], &obase, &osize);
            if (overlaps(base, size, obase, osize))
                FAIL("passthrough[%u]: pages 0x%llx-0x%llx are also vm '%s''s passthrough[%u]", i,
                     HEX(base), HEX(base + size), o->name, j);
            if (c->passthru[i].irq >= 0 && c->passthru[i].irq == o->passthru[j].irq)
                FAIL("passthrough[%u].irq: host interrupt %d is already vm '%s''s", i,
                     c->passthru[i].irq, o->name);
        }
    }
    return true;
}

bool vm_config_check(const struct vm_config *c, const struct machine_facts *m,
                     const struct vm_config *const *accepted, unsigned accepted_count, char *why,
                     size_t why_size)
{
    if (c->vcpu_count == 0 || c->vcpu_count > VM_MAX_VCPUS)
        FAIL("vcpus: %u is not between 1 and %u", c->vcpu_count, VM_MAX_VCPUS);
    for (unsigned i = 0; i < c->vcpu_count; i++) {
        if (c->affinity[i] >= m->cpu_count)
            FAIL("cpu_affinity[%u]: pCPU %u does not exist (this machine has %u)", i,
                 c->affinity[i], m->cpu_count);
        if (c->affinity[i] < 32 && m->cpus_offline >> c->affinity[i] & 1)
            FAIL("cpu_affinity[%u]: pCPU %u did not come online", i, c->affinity[i]);
    }
    if (c->mem_count == 0 || c->mem_count > VM_MAX_MEM)
        FAIL("memory: %u regions; 1 to %u are allowed", c->mem_count, VM_MAX_MEM);
    if (c->dev_count > VM_MAX_DEVICES || c->passthru_count > VM_MAX_PASSTHRU)
        FAIL("device: %u devices and %u passthrough ranges; at most %u of each", c->dev_count,
             c->passthru_count, VM_MAX_DEVICES);
    if (!check_memory(c, m, why, why_size) || !check_devices(c, m, why, why_size) ||
        !check_passthrough(c, m, why, why_size) || !check_shmem(c, m, why, why_size) ||
        !check_stop(c, why, why_size))
        return false;

    bool image_inside = false;
    for (unsigned j = 0; j < c->mem_count; j++)
        image_inside |= c->load_addr >= c->mem[j].gpa && c->image_size <= c->mem[j].size &&
                        c->load_addr - c->mem[j].gpa <= c->mem[j].size - c->image_size;
    if (!image_inside)
        FAIL("image: %llu bytes at 0x%llx do not fit in one memory region", HEX(c->image_size),
             HEX(c->load_addr));

    for (unsigned k = 0; k < accepted_count; k++) {
        const struct vm_config *o = accepted[k];
        if (o->id == c->id)
            FAIL("id: %u is already used by vm '%s'", c->id, o->name);
        if (!check_shared(c, o, why, why_size))
            return false;
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
