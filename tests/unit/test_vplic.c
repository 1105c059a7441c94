// SPDX-License-Identifier: MIT
/* The virtual PLIC's register model (arch/riscv64/vplic_model.c), through its registers as a
 * guest driver sees them. */
#include <axvm/errno.h>
#include "riscv64/vplic_model.h"
#include "check.h"

static uint32_t rd(struct vplic_model *m, uint64_t off)
{
    uint32_t v = 0xdeadbeef;
    CHECK_EQ(vplic_model_read(m, off, 4, &v), 0);
    return v;
}

static unsigned wr(struct vplic_model *m, uint64_t off, uint32_t value)
{
    unsigned completed = 0xdead;
    CHECK_EQ(vplic_model_write(m, off, 4, value, &completed), 0);
    return completed;
}

static uint64_t prio(unsigned src)
{
    return VPLIC_PRIORITY + 4 * src;
}

static uint64_t enable(unsigned ctx, unsigned word)
{
    return VPLIC_ENABLE + VPLIC_ENABLE_STRIDE * ctx + 4 * word;
}

static uint64_t threshold(unsigned ctx)
{
    return VPLIC_CONTEXT + VPLIC_CONTEXT_STRIDE * ctx;
}

static uint64_t claim(unsigned ctx)
{
    return threshold(ctx) + VPLIC_CONTEXT_CLAIM;
}

/* A PLIC with 'contexts' contexts, as after reset. */
static void setup(struct vplic_model *m, unsigned contexts)
{
    *m = (struct vplic_model){0};
    vplic_model_reset(m, contexts);
}

TEST(vplic_reset_delivers_nothing)
{
    struct vplic_model m;
    setup(&m, 2);
    CHECK(vplic_model_set_level(&m, 10, true));
    CHECK_EQ(vplic_model_best(&m, 0), 0); /* priority 0 and not enabled */
    CHECK_EQ(rd(&m, claim(0)), 0);
    CHECK_EQ(rd(&m, VPLIC_PENDING), 1u << 10);
    CHECK_EQ(rd(&m, threshold(1)), 0);
}

TEST(vplic_claim_order_is_priority_then_lowest_id)
{
    struct vplic_model m;
    setup(&m, 1);
    wr(&m, prio(3), 2);
    wr(&m, prio(5), 6);
    wr(&m, prio(7), 6);
    wr(&m, prio(40), 4);
    wr(&m, enable(0, 0), (1u << 3) | (1u << 5) | (1u << 7));
    wr(&m, enable(0, 1), 1u << (40 - 32));
    vplic_model_set_level(&m, 3, true);
    vplic_model_set_level(&m, 7, true);
    vplic_model_set_level(&m, 5, true);
    vplic_model_set_level(&m, 40, true);
    CHECK_EQ(vplic_model_best(&m, 0), 5);
    CHECK_EQ(rd(&m, claim(0)), 5);
    CHECK_EQ(rd(&m, claim(0)), 7);
    CHECK_EQ(rd(&m, claim(0)), 40);
    CHECK_EQ(rd(&m, claim(0)), 3);
    CHECK_EQ(rd(&m, claim(0)), 0);
    CHECK_EQ(vplic_model_best(&m, 0), 0);
    /* Claimed: no longer pending. */
    CHECK_EQ(rd(&m, VPLIC_PENDING), 0);
    CHECK_EQ(rd(&m, VPLIC_PENDING + 4), 0);
}

TEST(vplic_threshold_masks_priorities_at_or_below_it)
{
    struct vplic_model m;
    setup(&m, 1);
    wr(&m, prio(1), 5);
    wr(&m, prio(2), 6);
    wr(&m, enable(0, 0), 0x6);
    vplic_model_set_level(&m, 1, true);
    vplic_model_set_level(&m, 2, true);
    wr(&m, threshold(0), 6);
    CHECK_EQ(rd(&m, threshold(0)), 6);
    CHECK_EQ(vplic_model_best(&m, 0), 0); /* 6 is not above 6 */
    CHECK_EQ(rd(&m, claim(0)), 0);
    wr(&m, threshold(0), 5);
    CHECK_EQ(rd(&m, claim(0)), 2);
    CHECK_EQ(rd(&m, claim(0)), 0); /* source 1's 5 is not above 5 */
    wr(&m, threshold(0), 0);
    CHECK_EQ(rd(&m, claim(0)), 1);
    /* Thresholds and priorities have three bits. */
    wr(&m, threshold(0), 0xff);
    CHECK_EQ(rd(&m, threshold(0)), VPLIC_PRIORITY_MAX);
    wr(&m, prio(9), 0xff);
    CHECK_EQ(rd(&m, prio(9)), VPLIC_PRIORITY_MAX);
}

TEST(vplic_enable_bits_select_the_context)
{
    struct vplic_model m;
    setup(&m, 2);
    wr(&m, prio(4), 1);
    vplic_model_set_level(&m, 4, true);
    CHECK_EQ(vplic_model_best(&m, 0), 0); /* pending but enabled nowhere */
    wr(&m, enable(1, 0), 1u << 4 | 1u);   /* bit 0 (no source 0) does not stick */
    CHECK_EQ(rd(&m, enable(1, 0)), 1u << 4);
    CHECK_EQ(rd(&m, enable(0, 0)), 0);
    CHECK_EQ(vplic_model_best(&m, 0), 0);
    CHECK_EQ(vplic_model_best(&m, 1), 4);
    /* Enabled on both: the first claim wins, the other context gets nothing. */
    wr(&m, enable(0, 0), 1u << 4);
    CHECK_EQ(vplic_model_best(&m, 0), 4);
    CHECK_EQ(rd(&m, claim(1)), 4);
    CHECK_EQ(vplic_model_best(&m, 0), 0);
    CHECK_EQ(rd(&m, claim(0)), 0);
    /* Disabling hides a pending source without losing it. */
    wr(&m, claim(1), 4);
    CHECK_EQ(rd(&m, VPLIC_PENDING), 1u << 4); /* the line is still up */
    wr(&m, enable(0, 0), 0);
    wr(&m, enable(1, 0), 0);
    CHECK_EQ(vplic_model_best(&m, 1), 0);
    wr(&m, enable(1, 0), 1u << 4);
    CHECK_EQ(vplic_model_best(&m, 1), 4);
}

TEST(vplic_complete_of_an_unclaimed_source_is_ignored)
{
    struct vplic_model m;
    setup(&m, 1);
    wr(&m, prio(6), 3);
    wr(&m, enable(0, 0), 1u << 6);
    vplic_model_set_level(&m, 6, true);
    struct vplic_model before = m;
    CHECK_EQ(wr(&m, claim(0), 6), 0); /* pending, not claimed */
    CHECK_EQ(wr(&m, claim(0), 0), 0);
    CHECK_EQ(wr(&m, claim(0), 63), 0);
    CHECK_EQ(wr(&m, claim(0), 1000), 0);
    CHECK(memcmp(&m, &before, sizeof(m)) == 0);
    CHECK_EQ(rd(&m, claim(0)), 6);
    /* In flight: a second request of the still-high line waits for the completion. */
    CHECK(!vplic_model_set_level(&m, 6, true));
    CHECK_EQ(vplic_model_best(&m, 0), 0);
    CHECK_EQ(wr(&m, claim(0), 6), 0);
    CHECK_EQ(vplic_model_best(&m, 0), 6); /* still asserted: pending again */
    /* Completing twice does nothing the second time. */
    CHECK_EQ(rd(&m, claim(0)), 6);
    vplic_model_set_level(&m, 6, false);
    wr(&m, claim(0), 6);
    before = m;
    wr(&m, claim(0), 6);
    CHECK(memcmp(&m, &before, sizeof(m)) == 0);
    CHECK_EQ(vplic_model_best(&m, 0), 0);
}

TEST(vplic_completion_needs_the_source_enabled_on_that_context)
{
    struct vplic_model m;
    setup(&m, 2);
    wr(&m, prio(2), 1);
    wr(&m, enable(0, 0), 1u << 2);
    vplic_model_set_level(&m, 2, true);
    CHECK_EQ(rd(&m, claim(0)), 2);
    wr(&m, claim(1), 2); /* context 1 does not enable source 2 */
    CHECK_EQ(m.claimed, 1ULL << 2);
    wr(&m, claim(0), 2);
    CHECK_EQ(m.claimed, 0);
}

TEST(vplic_level_dropped_before_claim_is_gone)
{
    struct vplic_model m;
    setup(&m, 1);
    wr(&m, prio(10), 1);
    wr(&m, enable(0, 0), 1u << 10);
    CHECK(vplic_model_set_level(&m, 10, true));
    CHECK_EQ(vplic_model_best(&m, 0), 10);
    CHECK(!vplic_model_set_level(&m, 10, false));
    CHECK_EQ(vplic_model_best(&m, 0), 0);
    CHECK_EQ(rd(&m, VPLIC_PENDING), 0);
    CHECK(!vplic_model_set_level(&m, 0, true)); /* no source 0 */
    CHECK(!vplic_model_set_level(&m, VPLIC_SOURCES, true));
}

/* A doorbell: an edge stays pending without a line, and one that comes while the source is in
 * flight is delivered again after completion, not lost. */
TEST(vplic_edge_stays_pending_until_claimed_and_queues_in_flight)
{
    struct vplic_model m;
    setup(&m, 1);
    wr(&m, prio(7), 1);
    wr(&m, enable(0, 0), 1u << 7);
    CHECK(vplic_model_raise_edge(&m, 7));
    CHECK_EQ(vplic_model_best(&m, 0), 7);
    CHECK_EQ(rd(&m, claim(0)), 7);
    CHECK_EQ(vplic_model_best(&m, 0), 0);
    CHECK(!vplic_model_raise_edge(&m, 7)); /* in flight: kept for later */
    CHECK_EQ(vplic_model_best(&m, 0), 0);
    CHECK_EQ(wr(&m, claim(0), 7), 0);
    CHECK_EQ(vplic_model_best(&m, 0), 7);
    CHECK_EQ(rd(&m, claim(0)), 7);
    CHECK_EQ(wr(&m, claim(0), 7), 0);
    CHECK_EQ(vplic_model_best(&m, 0), 0); /* two edges, two deliveries, no more */
    CHECK(!vplic_model_raise_edge(&m, 0));
    CHECK(!vplic_model_raise_edge(&m, VPLIC_SOURCES));
}

TEST(vplic_host_source_completes_at_the_host)
{
    struct vplic_model m;
    setup(&m, 2);
    wr(&m, prio(8), 1);
    wr(&m, enable(1, 0), 1u << 8);
    CHECK(vplic_model_raise_hw(&m, 8));
    CHECK(!vplic_model_set_level(&m, 8, false)); /* not an emulated line: untouched */
    CHECK_EQ(vplic_model_best(&m, 1), 8);
    CHECK_EQ(rd(&m, claim(1)), 8);
    CHECK_EQ(vplic_model_best(&m, 1), 0);
    CHECK_EQ(wr(&m, claim(0), 8), 0);     /* not enabled on context 0: ignored */
    CHECK_EQ(wr(&m, claim(1), 8), 8);     /* the caller completes it at the host */
    CHECK_EQ(vplic_model_best(&m, 1), 0); /* one arrival, one delivery */
    CHECK_EQ(wr(&m, claim(1), 8), 0);
    /* It stays a host source across a reset. */
    vplic_model_reset(&m, 2);
    CHECK_EQ(m.hw, 1ULL << 8);
}

TEST(vplic_register_widths_and_holes)
{
    struct vplic_model m;
    setup(&m, 2);
    uint32_t v;
    unsigned done;
    CHECK_EQ(vplic_model_read(&m, claim(0), 8, &v), -EINVAL);
    CHECK_EQ(vplic_model_read(&m, prio(1) + 1, 4, &v), -EINVAL);
    CHECK_EQ(vplic_model_write(&m, prio(1), 2, 1, &done), -EINVAL);
    /* Past the last source, context or register: reads 0, writes vanish. */
    wr(&m, prio(VPLIC_SOURCES), 5);
    CHECK_EQ(rd(&m, prio(VPLIC_SOURCES)), 0);
    wr(&m, enable(2, 0), ~0u);
    CHECK_EQ(rd(&m, enable(2, 0)), 0);
    CHECK_EQ(rd(&m, enable(0, 2)), 0);
    wr(&m, threshold(2), 3);
    CHECK_EQ(rd(&m, threshold(2)), 0);
    CHECK_EQ(rd(&m, threshold(0) + 8), 0);
    wr(&m, prio(0), 7);
    CHECK_EQ(rd(&m, prio(0)), 0);
    CHECK_EQ(vplic_model_best(&m, 5), 0);
}
