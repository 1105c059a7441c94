// SPDX-License-Identifier: MIT
#include <axvm/exit.h>
#include <axvm/format.h>

void exit_fatal(struct vcpu_exit *e, uint64_t addr, const char *fmt, uint64_t a, uint64_t b)
{
    e->kind = EXIT_FATAL;
    e->fatal.addr = addr;
    format_snprintf(e->fatal.reason, sizeof(e->fatal.reason), fmt, a, b);
}
