// SPDX-License-Identifier: MIT
/* SBI calls (RISC-V SBI specification v1.0). */
#include <axvm/format.h>
#include <arch/sbi.h>

struct sbiret sbi_ecall(unsigned long eid, unsigned long fid, unsigned long a0, unsigned long a1,
                        unsigned long a2, unsigned long a3, unsigned long a4)
{
    register unsigned long r_a0 __asm__("a0") = a0;
    register unsigned long r_a1 __asm__("a1") = a1;
    register unsigned long r_a2 __asm__("a2") = a2;
    register unsigned long r_a3 __asm__("a3") = a3;
    register unsigned long r_a4 __asm__("a4") = a4;
    register unsigned long r_a6 __asm__("a6") = fid;
    register unsigned long r_a7 __asm__("a7") = eid;
    __asm__ volatile("ecall"
                     : "+r"(r_a0), "+r"(r_a1)
                     : "r"(r_a2), "r"(r_a3), "r"(r_a4), "r"(r_a6), "r"(r_a7)
                     : "memory");
    return (struct sbiret){.error = (long)r_a0, .value = (long)r_a1};
}

bool sbi_probe(unsigned long eid)
{
    struct sbiret r = sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, eid, 0, 0);
    return r.error == SBI_SUCCESS && r.value != 0;
}

/* Implementation ids from the SBI specification, chapter 4.9. */
static const char *sbi_impl_name(long id)
{
    static const char *const names[] = {
        "BBL", "OpenSBI", "Xvisor", "KVM", "RustSBI", "Diosix", "Coffer", "Xen", "PolarFire HSS",
    };
    return id >= 0 && (unsigned long)id < ARRAY_SIZE(names) ? names[id] : NULL;
}

void sbi_describe(char *buf, size_t size)
{
    struct sbiret spec = sbi_call(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, 0, 0, 0);
    struct sbiret id = sbi_call(SBI_EXT_BASE, SBI_BASE_GET_IMPL_ID, 0, 0, 0);
    struct sbiret ver = sbi_call(SBI_EXT_BASE, SBI_BASE_GET_IMPL_VERSION, 0, 0, 0);
    /* spec version: bits 30:24 major, 23:0 minor (4.1). */
    unsigned long spec_major = ((unsigned long)spec.value >> 24) & 0x7f;
    unsigned long spec_minor = (unsigned long)spec.value & 0xffffff;
    const char *name = sbi_impl_name(id.value);
    if (name && id.value == 1) {
        /* OpenSBI encodes its own version as major << 16 | minor. */
        format_snprintf(buf, size, "%s %lu.%lu, SBI %lu.%lu", name, (unsigned long)ver.value >> 16,
                        (unsigned long)ver.value & 0xffff, spec_major, spec_minor);
    } else if (name) {
        format_snprintf(buf, size, "%s (version 0x%lx), SBI %lu.%lu", name,
                        (unsigned long)ver.value, spec_major, spec_minor);
    } else {
        format_snprintf(buf, size, "SBI implementation %ld, SBI %lu.%lu", id.value, spec_major,
                        spec_minor);
    }
}

long sbi_hart_start(uint64_t hartid, uintptr_t start, uintptr_t opaque)
{
    return sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, hartid, start, opaque).error;
}

long sbi_hart_status(uint64_t hartid)
{
    struct sbiret r = sbi_call(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, hartid, 0, 0);
    return r.error ? r.error : r.value;
}

long sbi_hart_stop(void)
{
    return sbi_call(SBI_EXT_HSM, SBI_HSM_HART_STOP, 0, 0, 0).error;
}

long sbi_set_timer(uint64_t when)
{
    return sbi_call(SBI_EXT_TIME, SBI_TIME_SET_TIMER, when, 0, 0).error;
}

long sbi_send_ipi(uint64_t hartid)
{
    /* hart_mask = bit 0, hart_mask_base = hartid: exactly that hart (6.6). */
    return sbi_call(SBI_EXT_IPI, SBI_IPI_SEND_IPI, 1, hartid, 0).error;
}

long sbi_remote_hfence_gvma_vmid(unsigned long vmid)
{
    /* size = 2^XLEN - 1 covers the whole guest-physical space (SBI v1.0, chapter 8). */
    return sbi_ecall(SBI_EXT_RFENCE, SBI_RFENCE_REMOTE_HFENCE_GVMA_VMID, 0, SBI_HART_MASK_ALL, 0,
                     ~0UL, vmid)
        .error;
}

long sbi_shutdown(void)
{
    return sbi_call(SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET, SBI_SRST_TYPE_SHUTDOWN,
                    SBI_SRST_REASON_NONE, 0)
        .error;
}

void sbi_early_puts(const char *s)
{
    for (; *s; s++) {
        if (*s == '\n')
            sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, '\r', 0, 0);
        sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, (unsigned char)*s, 0, 0);
    }
}
