// SPDX-License-Identifier: MIT
/*
 * The x86_64 guest-fault checks (../../faults.c runs them in this order).
 *
 * On a PC nothing answers a read of an address or port with no device behind it: the bus
 * floats high and the read returns all ones; a write goes nowhere. No exception is raised, so
 * this guest installs no handler (trap_init does nothing). A port access that runs past a
 * device's last port reaches each port on its own: the device's ports answer, the rest float.
 */
#include <libfdt.h>
#include <axvm/format.h>
#include "../../faults.h"

#define COM1     0x3f8
#define COM_LSR  5
#define COM_SCR  7
#define COM_END  (COM1 + 8) /* the first port after COM1's (size = 8 in the config) */
#define LSR_IDLE 0x60       /* THRE | TEMT: transmitter empty, no input waiting */
#define MSR_IDLE 0xb0       /* DCD, DSR, CTS (drivers/vuart/vns16550.c) */
#define UART_SCR 7

void trap_init(void) {}
void trap_expect(enum trap_resume how)
{
    (void)how;
}
struct trap_record trap_done(void)
{
    return (struct trap_record){0};
}

static uint64_t load64(uint64_t addr, uint64_t preset)
{
    uint64_t v = preset;
    __asm__ volatile("movq (%1), %0" : "+r"(v) : "r"(addr) : "memory");
    return v;
}

/* MOV r32 writes the whole register: the upper half becomes zero. */
static uint64_t load32(uint64_t addr, uint64_t preset)
{
    uint64_t v = preset;
    __asm__ volatile("movl (%1), %k0" : "+r"(v) : "r"(addr) : "memory");
    return v;
}

static bool check_load(const struct fault_env *env, char *detail, size_t size)
{
    uint64_t q = load64(env->nowhere_data, 0), l = load32(env->nowhere_data, ~0ULL);
    format_snprintf(detail, size, "movq 0x%llx, movl 0x%llx from 0x%llx", (unsigned long long)q,
                    (unsigned long long)l, (unsigned long long)env->nowhere_data);
    return q == ~0ULL && l == 0xffffffffULL;
}

/* In the same 64 KiB range as the load: the hypervisor logs the range once. */
static bool check_store(const struct fault_env *env, char *detail, size_t size)
{
    uint64_t addr = env->nowhere_data + 8;
    __asm__ volatile("movq %0, (%1)" ::"r"(0x5a5a5a5a5a5a5a5aULL), "r"(addr) : "memory");
    uint64_t back = load64(addr, 0);
    format_snprintf(detail, size, "movq 0x5a5a5a5a5a5a5a5a to 0x%llx reads back 0x%llx",
                    (unsigned long long)addr, (unsigned long long)back);
    return back == ~0ULL;
}

static uint64_t uart_base(const void *fdt)
{
    int node = fdt_node_offset_by_compatible(fdt, -1, "ns16550a");
    const fdt64_t *reg = node >= 0 ? fdt_getprop(fdt, node, "reg", NULL) : NULL;
    return reg ? fdt64_ld(&reg[0]) : 0;
}

/*
 * A byte store from a register holding a 64-bit value to a memory-mapped 16550's scratch
 * register stores its low byte. Byte loads return it: MOVZX zero-extends, MOVSX sign-extends,
 * MOV into AL leaves the rest of RAX alone. The 16550 model keeps one byte per register itself,
 * so this guards the decoding of the access rather than the core's masking (which the AArch64
 * vGIC check shows).
 */
static bool check_byte_store(const struct fault_env *env, char *detail, size_t size)
{
    uint64_t scr = uart_base(env->fdt) + UART_SCR, z, s, al = 0x1122334455667700ULL;
    if (scr == UART_SCR) {
        format_snprintf(detail, size, "no memory-mapped ns16550a in the device tree");
        return false;
    }
    __asm__ volatile("movb %b0, (%1)" ::"a"(0x1122334455667788ULL), "r"(scr) : "memory");
    __asm__ volatile("movzbq (%1), %0" : "=r"(z) : "r"(scr) : "memory");
    __asm__ volatile("movsbq (%1), %0" : "=r"(s) : "r"(scr) : "memory");
    __asm__ volatile("movb (%1), %b0" : "+a"(al) : "r"(scr) : "memory");
    format_snprintf(detail, size,
                    "UART scratch register after movb: movzbq 0x%llx, movsbq 0x%llx, "
                    "movb into rax 0x%llx",
                    (unsigned long long)z, (unsigned long long)s, (unsigned long long)al);
    return z == 0x88 && s == 0xffffffffffffff88ULL && al == 0x1122334455667788ULL;
}

static uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}

static void outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port));
}

/*
 * Port accesses straddling COM1's last port: a 4-byte read at LSR returns LSR, MSR, the
 * scratch register and the float of the port after it; a 2-byte write at the scratch register
 * changes it and drops its other byte.
 */
static bool check_port_straddle(const struct fault_env *env, char *detail, size_t size)
{
    (void)env;
    outb(COM1 + COM_SCR, 0xa5);
    uint32_t l = inl(COM1 + COM_LSR);
    outw(COM1 + COM_SCR, 0x12c3);
    uint8_t scr = inb(COM1 + COM_SCR), after = inb(COM_END);
    uint32_t want = 0xffu << 24 | 0xa5u << 16 | MSR_IDLE << 8 | LSR_IDLE;
    format_snprintf(detail, size,
                    "inl at LSR 0x%x; scratch 0x%x after outw 0x12c3, port 0x%x reads 0x%x", l, scr,
                    COM_END, after);
    return l == want && scr == 0xc3 && after == 0xff;
}

/* The checks that cannot stop a VM on a hypervisor without the fixes come first. */
const struct fault_check fault_checks[] = {
    {"byte store", check_byte_store},
    {"port straddle", check_port_straddle},
    {"load from nothing", check_load},
    {"store to nothing", check_store},
    {0},
};
