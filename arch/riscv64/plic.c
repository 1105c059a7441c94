// SPDX-License-Identifier: MIT
/* The host PLIC's registers (see arch/plic.h). */
#include <libfdt.h>
#include <axvm/boot.h>
#include <axvm/dt.h>
#include <axvm/spinlock.h>
#include <arch/plic.h>

#define PLIC_PRIORITY       0x000000
#define PLIC_ENABLE         0x002000
#define PLIC_ENABLE_STRIDE  0x80
#define PLIC_CONTEXT        0x200000
#define PLIC_CONTEXT_STRIDE 0x1000
#define PLIC_CONTEXT_CLAIM  4
#define PLIC_SOURCES_MAX    1024
#define IRQ_S_EXT           9 /* the S-mode external interrupt of a hart's local controller */

static uintptr_t plic_base;
static unsigned plic_nsources; /* riscv,ndev + 1 */

/* The S-mode context of each hart. */
struct hart_context {
    uint64_t hwid;
    unsigned context;
};
static struct hart_context contexts[CPU_MAX];
static unsigned context_count;
/* Enable words are shared by every source in them: read-modify-write under a lock. */
static spinlock_t enable_lock = SPINLOCK_INIT;

static volatile uint32_t *reg(uint64_t off)
{
    return (volatile uint32_t *)(plic_base + off);
}

/* Which hart a "riscv,cpu-intc" node belongs to: its parent cpu node's reg. */
static bool intc_hart(const void *fdt, uint32_t phandle, uint64_t *hwid)
{
    int intc = fdt_node_offset_by_phandle(fdt, phandle);
    int cpu = intc >= 0 ? fdt_parent_offset(fdt, intc) : -1;
    uint64_t id;
    uint64_t unused;
    if (cpu < 0 || dt_node_reg_raw(fdt, cpu, 0, &id, &unused) != 0)
        return false;
    *hwid = id;
    return true;
}

bool plic_probe(const void *fdt)
{
    static const char *const compatibles[] = {"sifive,plic-1.0.0", "riscv,plic0"};
    int node = -1;
    for (unsigned i = 0; i < ARRAY_SIZE(compatibles) && node < 0; i++)
        node = fdt_node_offset_by_compatible(fdt, -1, compatibles[i]);
    paddr_t base;
    uint64_t size;
    int len;
    const fdt32_t *ndev = node >= 0 ? fdt_getprop(fdt, node, "riscv,ndev", &len) : NULL;
    const fdt32_t *ext = node >= 0 ? fdt_getprop(fdt, node, "interrupts-extended", &len) : NULL;
    if (!ndev || !ext || dt_node_reg(fdt, node, 0, &base, &size) != 0)
        return false;
    /* Pairs of (hart interrupt controller, its interrupt number), one per context. */
    for (int i = 0; i + 1 < len / 4 && context_count < CPU_MAX; i += 2) {
        uint64_t hwid;
        if (fdt32_to_cpu(ext[i + 1]) == IRQ_S_EXT && intc_hart(fdt, fdt32_to_cpu(ext[i]), &hwid))
            contexts[context_count++] = (struct hart_context){hwid, (unsigned)(i / 2)};
    }
    plic_base = (uintptr_t)base;
    plic_nsources = MIN(fdt32_to_cpu(*ndev) + 1, PLIC_SOURCES_MAX);
    return context_count > 0;
}

unsigned plic_sources(void)
{
    return plic_nsources;
}

/* The S-mode context of hart 'hwid', or -1 if the PLIC does not reach it. */
static int context_of(uint64_t hwid)
{
    for (unsigned i = 0; i < context_count; i++)
        if (contexts[i].hwid == hwid)
            return (int)contexts[i].context;
    return -1;
}

static void enable_bit(int ctx, unsigned irq, bool on)
{
    volatile uint32_t *word = reg(PLIC_ENABLE + (uint64_t)ctx * PLIC_ENABLE_STRIDE + irq / 32 * 4);
    if (on)
        *word |= 1u << (irq % 32);
    else
        *word &= ~(1u << (irq % 32));
}

void plic_cpu_init(uint64_t hwid)
{
    int ctx = context_of(hwid);
    if (!plic_base || ctx < 0)
        return;
    for (unsigned w = 0; w < (plic_nsources + 31) / 32; w++)
        *reg(PLIC_ENABLE + (uint64_t)ctx * PLIC_ENABLE_STRIDE + w * 4) = 0;
    *reg(PLIC_CONTEXT + (uint64_t)ctx * PLIC_CONTEXT_STRIDE) = 0;
}

void plic_enable(unsigned irq, uint64_t hwid)
{
    int ctx = context_of(hwid);
    if (!plic_base || irq == 0 || irq >= plic_nsources || ctx < 0)
        return;
    *reg(PLIC_PRIORITY + irq * 4) = 1; /* above every threshold of 0 */
    unsigned long flags = spin_lock_irqsave(&enable_lock);
    enable_bit(ctx, irq, true);
    spin_unlock_irqrestore(&enable_lock, flags);
}

void plic_disable(unsigned irq)
{
    if (!plic_base || irq == 0 || irq >= plic_nsources)
        return;
    *reg(PLIC_PRIORITY + irq * 4) = 0;
    unsigned long flags = spin_lock_irqsave(&enable_lock);
    for (unsigned i = 0; i < context_count; i++)
        enable_bit((int)contexts[i].context, irq, false);
    spin_unlock_irqrestore(&enable_lock, flags);
}

unsigned plic_claim(uint64_t hwid)
{
    int ctx = context_of(hwid);
    if (!plic_base || ctx < 0)
        return 0;
    return *reg(PLIC_CONTEXT + (uint64_t)ctx * PLIC_CONTEXT_STRIDE + PLIC_CONTEXT_CLAIM);
}

void plic_complete(unsigned irq, uint64_t hwid)
{
    int ctx = context_of(hwid);
    if (!plic_base || ctx < 0)
        return;
    *reg(PLIC_CONTEXT + (uint64_t)ctx * PLIC_CONTEXT_STRIDE + PLIC_CONTEXT_CLAIM) = irq;
}
