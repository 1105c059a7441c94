// SPDX-License-Identifier: MIT
/*
 * Running a vCPU in VS-mode under HS-mode (RISC-V Privileged Architecture 20211203, chapter 8):
 * switching its state onto the hart, entering, and decoding why it came back.
 *
 * Per entry: through guest_enter, sepc, sstatus, hstatus and the GPRs; hvip.VSEIP while the
 * vPLIC's line for this vCPU is up. Per load (the core's vcpu_load, when the vCPU takes the
 * hart): hgatp, henvcfg, the VS-level CSRs, hvip, vstimecmp and the FPU registers, which
 * nothing but the guest changes while it stays loaded.
 *
 * The guest's timer is Sstc's vstimecmp (henvcfg.STCE): the guest writes stimecmp and takes
 * VSTIP without an exit. Harts without Sstc serve SBI set_timer with the HS timer and
 * hvip.VSTIP instead (arch/riscv64/timer.c). QEMU 7.2 does not show that VSTIP in the guest's sip
 * (it does in hip), which only matters to software that polls sip.STIP; Linux takes the interrupt
 * by its cause. The hypervisor never reads the bit either: a halted vCPU's timer is its vstimecmp
 * against the time CSR (arch_vcpu_timer_deadline).
 */
#include <string.h>
#include <arch/csr.h>
#include <arch/irq.h>
#include <arch/sbi.h>
#include <arch/stage2.h>
#include <arch/timer.h>
#include <arch/virt.h>
#include <arch/vcpu_exit.h>
#include <arch/vplic.h>
#include <axvm/arch.h>
#include <axvm/arch_vm.h>
#include <axvm/format.h>
#include <axvm/log.h>
#include <axvm/vm.h>
#include <axvm/percpu.h>
#include <axvm/vcpu.h>

_Static_assert(offsetof(struct guest_regs, x) == GUEST_REGS_X(0), "asm offset");
_Static_assert(offsetof(struct guest_regs, sepc) == GUEST_REGS_SEPC, "asm offset");
_Static_assert(offsetof(struct guest_regs, sstatus) == GUEST_REGS_SSTATUS, "asm offset");
_Static_assert(offsetof(struct guest_regs, hstatus) == GUEST_REGS_HSTATUS, "asm offset");
_Static_assert(offsetof(struct guest_regs, scause) == GUEST_REGS_SCAUSE, "asm offset");
_Static_assert(offsetof(struct guest_regs, stval) == GUEST_REGS_STVAL, "asm offset");
_Static_assert(offsetof(struct guest_regs, htval) == GUEST_REGS_HTVAL, "asm offset");
_Static_assert(offsetof(struct guest_regs, htinst) == GUEST_REGS_HTINST, "asm offset");

#define INSN_WFI 0x10500073u

/*
 * hstatus.VTW, loaded at every entry with the rest of hstatus. Without it a VS-mode WFI is the
 * guest's own (Privileged spec 8.2.1): the hart waits in the guest until an interrupt is pending
 * and enabled in mip/mie, whatever the mode or delegation (3.3.3). That covers everything for the
 * guest: its Sstc timer raises VSTIP directly; the hypervisor's timer, kicks (supervisor software
 * interrupts) and host PLIC interrupts are HS interrupts, always taken from VS-mode, and the exit
 * sets hvip for the next entry, which then ends (or skips) the wait. mstatus.TW must be 0 for
 * this, or a VS-mode WFI would be an illegal instruction for M-mode: OpenSBI leaves it 0, which
 * the hypervisor's own WFI in HS-mode (arch_wait_for_event) relies on too.
 */
void arch_vcpu_trap_idle(struct vcpu *v, bool trap)
{
    if (trap)
        v->arch.regs.hstatus |= HSTATUS_VTW;
    else
        v->arch.regs.hstatus &= ~HSTATUS_VTW;
}

uint64_t arch_vcpu_hwid(unsigned index)
{
    return index; /* hart id */
}

void arch_vcpu_reset(struct vcpu *v, uint64_t entry, uint64_t arg, paddr_t s2_root, unsigned vmid)
{
    struct arch_vcpu *a = &v->arch;
    memset(a, 0, sizeof(*a));
    /* The SBI boot protocol (HSM hart_start, 9.1; Linux riscv boot.rst): a0 = hart id,
     * a1 = device tree or opaque, satp = 0 (vsatp here), interrupts off. */
    a->regs.x[10] = v->hwid;
    a->regs.x[11] = arg;
    a->regs.sepc = entry;
    /* SRET lands in VS-mode (SPV = 1, SPP = 1); HS's FS must be on for VS-mode to use the FPU
     * (8.2.11: both sstatus.FS and vsstatus.FS gate it). */
    a->regs.sstatus = SSTATUS_SPP | (riscv_have_fpu ? SSTATUS_FS_INITIAL : 0);
    /* SPVP = 1: the guest's privilege for HLVX; VTW: WFI traps as a virtual instruction
     * (8.2.1), which the scheduler sees as a halt. */
    a->regs.hstatus = HSTATUS_VSXL_64 | HSTATUS_VTW | HSTATUS_SPV | HSTATUS_SPVP;
    a->vs.vsstatus = VSSTATUS_UXL_64;
    a->vs.scounteren = riscv_scounteren_reset;
    a->vs.vstimecmp = ~0ULL; /* no timer interrupt until the guest sets one */
    a->sbi_timer = ~0ULL;
    a->hgatp = stage2_hgatp(s2_root, vmid);
    a->vmid = vmid;
    a->vplic = vplic_of(v->vm);
}

static void vs_save(struct vs_csrs *c)
{
    c->vsstatus = csr_read(vsstatus);
    c->vsie = csr_read(vsie);
    c->vstvec = csr_read(vstvec);
    c->vsscratch = csr_read(vsscratch);
    c->vsepc = csr_read(vsepc);
    c->vscause = csr_read(vscause);
    c->vstval = csr_read(vstval);
    c->vsatp = csr_read(vsatp);
    c->hvip = csr_read(hvip);
    c->scounteren = csr_read(scounteren);
    if (riscv_have_sstc) /* the CSR exists only with Sstc */
        c->vstimecmp = csr_read(vstimecmp);
}

static void vs_load(const struct vs_csrs *c)
{
    csr_write(vsstatus, c->vsstatus);
    csr_write(vsie, c->vsie);
    csr_write(vstvec, c->vstvec);
    csr_write(vsscratch, c->vsscratch);
    csr_write(vsepc, c->vsepc);
    csr_write(vscause, c->vscause);
    csr_write(vstval, c->vstval);
    csr_write(vsatp, c->vsatp);
    csr_write(scounteren, c->scounteren);
    csr_write(hvip, c->hvip);
    if (riscv_have_sstc)
        csr_write(vstimecmp, c->vstimecmp);
}

/* Make this hart's VS-level state the vCPU's (the core's vcpu_load). */
void arch_vcpu_load(struct vcpu *v)
{
    csr_write(hgatp, v->arch.hgatp);
    csr_write(henvcfg, riscv_have_sstc ? HENVCFG_STCE : 0);
    vs_load(&v->arch.vs);
    if (riscv_have_fpu)
        fpu_load(&v->arch.fpu);
    /*
     * VS-stage TLB entries are tagged by VMID and the guest's ASID only: another vCPU of the
     * same VM, or this one before its reset, may have left some for a different vsatp.
     * HFENCE.VVMA acts on the VMID in hgatp, written above (8.3.2).
     */
    __asm__ volatile(".option push\n.option arch, +h\nhfence.vvma\n.option pop" ::: "memory");
    /* The vCPU may run code another hart has just written (the image, at VM creation):
     * instruction fetches see those stores only after a FENCE.I on this hart (Unprivileged
     * spec, "Zifencei"). */
    __asm__ volatile("fence.i" ::: "memory");
}

void arch_vcpu_put(struct vcpu *v)
{
    vs_save(&v->arch.vs);
    /* The FPU registers changed only if the guest dirtied them since it was loaded (FS in the
     * sstatus it runs with, 3.1.6.6); saved, they are clean again. */
    uint64_t *sstatus = &v->arch.regs.sstatus;
    if (riscv_have_fpu && (*sstatus & SSTATUS_FS) == SSTATUS_FS_DIRTY) {
        fpu_save(&v->arch.fpu);
        *sstatus = (*sstatus & ~SSTATUS_FS) | SSTATUS_FS_CLEAN;
    }
    /* Its timer and interrupts must not reach the next vCPU on this hart, nor end the hart's
     * wfi while none is loaded (vsie is hie's VS bits). */
    csr_write(hvip, 0);
    csr_write(vsie, 0);
    if (riscv_have_sstc)
        csr_write(vstimecmp, ~0ULL);
}

uint64_t vcpu_guest_sie(struct vcpu *v)
{
    return arch_this_cpu()->vcpu_loaded == v ? csr_read(vsie) : v->arch.vs.vsie;
}

/*
 * Hart-local wake-ups, as the hardware would end the guest's WFI (3.3.3): a VS interrupt pending
 * (a loaded vCPU's hvip live, another's as saved, and what other vCPUs have asked for) or its
 * timer due, and enabled in its sie. The vPLIC's line is asked separately (struct vintc).
 */
bool arch_vcpu_event_pending(struct vcpu *v)
{
    bool loaded = arch_this_cpu()->vcpu_loaded == v;
    uint64_t hvip = loaded ? csr_read(hvip) : v->arch.vs.hvip;
    hvip |= __atomic_load_n(&v->arch.pending_hvip, __ATOMIC_ACQUIRE);
    /* hvip's VS bits sit one above the matching sie bits (VSSIP 2 / SSIE 1, VSTIP 6 / STIE 5). */
    uint64_t sie = vcpu_guest_sie(v);
    if ((hvip >> 1) & sie & (SIP_SSIP | SIP_STIP))
        return true;
    return arch_vcpu_timer_deadline(v) <= arch_counter_read();
}

/* Only an enabled timer counts: a deadline whose interrupt the guest masks would wake the pCPU
 * for nothing, and again at once, forever. */
uint64_t arch_vcpu_timer_deadline(struct vcpu *v)
{
    if (!(vcpu_guest_sie(v) & SIP_STIP))
        return ~0ULL;
    if (!riscv_have_sstc)
        return timer_guest_deadline(v);
    /* htimedelta is 0: vstimecmp compares against the time CSR that arch_counter_read reads. */
    bool loaded = arch_this_cpu()->vcpu_loaded == v;
    return loaded ? csr_read(vstimecmp) : v->arch.vs.vstimecmp;
}

/* An interrupt for HS-mode arrived while the guest ran. */
static void exit_interrupt(struct vcpu_exit *e, uint64_t code)
{
    if (code == IRQ_S_SOFT) {
        /* An IPI (arch_cpu_kick, arch_cpu_kick_all): its job was to get us out of guest mode,
         * where sie.SSIE makes it trap since SSIP is not delegated (8.2.4). */
        csr_clear(sip, SIP_SSIP);
        e->kind = EXIT_NONE;
        return;
    }
    if (code == IRQ_S_TIMER) {
        /* This hart's one-shot timer: a time slice is over, or (without Sstc) the guest's. */
        timer_expired();
        e->kind = EXIT_NONE;
        return;
    }
    if (code == IRQ_S_EXT) {
        /* A host interrupt: console input, or a passthrough device's for some VM. */
        irq_dispatch();
        e->kind = EXIT_NONE;
        return;
    }
    exit_fatal(e, 0, "unexpected interrupt %llu for the hypervisor while in the guest", code, 0);
}

/* Virtual instruction exception (8.6.1): with hstatus.VTW = 1, WFI is one of them. */
static void exit_virtual_insn(struct vcpu *v, struct vcpu_exit *e)
{
    /* stval holds the instruction on harts that report it; otherwise read it. */
    uint32_t insn = (uint32_t)v->arch.regs.stval;
    if (!insn && !vcpu_fetch_insn(v, &insn))
        insn = 0;
    if (insn == INSN_WFI) {
        e->kind = EXIT_HALT;
        e->insn_len = 4;
        return;
    }
    /* Anything else (a counter the guest's U-mode may not read, an H instruction): what a hart
     * without the H extension would raise. */
    log_debug("vm%u vcpu%u: virtual instruction 0x%08x at 0x%llx: illegal instruction injected",
              v->vm->id, v->id, insn, (unsigned long long)v->arch.regs.sepc);
    vcpu_inject_exception(v, EXC_ILLEGAL_INSN, insn);
    e->kind = EXIT_NONE;
}

void arch_vcpu_run(struct vcpu *v, struct vcpu_exit *e)
{
    struct guest_regs *r = &v->arch.regs;
    vcpu_remote_serve(v);
    if (v->arch.fence_pending) {
        stage2_fence_local(v->arch.fence_gpa, v->arch.vmid);
        v->arch.fence_pending = false;
    }
    /* The vPLIC's line, sampled now: a change after this kicks the hart (sched_wake), and the
     * pending kick takes the guest out again at once. */
    if (v->arch.vplic && vplic_line(v))
        csr_set(hvip, HIP_VSEIP);
    timer_guest_enter(v);
    v->arch.hsm_suspended = false;
    guest_enter(r);
    /* Only while in the guest: outside, the line is the vPLIC's to tell. */
    csr_clear(hvip, HIP_VSEIP);

    exit_init(e, r->sepc);

    if (r->scause & SCAUSE_INTERRUPT) {
        exit_interrupt(e, r->scause & ~SCAUSE_INTERRUPT);
        return;
    }
    switch (r->scause) {
    case EXC_ECALL_VS:
        vcpu_sbi_call(v, e);
        return;
    case EXC_INSN_GUEST_PAGE_FAULT:
    case EXC_LOAD_GUEST_PAGE_FAULT:
    case EXC_STORE_GUEST_PAGE_FAULT:
        vcpu_guest_page_fault(v, e);
        return;
    case EXC_VIRTUAL_INSN:
        exit_virtual_insn(v, e);
        return;
    case EXC_INSN_ACCESS:
    case EXC_LOAD_ACCESS:
    case EXC_STORE_ACCESS:
        exit_fatal(e, r->stval, "access fault (scause %llu) at guest address 0x%llx", r->scause,
                   r->stval);
        return;
    default:
        exit_fatal(e, r->stval, "unhandled exception from the guest (scause %llu, stval 0x%llx)",
                   r->scause, r->stval);
        return;
    }
}

void arch_vcpu_complete(struct vcpu *v, const struct vcpu_exit *e)
{
    struct guest_regs *r = &v->arch.regs;
    switch (e->kind) {
    case EXIT_MMIO:
        if (!e->mmio.write && e->mmio.reg != 0)
            r->x[e->mmio.reg] = e->mmio.value;
        break;
    case EXIT_HYPERCALL:
    case EXIT_CPU_ON:
        vcpu_sbi_complete(v, e);
        break;
    default:
        break;
    }
    r->sepc += e->insn_len;
}

void arch_cpu_kick(unsigned pcpu)
{
    /* A supervisor software interrupt: wakes the hart from wfi, or takes it out of guest mode
     * (exit_interrupt). Nothing to do for the calling hart, which is in the hypervisor. */
    struct percpu *self = arch_this_cpu();
    if (pcpu < percpu_count && pcpu != self->index && percpu_get(pcpu)->online)
        sbi_send_ipi(percpu_get(pcpu)->hwid);
}
