/* SPDX-License-Identifier: MIT */
#ifndef X86_64_AML_MODEL_H
#define X86_64_AML_MODEL_H

/*
 * A writer of ACPI Machine Language (ACPI 6.4 §20.2), as much of it as a VM's DSDT needs:
 * names, integers, strings, buffers, packages, scopes and devices. Objects that hold others
 * (package, scope, device) are opened with their function, filled, and closed with aml_end(),
 * which writes their PkgLength in the fewest bytes. A write past the end of the buffer sets
 * 'overflow' and writes nothing more.
 *
 * Pure C (also built into the host unit tests, tests/unit/test_acpi_guest.c).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct aml {
    uint8_t *buf;
    size_t size, len;
    bool overflow;
};

void aml_init(struct aml *a, uint8_t *buf, size_t size);

/* Name (<seg>, ...): the object that follows is the value. 'seg' is a 4-character NameSeg. */
void aml_name(struct aml *a, const char *seg);
/* The smallest encoding of 'v': ZeroOp, OneOp, Byte/Word/DWord/QWordConst. */
void aml_integer(struct aml *a, uint64_t v);
void aml_string(struct aml *a, const char *s);
/* Buffer () { bytes }. */
void aml_buffer(struct aml *a, const void *bytes, size_t n);

/* Open Package (count) { ... }, Scope (path) { ... } or Device (seg) { ... }; the return
 * value is for aml_end(). 'path' is a NameString ("\\_SB_"). */
size_t aml_package(struct aml *a, uint8_t count);
size_t aml_scope(struct aml *a, const char *path);
size_t aml_device(struct aml *a, const char *seg);
void aml_end(struct aml *a, size_t mark);

/* The decoded PkgLength at 'p' (at most 'n' bytes), and how many bytes it took ('*bytes');
 * 0 if it does not fit in 'n'. For the tests and any reader of what aml_end() wrote. */
size_t aml_pkg_length(const uint8_t *p, size_t n, size_t *bytes);

#endif
