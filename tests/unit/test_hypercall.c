// SPDX-License-Identifier: MIT
/* The hypercall ABI as the core serves it. */
#include <axvm/cmux.h>
#include <axvm/console.h>
#include <axvm/errno.h>
#include <axvm/hypercall.h>
#include <axvm/hypercall_handle.h>
#include <axvm/log.h>
#include <axvm/vm.h>
#include "check.h"

static unsigned lines;

static void count_lines(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        lines += s[i] == '\n';
}

TEST(hypercall_unknown_numbers_are_logged_at_a_limited_rate)
{
    static const struct vm_config cfg = {.id = 3, .name = "noisy"};
    struct vm *vm = &vm_table[VM_MAX - 1];
    vm->id = 3;
    vm->cfg = &cfg;
    struct vcpu v = {.vm = vm};
    cmux_sink = count_lines;
    lines = 0;
    /* A guest calling unknown numbers in a loop (9,000 lines in 10 s in issue 9). */
    for (unsigned i = 0; i < 9000; i++) {
        struct exit_hypercall hc = {.nr = 0x7777 + i};
        CHECK_EQ(hypercall_handle(&v, &hc), EXIT_NONE);
        CHECK_EQ(hc.ret, -ENOSYS);
    }
    CHECK_EQ(lines, LOG_RATELIMIT_BURST);
    /* Known calls still answer. */
    struct exit_hypercall hc = {.nr = AXVM_HC_VM_ID};
    hypercall_handle(&v, &hc);
    CHECK_EQ(hc.ret, 3);
    cmux_sink = console_write;
    vm->cfg = NULL;
}

/* The calls an architecture answers in its exception entry: values as hypercall_handle gives
 * them, each counted as a hypercall exit; every other call refused with nothing changed. */
TEST(hypercall_answer_fast_reads_only_and_counts_its_exits)
{
    static const struct vm_config cfg = {.id = 5, .name = "fast"};
    struct vm *vm = &vm_table[VM_MAX - 1];
    vm->id = 5;
    vm->cfg = &cfg;
    vm->boots = 3;
    struct vcpu v = {.vm = vm, .id = 2};
    static const struct {
        uint64_t nr;
        int64_t ret;
    } reads[] = {
        {AXVM_HC_VERSION, AXVM_HC_ABI_VERSION},
        {AXVM_HC_VM_ID, 5},
        {AXVM_HC_VCPU_ID, 2},
        {AXVM_HC_BOOT_COUNT, 3},
        {AXVM_HC_TRAP_FLOOR, 0},
        {AXVM_HC_SHMEM_RINGS, -EINVAL}, /* no region 77 */
    };
    for (unsigned i = 0; i < ARRAY_SIZE(reads); i++) {
        int64_t ret = 12345;
        CHECK(hypercall_answer_fast(&v, reads[i].nr, 77, &ret));
        CHECK_EQ(ret, reads[i].ret);
        CHECK_EQ(v.exits, i + 1);
        CHECK_EQ(v.exit_kinds[EXIT_HYPERCALL], i + 1);
        /* The ordinary exit gives the same answer (vcpu_run counts that exit itself). */
        struct exit_hypercall hc = {.nr = reads[i].nr, .args = {77}};
        CHECK_EQ(hypercall_handle(&v, &hc), EXIT_NONE);
        CHECK_EQ(hc.ret, reads[i].ret);
        CHECK_EQ(v.exits, i + 1);
    }
    /* Writes, a doorbell, power, unknown numbers: the ordinary exit's, untouched here. */
    static const uint64_t others[] = {
        AXVM_HC_CONSOLE_WRITE, AXVM_HC_SHUTDOWN, AXVM_HC_REBOOT, AXVM_HC_SHMEM_RING, 9, 0x7777};
    for (unsigned i = 0; i < ARRAY_SIZE(others); i++) {
        int64_t ret = 12345;
        CHECK(!hypercall_answer_fast(&v, others[i], 0, &ret));
        CHECK_EQ(ret, 12345);
    }
    CHECK_EQ(v.exits, ARRAY_SIZE(reads));
    CHECK_EQ(v.exit_kinds[EXIT_HYPERCALL], ARRAY_SIZE(reads));
    for (unsigned k = 0; k < EXIT_KINDS; k++)
        if (k != EXIT_HYPERCALL)
            CHECK_EQ(v.exit_kinds[k], 0);
    vm->cfg = NULL;
    vm->boots = 0;
}
