/* SPDX-License-Identifier: MIT */
#ifndef AXVM_ASPACE_H
#define AXVM_ASPACE_H

/*
 * A guest's physical address space: regions of guest-physical memory backed by frames the
 * hypervisor allocates (now, or lazily on the first stage-2 fault) or mapped to the same host
 * address (identity: passthrough memory and devices), over the architecture's stage-2 tables.
 */

#include <axvm/pgtable.h>
#include <axvm/spinlock.h>

#define ASPACE_MAX_REGIONS 16

enum region_kind {
    REGION_ALLOCATED, /* frames taken at creation; 2 MiB blocks zeroed and mapped on first touch */
    REGION_LAZY,      /* backed page by page on first touch */
    REGION_IDENTITY,  /* guest-physical == host-physical, never freed */
    REGION_SHARED,    /* frames owned by a shared-memory object (shmem.h), never freed here */
};

struct aspace_region {
    uint64_t gpa;
    uint64_t size;
    enum region_kind kind;
    unsigned prot; /* PT_* */
    /*
     * REGION_ALLOCATED: the frames of each whole 2 MiB block of the region, taken at creation
     * but not yet zeroed nor mapped (0 once mapped): zeroing all of a VM's memory before its
     * first instruction cost most of its start time, and a guest touches a fraction of it
     * while it boots. The table lives in 'late_frames' frames of its own.
     */
    paddr_t *late;
    unsigned late_frames;
};

/*
 * Concurrency: the lock covers the region list, the page tables and the counters. vCPUs of one
 * VM fault on several pCPUs at once, and the console hypercall copies while another vCPU
 * faults; under the lock a lazy page is backed once and no frame is lost (a fault that finds
 * the page already mapped returns 0). Stage-2 walks by the hardware need no lock: entries go
 * from invalid to valid with one store.
 */
struct aspace {
    spinlock_t lock;
    struct pgtable pt;
    unsigned vmid;
    struct aspace_region regions[ASPACE_MAX_REGIONS];
    unsigned region_count;
    uint64_t frames_owned; /* frames allocated for guest memory (tables not included) */
    uint64_t lazy_faults;  /* pages filled on a stage-2 fault */
    uint64_t late_fills;   /* allocated 2 MiB blocks zeroed and mapped on first touch */
};

int aspace_init(struct aspace *as, unsigned vmid);

/* Add a region and back it as its kind says. Overlapping an existing region is -EEXIST.
 * Memory of an allocated region is the VM's from here on (never overcommitted), and reads as
 * zero until the guest writes it, as for every kind. */
int aspace_add_region(struct aspace *as, uint64_t gpa, uint64_t size, enum region_kind kind,
                      unsigned prot);

/* Map 'size' bytes of frames at host address 'hpa' (owned by someone else: a shared-memory
 * region) at 'gpa'. A fault in it (a write to a read-only mapping) is -EFAULT, like no memory. */
int aspace_add_shared(struct aspace *as, uint64_t gpa, uint64_t size, paddr_t hpa, unsigned prot);

/* Remove a region's mappings (and free its frames unless identity). */
int aspace_remove_region(struct aspace *as, uint64_t gpa);

/* The region containing gpa, or NULL. */
const struct aspace_region *aspace_find_region(const struct aspace *as, uint64_t gpa);

/*
 * A stage-2 fault at gpa. Returns 0 after backing a lazy page or an allocated block (the guest
 * retries the access),
 * -EFAULT when gpa is in no region (the caller may still find an emulated device there).
 */
int aspace_fault(struct aspace *as, uint64_t gpa);

/* Where gpa is mapped now (an allocated block not yet touched is not). */
bool aspace_translate(struct aspace *as, uint64_t gpa, paddr_t *hpa);

/* Copy to/from guest RAM, backing lazy pages as needed; -EFAULT past any RAM region (device
 * pages of passthrough regions included) and for a write into a region the guest maps
 * read-only. Writes are followed by arch_guest_mem_written. */
int aspace_write(struct aspace *as, uint64_t gpa, const void *src, uint64_t size);
int aspace_read(struct aspace *as, uint64_t gpa, void *dst, uint64_t size);

/* Free every frame the address space owns: guest memory and tables. */
void aspace_destroy(struct aspace *as);

#endif
