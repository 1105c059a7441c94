// SPDX-License-Identifier: MIT
/*
 * Per-hart setup of the H extension before the hart runs guests (Privileged spec chapter 8):
 * which traps and interrupts go straight to the guest, which counters it may read, Sstc for
 * its timer, and the G-stage probe.
 */
#include <axvm/arch_vm.h>
#include <arch/csr.h>
#include <arch/irq.h>
#include <arch/stage2.h>
#include <arch/virt.h>

/*
 * Exceptions from VS/VU-mode the guest handles itself (hedeleg, 8.2.2): misaligned fetch,
 * illegal instruction, breakpoint, misaligned load/store (if the firmware lets them reach
 * S-mode at all), ECALL from VU-mode (its own system calls), and its own page faults. ECALL
 * from VS-mode (the SBI), guest-page faults and virtual instructions cannot be delegated
 * (bits 10 and 20-23 are read-only zero); access faults stay with the hypervisor too.
 */
#define HEDELEG_GUEST                                                                              \
    ((1UL << EXC_INSN_MISALIGNED) | (1UL << EXC_ILLEGAL_INSN) | (1UL << EXC_BREAKPOINT) |          \
     (1UL << EXC_LOAD_MISALIGNED) | (1UL << EXC_STORE_MISALIGNED) | (1UL << EXC_ECALL_U) |         \
     (1UL << EXC_INSN_PAGE_FAULT) | (1UL << EXC_LOAD_PAGE_FAULT) | (1UL << EXC_STORE_PAGE_FAULT))

/* The VS-level interrupts are the guest's (hideleg, 8.2.4): they arrive as its S-level ones. */
#define HIDELEG_GUEST (HIP_VSSIP | HIP_VSTIP | HIP_VSEIP)

/* cycle, time and instret readable from VS/VU-mode (hcounteren, 8.2.6). */
#define HCOUNTEREN_GUEST 0x7UL

bool riscv_have_fpu = true;
bool riscv_have_sstc;            /* from the device tree at boot (arch/riscv64/boot.c) */
uint64_t riscv_scounteren_reset; /* what the firmware left in scounteren (OpenSBI: 7) */

int arch_virt_cpu_init(void)
{
    /* A guest starts with scounteren as the firmware leaves it for a supervisor: Linux relies
     * on U-mode reading time without setting it (vDSO). */
    riscv_scounteren_reset = csr_read(scounteren);
    csr_write(hedeleg, HEDELEG_GUEST);
    csr_write(hideleg, HIDELEG_GUEST);
    csr_write(hcounteren, HCOUNTEREN_GUEST);
    csr_write(htimedelta, 0); /* guest time = host time: the same timebase-frequency */
    csr_write(hvip, 0);
    csr_write(hgeie, 0);
    csr_write(hstatus, HSTATUS_VSXL_64);

    /* Sstc: with STCE, VS-mode's stimecmp is vstimecmp and raises VSTIP on its own (8.2.5):
     * the guest timer costs no exit. Without it (on any hart) the SBI's set_timer is served
     * with the hypervisor's timer and hvip.VSTIP (arch/riscv64/timer.c). */
    if (riscv_have_sstc)
        csr_set(henvcfg, HENVCFG_STCE);
    if (!(csr_read(henvcfg) & HENVCFG_STCE))
        riscv_have_sstc = false;

    /* FS must not be Off for VS-mode to use the FPU, and for fpu.S to switch it (8.2.11). */
    csr_set(sstatus, SSTATUS_FS_INITIAL);
    if (!(csr_read(sstatus) & SSTATUS_FS))
        riscv_have_fpu = false;

    int err = stage2_cpu_init();
    if (!err)
        irq_cpu_init(); /* host interrupts: the hart may be in a guest when they come */
    return err;
}
