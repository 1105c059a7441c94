// SPDX-License-Identifier: MIT
/* Extension lookup in a hart's ISA description (see isa_decode.h). */
#include "isa_decode.h"

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* 'word' of 'n' bytes is 'ext', whatever the case (ISA strings may be upper case). */
static bool word_is(const char *word, size_t n, const char *ext)
{
    size_t i = 0;
    for (; i < n && ext[i]; i++)
        if (lower(word[i]) != ext[i])
            return false;
    return i == n && !ext[i];
}

bool riscv_isa_list_has(const char *list, size_t len, const char *ext)
{
    for (size_t i = 0; list && i < len;) {
        size_t n = 0;
        while (i + n < len && list[i + n])
            n++;
        if (word_is(list + i, n, ext))
            return true;
        i += n + 1;
    }
    return false;
}

bool riscv_isa_string_has(const char *isa, const char *ext)
{
    /* The first word is the base and the single-letter extensions: never a multi-letter one. */
    const char *p = isa;
    while (*p && *p != '_')
        p++;
    while (*p == '_') {
        const char *word = ++p;
        while (*p && *p != '_')
            p++;
        if (word_is(word, (size_t)(p - word), ext))
            return true;
    }
    return false;
}
