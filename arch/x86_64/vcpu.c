// SPDX-License-Identifier: MIT
/*
 * Running a vCPU under AMD SVM: the VMCB a vCPU starts from, VMRUN, and decoding #VMEXIT into
 * the core's exit description (AMD APM vol. 2, chapter 15).
 *
 * Guest boot protocol (what arch_vcpu_reset sets up, and all the guest may rely on):
 *   - 32-bit protected mode, paging off: CR0 = PE|ET, CR4 = 0, EFER = 0 as the guest sees it
 *     (SVME is set underneath, as VMRUN requires, and hidden from RDMSR);
 *   - CS = 0x10, a flat 4 GiB 32-bit code segment; DS = ES = SS = FS = GS = 0x18, flat 4 GiB
 *     read/write data (the selectors of Linux's 32-bit boot protocol). No GDT or IDT is loaded
 *     (GDTR and IDTR are empty): the guest loads its own before it reloads a segment register
 *     or enables interrupts;
 *   - EIP = the entry point, EFLAGS = 0x2 (interrupts off), EDI = the argument (the device
 *     tree's guest-physical address for the boot vCPU), every other register 0;
 *   - PAT at its power-on value; the guest's CPUID shows no SVM and the hypervisor bit set.
 * Guests that run 64-bit code switch to long mode themselves, as real kernels do: page tables,
 * CR4.PAE, EFER.LME (WRMSR, emulated), CR0.PG, a far jump to a 64-bit code segment.
 *
 * This is also Linux's 32-bit boot protocol (Documentation/arch/x86/boot.rst), which a bzImage
 * guest is entered by (arch/x86_64/linux_boot.c): for it ESI holds the zero page and EDI is 0.
 * A vCPU that the guest starts with INIT-SIPI-SIPI through its local APIC (arch/x86_64/vapic.c)
 * starts as a real CPU does after a SIPI: real mode, CS = vector << 8 with base vector << 12,
 * IP = 0, every other segment at base 0 with a 64 KiB limit.
 *
 * No NRIP save on QEMU: the length of each exiting instruction is known from its opcode
 * (VMMCALL 3, HLT 1, CPUID/RDMSR/WRMSR/INVD 2), from EXITINFO2 for IN/OUT, and from the
 * hypervisor's own decoding for MMIO.
 */
#include <string.h>
#include <axvm/arch.h>
#include <axvm/arch_vm.h>
#include <axvm/format.h>
#include <axvm/log.h>
#include <axvm/panic.h>
#include <axvm/percpu.h>
#include <axvm/vm.h>
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <arch/linux_boot.h>
#include <arch/svm.h>
#include <arch/timer.h>
#include <arch/vapic.h>
#include <arch/trap.h>
#include <arch/vcpu_exit.h>
#include <arch/vmcb.h>
#include "insn_decode.h"

#define VECTOR_UD 6
#define VECTOR_GP 13

#define BOOT_CS 0x10
#define BOOT_DS 0x18

#define RFLAGS_FIXED 0x2 /* bit 1 always reads 1 */
#define DR6_RESET    0xffff0ff0
#define DR7_RESET    0x400

#define LEN_VMMCALL 3 /* 0f 01 d9 */
#define LEN_HLT     1 /* f4 */
#define LEN_TWO     2 /* cpuid 0f a2, rdmsr 0f 32, wrmsr 0f 30, invd 0f 08 */

static const struct vmcb_seg seg_code32 = {
    .selector = BOOT_CS,
    .attrib = SEG_ATTR_TYPE(0xb) | SEG_ATTR_S | SEG_ATTR_P | SEG_ATTR_DB | SEG_ATTR_G,
    .limit = 0xffffffff,
};

static const struct vmcb_seg seg_data = {
    .selector = BOOT_DS,
    .attrib = SEG_ATTR_TYPE(0x3) | SEG_ATTR_S | SEG_ATTR_P | SEG_ATTR_DB | SEG_ATTR_G,
    .limit = 0xffffffff,
};

/* What the guest may do without the hypervisor, and what it may not (APM vol. 2 §15.9-15.13):
 * port I/O, MSRs outside the pass-through list, CPUID, HLT and the SVM instructions exit;
 * physical interrupts exit (a kick IPI must get the pCPU back); a triple fault exits instead of
 * resetting the machine. */
static void vmcb_init_control(struct vmcb_control *c, paddr_t s2_root, unsigned asid)
{
    c->intercept_misc1 = INTERCEPT_INTR | INTERCEPT_NMI | INTERCEPT_CPUID | INTERCEPT_INVD |
                         INTERCEPT_HLT | INTERCEPT_INVLPGA | INTERCEPT_IOIO | INTERCEPT_MSR |
                         INTERCEPT_SHUTDOWN;
    c->intercept_misc2 = INTERCEPT_VMRUN | INTERCEPT_VMMCALL | INTERCEPT_VMLOAD | INTERCEPT_VMSAVE |
                         INTERCEPT_STGI | INTERCEPT_CLGI | INTERCEPT_SKINIT | INTERCEPT_MONITOR |
                         INTERCEPT_MWAIT | INTERCEPT_XSETBV;
    c->iopm_base_pa = svm_iopm();
    c->msrpm_base_pa = svm_msrpm();
    c->asid = asid;
    c->int_ctl = INT_CTL_V_INTR_MASKING;
    c->nested_ctl = NESTED_CTL_NP_ENABLE;
    c->nested_cr3 = s2_root;
}

/*
 * The HLT intercept, in the vCPU's own VMCB (VMRUN reloads it: the clean bits are 0). Without it
 * the guest's HLT waits in guest mode until an interrupt (APM vol. 2 §15.21): a physical one
 * exits there (INTR intercept, taken because VMRUN runs with the host's IF set: svm_entry.S), and
 * a kick, the guest's local APIC timer (the pCPU's timer is set for its deadline before every
 * VMRUN, pcpu_timer.c) and the core's own deadlines all are physical interrupts; an interrupt
 * injected at VMRUN (EVENTINJ) or a virtual interrupt (V_IRQ) the guest can take ends the wait.
 */
void arch_vcpu_trap_idle(struct vcpu *v, bool trap)
{
    struct vmcb_control *c = &v->arch.vmcb->control;
    if (trap)
        c->intercept_misc1 |= INTERCEPT_HLT;
    else
        c->intercept_misc1 &= ~INTERCEPT_HLT;
}

/* After INIT and a SIPI: real mode at entry = vector << 12 (Intel SDM vol. 3 §9.1.1). */
static void vmcb_init_real_mode(struct vmcb_save *s, uint64_t entry)
{
    const struct vmcb_seg data16 = {.attrib = SEG_ATTR_TYPE(0x3) | SEG_ATTR_S | SEG_ATTR_P,
                                    .limit = 0xffff};
    s->cs = (struct vmcb_seg){.selector = (uint16_t)(entry >> 4),
                              .base = entry,
                              .attrib = SEG_ATTR_TYPE(0xb) | SEG_ATTR_S | SEG_ATTR_P,
                              .limit = 0xffff};
    s->ds = s->es = s->ss = s->fs = s->gs = data16;
    s->cr0 = CR0_ET;
    s->rip = 0;
}

static void vmcb_init_state(struct vmcb_save *s, uint64_t entry)
{
    s->cs = seg_code32;
    s->ds = s->es = s->ss = s->fs = s->gs = seg_data;
    s->gdtr.limit = s->idtr.limit = 0xffff;
    s->ldtr = (struct vmcb_seg){.attrib = SEG_ATTR_TYPE(0x2) | SEG_ATTR_P, .limit = 0xffff};
    s->tr = (struct vmcb_seg){.attrib = SEG_ATTR_TYPE(0xb) | SEG_ATTR_P, .limit = 0xffff};
    s->cr0 = CR0_PE | CR0_ET;
    s->efer = EFER_SVME; /* VMRUN refuses a guest without it (APM vol. 2 §15.5.1) */
    s->rflags = RFLAGS_FIXED;
    s->rip = entry;
    s->dr6 = DR6_RESET;
    s->dr7 = DR7_RESET;
    s->g_pat = PAT_POWER_ON;
}

void arch_vcpu_reset(struct vcpu *v, uint64_t entry, uint64_t arg, paddr_t s2_root, unsigned vmid)
{
    struct arch_vcpu *a = &v->arch;
    struct vmcb *vmcb = svm_vmcb((unsigned)(v->vm - vm_table), v->id);
    if (!vmcb)
        panic("vm%u vcpu%u: no VMCB for VM slot %ld", v->vm->id, v->id, (long)(v->vm - vm_table));
    memset(a, 0, sizeof(*a));
    memset(vmcb, 0, sizeof(*vmcb));
    a->vmcb = vmcb;
    fpu_reset(v);
    vmcb_init_control(&vmcb->control, s2_root, vmid);
    vmcb_init_state(&vmcb->save, entry);
    vapic_vcpu_reset(v);
    uint64_t zero_page;
    if (arg == VAPIC_SIPI_START)
        vmcb_init_real_mode(&vmcb->save, entry);
    else if (v->id == 0 && linux_boot_params(v->vm, &zero_page))
        a->regs.gpr[GPR_RSI] = zero_page;
    else
        a->regs.gpr[GPR_RDI] = arg;
}

uint64_t arch_vcpu_hwid(unsigned index)
{
    return index; /* the local APIC ID the guest's CPUID reports */
}

void vcpu_step(struct vcpu *v, unsigned bytes)
{
    if (!bytes)
        return;
    v->arch.vmcb->save.rip += bytes;
    /* The instruction is done: a MOV SS or STI shadow it started has ended with it. */
    v->arch.vmcb->control.int_state &= ~INT_STATE_SHADOW;
}

void vcpu_inject_exception(struct vcpu *v, unsigned vector, bool has_error, uint32_t error)
{
    struct vmcb_control *c = &v->arch.vmcb->control;
    c->event_inj =
        EVENT_VALID | (EVENT_TYPE_EXCEPT << 8) | vector | (has_error ? EVENT_ERROR_VALID : 0);
    c->event_inj_err = error;
}

/*
 * An event the guest was receiving when it exited (an exception whose delivery hit a nested
 * page fault, say) is lost unless injected again (APM vol. 2 §15.7.2). Software interrupts and
 * INT3/INTO are not: RIP is still at the instruction, which raises them again.
 */
static void vcpu_requeue_event(struct vmcb_control *c)
{
    uint32_t info = c->exit_int_info;
    c->event_inj = 0;
    if (!(info & EVENT_VALID))
        return;
    unsigned type = EVENT_TYPE(info), vector = EVENT_VECTOR(info);
    if (type == EVENT_TYPE_SOFT || (type == EVENT_TYPE_EXCEPT && (vector == 3 || vector == 4)))
        return;
    c->event_inj = info;
    c->event_inj_err = c->exit_int_info_err;
}

/* IN/OUT (APM vol. 2 §15.10.2): EXITINFO1 describes the access, EXITINFO2 is the next RIP. */
static void ioio_decode(struct vcpu *v, struct vcpu_exit *e)
{
    const struct vmcb_control *c = &v->arch.vmcb->control;
    uint64_t info = c->exit_info1;
    if (info & IOIO_STRING) {
        exit_fatal(e, IOIO_PORT(info), "string I/O (INS/OUTS) on port 0x%llx is not emulated",
                   IOIO_PORT(info), 0);
        return;
    }
    e->kind = EXIT_PIO;
    e->pio.port = IOIO_PORT(info);
    e->pio.width = IOIO_SIZE(info);
    e->pio.write = !(info & IOIO_IN);
    if (e->pio.write)
        e->pio.value = x86_reg_read(v->arch.regs.gpr[GPR_RAX], e->pio.width, false);
    e->insn_len = (unsigned)(c->exit_info2 - v->arch.vmcb->save.rip);
}

/* RDMSR/WRMSR: ECX names the MSR, EDX:EAX is the value; EXITINFO1 is 1 for a write. */
static void msr_exit(struct vcpu *v, struct vcpu_exit *e)
{
    uint64_t *r = v->arch.regs.gpr;
    uint32_t msr = (uint32_t)r[GPR_RCX];
    bool write = v->arch.vmcb->control.exit_info1 & 1;
    bool ok;
    e->kind = EXIT_NONE;
    if (write) {
        ok = msr_guest_write(v, msr, (r[GPR_RDX] << 32) | (uint32_t)r[GPR_RAX]);
    } else {
        uint64_t value = 0;
        ok = msr_guest_read(v, msr, &value);
        if (ok) {
            r[GPR_RAX] = (uint32_t)value;
            r[GPR_RDX] = value >> 32;
        }
    }
    if (ok) {
        e->insn_len = LEN_TWO;
        return;
    }
    log_debug("vm%u vcpu%u: %s of MSR 0x%x: #GP", v->vm->id, v->id, write ? "WRMSR" : "RDMSR", msr);
    vcpu_inject_exception(v, VECTOR_GP, true, 0);
}

/* A physical interrupt (or NMI) made the guest exit; it is still pending. Let the host's IDT
 * take it now: STI's shadow covers the NOP, so it arrives before the CLI. */
static void vcpu_take_interrupts(void)
{
    __asm__ volatile("sti; nop; cli" ::: "memory");
}

void arch_vcpu_run(struct vcpu *v, struct vcpu_exit *e)
{
    struct arch_vcpu *a = &v->arch;
    struct vmcb *vmcb = a->vmcb;
    struct vmcb_control *c = &vmcb->control;

    unsigned long flags = arch_irq_save();
    inject_prepare(v);
    timer_guest_deadline(vapic_timer_deadline(v));
    npt_prepare_run(vmcb);
    vmcb->save.rax = a->regs.gpr[GPR_RAX];
    vmcb->save.rsp = a->regs.gpr[GPR_RSP];
    c->clean = 0; /* the hypervisor may have changed anything: let VMRUN reload it all */
    svm_run(&a->regs, ptr_to_phys(vmcb), arch_this_cpu()->arch.svm_host_area);
    a->regs.gpr[GPR_RAX] = vmcb->save.rax;
    a->regs.gpr[GPR_RSP] = vmcb->save.rsp;
    vcpu_requeue_event(c);
    if (c->exit_code == SVM_EXIT_INTR || c->exit_code == SVM_EXIT_NMI)
        vcpu_take_interrupts();
    arch_irq_restore(flags);

    exit_init(e, vmcb->save.rip);

    switch (c->exit_code) {
    case SVM_EXIT_INTR:
    case SVM_EXIT_NMI:
        /* A kick. A panic on another CPU kicks too, and this CPU must stop for it. */
        if (panic_in_progress())
            panic_halt_self();
        e->kind = EXIT_NONE;
        return;
    case SVM_EXIT_VINTR:
        /* The guest can take interrupts now: the next entry injects (inject.c). */
        e->kind = EXIT_NONE;
        return;
    case SVM_EXIT_NPF:
        npf_decode(v, e);
        return;
    case SVM_EXIT_IOIO:
        ioio_decode(v, e);
        return;
    case SVM_EXIT_VMMCALL:
        e->kind = EXIT_HYPERCALL;
        e->hcall.nr = a->regs.gpr[GPR_RAX];
        e->hcall.args[0] = a->regs.gpr[GPR_RDI];
        e->hcall.args[1] = a->regs.gpr[GPR_RSI];
        e->hcall.args[2] = a->regs.gpr[GPR_RDX];
        e->hcall.args[3] = a->regs.gpr[GPR_RCX];
        e->insn_len = LEN_VMMCALL;
        return;
    case SVM_EXIT_HLT:
        e->kind = EXIT_HALT;
        e->insn_len = LEN_HLT;
        return;
    case SVM_EXIT_CPUID:
        cpuid_guest(v);
        e->insn_len = LEN_TWO;
        e->kind = EXIT_NONE;
        return;
    case SVM_EXIT_MSR:
        msr_exit(v, e);
        return;
    case SVM_EXIT_INVD:
        /* Dropping caches without writing them back would lose the host's data too: do
         * nothing, as if the caches were clean. */
        e->insn_len = LEN_TWO;
        e->kind = EXIT_NONE;
        return;
    case SVM_EXIT_VMRUN:
    case SVM_EXIT_VMLOAD:
    case SVM_EXIT_VMSAVE:
    case SVM_EXIT_STGI:
    case SVM_EXIT_CLGI:
    case SVM_EXIT_SKINIT:
    case SVM_EXIT_INVLPGA:
    case SVM_EXIT_MONITOR:
    case SVM_EXIT_MWAIT:
    case SVM_EXIT_XSETBV:
        /* The guest's CPUID shows no SVM, MONITOR or XSAVE: these do not exist for it. */
        vcpu_inject_exception(v, VECTOR_UD, false, 0);
        e->kind = EXIT_NONE;
        return;
    case SVM_EXIT_SHUTDOWN:
        exit_fatal(e, 0, "triple fault (shutdown)", 0, 0);
        return;
    case SVM_EXIT_INVALID:
        exit_fatal(e, 0, "VMRUN refused the vCPU's state (VMEXIT_INVALID)", 0, 0);
        return;
    default:
        exit_fatal(e, c->exit_info2, "unhandled SVM exit 0x%llx (EXITINFO1 0x%llx)", c->exit_code,
                   c->exit_info1);
        return;
    }
}

void arch_vcpu_complete(struct vcpu *v, const struct vcpu_exit *e)
{
    uint64_t *r = v->arch.regs.gpr;
    switch (e->kind) {
    case EXIT_MMIO:
        if (!e->mmio.write) {
            uint64_t value = e->mmio.value;
            if (!e->mmio.sign_extend)
                value = x86_reg_read(value, e->mmio.width, false);
            r[e->mmio.reg] =
                x86_reg_write(r[e->mmio.reg], value, v->arch.load_width, v->arch.load_high8);
        }
        break;
    case EXIT_PIO:
        if (!e->pio.write)
            r[GPR_RAX] = x86_reg_write(r[GPR_RAX], e->pio.value, e->pio.width, false);
        break;
    case EXIT_HYPERCALL:
        r[GPR_RAX] = (uint64_t)e->hcall.ret;
        break;
    case EXIT_CPU_ON:
        r[GPR_RAX] = (uint64_t)e->cpu_on.ret;
        break;
    default:
        break;
    }
    vcpu_step(v, e->insn_len);
}

/* The VMCB is in memory and switched by VMRUN; what VMRUN leaves alone is the x87/SSE state. */
void arch_vcpu_load(struct vcpu *v)
{
    fpu_load(v);
}

void arch_vcpu_put(struct vcpu *v)
{
    fpu_save(v);
}

/* The local APIC's timer is the vCPU's own wake-up source; its other interrupts are the
 * interrupt controller's (vm->intc). A VM without one has nothing to wait for: HLT yields. */
bool arch_vcpu_event_pending(struct vcpu *v)
{
    return !v->vm->intc.ops || (inject_interruptible(v) && vapic_timer_due(v));
}

uint64_t arch_vcpu_timer_deadline(struct vcpu *v)
{
    /* With interrupts off the timer cannot end the HLT: nothing to wake up for. */
    return v->vm->intc.ops && inject_interruptible(v) ? vapic_timer_deadline(v) : ~0ULL;
}

void arch_cpu_kick(unsigned pcpu)
{
    struct percpu *cpu = percpu_get(pcpu);
    if (cpu == arch_this_cpu())
        return; /* this CPU is not in guest mode: it is running this code */
    /* A fixed interrupt: in guest mode it is an INTR exit, in hlt a wake-up. */
    lapic_send_ipi((uint32_t)cpu->hwid, ICR_FIXED | VECTOR_KICK);
}
