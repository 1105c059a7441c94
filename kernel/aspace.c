// SPDX-License-Identifier: MIT
#include <string.h>
#include <axvm/arch_vm.h>
#include <axvm/aspace.h>
#include <axvm/errno.h>
#include <axvm/frame.h>

#define BLOCK_2M MiB(2)

int aspace_init(struct aspace *as, unsigned vmid)
{
    memset(as, 0, sizeof(*as));
    as->vmid = vmid;
    return pt_init(&as->pt, arch_s2_format());
}

const struct aspace_region *aspace_find_region(const struct aspace *as, uint64_t gpa)
{
    for (unsigned i = 0; i < as->region_count; i++) {
        const struct aspace_region *r = &as->regions[i];
        if (gpa >= r->gpa && gpa - r->gpa < r->size)
            return r;
    }
    return NULL;
}

/* Back [gpa, gpa+size) with fresh frames: 2 MiB blocks where alignment allows, pages else. */
static int back_range(struct aspace *as, uint64_t gpa, uint64_t size, unsigned prot)
{
    uint64_t end = gpa + size;
    while (gpa < end) {
        uint64_t chunk = PAGE_SIZE;
        if (IS_ALIGNED(gpa, BLOCK_2M) && end - gpa >= BLOCK_2M)
            chunk = BLOCK_2M;
        paddr_t pa = frame_alloc((unsigned)(chunk / PAGE_SIZE), chunk);
        if (!pa && chunk != PAGE_SIZE) {
            chunk = PAGE_SIZE; /* fragmented: fall back to pages */
            pa = frame_alloc(1, PAGE_SIZE);
        }
        if (!pa)
            return -ENOMEM;
        int err = pt_map(&as->pt, gpa, pa, chunk, prot);
        if (err) {
            frame_free(pa, (unsigned)(chunk / PAGE_SIZE));
            return err;
        }
        as->frames_owned += chunk / PAGE_SIZE;
        gpa += chunk;
    }
    return 0;
}

int aspace_add_region(struct aspace *as, uint64_t gpa, uint64_t size, enum region_kind kind,
                      unsigned prot)
{
    if (size == 0 || !IS_ALIGNED(gpa | size, PAGE_SIZE) || gpa + size < gpa)
        return -EINVAL;
    for (unsigned i = 0; i < as->region_count; i++) {
        const struct aspace_region *r = &as->regions[i];
        if (gpa < r->gpa + r->size && r->gpa < gpa + size)
            return -EEXIST;
    }
    if (as->region_count == ASPACE_MAX_REGIONS)
        return -ENOSPC;
    as->regions[as->region_count++] = (struct aspace_region){gpa, size, kind, prot};
    switch (kind) {
    case REGION_ALLOCATED:
        return back_range(as, gpa, size, prot);
    case REGION_IDENTITY:
        return pt_map(&as->pt, gpa, gpa, size, prot);
    case REGION_LAZY:
        return 0;
    }
    return -EINVAL;
}

struct free_ctx {
    struct aspace *as;
    uint64_t start, end;
};

static void free_leaf(void *p, uint64_t va, paddr_t pa, uint64_t size, unsigned prot)
{
    struct free_ctx *c = p;
    if (va < c->start || va >= c->end)
        return;
    frame_free(pa, (unsigned)(size / PAGE_SIZE));
    c->as->frames_owned -= size / PAGE_SIZE;
}

static void region_release(struct aspace *as, const struct aspace_region *r)
{
    if (r->kind != REGION_IDENTITY) {
        struct free_ctx c = {as, r->gpa, r->gpa + r->size};
        pt_for_each_leaf(&as->pt, free_leaf, &c);
    }
}

int aspace_remove_region(struct aspace *as, uint64_t gpa)
{
    for (unsigned i = 0; i < as->region_count; i++) {
        struct aspace_region r = as->regions[i];
        if (r.gpa != gpa)
            continue;
        region_release(as, &r);
        int err = pt_unmap(&as->pt, r.gpa, r.size);
        arch_s2_flush(as->vmid);
        as->regions[i] = as->regions[--as->region_count];
        return err;
    }
    return -ENOENT;
}

int aspace_fault(struct aspace *as, uint64_t gpa)
{
    const struct aspace_region *r = aspace_find_region(as, gpa);
    if (!r || r->kind != REGION_LAZY)
        return -EFAULT;
    if (pt_translate(&as->pt, gpa, NULL, NULL))
        return 0; /* another vCPU filled it first */
    int err = back_range(as, ALIGN_DOWN(gpa, PAGE_SIZE), PAGE_SIZE, r->prot);
    if (!err)
        as->lazy_faults++;
    return err;
}

bool aspace_translate(const struct aspace *as, uint64_t gpa, paddr_t *hpa)
{
    return pt_translate(&as->pt, gpa, hpa, NULL);
}

static int copy(struct aspace *as, uint64_t gpa, void *buf, uint64_t size, bool to_guest)
{
    uint8_t *p = buf;
    while (size) {
        paddr_t hpa;
        if (!pt_translate(&as->pt, gpa, &hpa, NULL)) {
            int err = aspace_fault(as, gpa);
            if (err || !pt_translate(&as->pt, gpa, &hpa, NULL))
                return -EFAULT;
        }
        uint64_t n = MIN(size, PAGE_SIZE - (gpa & (PAGE_SIZE - 1)));
        if (to_guest)
            memcpy(phys_to_ptr(hpa), p, n);
        else
            memcpy(p, phys_to_ptr(hpa), n);
        p += n;
        gpa += n;
        size -= n;
    }
    return 0;
}

int aspace_write(struct aspace *as, uint64_t gpa, const void *src, uint64_t size)
{
    return copy(as, gpa, (void *)(uintptr_t)src, size, true);
}

int aspace_read(struct aspace *as, uint64_t gpa, void *dst, uint64_t size)
{
    return copy(as, gpa, dst, size, false);
}

void aspace_destroy(struct aspace *as)
{
    for (unsigned i = 0; i < as->region_count; i++)
        region_release(as, &as->regions[i]);
    as->region_count = 0;
    pt_destroy(&as->pt);
    arch_s2_flush(as->vmid);
}
