// SPDX-License-Identifier: MIT
/* Argument rules of guest SBI calls (see sbi_decode.h). */
#include "sbi_decode.h"

long riscv_sbi_suspend_type(uint64_t type, bool *retentive)
{
    if (type == SBI_HSM_SUSPEND_RETENTIVE || type == SBI_HSM_SUSPEND_NON_RETENTIVE) {
        *retentive = type == SBI_HSM_SUSPEND_RETENTIVE;
        return SBI_SUCCESS;
    }
    return SBI_ERR_INVALID_PARAM;
}

long riscv_sbi_dbcn_buffer(uint64_t num_bytes, uint64_t base_lo, uint64_t base_hi, uint64_t max,
                           uint64_t *gpa, uint64_t *len)
{
    if (base_hi != 0 || (num_bytes && base_lo + (num_bytes - 1) < base_lo))
        return SBI_ERR_INVALID_PARAM;
    *gpa = base_lo;
    *len = num_bytes < max ? num_bytes : max;
    return SBI_SUCCESS;
}

long riscv_sbi_hart_mask(unsigned long hart_mask, unsigned long hart_mask_base, unsigned harts,
                         uint32_t *targets)
{
    uint32_t all = harts >= 32 ? ~0u : (1u << harts) - 1;
    *targets = 0;
    if (hart_mask_base == SBI_HART_MASK_ALL) {
        *targets = all;
        return SBI_SUCCESS;
    }
    for (unsigned bit = 0; bit < 64; bit++) {
        if (!((hart_mask >> bit) & 1))
            continue;
        unsigned long hart = hart_mask_base + bit;
        if (hart < hart_mask_base || hart >= harts)
            return SBI_ERR_INVALID_PARAM;
        *targets |= 1u << hart;
    }
    return SBI_SUCCESS;
}
