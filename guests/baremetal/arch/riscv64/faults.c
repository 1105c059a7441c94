// SPDX-License-Identifier: MIT
/*
 * The riscv64 guest-fault checks (../../faults.c runs them in this order).
 *
 * An access to an address with no memory or device is an access fault in the guest's own trap
 * handler (Privileged spec 3.1.15 and 4.1.9): scause 5 (load), 7 (store/AMO) or 1 (instruction
 * fetch), stval the address, sepc the faulting instruction (for a fetch, the address), sstatus.SPP
 * set (the guest was in S-mode). A counter the guest may not read (hpmcounter3: the hypervisor
 * leaves hcounteren's bit clear) is an illegal instruction, scause 2 with the instruction in
 * stval, as on a hart without the H extension whose mcounteren allows it, from S-mode and from
 * U-mode alike.
 */
#include <libfdt.h>
#include <axvm/format.h>
#include "../../faults.h"
#include "traps.h"

#define SCAUSE_FETCH_ACCESS 1
#define SCAUSE_ILLEGAL      2
#define SCAUSE_LOAD_ACCESS  5
#define SCAUSE_STORE_ACCESS 7
#define UART_SCR            7 /* 16550 scratch register */

static void probe_load(uint64_t addr, uint64_t *pc)
{
    uint64_t value, at;
    __asm__ volatile("lla %1, 1f\n1: ld %0, 0(%2)"
                     : "=&r"(value), "=&r"(at)
                     : "r"(addr)
                     : "memory");
    *pc = at;
}

static void probe_store(uint64_t addr, uint64_t value, uint64_t *pc)
{
    uint64_t at;
    __asm__ volatile("lla %0, 1f\n1: sd %1, 0(%2)" : "=&r"(at) : "r"(value), "r"(addr) : "memory");
    *pc = at;
}

/* A call to 'addr': the handler returns to the instruction after it. */
static void probe_fetch(uint64_t addr)
{
    __asm__ volatile("jalr ra, 0(%0)" ::"r"(addr) : "ra", "memory");
}

static void detail_trap(const struct trap_record *t, char *detail, size_t size)
{
    format_snprintf(detail, size, "scause=%llu stval=0x%llx sepc=0x%llx from %s-mode",
                    (unsigned long long)t->cause, (unsigned long long)t->addr,
                    (unsigned long long)t->pc, (t->state & SSTATUS_SPP) ? "S" : "U");
}

/* What the hardware reports for trap 'cause' with 'tval' at 'pc', taken from S-mode (or U). */
static bool trap_check(const struct trap_record *t, uint64_t cause, uint64_t tval, uint64_t pc,
                       bool from_s, char *detail, size_t size)
{
    if (!t->count) {
        format_snprintf(detail, size, "no exception from the instruction at 0x%llx",
                        (unsigned long long)pc);
        return false;
    }
    detail_trap(t, detail, size);
    return t->cause == cause && t->addr == tval && t->pc == pc &&
           !!(t->state & SSTATUS_SPP) == from_s;
}

static bool check_load(const struct fault_env *env, char *detail, size_t size)
{
    uint64_t pc;
    trap_expect(TRAP_STEP);
    probe_load(env->nowhere_data, &pc);
    struct trap_record t = trap_done();
    return trap_check(&t, SCAUSE_LOAD_ACCESS, env->nowhere_data, pc, true, detail, size);
}

/* In the same 64 KiB range as the load: the hypervisor logs the range once. */
static bool check_store(const struct fault_env *env, char *detail, size_t size)
{
    uint64_t pc, addr = env->nowhere_data + 8;
    trap_expect(TRAP_STEP);
    probe_store(addr, 0x5a5a5a5a5a5a5a5aULL, &pc);
    struct trap_record t = trap_done();
    return trap_check(&t, SCAUSE_STORE_ACCESS, addr, pc, true, detail, size);
}

static bool check_fetch(const struct fault_env *env, char *detail, size_t size)
{
    trap_expect(TRAP_RETURN);
    probe_fetch(env->nowhere_code);
    struct trap_record t = trap_done();
    return trap_check(&t, SCAUSE_FETCH_ACCESS, env->nowhere_code, env->nowhere_code, true, detail,
                      size);
}

/* The 32-bit instruction at 'pc', which may be only 2-byte aligned (among compressed code). */
static uint32_t insn_at(uint64_t pc)
{
    const volatile uint16_t *h = (const volatile uint16_t *)(uintptr_t)pc;
    return h[0] | (uint32_t)h[1] << 16;
}

static bool check_counter_s(const struct fault_env *env, char *detail, size_t size)
{
    uint64_t value, at;
    (void)env;
    trap_expect(TRAP_STEP);
    __asm__ volatile(".option push\n.option norvc\nlla %1, 1f\n1: csrr %0, hpmcounter3\n"
                     ".option pop"
                     : "=&r"(value), "=&r"(at)::"memory");
    struct trap_record t = trap_done();
    return trap_check(&t, SCAUSE_ILLEGAL, insn_at(at), at, true, detail, size);
}

/* From U-mode (user_counter_read): the illegal instruction reaches the guest's handler, the
 * U-mode code goes on, and its ECALL comes back to S-mode with its a0. */
static bool check_counter_u(const struct fault_env *env, char *detail, size_t size)
{
    (void)env;
    uint64_t at = (uintptr_t)user_counter_insn;
    trap_expect(TRAP_STEP);
    uint64_t a0 = user_run(user_counter_read);
    struct trap_record t = trap_done();
    bool ok = trap_check(&t, SCAUSE_ILLEGAL, insn_at(at), at, false, detail, size);
    if (a0 != USER_TOKEN) {
        format_snprintf(detail, size, "U-mode came back with a0=0x%llx, not 0x%x",
                        (unsigned long long)a0, USER_TOKEN);
        return false;
    }
    return ok;
}

static uint64_t uart_base(const void *fdt)
{
    int node = fdt_node_offset_by_compatible(fdt, -1, "ns16550a");
    const fdt64_t *reg = node >= 0 ? fdt_getprop(fdt, node, "reg", NULL) : NULL;
    return reg ? fdt64_ld(&reg[0]) : 0;
}

/*
 * A byte store of a register holding a 64-bit value to the emulated 16550's scratch register
 * stores its low byte; byte loads return it zero- (lbu) or sign-extended (lb). The 16550 model
 * keeps one byte per register itself, so this guards the decoding of the access rather than
 * the core's masking (which the AArch64 vGIC check shows).
 */
static bool check_byte_store(const struct fault_env *env, char *detail, size_t size)
{
    uint64_t scr = uart_base(env->fdt) + UART_SCR, u, s;
    if (scr == UART_SCR) {
        format_snprintf(detail, size, "no ns16550a node in the device tree");
        return false;
    }
    __asm__ volatile("sb %0, 0(%1)" ::"r"(0x1122334455667788ULL), "r"(scr) : "memory");
    __asm__ volatile("lbu %0, 0(%1)" : "=r"(u) : "r"(scr) : "memory");
    __asm__ volatile("lb %0, 0(%1)" : "=r"(s) : "r"(scr) : "memory");
    format_snprintf(detail, size,
                    "UART scratch register after sb 0x1122334455667788: lbu 0x%llx, lb 0x%llx",
                    (unsigned long long)u, (unsigned long long)s);
    return u == 0x88 && s == 0xffffffffffffff88ULL;
}

/* The checks that cannot stop a VM on a hypervisor without the fixes come first. */
const struct fault_check fault_checks[] = {
    {"byte store", check_byte_store},
    {"counter read from S-mode", check_counter_s},
    {"counter read from U-mode", check_counter_u},
    {"load access fault", check_load},
    {"store access fault", check_store},
    {"fetch access fault", check_fetch},
    {0},
};
