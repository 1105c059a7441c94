// SPDX-License-Identifier: MIT
/*
 * One address space, several pCPUs: lazy faults and guest-memory copies from 4 threads at once
 * (the vCPUs of an SMP guest on lazy memory, and the console hypercall copying meanwhile).
 */
#include <pthread.h>
#include <stdlib.h>
#include <axvm/aspace.h>
#include <axvm/frame.h>
#include "check.h"

#define THREADS    4
#define LAZY_GPA   0x80000000ULL
#define LAZY_PAGES 512 /* 2 MiB: the last level and the one above are built concurrently too */
#define ROUNDS     16

static struct aspace shared_as;
static int fault_errors, copy_errors;

/* Thread t's k-th page (97 is prime to 512: each thread visits every page, in its own order),
 * and whether it writes its tag there rather than just faulting. */
static unsigned page_of(unsigned t, unsigned k)
{
    return (k * 97 + t * 131) % LAZY_PAGES;
}

static bool writes(unsigned t, unsigned k)
{
    return (k + t) % 3 == 0;
}

static void *fault_pages(void *arg)
{
    unsigned t = (unsigned)(uintptr_t)arg;
    int faults = 0, copies = 0;
    for (unsigned k = 0; k < LAZY_PAGES; k++) {
        unsigned page = page_of(t, k);
        uint64_t gpa = LAZY_GPA + (uint64_t)page * PAGE_SIZE;
        if (writes(t, k)) {
            uint32_t tag = page;
            copies += aspace_write(&shared_as, gpa + 8 * t, &tag, sizeof(tag)) != 0;
        } else {
            faults += aspace_fault(&shared_as, gpa + 0x10 * t) != 0;
        }
    }
    __atomic_add_fetch(&fault_errors, faults, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&copy_errors, copies, __ATOMIC_SEQ_CST);
    return NULL;
}

/*
 * Regression (issue 8, bug 2): concurrent lazy faults on one address space map each page once
 * and leak no frame. On e9c76a6 aspace_fault checked the mapping and then backed the page with
 * no lock, and pgtable.c allocated missing tables the same way. Run against that tree (the test
 * uses only calls it had) it fails every time: lazy_faults and frames_owned above LAZY_PAGES,
 * tags written into a frame that another fault then replaced, and frames missing after
 * aspace_destroy (up to hundreds per round).
 */
TEST(aspace_concurrent_lazy_faults_map_each_page_once)
{
    size_t size = 32 << 20;
    void *arena = aligned_alloc(2 << 20, size);
    struct mem_range r = {(paddr_t)(uintptr_t)arena, size};
    frame_init(&r, 1);
    uint64_t before = frame_free_count();
    for (unsigned round = 0; round < ROUNDS; round++) {
        fault_errors = copy_errors = 0;
        CHECK_EQ(aspace_init(&shared_as, 1), 0);
        CHECK_EQ(
            aspace_add_region(&shared_as, LAZY_GPA, LAZY_PAGES * PAGE_SIZE, REGION_LAZY, PT_RWX),
            0);
        pthread_t th[THREADS];
        for (unsigned t = 0; t < THREADS; t++)
            pthread_create(&th[t], NULL, fault_pages, (void *)(uintptr_t)t);
        for (unsigned t = 0; t < THREADS; t++)
            pthread_join(th[t], NULL);
        CHECK_EQ(fault_errors, 0);
        CHECK_EQ(copy_errors, 0);
        CHECK_EQ(shared_as.lazy_faults, LAZY_PAGES);
        CHECK_EQ(shared_as.frames_owned, LAZY_PAGES);
        /* Every page is mapped, to its own frame, and kept every tag written to it. */
        unsigned lost_tags = 0, shared_frames = 0, unmapped = 0;
        paddr_t prev = 0;
        for (unsigned t = 0; t < THREADS; t++) {
            for (unsigned k = 0; k < LAZY_PAGES; k++) {
                uint64_t gpa = LAZY_GPA + (uint64_t)page_of(t, k) * PAGE_SIZE;
                uint32_t tag = ~0u;
                CHECK_EQ(aspace_read(&shared_as, gpa + 8 * t, &tag, sizeof(tag)), 0);
                lost_tags += tag != (writes(t, k) ? page_of(t, k) : 0);
            }
        }
        for (unsigned page = 0; page < LAZY_PAGES; page++) {
            paddr_t hpa = 0;
            unmapped += !aspace_translate(&shared_as, LAZY_GPA + (uint64_t)page * PAGE_SIZE, &hpa);
            shared_frames += hpa == prev;
            prev = hpa;
        }
        CHECK_EQ(unmapped, 0);
        CHECK_EQ(lost_tags, 0);
        CHECK_EQ(shared_frames, 0);
        aspace_destroy(&shared_as);
        CHECK_EQ(frame_free_count(), before);
    }
    free(arena);
}
