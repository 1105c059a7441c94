// SPDX-License-Identifier: MIT
/* Exceptions taken at EL2. For now every one of them is the hypervisor's own fault. */
#include <arch/trap.h>
#include <axvm/format.h>
#include <axvm/panic.h>

static const char *const kind_names[4] = {"EL2 with SP0", "EL2", "EL1 (AArch64)", "EL1 (AArch32)"};
static const char *const type_names[4] = {"synchronous", "IRQ", "FIQ", "SError"};

static const char *ec_name(unsigned ec)
{
    switch (ec) {
    case EC_UNKNOWN:
        return "unknown/undefined instruction";
    case EC_HVC64:
        return "HVC";
    case EC_SMC64:
        return "SMC";
    case EC_SYSREG:
        return "system register access";
    case EC_IABT_LOWER:
    case EC_IABT_CUR:
        return "instruction abort";
    case EC_PC_ALIGN:
        return "PC alignment fault";
    case EC_DABT_LOWER:
    case EC_DABT_CUR:
        return "data abort";
    case EC_SP_ALIGN:
        return "SP alignment fault";
    case EC_SERROR:
        return "SError";
    case EC_BRK64:
        return "BRK";
    default:
        return "exception";
    }
}

static bool ec_has_far(unsigned ec)
{
    return ec == EC_IABT_LOWER || ec == EC_IABT_CUR || ec == EC_DABT_LOWER || ec == EC_DABT_CUR ||
           ec == EC_PC_ALIGN;
}

static void trap_dump(uint64_t kind, const struct trap_frame *f)
{
    static const char *const xnames[31] = {"x0",  "x1",  "x2",  "x3",  "x4",  "x5",  "x6",  "x7",
                                           "x8",  "x9",  "x10", "x11", "x12", "x13", "x14", "x15",
                                           "x16", "x17", "x18", "x19", "x20", "x21", "x22", "x23",
                                           "x24", "x25", "x26", "x27", "x28", "x29", "lr"};
    struct panic_reg regs[36];
    unsigned n = 0;
    for (unsigned i = 0; i < 31; i++)
        regs[n++] = (struct panic_reg){xnames[i], f->x[i]};
    regs[n++] = (struct panic_reg){"sp", f->sp};
    regs[n++] = (struct panic_reg){"elr", f->elr};
    regs[n++] = (struct panic_reg){"spsr", f->spsr};
    regs[n++] = (struct panic_reg){"esr", f->esr};
    regs[n++] = (struct panic_reg){"far", f->far};

    unsigned ec = ESR_EC(f->esr);
    bool sync = (kind & 3) == 0;
    char what[128];
    format_snprintf(what, sizeof(what), "%s %s from %s (ESR 0x%08llx)", type_names[kind & 3],
                    sync ? ec_name(ec) : "exception", kind_names[(kind >> 2) & 3],
                    (unsigned long long)f->esr);
    panic_exception_header(what, f->elr, sync && ec_has_far(ec), f->far);
    panic_print_regs(regs, n);
}

void arch_trap(uint64_t kind, struct trap_frame *f)
{
    panic_begin();
    trap_dump(kind, f);
    panic_end();
}
