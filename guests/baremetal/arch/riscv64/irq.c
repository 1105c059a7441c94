// SPDX-License-Identifier: MIT
/* The riscv64 test guest's device interrupts: a PLIC source (RISC-V PLIC Specification 1.0.0)
 * enabled for context 0, the boot vCPU's S-mode external interrupt, claimed and completed in
 * the trap handler (traps.c). */
#include <libfdt.h>
#include "../../faults.h"
#include "../../guest.h"
#include "traps.h"

#define PLIC_PRIORITY  0x000000
#define PLIC_ENABLE    0x002000
#define PLIC_THRESHOLD 0x200000
#define PLIC_CLAIM     0x200004
#define SIE_SEIE       (1UL << 9)
#define SSTATUS_SIE    (1UL << 1)

static uint64_t plic;
static unsigned wanted;
static void (*wanted_fn)(void);

static volatile uint32_t *reg(uint64_t off)
{
    return (volatile uint32_t *)(uintptr_t)(plic + off);
}

static void on_external(void)
{
    uint32_t src;
    while ((src = *reg(PLIC_CLAIM)) != 0) {
        if (src == wanted && wanted_fn)
            wanted_fn();
        *reg(PLIC_CLAIM) = src; /* completion */
    }
}

bool guest_irq_enable(const void *fdt, unsigned irq, void (*fn)(void))
{
    int node = fdt_node_offset_by_compatible(fdt, -1, "riscv,plic0");
    const fdt64_t *r = node >= 0 ? fdt_getprop(fdt, node, "reg", NULL) : NULL;
    if (!r || irq == 0 || irq >= 1024)
        return false;
    plic = fdt64_ld(&r[0]);
    wanted = irq;
    wanted_fn = fn;
    trap_init();
    trap_irq_handler(on_external);
    *reg(PLIC_PRIORITY + 4 * irq) = 1;
    *reg(PLIC_ENABLE + 4 * (irq / 32)) |= 1U << (irq % 32);
    *reg(PLIC_THRESHOLD) = 0;
    __asm__ volatile("csrs sie, %0" ::"r"(SIE_SEIE) : "memory");
    return true;
}

/* WFI wakes on an interrupt enabled in sie whatever sstatus.SIE says (privileged spec 3.3.3):
 * it is taken in the window where SIE is set. */
void guest_irq_wait(volatile uint32_t *count, uint32_t target)
{
    while (__atomic_load_n(count, __ATOMIC_ACQUIRE) < target)
        __asm__ volatile("wfi; csrs sstatus, %0; csrc sstatus, %0" ::"r"(SSTATUS_SIE) : "memory");
}
