// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <string.h>
#include <axvm/aspace.h>
#include <axvm/errno.h>
#include <axvm/frame.h>
#include "check.h"

extern unsigned host_s2_flushes;

static struct mem_range arena;

static void setup(void)
{
    size_t size = 32 << 20;
    void *p = aligned_alloc(2 << 20, size);
    arena = (struct mem_range){(paddr_t)(uintptr_t)p, size};
    frame_init(&arena, 1);
}

static void teardown(void)
{
    free((void *)(uintptr_t)arena.base);
}

TEST(aspace_allocated_region_is_backed_and_released)
{
    setup();
    uint64_t all = frame_free_count();
    struct aspace as;
    CHECK_EQ(aspace_init(&as, 7), 0);
    uint64_t before = frame_free_count(); /* less the stage-2 root */
    CHECK_EQ(aspace_add_region(&as, 0x40000000, MiB(4), REGION_ALLOCATED, PT_RWX), 0);
    CHECK_EQ(as.frames_owned, 1024);
    /* The frames are taken (plus one for the table of blocks), but not yet mapped. */
    CHECK_EQ(frame_free_count(), before - 1024 - 1);
    paddr_t hpa;
    CHECK(!aspace_translate(&as, 0x40000000, &hpa));
    /* Guest memory is handed out zeroed: the first touch zeroes and maps its block. */
    uint64_t word = 1;
    CHECK_EQ(aspace_read(&as, 0x40123450, &word, sizeof(word)), 0);
    CHECK_EQ(word, 0);
    CHECK(aspace_translate(&as, 0x40000000, &hpa));
    CHECK(aspace_translate(&as, 0x401fffff, &hpa));
    CHECK(!aspace_translate(&as, 0x40200000, &hpa));
    CHECK_EQ(as.late_fills, 1);
    /* A stage-2 fault maps the other block; a second fault on it changes nothing. */
    CHECK_EQ(aspace_fault(&as, 0x403fff00), 0);
    CHECK(aspace_translate(&as, 0x403fffff, &hpa));
    CHECK_EQ(aspace_fault(&as, 0x40300000), 0);
    CHECK_EQ(as.late_fills, 2);
    CHECK(!aspace_translate(&as, 0x40400000, &hpa));
    CHECK_EQ(aspace_fault(&as, 0x40400000), -EFAULT);
    unsigned flushes = host_s2_flushes;
    aspace_destroy(&as);
    CHECK(host_s2_flushes > flushes); /* the VMID's TLB entries go with it */
    CHECK_EQ(as.frames_owned, 0);
    CHECK_EQ(frame_free_count(), all);
    teardown();
}

/* Frames another VM left data in are zeroed before a new VM sees them, however it first touches
 * them, and the blocks it never touched go back with it. */
TEST(aspace_allocated_blocks_never_show_old_data)
{
    setup();
    uint64_t all = frame_free_count();
    /* Fill every free frame with a secret, then give them all back. */
    paddr_t pa = frame_alloc_unzeroed((unsigned)all, PAGE_SIZE);
    CHECK(pa != 0);
    memset(phys_to_ptr(pa), 0xa5, (size_t)all * PAGE_SIZE);
    frame_free(pa, (unsigned)all);
    CHECK_EQ(frame_free_count(), all);

    struct aspace as;
    aspace_init(&as, 3);
    /* 1 MiB + 4 MiB + 12 KiB: a head and a tail of pages backed at once, two late blocks. */
    CHECK_EQ(aspace_add_region(&as, 0x40100000, MiB(5) + 0x3000, REGION_ALLOCATED, PT_RWX), 0);
    CHECK_EQ(as.frames_owned, (MiB(5) + 0x3000) / PAGE_SIZE);
    uint64_t words[4] = {1, 1, 1, 1};
    CHECK_EQ(aspace_read(&as, 0x40100000, words, sizeof(words)), 0); /* head page */
    CHECK_EQ(words[0] | words[1] | words[2] | words[3], 0);
    CHECK_EQ(aspace_read(&as, 0x40602ff0, words, 16), 0); /* tail page */
    CHECK_EQ(words[0] | words[1], 0);
    CHECK_EQ(as.late_fills, 0);
    /* A guest access (the stage-2 fault), then a hypervisor copy into the other block. */
    CHECK_EQ(aspace_fault(&as, 0x40200008), 0);
    paddr_t hpa;
    CHECK(aspace_translate(&as, 0x40200000, &hpa));
    const uint8_t *b = phys_to_ptr(hpa);
    bool clean = true;
    for (uint64_t i = 0; i < MiB(2); i++)
        clean &= b[i] == 0;
    CHECK(clean);
    uint32_t v = 0x12345678;
    CHECK_EQ(aspace_write(&as, 0x40400100, &v, sizeof(v)), 0);
    CHECK_EQ(aspace_read(&as, 0x404000f8, words, 16), 0);
    CHECK_EQ(words[0], 0);
    CHECK_EQ(words[1], 0x12345678);
    CHECK_EQ(as.late_fills, 2);
    aspace_destroy(&as);
    CHECK_EQ(as.frames_owned, 0);
    CHECK_EQ(frame_free_count(), all);
    teardown();
}

TEST(aspace_lazy_region_fills_on_fault)
{
    setup();
    uint64_t all = frame_free_count();
    struct aspace as;
    aspace_init(&as, 1);
    CHECK_EQ(aspace_add_region(&as, 0x80000000, MiB(1), REGION_LAZY, PT_RWX), 0);
    CHECK_EQ(as.frames_owned, 0);
    paddr_t hpa;
    CHECK(!aspace_translate(&as, 0x80003000, &hpa));
    CHECK_EQ(aspace_fault(&as, 0x80003abc), 0);
    CHECK(aspace_translate(&as, 0x80003000, &hpa));
    CHECK(!aspace_translate(&as, 0x80004000, &hpa));
    CHECK_EQ(as.lazy_faults, 1);
    /* A second fault on the same page (another vCPU raced us) costs nothing. */
    CHECK_EQ(aspace_fault(&as, 0x80003000), 0);
    CHECK_EQ(as.lazy_faults, 1);
    CHECK_EQ(as.frames_owned, 1);
    /* Outside every region: not ours to fix. */
    CHECK_EQ(aspace_fault(&as, 0x80100000), -EFAULT);
    /* Writing through the hypervisor backs pages too. */
    const char msg[] = "crosses a page boundary";
    CHECK_EQ(aspace_write(&as, 0x80007ff8, msg, sizeof(msg)), 0);
    char back[sizeof(msg)];
    CHECK_EQ(aspace_read(&as, 0x80007ff8, back, sizeof(back)), 0);
    CHECK_STR(back, msg);
    CHECK_EQ(as.frames_owned, 3);
    CHECK_EQ(aspace_write(&as, 0x800ffffc, msg, sizeof(msg)), -EFAULT);
    aspace_destroy(&as);
    CHECK_EQ(frame_free_count(), all);
    teardown();
}

TEST(aspace_regions_must_not_overlap)
{
    setup();
    struct aspace as;
    aspace_init(&as, 1);
    CHECK_EQ(aspace_add_region(&as, 0x40000000, MiB(2), REGION_ALLOCATED, PT_RWX), 0);
    CHECK_EQ(aspace_add_region(&as, 0x401ff000, PAGE_SIZE, REGION_LAZY, PT_RWX), -EEXIST);
    CHECK_EQ(aspace_add_region(&as, 0x40200000, 100, REGION_LAZY, PT_RWX), -EINVAL);
    CHECK(aspace_find_region(&as, 0x401fffff) != NULL);
    CHECK(aspace_find_region(&as, 0x40200000) == NULL);
    aspace_destroy(&as);
    teardown();
}

TEST(aspace_identity_region_maps_same_address_and_is_not_freed)
{
    setup();
    uint64_t all = frame_free_count();
    struct aspace as;
    aspace_init(&as, 1);
    CHECK_EQ(aspace_add_region(&as, 0x09000000, PAGE_SIZE, REGION_IDENTITY,
                               PT_READ | PT_WRITE | PT_DEVICE),
             0);
    paddr_t hpa;
    CHECK(aspace_translate(&as, 0x09000010, &hpa));
    CHECK_EQ(hpa, 0x09000010);
    CHECK_EQ(as.frames_owned, 0);
    CHECK_EQ(aspace_remove_region(&as, 0x09000000), 0);
    CHECK(!aspace_translate(&as, 0x09000010, &hpa));
    CHECK_EQ(aspace_remove_region(&as, 0x09000000), -ENOENT);
    aspace_destroy(&as);
    CHECK_EQ(frame_free_count(), all);
    teardown();
}

TEST(aspace_out_of_memory_is_reported)
{
    setup();
    struct aspace as;
    aspace_init(&as, 1);
    CHECK_EQ(aspace_add_region(&as, 0, MiB(64), REGION_ALLOCATED, PT_RWX), -ENOMEM);
    aspace_destroy(&as);
    teardown();
}

extern uint64_t host_guest_bytes_written;

/* Guest RAM writes are reported for cache maintenance; a passthrough device's pages are never
 * read or written as memory by the hypervisor (a device read at EL2 may fault on hardware). */
TEST(aspace_copies_touch_ram_only_and_report_writes)
{
    setup();
    struct aspace as;
    aspace_init(&as, 1);
    CHECK_EQ(aspace_add_region(&as, 0x40000000, MiB(2), REGION_ALLOCATED, PT_RWX), 0);
    CHECK_EQ(aspace_add_region(&as, 0x09000000, PAGE_SIZE, REGION_IDENTITY,
                               PT_READ | PT_WRITE | PT_DEVICE),
             0);
    char buf[64] = "hello";
    uint64_t before = host_guest_bytes_written;
    CHECK_EQ(aspace_write(&as, 0x40000ff0, buf, 32), 0);
    CHECK_EQ(host_guest_bytes_written - before, 32);
    CHECK_EQ(aspace_read(&as, 0x09000000, buf, 8), -EFAULT);
    CHECK_EQ(aspace_write(&as, 0x09000000, buf, 8), -EFAULT);
    CHECK_EQ(host_guest_bytes_written - before, 32);
    aspace_destroy(&as);
    teardown();
}

/* A device or hypercall writing for a guest must not reach a shared region that guest maps
 * read-only: the frames belong to the region's writers (a virtqueue placed there by a hostile
 * guest would otherwise change another VM's data). */
TEST(aspace_write_refuses_read_only_shared_region)
{
    setup();
    paddr_t frames = frame_alloc(1, PAGE_SIZE);
    CHECK(frames != 0);
    uint32_t *shared = phys_to_ptr(frames);
    shared[0] = 0x5eed;
    struct aspace as;
    aspace_init(&as, 4);
    CHECK_EQ(aspace_add_shared(&as, 0x50000000, PAGE_SIZE, frames, PT_READ), 0);
    uint32_t v = 0xbad;
    CHECK_EQ(aspace_write(&as, 0x50000000, &v, sizeof(v)), -EFAULT);
    CHECK_EQ(shared[0], 0x5eed);
    CHECK_EQ(aspace_read(&as, 0x50000000, &v, sizeof(v)), 0);
    CHECK_EQ(v, 0x5eed);
    /* Mapped read-write, the same write lands. */
    struct aspace rw;
    aspace_init(&rw, 5);
    CHECK_EQ(aspace_add_shared(&rw, 0x50000000, PAGE_SIZE, frames, PT_READ | PT_WRITE), 0);
    v = 0x1234;
    CHECK_EQ(aspace_write(&rw, 0x50000000, &v, sizeof(v)), 0);
    CHECK_EQ(shared[0], 0x1234);
    aspace_destroy(&as);
    aspace_destroy(&rw);
    frame_free(frames, 1);
    teardown();
}
