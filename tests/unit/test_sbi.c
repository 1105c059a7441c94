// SPDX-License-Identifier: MIT
/* Argument rules of the guest SBI calls (arch/riscv64/sbi_decode.c). */
#include "riscv64/sbi_decode.h"
#include "check.h"

TEST(sbi_suspend_offers_the_two_default_types)
{
    bool retentive = false;
    CHECK_EQ(riscv_sbi_suspend_type(0, &retentive), SBI_SUCCESS);
    CHECK(retentive);
    CHECK_EQ(riscv_sbi_suspend_type(0x80000000UL, &retentive), SBI_SUCCESS);
    CHECK(!retentive);
    /* Reserved and platform-specific types, and anything past 32 bits. */
    static const uint64_t refused[] = {1,          0x0fffffff, 0x10000000,
                                       0x7fffffff, 0x80000001, 0x8fffffff,
                                       0x90000000, 0xffffffff, 0x100000000ULL};
    for (unsigned i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        CHECK_EQ(riscv_sbi_suspend_type(refused[i], &retentive), (uint64_t)SBI_ERR_INVALID_PARAM);
}

TEST(sbi_dbcn_buffer_is_clamped_and_checked)
{
    uint64_t gpa = 1, len = 1;
    CHECK_EQ(riscv_sbi_dbcn_buffer(100, 0x80001000, 0, 256, &gpa, &len), SBI_SUCCESS);
    CHECK_EQ(gpa, 0x80001000);
    CHECK_EQ(len, 100);
    CHECK_EQ(riscv_sbi_dbcn_buffer(5000, 0x80001000, 0, 256, &gpa, &len), SBI_SUCCESS);
    CHECK_EQ(len, 256); /* a partial write: the guest sees 256 and goes on */
    CHECK_EQ(riscv_sbi_dbcn_buffer(0, 0x80001000, 0, 256, &gpa, &len), SBI_SUCCESS);
    CHECK_EQ(len, 0);
    /* Address bits above 63, and a buffer that wraps. */
    CHECK_EQ(riscv_sbi_dbcn_buffer(1, 0x80001000, 1, 256, &gpa, &len),
             (uint64_t)SBI_ERR_INVALID_PARAM);
    CHECK_EQ(riscv_sbi_dbcn_buffer(2, ~0ULL, 0, 256, &gpa, &len), (uint64_t)SBI_ERR_INVALID_PARAM);
    CHECK_EQ(riscv_sbi_dbcn_buffer(1, ~0ULL, 0, 256, &gpa, &len), SBI_SUCCESS);
}

TEST(sbi_hart_mask_names_vcpus)
{
    uint32_t t = 0xdead;
    CHECK_EQ(riscv_sbi_hart_mask(0x1, 0, 2, &t), SBI_SUCCESS);
    CHECK_EQ(t, 0x1);
    CHECK_EQ(riscv_sbi_hart_mask(0x3, 0, 2, &t), SBI_SUCCESS);
    CHECK_EQ(t, 0x3);
    CHECK_EQ(riscv_sbi_hart_mask(0x1, 1, 2, &t), SBI_SUCCESS);
    CHECK_EQ(t, 0x2);
    CHECK_EQ(riscv_sbi_hart_mask(0, 0, 2, &t), SBI_SUCCESS);
    CHECK_EQ(t, 0);
    CHECK_EQ(riscv_sbi_hart_mask(0x5, SBI_HART_MASK_ALL, 3, &t), SBI_SUCCESS); /* mask ignored */
    CHECK_EQ(t, 0x7);
    /* A hart the VM does not have. */
    CHECK_EQ(riscv_sbi_hart_mask(0x4, 0, 2, &t), (uint64_t)SBI_ERR_INVALID_PARAM);
    CHECK_EQ(riscv_sbi_hart_mask(0x1, 2, 2, &t), (uint64_t)SBI_ERR_INVALID_PARAM);
    CHECK_EQ(riscv_sbi_hart_mask(1UL << 63, 1, 2, &t), (uint64_t)SBI_ERR_INVALID_PARAM);
    CHECK_EQ(riscv_sbi_hart_mask(0x8, ~0UL - 2, 2, &t),
             (uint64_t)SBI_ERR_INVALID_PARAM); /* wraps */
}
