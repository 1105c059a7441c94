// SPDX-License-Identifier: MIT
/* Running a vCPU at EL1 under EL2: state switching, entry, and decoding exits (ESR_EL2). */
#include <string.h>
#include <arch/psci.h>
#include <arch/sysreg.h>
#include <arch/trap.h>
#include <arch/vcpu_exit.h>
#include <arch/irq.h>
#include <arch/vgic.h>
#include <drivers/gic.h>
#include <axvm/console.h>
#include <axvm/vdev.h>
#include <axvm/arch.h>
#include <axvm/arch_vm.h>
#include <axvm/format.h>
#include <axvm/hypercall.h>
#include <axvm/log.h>
#include <axvm/vm.h>
#include <axvm/percpu.h>
#include <axvm/vcpu.h>

/* HCR_EL2: stage 2 on, set/way as clean+invalidate, physical FIQ/IRQ/SError to EL2, trap SMC
 * and WFI, EL1 is AArch64. */
#define HCR_GUEST 0x8008203bULL
#define HCR_TWI   (1ULL << 13)
/* VTCR_EL2: 40-bit IPA, 4K granule, start at level 1, inner-shareable write-back walks, 40-bit
 * PA. */
#define VTCR_GUEST 0x80023558ULL
/* EL1h with DAIF masked: the state a kernel is entered in. */
#define SPSR_EL1H_MASKED 0x3c5ULL
/* SCTLR_EL1 RES1 bits with the MMU and caches off. */
#define SCTLR_EL1_RESET 0x30d00800ULL

uint64_t guest_enter(struct guest_regs *regs);

int arch_virt_cpu_init(void)
{
    struct percpu *cpu = arch_this_cpu();
    if (!cpu->arch.gic_ready)
        return -1; /* no way to force this CPU out of a guest */
    /* Input for the VMs arrives at the boot CPU, which may be running one of them. */
    if (cpu->index == 0 && irq_console) {
        gic_enable_spi(irq_console, cpu->hwid);
        console_rx_irq_enable();
    }
    sysreg_write(hcr_el2, HCR_GUEST);
    sysreg_write(vtcr_el2, VTCR_GUEST);
    sysreg_write(vpidr_el2, sysreg_read(midr_el1));
    /* Guests may read the physical counter and use the EL1 physical timer (both timers are
     * switched per vCPU). */
    sysreg_write(cnthctl_el2, 3);
    sysreg_write(cntvoff_el2, 0);
    /* The guest owns every PMU event counter (HPMN = N) and the debug registers; both are
     * switched per vCPU (vcpu_context.c). */
    vcpu_context_probe();
    sysreg_write(mdcr_el2, vcpu_context_pmu_counters());
    isb();
    return 0;
}

/*
 * HCR_EL2.TWI is per pCPU and set here for the vCPU about to run (TWE stays clear: WFE never
 * traps). Without it the guest's WFI waits in the guest until a wake-up event (ARM ARM D1.6.2):
 * every interrupt for the guest is one. Its timers' interrupts and every kick are physical IRQs
 * routed to EL2 (HCR_EL2.IMO), taken even from WFI with the guest's PSTATE.I set; an interrupt
 * injected by the hypervisor is a virtual IRQ pending in a list register at entry, which ends a
 * WFI (or keeps it from waiting) like a physical one.
 */
void arch_vcpu_trap_idle(struct vcpu *v, bool trap)
{
    uint64_t hcr = trap ? HCR_GUEST : HCR_GUEST & ~HCR_TWI;
    if (sysreg_read(hcr_el2) != hcr) {
        sysreg_write(hcr_el2, hcr);
        isb();
    }
}

uint64_t arch_vcpu_hwid(unsigned index)
{
    return index; /* MPIDR Aff0 */
}

void arch_vcpu_reset(struct vcpu *v, uint64_t entry, uint64_t arg, paddr_t s2_root, unsigned vmid)
{
    struct arch_vcpu *a = &v->arch;
    memset(a, 0, sizeof(*a));
    a->regs.x[0] = arg;
    a->regs.elr = entry;
    a->regs.spsr = SPSR_EL1H_MASKED;
    a->el1.sctlr = SCTLR_EL1_RESET;
    a->vttbr = ((uint64_t)vmid << 48) | s2_root;
    a->vmpidr = (1ULL << 31) | v->hwid; /* bit 31 RES1; uniprocessor bit clear */
    a->vgic = vgic_of(v->vm);
}

/* The guest's data accesses are big-endian: SCTLR_EL1.EE at EL1, SCTLR_EL1.E0E at EL0. Devices
 * see bytes in memory order, so a big-endian guest's values are byte-swapped for them. */
static bool guest_big_endian(const struct guest_regs *r)
{
    uint64_t sctlr = sysreg_read(sctlr_el1);
    bool el0 = (r->spsr & 0xf) == 0;
    return el0 ? (sctlr >> 24) & 1 : (sctlr >> 25) & 1;
}

static uint64_t bswap_width(uint64_t v, unsigned width)
{
    return __builtin_bswap64(v) >> (64 - 8 * width);
}

/* A loaded value as the register gets it: sign-extended when the load asked for it. */
static uint64_t mmio_load_value(uint64_t v, unsigned width, bool sign_extend)
{
    if (!sign_extend || width >= 8)
        return v;
    uint64_t sign = 1ULL << (width * 8 - 1);
    return (v ^ sign) - sign;
}

/* Stage-2 data abort: an MMIO access, or RAM not backed yet (ARM ARM D17.2.40, ISS for DABT). */
static void decode_dabt(struct vcpu *v, struct vcpu_exit *e)
{
    struct guest_regs *r = &v->arch.regs;
    uint64_t iss = r->esr & 0x1ffffff;
    e->kind = EXIT_MMIO;
    e->mmio.gpa = ((r->hpfar & 0xfffffffff0ULL) << 8) | (r->far & 0xfff);
    e->mmio.write = iss & (1 << 6);
    if (iss & (1 << 24)) { /* ISV: the syndrome describes the access */
        unsigned srt = (iss >> 16) & 0x1f;
        e->mmio.decoded = true;
        e->mmio.width = 1u << ((iss >> 22) & 3);
        e->mmio.sign_extend = iss & (1 << 21);
        e->mmio.reg = srt;
        e->mmio.value = srt == 31 ? 0 : r->x[srt];
        if (guest_big_endian(r) && e->mmio.write)
            e->mmio.value = bswap_width(e->mmio.value, e->mmio.width);
        if (!(iss & (1 << 15)) && e->mmio.sign_extend) /* into a W register */
            e->mmio.reg |= 0x100;
    }
    e->insn_len = 4;
}

/* ISS of a trapped MSR/MRS (ARM ARM D17.2.37, EC 0x18) as op0:op1:CRn:CRm:op2. */
#define SYSREG_KEY(op0, op1, crn, crm, op2)                                                        \
    (((op0) << 14) | ((op1) << 11) | ((crn) << 7) | ((crm) << 3) | (op2))
#define ICC_SGI1R_KEY  SYSREG_KEY(3, 0, 12, 11, 5)
#define ICC_ASGI1R_KEY SYSREG_KEY(3, 0, 12, 11, 6)
#define ICC_SGI0R_KEY  SYSREG_KEY(3, 0, 12, 11, 7)

static void decode_sysreg(struct vcpu *v, struct vcpu_exit *e)
{
    struct guest_regs *r = &v->arch.regs;
    uint64_t iss = r->esr & 0x1ffffff;
    unsigned key =
        SYSREG_KEY((unsigned)(iss >> 20) & 3, (unsigned)(iss >> 14) & 7, (unsigned)(iss >> 10) & 15,
                   (unsigned)(iss >> 1) & 15, (unsigned)(iss >> 17) & 7);
    unsigned rt = (iss >> 5) & 0x1f;
    bool read = iss & 1;
    if (!read && (key == ICC_SGI1R_KEY || key == ICC_ASGI1R_KEY)) {
        vgic_sgi(v, rt == 31 ? 0 : r->x[rt]);
    } else if (!read && key == ICC_SGI0R_KEY) {
        /* Group 0 SGIs: the guest has no group 0 (FIQs); dropped like on GICD_CTLR.DS=0. */
    } else {
        /* A register the hypervisor traps but does not emulate: UNDEFINED for the guest, as on
         * a CPU without it (the instruction is not stepped over). */
        log_ratelimited(&v->vm->warn_limit[VM_WARN_FIRMWARE], LOG_WARN,
                        "vm%u (%s) vcpu%u: system register %s op0=%u op1=%u CRn=%u CRm=%u op2=%u "
                        "is not emulated: undefined instruction injected",
                        v->vm->id, v->vm->cfg->name, v->id, read ? "read" : "write",
                        (unsigned)(iss >> 20) & 3, (unsigned)(iss >> 14) & 7,
                        (unsigned)(iss >> 10) & 15, (unsigned)(iss >> 1) & 15,
                        (unsigned)(iss >> 17) & 7);
        vcpu_inject_undef(v);
        e->kind = EXIT_NONE;
        return;
    }
    e->kind = EXIT_NONE;
    e->insn_len = 4;
}

void arch_vcpu_run(struct vcpu *v, struct vcpu_exit *e)
{
    vtimer_sync(v);
    if (v->arch.vgic) /* a VM without a GIC (the bench VM) skips both calls */
        vgic_flush(v);
    uint64_t kind = guest_enter(&v->arch.regs);
    if (v->arch.vgic)
        vgic_sync(v);
    struct guest_regs *r = &v->arch.regs;
    exit_init(e, r->elr);

    switch (kind) {
    case 9:    /* IRQ */
    case 10: { /* FIQ */
        irq_dispatch();
        e->kind = EXIT_NONE;
        return;
    }
    case 11:
        exit_fatal(e, 0, "SError from the guest (ESR 0x%llx)", r->esr, 0);
        return;
    case 8:
        break;
    default:
        exit_fatal(e, 0, "exception from AArch32 (kind %llu)", kind, 0);
        return;
    }

    unsigned ec = ESR_EC(r->esr);
    switch (ec) {
    case EC_HVC64:
        /* ELR already points past the HVC. */
        vcpu_firmware_call(v, e, 0);
        return;
    case EC_SMC64:
        /* A trapped SMC leaves ELR at the SMC itself. */
        vcpu_firmware_call(v, e, 4);
        return;
    case EC_DABT_LOWER:
        decode_dabt(v, e);
        return;
    case EC_IABT_LOWER:
        /* Fetch from guest memory not backed yet (lazy), or from nowhere. */
        e->kind = EXIT_MMIO;
        e->mmio.gpa = ((r->hpfar & 0xfffffffff0ULL) << 8) | (r->far & 0xfff);
        e->mmio.fetch = true;
        return;
    case EC_WFX:
        e->kind = EXIT_HALT;
        e->insn_len = 4;
        return;
    case EC_SYSREG:
        decode_sysreg(v, e);
        return;
    default:
        exit_fatal(e, r->far, "unhandled exception class 0x%llx (ESR 0x%llx)", ec, r->esr);
        return;
    }
}

void arch_vcpu_complete(struct vcpu *v, const struct vcpu_exit *e)
{
    struct guest_regs *r = &v->arch.regs;
    switch (e->kind) {
    case EXIT_MMIO:
        if (!e->mmio.write && (e->mmio.reg & 0x1f) != 31) {
            uint64_t val = e->mmio.value;
            if (guest_big_endian(r)) /* the device's bytes, in the order the guest loads them */
                val = mmio_load_value(bswap_width(val, e->mmio.width), e->mmio.width,
                                      e->mmio.sign_extend);
            if (e->mmio.reg & 0x100)
                val &= 0xffffffffULL; /* sign-extended into a W register */
            r->x[e->mmio.reg & 0x1f] = val;
        }
        break;
    case EXIT_HYPERCALL:
        r->x[0] = (uint64_t)e->hcall.ret;
        break;
    case EXIT_CPU_ON:
        r->x[0] = (uint64_t)psci_status(e->cpu_on.ret);
        break;
    default:
        break;
    }
    r->elr += e->insn_len;
}

const struct vdev_type *arch_vdev_find(const char *name)
{
    static const struct vdev_type *const models[] = {&vdev_gicv3, &vdev_gicv2};
    for (unsigned i = 0; i < ARRAY_SIZE(models); i++)
        if (__builtin_strcmp(name, models[i]->name) == 0)
            return models[i];
    return NULL;
}

void arch_cpu_kick(unsigned pcpu)
{
    /* The SGI forces a pCPU in guest mode out (HCR_EL2.IMO routes it to EL2); SEV wakes one
     * idling in WFE. */
    if (pcpu < percpu_count && pcpu != arch_this_cpu()->index)
        gic_send_sgi(percpu_get(pcpu)->hwid, GIC_SGI_KICK);
}
