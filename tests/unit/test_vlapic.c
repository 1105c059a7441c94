// SPDX-License-Identifier: MIT
/* The local APIC register model (arch/x86_64/vlapic_model.c): priority, EOI, ICR, logical
 * destinations and the three timer modes. */
#include "check.h"
#include "x86_64/vlapic_model.h"

static struct vlapic enabled_apic(uint32_t id)
{
    struct vlapic l;
    vlapic_reset(&l, id);
    struct vlapic_icr icr;
    unsigned eoi;
    vlapic_write(&l, APIC_SVR, SVR_ENABLED | 0xff, 0, &icr, &eoi);
    return l;
}

TEST(vlapic_reset_state)
{
    struct vlapic l;
    vlapic_reset(&l, 3);
    CHECK_EQ(vlapic_read(&l, APIC_ID, 0), 3u << 24);
    CHECK_EQ(vlapic_read(&l, APIC_VERSION, 0), 0x50014);
    CHECK_EQ(vlapic_read(&l, APIC_DFR, 0), 0xffffffff);
    CHECK_EQ(vlapic_read(&l, APIC_SVR, 0), 0xff);
    CHECK_EQ(vlapic_read(&l, APIC_LVT_TMR, 0), LVT_MASKED);
    CHECK_EQ(vlapic_read(&l, APIC_LVT_ERR, 0), LVT_MASKED);
    /* Software-disabled: fixed interrupts are dropped. */
    CHECK(!vlapic_accept(&l, 0x30, false));
    CHECK_EQ(vlapic_pending(&l), -1);
}

TEST(vlapic_priority_and_eoi)
{
    struct vlapic l = enabled_apic(0);
    struct vlapic_icr icr;
    unsigned eoi = 0;
    CHECK(vlapic_accept(&l, 0x31, false));
    CHECK(vlapic_accept(&l, 0x52, false));
    CHECK_EQ(vlapic_read(&l, APIC_IRR + 0x10, 0), (1u << 0x11) | 0);
    CHECK_EQ(vlapic_read(&l, APIC_IRR + 0x20, 0), 1u << 0x12);
    CHECK_EQ(vlapic_pending(&l), 0x52); /* the highest vector first */
    vlapic_ack(&l, 0x52);
    CHECK_EQ(vlapic_read(&l, APIC_ISR + 0x20, 0), 1u << 0x12);
    CHECK_EQ(vlapic_ppr(&l), 0x50);
    /* 0x31 is in a lower class than the one in service: it waits. */
    CHECK_EQ(vlapic_pending(&l), -1);
    /* A higher class preempts. */
    CHECK(vlapic_accept(&l, 0x61, false));
    CHECK_EQ(vlapic_pending(&l), 0x61);
    vlapic_ack(&l, 0x61);
    CHECK_EQ(vlapic_write(&l, APIC_EOI, 0, 0, &icr, &eoi), 0u); /* edge: nothing to broadcast */
    CHECK_EQ(vlapic_ppr(&l), 0x50); /* EOI ended 0x61, the highest in service */
    CHECK_EQ(vlapic_write(&l, APIC_EOI, 0, 0, &icr, &eoi), 0u);
    CHECK_EQ(vlapic_ppr(&l), 0);
    CHECK_EQ(vlapic_pending(&l), 0x31);
    /* TPR masks a class and below. */
    vlapic_write(&l, APIC_TPR, 0x30, 0, &icr, &eoi);
    CHECK_EQ(vlapic_pending(&l), -1);
    CHECK_EQ(vlapic_read(&l, APIC_PPR, 0), 0x30);
    vlapic_write(&l, APIC_TPR, 0x2f, 0, &icr, &eoi);
    CHECK_EQ(vlapic_pending(&l), 0x31);
    /* Vectors 0-15 are illegal. */
    CHECK(!vlapic_accept(&l, 15, false));
}

TEST(vlapic_level_eoi_reports_vector)
{
    struct vlapic l = enabled_apic(0);
    struct vlapic_icr icr;
    unsigned eoi = 0;
    CHECK(vlapic_accept(&l, 0x41, true));
    CHECK_EQ(vlapic_read(&l, APIC_TMR + 0x20, 0), 1u << 1);
    vlapic_ack(&l, 0x41);
    CHECK_EQ(vlapic_write(&l, APIC_EOI, 0, 0, &icr, &eoi), VLAPIC_DID_EOI);
    CHECK_EQ(eoi, 0x41);
    CHECK_EQ(vlapic_read(&l, APIC_ISR + 0x20, 0), 0);
}

TEST(vlapic_icr_decodes)
{
    struct vlapic l = enabled_apic(0);
    struct vlapic_icr icr = {0};
    unsigned eoi;
    vlapic_write(&l, APIC_ICR_HI, 2u << 24, 0, &icr, &eoi);
    CHECK_EQ(vlapic_write(&l, APIC_ICR_LO, 0x4500, 0, &icr, &eoi), VLAPIC_DID_IPI);
    CHECK_EQ(icr.delivery, APIC_DM_INIT);
    CHECK(icr.level_assert);
    CHECK_EQ(icr.dest, 2);
    CHECK_EQ(icr.shorthand, APIC_DEST_FIELD);
    vlapic_write(&l, APIC_ICR_LO, 0x0609, 0, &icr, &eoi);
    CHECK_EQ(icr.delivery, APIC_DM_STARTUP);
    CHECK_EQ(icr.vector, 9);
    vlapic_write(&l, APIC_ICR_LO, 0x000c00fd, 0, &icr, &eoi);
    CHECK_EQ(icr.shorthand, APIC_DEST_ALL_BUT_SELF);
    CHECK_EQ(icr.vector, 0xfd);
    vlapic_write(&l, APIC_ICR_LO, 0x00040400, 0, &icr, &eoi);
    CHECK_EQ(icr.shorthand, APIC_DEST_SELF);
    CHECK_EQ(icr.delivery, APIC_DM_NMI);
    vlapic_write(&l, APIC_ICR_LO, 0x000808f0, 0, &icr, &eoi);
    CHECK_EQ(icr.shorthand, APIC_DEST_ALL);
    CHECK(icr.logical);
    /* Delivery status reads idle: the IPI went at once. */
    CHECK_EQ(vlapic_read(&l, APIC_ICR_LO, 0) & (1u << 12), 0);
}

TEST(vlapic_destinations)
{
    struct vlapic a = enabled_apic(1);
    struct vlapic_icr icr;
    unsigned eoi;
    CHECK(vlapic_match_dest(&a, 1, false));
    CHECK(!vlapic_match_dest(&a, 2, false));
    CHECK(vlapic_match_dest(&a, 0xff, false));
    /* Logical flat: LDR bit per CPU. */
    vlapic_write(&a, APIC_LDR, 0x02000000, 0, &icr, &eoi);
    CHECK(vlapic_match_dest(&a, 0x02, true));
    CHECK(vlapic_match_dest(&a, 0x03, true));
    CHECK(!vlapic_match_dest(&a, 0x01, true));
    /* Logical cluster: cluster 1, member bit 2. */
    vlapic_write(&a, APIC_DFR, 0x0fffffff, 0, &icr, &eoi);
    vlapic_write(&a, APIC_LDR, 0x14000000, 0, &icr, &eoi);
    CHECK(vlapic_match_dest(&a, 0x14, true));
    CHECK(vlapic_match_dest(&a, 0x1c, true));
    CHECK(!vlapic_match_dest(&a, 0x24, true));
    CHECK(!vlapic_match_dest(&a, 0x11, true));
}

TEST(vlapic_timer_oneshot)
{
    struct vlapic l = enabled_apic(0);
    struct vlapic_icr icr;
    unsigned eoi;
    vlapic_write(&l, APIC_TDCR, 0xb, 0, &icr, &eoi); /* divide by 1 */
    vlapic_write(&l, APIC_LVT_TMR, 0xec, 0, &icr, &eoi);
    CHECK_EQ(vlapic_write(&l, APIC_TMICT, 1000, 5000, &icr, &eoi), VLAPIC_DID_TIMER);
    CHECK_EQ(l.timer_deadline, 6000);
    CHECK_EQ(vlapic_read(&l, APIC_TMCCT, 5400), 600);
    CHECK(!vlapic_timer_poll(&l, 5999));
    CHECK(vlapic_timer_poll(&l, 6001));
    CHECK_EQ(vlapic_pending(&l), 0xec);
    CHECK_EQ(l.timer_deadline, VLAPIC_NEVER);
    CHECK_EQ(vlapic_read(&l, APIC_TMCCT, 7000), 0);
    CHECK(!vlapic_timer_poll(&l, 9000));
    /* Divide by 16: four times slower than by 4... */
    vlapic_write(&l, APIC_TDCR, 0x3, 10000, &icr, &eoi);
    vlapic_write(&l, APIC_TMICT, 10, 10000, &icr, &eoi);
    CHECK_EQ(l.timer_deadline, 10160);
    /* ...and a masked timer expires without an interrupt. */
    vlapic_ack(&l, 0xec);
    vlapic_write(&l, APIC_EOI, 0, 0, &icr, &eoi);
    vlapic_write(&l, APIC_LVT_TMR, LVT_MASKED | 0xec, 10000, &icr, &eoi);
    CHECK(!vlapic_timer_poll(&l, 10200));
    CHECK_EQ(vlapic_pending(&l), -1);
}

TEST(vlapic_timer_periodic)
{
    struct vlapic l = enabled_apic(0);
    struct vlapic_icr icr;
    unsigned eoi;
    vlapic_write(&l, APIC_TDCR, 0x0, 0, &icr, &eoi); /* divide by 2 */
    vlapic_write(&l, APIC_LVT_TMR, (LVT_TIMER_PERIODIC << 17) | 0xef, 0, &icr, &eoi);
    vlapic_write(&l, APIC_TMICT, 50, 1000, &icr, &eoi); /* 100 counter ticks a period */
    CHECK_EQ(l.timer_deadline, 1100);
    CHECK_EQ(vlapic_read(&l, APIC_TMCCT, 1150), 25);
    CHECK(vlapic_timer_poll(&l, 1100));
    CHECK_EQ(l.timer_deadline, 1200);
    CHECK_EQ(vlapic_read(&l, APIC_TMCCT, 1110), 45);
    /* Three periods missed: one interrupt, and the next deadline stays on the grid. */
    CHECK(vlapic_timer_poll(&l, 1450));
    CHECK_EQ(l.timer_deadline, 1500);
    CHECK_EQ(vlapic_pending(&l), 0xef);
    /* Changing the mode stops the timer. */
    vlapic_write(&l, APIC_LVT_TMR, 0xef, 1460, &icr, &eoi);
    CHECK_EQ(l.timer_deadline, VLAPIC_NEVER);
}

TEST(vlapic_timer_tsc_deadline)
{
    struct vlapic l = enabled_apic(0);
    struct vlapic_icr icr;
    unsigned eoi;
    /* Ignored outside TSC-deadline mode. */
    vlapic_tsc_deadline_write(&l, 5000);
    CHECK_EQ(l.timer_deadline, VLAPIC_NEVER);
    vlapic_write(&l, APIC_LVT_TMR, (LVT_TIMER_TSC_DEADLINE << 17) | 0xec, 0, &icr, &eoi);
    vlapic_tsc_deadline_write(&l, 5000);
    CHECK_EQ(vlapic_tsc_deadline_read(&l), 5000);
    /* The initial-count register does nothing in this mode. */
    vlapic_write(&l, APIC_TMICT, 10, 100, &icr, &eoi);
    CHECK_EQ(l.timer_deadline, 5000);
    CHECK(!vlapic_timer_poll(&l, 4999));
    CHECK(vlapic_timer_poll(&l, 5000));
    CHECK_EQ(vlapic_tsc_deadline_read(&l), 0);
    CHECK_EQ(vlapic_pending(&l), 0xec);
    /* 0 disarms. */
    vlapic_tsc_deadline_write(&l, 9000);
    vlapic_tsc_deadline_write(&l, 0);
    CHECK(!vlapic_timer_poll(&l, 10000));
}

TEST(vlapic_disable_masks_lvts)
{
    struct vlapic l = enabled_apic(0);
    struct vlapic_icr icr;
    unsigned eoi;
    vlapic_write(&l, APIC_LVT_LINT0, 0x700, 0, &icr, &eoi);
    CHECK_EQ(vlapic_read(&l, APIC_LVT_LINT0, 0), 0x700);
    vlapic_write(&l, APIC_SVR, 0xff, 0, &icr, &eoi);
    CHECK_EQ(vlapic_read(&l, APIC_LVT_LINT0, 0), 0x10700);
    vlapic_write(&l, APIC_LVT_LINT0, 0x700, 0, &icr, &eoi);
    CHECK_EQ(vlapic_read(&l, APIC_LVT_LINT0, 0), 0x10700);
}
