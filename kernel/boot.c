// SPDX-License-Identifier: MIT
#include <axvm/boot.h>

bool boot_add_range(struct mem_range *list, unsigned *count, paddr_t base, uint64_t size)
{
    if (size == 0)
        return true;
    if (*count >= BOOT_MAX_RANGES)
        return false;
    list[*count].base = base;
    list[*count].size = size;
    (*count)++;
    return true;
}

bool boot_set_boot_cpu(struct boot_info *bi, uint64_t hwid)
{
    for (unsigned i = 0; i < bi->cpu_count; i++) {
        if (bi->cpu_hwid[i] == hwid) {
            bi->boot_cpu = i;
            return true;
        }
    }
    return false;
}
