/* SPDX-License-Identifier: MIT */
#ifndef AXVM_CMDLINE_H
#define AXVM_CMDLINE_H

/* The hypervisor's boot arguments: space-separated "key" or "key=value" words. */

#include <axvm/types.h>

/*
 * Find 'key' in 'cmdline'. Returns true if present; copies its value (empty for a bare key)
 * into 'value' (NUL-terminated, truncated to 'size').
 */
bool cmdline_get(const char *cmdline, const char *key, char *value, size_t size);

/* True if 'key' is present with value 'item', or with a comma list containing 'item'. */
bool cmdline_has_item(const char *cmdline, const char *key, const char *item);

#endif
