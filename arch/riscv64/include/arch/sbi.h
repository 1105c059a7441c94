/* SPDX-License-Identifier: MIT */
#ifndef ARCH_SBI_H
#define ARCH_SBI_H

/*
 * Calls into the SBI firmware (OpenSBI) below us. RISC-V SBI specification v1.0: every call is
 * an ecall with the extension id in a7, the function id in a6, and returns (error, value) in
 * a0/a1.
 */

/* Legacy extensions (SBI v0.1, chapter 5): the extension id is the function. */
#define SBI_EXT_LEGACY_SET_TIMER 0x00
#define SBI_EXT_LEGACY_PUTCHAR   0x01
#define SBI_EXT_LEGACY_GETCHAR   0x02
#define SBI_EXT_LEGACY_SHUTDOWN  0x08

#define SBI_EXT_BASE   0x10
#define SBI_EXT_TIME   0x54494D45 /* "TIME" */
#define SBI_EXT_IPI    0x735049   /* "sPI" */
#define SBI_EXT_RFENCE 0x52464E43 /* "RFNC" */
#define SBI_EXT_HSM    0x48534D   /* "HSM" */
#define SBI_EXT_SRST   0x53525354 /* "SRST" */
#define SBI_EXT_PMU    0x504D55   /* "PMU" */
#define SBI_EXT_DBCN   0x4442434E /* "DBCN" (SBI 2.0, chapter 12) */

#define SBI_BASE_GET_SPEC_VERSION 0
#define SBI_BASE_GET_IMPL_ID      1
#define SBI_BASE_GET_IMPL_VERSION 2
#define SBI_BASE_PROBE_EXTENSION  3
#define SBI_BASE_GET_MVENDORID    4
#define SBI_BASE_GET_MARCHID      5
#define SBI_BASE_GET_MIMPID       6

#define SBI_TIME_SET_TIMER 0

#define SBI_IPI_SEND_IPI 0

#define SBI_RFENCE_REMOTE_HFENCE_GVMA_VMID 3

#define SBI_HSM_HART_START          0
#define SBI_HSM_HART_STOP           1
#define SBI_HSM_HART_GET_STATUS     2
#define SBI_HSM_HART_SUSPEND        3
#define SBI_HSM_STATE_STARTED       0
#define SBI_HSM_STATE_STOPPED       1
#define SBI_HSM_STATE_START_PENDING 2
#define SBI_HSM_STATE_STOP_PENDING  3
#define SBI_HSM_STATE_SUSPENDED     4

/* hart_suspend types (SBI 2.0, 9.4): the default ones; platform-specific ones lie above each. */
#define SBI_HSM_SUSPEND_RETENTIVE     0x00000000UL
#define SBI_HSM_SUSPEND_NON_RETENTIVE 0x80000000UL

#define SBI_DBCN_WRITE      0
#define SBI_DBCN_READ       1
#define SBI_DBCN_WRITE_BYTE 2

#define SBI_SRST_SYSTEM_RESET     0
#define SBI_SRST_TYPE_SHUTDOWN    0
#define SBI_SRST_TYPE_COLD_REBOOT 1
#define SBI_SRST_TYPE_WARM_REBOOT 2
#define SBI_SRST_REASON_NONE      0

/* Standard error codes (3.2). */
#define SBI_SUCCESS               0
#define SBI_ERR_FAILED            (-1)
#define SBI_ERR_NOT_SUPPORTED     (-2)
#define SBI_ERR_INVALID_PARAM     (-3)
#define SBI_ERR_DENIED            (-4)
#define SBI_ERR_INVALID_ADDRESS   (-5)
#define SBI_ERR_ALREADY_AVAILABLE (-6)

/* hart_mask_base meaning "every hart, ignore hart_mask" (3.1). */
#define SBI_HART_MASK_ALL (-1UL)

#ifndef __ASSEMBLY__

#include <axvm/types.h>

struct sbiret {
    long error;
    long value;
};

/* One SBI call with up to five arguments. */
struct sbiret sbi_ecall(unsigned long eid, unsigned long fid, unsigned long a0, unsigned long a1,
                        unsigned long a2, unsigned long a3, unsigned long a4);

static inline struct sbiret sbi_call(unsigned long eid, unsigned long fid, unsigned long a0,
                                     unsigned long a1, unsigned long a2)
{
    return sbi_ecall(eid, fid, a0, a1, a2, 0, 0);
}

/* True if the firmware implements extension 'eid' (Base extension, probe_extension). */
bool sbi_probe(unsigned long eid);

/* Write the firmware description ("OpenSBI 1.1, SBI 1.0") into 'buf'. */
void sbi_describe(char *buf, size_t size);

/* Start hart 'hartid' in S-mode at physical 'start' with a1 = 'opaque' (HSM hart_start). */
long sbi_hart_start(uint64_t hartid, uintptr_t start, uintptr_t opaque);

/* Hart 'hartid''s HSM state (SBI_HSM_STATE_*), or a negative SBI error. */
long sbi_hart_status(uint64_t hartid);

/* Return this hart to the firmware's "stopped" state; only returns on failure. */
long sbi_hart_stop(void);

/* Raise the supervisor timer interrupt (STIP) once the time CSR reaches 'when'; ~0 for never.
 * Also clears a pending one (TIME extension, 6.1). */
long sbi_set_timer(uint64_t when);

/* Raise a supervisor software interrupt on hart 'hartid'. */
long sbi_send_ipi(uint64_t hartid);

/* Invalidate the G-stage TLB entries tagged 'vmid' on every hart (RFENCE extension). */
long sbi_remote_hfence_gvma_vmid(unsigned long vmid);

/* System reset extension: shut the machine down. Returns only on failure. */
long sbi_shutdown(void);

/*
 * Early output through the firmware's console, for the few messages that can come before the
 * device tree told us where the UART is. Legacy extension 0x01: slow, but always in OpenSBI 1.1
 * (which has no DBCN).
 */
void sbi_early_puts(const char *s);

#endif /* !__ASSEMBLY__ */

#endif
