// SPDX-License-Identifier: MIT
/*
 * The guest's EL1 timers (virtual, CNTV, PPI 27; physical, CNTP, PPI 30) run on the real
 * hardware while the vCPU is loaded; only their interrupts need help. They fire at EL2
 * (HCR_EL2.IMO), where the PPI is disabled at the host GIC until the line drops, and the
 * guest's PPI follows the timer's condition as a level (timer_sync, before every entry). A vCPU
 * that is not loaded has its timers in its saved state: the scheduler asks for their deadline
 * (arch_vcpu_timer_deadline) and whether one has expired (arch_vcpu_event_pending).
 */
#include <arch/irq.h>
#include <arch/sysreg.h>
#include <arch/vgic.h>
#include <drivers/gic.h>
#include <axvm/arch.h>
#include <axvm/arch_vm.h>
#include <axvm/percpu.h>
#include <axvm/vm.h>

#define CNT_ENABLE  (1ULL << 0)
#define CNT_IMASK   (1ULL << 1)
#define CNT_ISTATUS (1ULL << 2)

static unsigned timer_bit(unsigned ppi)
{
    return ppi == VGIC_PPI_VTIMER ? 1 : 2;
}

/*
 * The loaded vCPU's timer fired at EL2. Its line stays asserted until the guest re-arms or masks
 * the timer, so the PPI is disabled at this pCPU's GIC interface meanwhile (nothing the guest
 * can see), and the guest's PPI is raised as a level.
 */
void vtimer_fire(unsigned ppi)
{
    struct arch_percpu *cpu = &arch_this_cpu()->arch;
    gic_ppi_enable(cpu->gic_cpu, ppi, false);
    cpu->timer_ppis_off |= timer_bit(ppi);
    struct vcpu *v = arch_this_cpu()->vcpu_loaded;
    if (!v || vm_state_get(v->vm) != VM_RUNNING)
        return;
    v->arch.timer_level |= timer_bit(ppi);
    vgic_ppi_set_level(v, ppi, true);
}

/*
 * A timer's interrupt line is its condition, ENABLE and ISTATUS and not IMASK (ARM ARM D11.2.4),
 * a level: it stays asserted while the guest has not re-armed or masked the timer, and drops
 * (and is taken back if the guest has not taken it yet) when the guest disables it. Asked before
 * every entry; the guest's end of the interrupt brings an exit (the list register's EOI
 * maintenance), so a re-armed timer's PPI is enabled again before it can fire.
 */
static unsigned timer_line(uint64_t ctl)
{
    return (ctl & (CNT_ENABLE | CNT_IMASK | CNT_ISTATUS)) == (CNT_ENABLE | CNT_ISTATUS);
}

static void timer_sync(struct vcpu *v, unsigned ppi, uint64_t ctl)
{
    unsigned bit = timer_bit(ppi);
    bool level = timer_line(ctl);
    if (level != !!(v->arch.timer_level & bit)) {
        v->arch.timer_level ^= bit;
        vgic_ppi_set_level(v, ppi, level);
    }
    struct arch_percpu *cpu = &arch_this_cpu()->arch;
    if (!level && (cpu->timer_ppis_off & bit)) {
        cpu->timer_ppis_off &= ~bit;
        gic_ppi_enable(cpu->gic_cpu, ppi, true);
    }
}

/* The lines are as the vGIC last heard them and no PPI waits to be enabled again. */
static bool lines_heard(const struct vcpu *v, uint64_t cv, uint64_t cp)
{
    unsigned lines = timer_line(cv) | timer_line(cp) << 1;
    return lines == v->arch.timer_level && !(arch_this_cpu()->arch.timer_ppis_off & ~lines);
}

void vtimer_sync(struct vcpu *v)
{
    uint64_t cv = sysreg_read(cntv_ctl_el0), cp = sysreg_read(cntp_ctl_el0);
    v->arch.timer_ctl_seen = vtimer_ctl_bits(cv, cp);
    if (lines_heard(v, cv, cp)) /* nearly every entry */
        return;
    timer_sync(v, VGIC_PPI_VTIMER, cv);
    timer_sync(v, PPI_GUEST_PTIMER, cp);
}

/* The vCPU leaves this pCPU with its timers stopped: the next one starts with both PPIs on. */
void vtimer_put(void)
{
    struct arch_percpu *cpu = &arch_this_cpu()->arch;
    if (cpu->timer_ppis_off & 1)
        gic_ppi_enable(cpu->gic_cpu, VGIC_PPI_VTIMER, true);
    if (cpu->timer_ppis_off & 2)
        gic_ppi_enable(cpu->gic_cpu, PPI_GUEST_PTIMER, true);
    cpu->timer_ppis_off = 0;
}

/* The counter value at which a timer with this control and compare value fires, or never. */
static uint64_t timer_deadline(uint64_t ctl, uint64_t cval)
{
    return (ctl & (CNT_ENABLE | CNT_IMASK)) == CNT_ENABLE ? cval : ~0ULL;
}

uint64_t arch_vcpu_timer_deadline(struct vcpu *v)
{
    const struct el1_regs *r = &v->arch.el1;
    if (arch_this_cpu()->vcpu_loaded == v)
        return ~0ULL; /* live on this pCPU: its interrupt wakes us by itself */
    /* CNTVOFF_EL2 is 0: both timers compare against the counter arch_counter_read reads. */
    uint64_t dv = timer_deadline(r->cntv_ctl, r->cntv_cval);
    uint64_t dp = timer_deadline(r->cntp_ctl, r->cntp_cval);
    return dv < dp ? dv : dp;
}

bool arch_vcpu_event_pending(struct vcpu *v)
{
    return arch_vcpu_timer_deadline(v) <= arch_counter_read();
}
