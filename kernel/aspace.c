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
    as->lock = (spinlock_t)SPINLOCK_INIT;
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

/*
 * An allocated region: frames for its whole 2 MiB blocks now (the memory is the VM's from
 * creation, whatever other VMs do later), each zeroed and mapped on first touch (fill_late);
 * pages outside whole blocks are backed at once.
 */
static int reserve_range(struct aspace *as, struct aspace_region *r)
{
    uint64_t first = ALIGN_UP(r->gpa, BLOCK_2M), end = ALIGN_DOWN(r->gpa + r->size, BLOCK_2M);
    if (first >= end)
        return back_range(as, r->gpa, r->size, r->prot);
    uint64_t blocks = (end - first) / BLOCK_2M;
    unsigned table_frames = (unsigned)(ALIGN_UP(blocks * sizeof(paddr_t), PAGE_SIZE) / PAGE_SIZE);
    paddr_t table = frame_alloc(table_frames, PAGE_SIZE);
    if (!table)
        return -ENOMEM;
    r->late = phys_to_ptr(table);
    r->late_frames = table_frames;
    int err = back_range(as, r->gpa, first - r->gpa, r->prot);
    err = err ?: back_range(as, end, r->gpa + r->size - end, r->prot);
    for (uint64_t i = 0; i < blocks && !err; i++) {
        paddr_t pa = frame_alloc_unzeroed(BLOCK_2M / PAGE_SIZE, BLOCK_2M);
        if (!pa) {
            err = back_range(as, first + i * BLOCK_2M, BLOCK_2M, r->prot); /* fragmented */
            continue;
        }
        r->late[i] = pa;
        as->frames_owned += BLOCK_2M / PAGE_SIZE;
    }
    return err;
}

/* First touch of an allocated block at gpa: zero its frames, then map them. */
static int fill_late(struct aspace *as, struct aspace_region *r, uint64_t gpa)
{
    uint64_t first = ALIGN_UP(r->gpa, BLOCK_2M);
    if (!r->late || gpa < first)
        return -EFAULT;
    uint64_t i = (gpa - first) / BLOCK_2M;
    if (i >= r->late_frames * (PAGE_SIZE / sizeof(paddr_t)) || !r->late[i])
        return -EFAULT;
    memset(phys_to_ptr(r->late[i]), 0, BLOCK_2M);
    int err = pt_map(&as->pt, first + i * BLOCK_2M, r->late[i], BLOCK_2M, r->prot);
    if (err)
        return err;
    r->late[i] = 0;
    as->late_fills++;
    return 0;
}

/* The frames of an allocated region's blocks never touched, and their table. */
static void late_release(struct aspace *as, struct aspace_region *r)
{
    if (!r->late)
        return;
    unsigned slots = r->late_frames * (unsigned)(PAGE_SIZE / sizeof(paddr_t));
    for (unsigned i = 0; i < slots; i++) {
        if (r->late[i]) {
            frame_free(r->late[i], BLOCK_2M / PAGE_SIZE);
            as->frames_owned -= BLOCK_2M / PAGE_SIZE;
        }
    }
    frame_free(ptr_to_phys(r->late), r->late_frames);
    r->late = NULL;
    r->late_frames = 0;
}

static int add_region(struct aspace *as, uint64_t gpa, uint64_t size, enum region_kind kind,
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
    struct aspace_region *r = &as->regions[as->region_count++];
    *r = (struct aspace_region){gpa, size, kind, prot, NULL, 0};
    switch (kind) {
    case REGION_ALLOCATED:
        return reserve_range(as, r);
    case REGION_IDENTITY:
        return pt_map(&as->pt, gpa, gpa, size, prot);
    case REGION_LAZY:
    case REGION_SHARED: /* mapped by aspace_add_shared */
        return 0;
    }
    return -EINVAL;
}

int aspace_add_region(struct aspace *as, uint64_t gpa, uint64_t size, enum region_kind kind,
                      unsigned prot)
{
    unsigned long flags = spin_lock_irqsave(&as->lock);
    int err = add_region(as, gpa, size, kind, prot);
    spin_unlock_irqrestore(&as->lock, flags);
    return err;
}

int aspace_add_shared(struct aspace *as, uint64_t gpa, uint64_t size, paddr_t hpa, unsigned prot)
{
    unsigned long flags = spin_lock_irqsave(&as->lock);
    int err = add_region(as, gpa, size, REGION_SHARED, prot);
    err = err ?: pt_map(&as->pt, gpa, hpa, size, prot);
    spin_unlock_irqrestore(&as->lock, flags);
    return err;
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

static void region_release(struct aspace *as, struct aspace_region *r)
{
    if (r->kind != REGION_IDENTITY && r->kind != REGION_SHARED) {
        struct free_ctx c = {as, r->gpa, r->gpa + r->size};
        pt_for_each_leaf(&as->pt, free_leaf, &c);
    }
    late_release(as, r);
}

int aspace_remove_region(struct aspace *as, uint64_t gpa)
{
    unsigned long flags = spin_lock_irqsave(&as->lock);
    int err = -ENOENT;
    for (unsigned i = 0; i < as->region_count; i++) {
        struct aspace_region r = as->regions[i];
        if (r.gpa != gpa)
            continue;
        region_release(as, &r);
        err = pt_unmap(&as->pt, r.gpa, r.size);
        arch_s2_flush(as->vmid);
        as->regions[i] = as->regions[--as->region_count];
        break;
    }
    spin_unlock_irqrestore(&as->lock, flags);
    return err;
}

/* With the lock held. */
static int fault_locked(struct aspace *as, uint64_t gpa)
{
    struct aspace_region *r = (struct aspace_region *)aspace_find_region(as, gpa);
    if (!r || (r->kind != REGION_LAZY && r->kind != REGION_ALLOCATED))
        return -EFAULT;
    if (pt_translate(&as->pt, gpa, NULL, NULL))
        return 0; /* another vCPU filled it first */
    if (r->kind == REGION_ALLOCATED)
        return fill_late(as, r, gpa);
    int err = back_range(as, ALIGN_DOWN(gpa, PAGE_SIZE), PAGE_SIZE, r->prot);
    if (!err)
        as->lazy_faults++;
    return err;
}

int aspace_fault(struct aspace *as, uint64_t gpa)
{
    unsigned long flags = spin_lock_irqsave(&as->lock);
    int err = fault_locked(as, gpa);
    spin_unlock_irqrestore(&as->lock, flags);
    return err;
}

bool aspace_translate(struct aspace *as, uint64_t gpa, paddr_t *hpa)
{
    unsigned long flags = spin_lock_irqsave(&as->lock);
    bool ok = pt_translate(&as->pt, gpa, hpa, NULL);
    spin_unlock_irqrestore(&as->lock, flags);
    return ok;
}

/* The host address of guest RAM at gpa (backing a lazy page), or 0: only RAM regions, never
 * a passthrough device's pages, which the hypervisor must not read or write as memory. */
static paddr_t ram_page(struct aspace *as, uint64_t gpa, bool write)
{
    const struct aspace_region *r = aspace_find_region(as, gpa);
    paddr_t hpa;
    /* The hypervisor writes for the guest only where the guest may write itself: a region it
     * maps read-only (shared with another VM) is not its to change through a device. */
    if (!r || (r->prot & PT_DEVICE) || (write && !(r->prot & PT_WRITE)))
        return 0;
    if (!pt_translate(&as->pt, gpa, &hpa, NULL) &&
        (fault_locked(as, gpa) || !pt_translate(&as->pt, gpa, &hpa, NULL)))
        return 0;
    return hpa;
}

static int copy(struct aspace *as, uint64_t gpa, void *buf, uint64_t size, bool to_guest)
{
    uint8_t *p = buf;
    int err = 0;
    unsigned long flags = spin_lock_irqsave(&as->lock);
    while (size) {
        paddr_t hpa = ram_page(as, gpa, to_guest);
        if (!hpa) {
            err = -EFAULT;
            break;
        }
        uint64_t n = MIN(size, PAGE_SIZE - (gpa & (PAGE_SIZE - 1)));
        if (to_guest) {
            memcpy(phys_to_ptr(hpa), p, n);
            arch_guest_mem_written(phys_to_ptr(hpa), n);
        } else {
            memcpy(p, phys_to_ptr(hpa), n);
        }
        p += n;
        gpa += n;
        size -= n;
    }
    spin_unlock_irqrestore(&as->lock, flags);
    return err;
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
    /* Only once no vCPU of the VM runs: nothing else holds the lock. */
    for (unsigned i = 0; i < as->region_count; i++)
        region_release(as, &as->regions[i]);
    as->region_count = 0;
    pt_destroy(&as->pt);
    arch_s2_flush(as->vmid);
}
