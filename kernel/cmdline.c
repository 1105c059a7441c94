// SPDX-License-Identifier: MIT
#include <string.h>
#include <axvm/cmdline.h>

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

bool cmdline_get(const char *cmdline, const char *key, char *value, size_t size)
{
    size_t klen = strlen(key);
    const char *p = cmdline;
    while (p && *p) {
        while (is_space(*p))
            p++;
        const char *word = p;
        while (*p && !is_space(*p))
            p++;
        size_t wlen = (size_t)(p - word);
        if (wlen < klen || strncmp(word, key, klen) != 0)
            continue;
        if (wlen != klen && word[klen] != '=')
            continue;
        const char *v = wlen == klen ? word + wlen : word + klen + 1;
        size_t vlen = (size_t)(p - v);
        if (size > 0) {
            size_t n = vlen < size - 1 ? vlen : size - 1;
            memcpy(value, v, n);
            value[n] = '\0';
        }
        return true;
    }
    return false;
}

bool cmdline_has_item(const char *cmdline, const char *key, const char *item)
{
    char value[128];
    if (!cmdline_get(cmdline, key, value, sizeof(value)))
        return false;
    size_t ilen = strlen(item);
    for (const char *p = value; *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == ilen && strncmp(p, item, n) == 0)
            return true;
        if (!end)
            break;
        p = end + 1;
    }
    return false;
}
