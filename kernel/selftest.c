// SPDX-License-Identifier: MIT
#include <string.h>
#include <axvm/arch.h>
#include <axvm/cmdline.h>
#include <axvm/frame.h>
#include <axvm/log.h>
#include <axvm/panic.h>
#include <axvm/selftest.h>
#include <axvm/string_check.h>

/* Allocate, check alignment and zeroing, free, and check the count came back. */
static bool selftest_frames(void)
{
    uint64_t before = frame_free_count();
    paddr_t a = frame_alloc(4, 16 * 1024);
    paddr_t b = frame_alloc(1, PAGE_SIZE);
    if (!a || !b || !IS_ALIGNED(a, 16 * 1024) || a == b)
        return false;
    const volatile uint64_t *p = phys_to_ptr(a);
    for (unsigned i = 0; i < 4 * PAGE_SIZE / 8; i++)
        if (p[i] != 0)
            return false;
    if (frame_free_count() != before - 5)
        return false;
    frame_free(a, 4);
    frame_free(b, 1);
    return frame_free_count() == before;
}

/* The architecture's memset, memcpy, memmove and memcmp (arch/<arch>/lib or libc). */
static bool selftest_string(void)
{
    static const struct string_ops ops = {memset, memcpy, memmove, memcmp};
    char why[128];
    unsigned failures = string_check(&ops, why, sizeof(why));
    if (failures)
        log_error("selftest string: %u cases failed, first: %s", failures, why);
    return failures == 0;
}

/* Read an address the page tables leave unmapped: the exception path must dump and halt. */
static void selftest_fault(void)
{
    uintptr_t addr = arch_fault_probe_address();
    log_info("selftest fault: reading unmapped address 0x%llx", (unsigned long long)addr);
    (void)*(volatile uint64_t *)addr;
    log_error("selftest fault: the read of 0x%llx did not fault", (unsigned long long)addr);
}

void selftest_run(const char *cmdline)
{
    static const char *const known[] = {"frames", "string", "panic", "fault"};
    char list[128];
    if (!cmdline_get(cmdline, "selftest", list, sizeof(list)))
        return;

    /* Name anything we do not recognise first, so a typo does not pass silently. */
    for (char *item = list; item;) {
        char *comma = strchr(item, ',');
        if (comma)
            *comma = '\0';
        bool ok = false;
        for (unsigned i = 0; i < ARRAY_SIZE(known); i++)
            ok |= strcmp(item, known[i]) == 0;
        if (!ok)
            log_warn("selftest %s: unknown self-test", item);
        item = comma ? comma + 1 : NULL;
    }

    if (cmdline_has_item(cmdline, "selftest", "frames")) {
        if (selftest_frames())
            log_info("selftest frames: ok");
        else
            log_error("selftest frames: FAILED");
    }
    if (cmdline_has_item(cmdline, "selftest", "string")) {
        if (selftest_string())
            log_info("selftest string: ok");
        else
            log_error("selftest string: FAILED");
    }
    /* These two do not come back. */
    if (cmdline_has_item(cmdline, "selftest", "panic"))
        panic("selftest panic: deliberate");
    if (cmdline_has_item(cmdline, "selftest", "fault"))
        selftest_fault();
}
