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
