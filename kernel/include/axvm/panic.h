/* SPDX-License-Identifier: MIT */
#ifndef AXVM_PANIC_H
#define AXVM_PANIC_H

/*
 * Fatal errors in the hypervisor itself. panic_begin() stops every other CPU and claims the
 * console; the caller then prints what it knows (an architecture prints its register dump);
 * panic_end() prints the closing line and halts. Tests look for these lines.
 */

#include <axvm/types.h>

void panic_begin(void);
NORETURN void panic_end(void);
NORETURN void panic(const char *fmt, ...) PRINTF(1, 2);

/* Lines every architecture's exception dump shares, so one test pattern serves them all:
 *   [axvm] EXCEPTION on cpu<N>: <what>
 *   [axvm]   pc 0x<pc> fault address 0x<addr>     (or "no fault address")
 */
void panic_exception_header(const char *what, uint64_t pc, bool has_addr, uint64_t addr);

struct panic_reg {
    const char *name;
    uint64_t value;
};

/* Register dump, four registers to a line. */
void panic_print_regs(const struct panic_reg *regs, unsigned count);

/* For CPUs that notice another CPU's panic in their idle loop: report and halt. */
NORETURN void panic_halt_self(void);

/* True once any CPU has begun to panic; idle loops check it and halt. */
bool panic_in_progress(void);

#define BUG_ON(cond)                                                                               \
    do {                                                                                           \
        if (cond)                                                                                  \
            panic("BUG_ON(%s) at %s:%d", #cond, __FILE__, __LINE__);                               \
    } while (0)

#endif
