// SPDX-License-Identifier: MIT
/* Extension lookup in RISC-V ISA strings and lists (arch/riscv64/isa_decode.c). */
#include "riscv64/isa_decode.h"
#include "check.h"

TEST(riscv64_isa_string_finds_multi_letter_extensions)
{
    /* QEMU 7.2's virt machine, -cpu rv64 and -cpu rv64,sstc=false. */
    CHECK(riscv_isa_string_has("rv64imafdch_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc",
                               "sstc"));
    CHECK(!riscv_isa_string_has("rv64imafdch_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs", "sstc"));
    CHECK(riscv_isa_string_has("RV64IMAFDC_Zicsr_SSTC", "sstc"));
    CHECK(riscv_isa_string_has("rv64imafdc_zicsr", "zicsr"));
    /* Whole words only, never the base or a prefix. */
    CHECK(!riscv_isa_string_has("rv64imafdc_sstcx", "sstc"));
    CHECK(!riscv_isa_string_has("rv64imafdc_sst", "sstc"));
    CHECK(!riscv_isa_string_has("sstc", "sstc"));
    CHECK(!riscv_isa_string_has("rv64imafdc__", "sstc"));
    CHECK(!riscv_isa_string_has("", "sstc"));
}

TEST(riscv64_isa_list_finds_extensions)
{
    static const char list[] = "i\0m\0a\0zicsr\0sstc";
    CHECK(riscv_isa_list_has(list, sizeof(list), "sstc"));
    CHECK(riscv_isa_list_has(list, sizeof(list), "zicsr"));
    CHECK(!riscv_isa_list_has(list, sizeof(list), "h"));
    CHECK(!riscv_isa_list_has(list, sizeof(list) - 2, "sstc")); /* cut short: "ss" */
    CHECK(!riscv_isa_list_has(NULL, 0, "sstc"));
}
