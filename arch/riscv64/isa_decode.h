/* SPDX-License-Identifier: MIT */
#ifndef RISCV64_ISA_DECODE_H
#define RISCV64_ISA_DECODE_H

/*
 * Reading a hart's extensions from its device-tree node (Linux
 * Documentation/devicetree/bindings/riscv/extensions.yaml): the "riscv,isa-extensions" string
 * list where the firmware gives one, else the "riscv,isa" string ("rv64imafdch_zicsr_sstc":
 * single letters after the base, then multi-letter extensions separated by '_'). Pure C: also
 * built into the host unit tests (tests/unit/test_riscv64_isa.c).
 */

#include <stdbool.h>
#include <stddef.h>

/* Whether the multi-letter extension 'ext' (lower case, "sstc") is in the string list 'list' of
 * 'len' bytes (NUL-separated), or NULL. */
bool riscv_isa_list_has(const char *list, size_t len, const char *ext);

/* Whether the multi-letter extension 'ext' (lower case) is in the ISA string 'isa'. */
bool riscv_isa_string_has(const char *isa, const char *ext);

#endif
