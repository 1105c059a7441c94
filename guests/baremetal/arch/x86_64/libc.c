// SPDX-License-Identifier: MIT
/* The string functions main.c and libfdt call: the hypervisor's own, built into the guest. */
#include "../../../../arch/x86_64/libc/string.c"
