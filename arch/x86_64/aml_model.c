// SPDX-License-Identifier: MIT
/* ACPI Machine Language writer (aml_model.h). Encodings: ACPI 6.4 §20.2. */
#include <string.h>
#include "aml_model.h"

#define AML_ZERO        0x00
#define AML_ONE         0x01
#define AML_NAME_OP     0x08
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREF  0x0c
#define AML_STRING_PREF 0x0d
#define AML_QWORD_PREF  0x0e
#define AML_SCOPE_OP    0x10
#define AML_BUFFER_OP   0x11
#define AML_PACKAGE_OP  0x12
#define AML_EXT_PREFIX  0x5b
#define AML_DEVICE_OP   0x82

/* Room kept for a PkgLength until aml_end() knows how long the object is: its longest form. */
#define PKG_RESERVED 4

void aml_init(struct aml *a, uint8_t *buf, size_t size)
{
    *a = (struct aml){.buf = buf, .size = size};
}

static void raw(struct aml *a, const void *bytes, size_t n)
{
    if (a->overflow || n > a->size - a->len) {
        a->overflow = true;
        return;
    }
    memcpy(a->buf + a->len, bytes, n);
    a->len += n;
}

static void byte(struct aml *a, uint8_t b)
{
    raw(a, &b, 1);
}

static void little(struct aml *a, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++)
        byte(a, (uint8_t)(v >> (8 * i)));
}

void aml_name(struct aml *a, const char *seg)
{
    byte(a, AML_NAME_OP);
    raw(a, seg, 4);
}

void aml_integer(struct aml *a, uint64_t v)
{
    if (v <= AML_ONE) {
        byte(a, (uint8_t)v);
    } else if (v <= 0xff) {
        byte(a, AML_BYTE_PREFIX);
        little(a, v, 1);
    } else if (v <= 0xffff) {
        byte(a, AML_WORD_PREFIX);
        little(a, v, 2);
    } else if (v <= 0xffffffffu) {
        byte(a, AML_DWORD_PREF);
        little(a, v, 4);
    } else {
        byte(a, AML_QWORD_PREF);
        little(a, v, 8);
    }
}

void aml_string(struct aml *a, const char *s)
{
    byte(a, AML_STRING_PREF);
    raw(a, s, strlen(s) + 1);
}

/* An opened object's PkgLength: reserved now, written by aml_end(). */
static size_t open_pkg(struct aml *a)
{
    size_t mark = a->len;
    static const uint8_t zero[PKG_RESERVED];
    raw(a, zero, sizeof(zero));
    return mark;
}

void aml_buffer(struct aml *a, const void *bytes, size_t n)
{
    byte(a, AML_BUFFER_OP);
    size_t mark = open_pkg(a);
    aml_integer(a, n);
    raw(a, bytes, n);
    aml_end(a, mark);
}

size_t aml_package(struct aml *a, uint8_t count)
{
    byte(a, AML_PACKAGE_OP);
    size_t mark = open_pkg(a);
    byte(a, count);
    return mark;
}

size_t aml_scope(struct aml *a, const char *path)
{
    byte(a, AML_SCOPE_OP);
    size_t mark = open_pkg(a);
    raw(a, path, strlen(path));
    return mark;
}

size_t aml_device(struct aml *a, const char *seg)
{
    byte(a, AML_EXT_PREFIX);
    byte(a, AML_DEVICE_OP);
    size_t mark = open_pkg(a);
    raw(a, seg, 4);
    return mark;
}

/* PkgLength counts itself: one byte up to 63, then a lead byte (its top two bits the number
 * of bytes that follow, its low nibble the length's) and 8 more bits per following byte. */
void aml_end(struct aml *a, size_t mark)
{
    if (a->overflow)
        return;
    size_t body = a->len - mark - PKG_RESERVED;
    size_t n = 1;
    while (n < PKG_RESERVED && body + n > (n == 1 ? 63u : (1u << (4 + 8 * (n - 1))) - 1))
        n++;
    size_t total = body + n;
    if (n == PKG_RESERVED && total >= (1u << 28)) {
        a->overflow = true;
        return;
    }
    memmove(a->buf + mark + n, a->buf + mark + PKG_RESERVED, body);
    a->len -= PKG_RESERVED - n;
    if (n == 1) {
        a->buf[mark] = (uint8_t)total;
        return;
    }
    a->buf[mark] = (uint8_t)(((n - 1) << 6) | (total & 0xf));
    for (size_t i = 1; i < n; i++)
        a->buf[mark + i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
}

size_t aml_pkg_length(const uint8_t *p, size_t n, size_t *bytes)
{
    if (n == 0)
        return 0;
    size_t follow = p[0] >> 6;
    if (follow + 1 > n)
        return 0;
    *bytes = follow + 1;
    if (follow == 0)
        return p[0] & 0x3f;
    size_t len = p[0] & 0xf;
    for (size_t i = 1; i <= follow; i++)
        len |= (size_t)p[i] << (4 + 8 * (i - 1));
    return len;
}
