/* SPDX-License-Identifier: MIT */
#ifndef RISCV64_SBI_DECODE_H
#define RISCV64_SBI_DECODE_H

/*
 * The argument rules of the guest SBI calls that take more than a register's worth of checking
 * (RISC-V SBI specification 2.0). Pure C: arch/riscv64/sbi_guest*.c act on the answers, and the
 * host unit tests check them (tests/unit/test_sbi.c).
 */

#include <stdbool.h>
#include <stdint.h>
#include "include/arch/sbi.h"

/* HSM hart_suspend (9.4): SBI_SUCCESS for the two default types, with *retentive saying which;
 * SBI_ERR_INVALID_PARAM for reserved and platform-specific types, which axvm has none of. */
long riscv_sbi_suspend_type(uint64_t type, bool *retentive);

/*
 * DBCN write and read (12.1, 12.2): the buffer (num_bytes, base_addr_lo, base_addr_hi) as a
 * guest-physical address and a length of at most 'max' bytes (both calls may move fewer bytes
 * than asked and return how many). SBI_SUCCESS, or SBI_ERR_INVALID_PARAM when base_addr_hi is
 * not 0 (it holds address bits above 63 on RV64) or the buffer wraps past the top of the
 * address space. Whether guest memory is there is for the copy to find out.
 */
long riscv_sbi_dbcn_buffer(uint64_t num_bytes, uint64_t base_lo, uint64_t base_hi, uint64_t max,
                           uint64_t *gpa, uint64_t *len);

/*
 * The targets of an IPI or remote fence (3.1): bit i of 'hart_mask' names hart
 * 'hart_mask_base' + i; base SBI_HART_MASK_ALL names every hart. With hart ids 0..harts-1 (a
 * vCPU's hart id is its index), the set as a bit mask of vCPU indices. SBI_SUCCESS, or
 * SBI_ERR_INVALID_PARAM if a named hart does not exist.
 */
long riscv_sbi_hart_mask(unsigned long hart_mask, unsigned long hart_mask_base, unsigned harts,
                         uint32_t *targets);

#endif
