// SPDX-License-Identifier: MIT
#include <axvm/percpu.h>

struct percpu percpu_table[CPU_MAX];
unsigned percpu_count;

void percpu_init(const struct boot_info *bi)
{
    unsigned n = 0;
    /* The boot CPU is logical CPU 0 whatever its hardware id; the rest keep firmware order. */
    percpu_table[n].index = n;
    percpu_table[n].hwid = bi->cpu_hwid[bi->boot_cpu];
    n++;
    for (unsigned i = 0; i < bi->cpu_count && n < CPU_MAX; i++) {
        if (i == bi->boot_cpu)
            continue;
        percpu_table[n].index = n;
        percpu_table[n].hwid = bi->cpu_hwid[i];
        n++;
    }
    percpu_count = n;
}

int percpu_find_hwid(uint64_t hwid)
{
    for (unsigned i = 0; i < percpu_count; i++)
        if (percpu_table[i].hwid == hwid)
            return (int)i;
    return -1;
}

unsigned percpu_online_count(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < percpu_count; i++)
        n += percpu_table[i].online;
    return n;
}
