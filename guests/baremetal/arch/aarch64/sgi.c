// SPDX-License-Identifier: MIT
/*
 * "sgirepend": an SGI sent again while its target is still in the handler of the first must be
 * taken once that handler ends, with the target then waiting in WFI, as on a GIC (the second
 * makes the interrupt pending and active, IHI 0069 4.1.2). vCPU 1 takes SGI 1 and holds it
 * active until vCPU 0 has sent the second; vCPU 0 then waits, reading only the counter (no
 * exit of its own), for vCPU 1 to have taken both. Under axvm the target vCPU idles in its own
 * WFI when it has its pCPU to itself: nothing but the interrupt can bring it back.
 */
#include <libfdt.h>
#include "../../faults.h"
#include "../../guest.h"
#include "gic.h"
#include "traps.h"

#define SGI_ID       1
#define GICD_SGIR    0x0f00
#define WAIT_SECONDS 10

static const void *sgi_fdt;
static volatile uint32_t ready, in_handler, second_sent, taken, receiver_failed;

static void on_sgi(unsigned intid)
{
    if (intid != SGI_ID)
        return;
    if (__atomic_add_fetch(&taken, 1, __ATOMIC_ACQ_REL) == 1) {
        __atomic_store_n(&in_handler, 1, __ATOMIC_RELEASE);
        while (!__atomic_load_n(&second_sent, __ATOMIC_ACQUIRE))
            ; /* SGI 1 stays active meanwhile */
    }
}

static void receiver(void)
{
    trap_init();
    if (!gic_cpu_init(sgi_fdt, 1U << SGI_ID))
        __atomic_store_n(&receiver_failed, 1, __ATOMIC_RELEASE);
    trap_irq_handler(on_sgi);
    __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
    guest_irq_wait(&taken, 2);
    for (;;)
        __asm__ volatile("wfi");
}

/* SGI 'sgi' to the vCPU with affinity 0.0.0.'aff0' (ICC_SGI1R_EL1, or GICD_SGIR on a GICv2). */
static void sgi_send(unsigned aff0, unsigned sgi)
{
    uint64_t gicd, gicr;
    gic_find(sgi_fdt, &gicd, &gicr);
    if (gic_is_v2()) {
        *(volatile uint32_t *)(uintptr_t)(gicd + GICD_SGIR) = (1U << (16 + aff0)) | sgi;
        return;
    }
    uint64_t v = ((uint64_t)sgi << 24) | (1U << aff0);
    __asm__ volatile("msr icc_sgi1r_el1, %0; isb" ::"r"(v) : "memory");
}

/* Until *flag is set or 'hz' * WAIT_SECONDS ticks have passed. */
static bool wait_for(volatile uint32_t *flag, uint32_t value, uint64_t hz)
{
    uint64_t until = guest_cycles() + hz * WAIT_SECONDS;
    while (__atomic_load_n(flag, __ATOMIC_ACQUIRE) < value)
        if (guest_cycles() > until)
            return false;
    return true;
}

void sgi_repend_run(const void *fdt, uint64_t hz)
{
    sgi_fdt = fdt;
    uint64_t gicd, gicr;
    if (!gic_find(fdt, &gicd, &gicr) || !hz) {
        guest_printf("guest: SGI FAILED: no GIC or no counter\n");
        return;
    }
    guest_secondary_job = receiver;
    if (guest_cpu_on(1, 1) != 0) {
        guest_printf("guest: SGI FAILED: vcpu1 did not start\n");
        return;
    }
    if (!wait_for(&ready, 1, hz) || receiver_failed) {
        guest_printf("guest: SGI FAILED: vcpu1 did not get its GIC ready\n");
        return;
    }
    sgi_send(1, SGI_ID);
    if (!wait_for(&in_handler, 1, hz)) {
        guest_printf("guest: SGI FAILED: the first SGI was not taken\n");
        return;
    }
    sgi_send(1, SGI_ID);
    __atomic_store_n(&second_sent, 1, __ATOMIC_RELEASE);
    if (!wait_for(&taken, 2, hz)) {
        guest_printf("guest: SGI FAILED: the SGI sent during the handler was not taken within "
                     "%u s (%u taken)\n",
                     WAIT_SECONDS, (unsigned)taken);
        return;
    }
    guest_printf("guest: sgi re-pend ok: the SGI sent during its handler was taken after it\n");
}
