// SPDX-License-Identifier: MIT
#include <axvm/memmap.h>

static void ranges_sort(struct mem_range *r, unsigned n)
{
    for (unsigned i = 1; i < n; i++) {
        struct mem_range key = r[i];
        unsigned j = i;
        while (j > 0 && r[j - 1].base > key.base) {
            r[j] = r[j - 1];
            j--;
        }
        r[j] = key;
    }
}

struct emitter {
    struct mem_range *out;
    unsigned max, count, dropped;
    uint64_t align;
};

static void emit(struct emitter *e, paddr_t start, paddr_t end)
{
    paddr_t s = ALIGN_UP(start, e->align);
    paddr_t t = ALIGN_DOWN(end, e->align);
    if (s < start || t <= s) /* overflow at the top of the address space, or empty */
        return;
    if (e->count == e->max) {
        e->dropped++;
        return;
    }
    e->out[e->count].base = s;
    e->out[e->count].size = t - s;
    e->count++;
}

unsigned memmap_free_ranges(const struct mem_range *ram, unsigned ram_count,
                            const struct mem_range *reserved, unsigned reserved_count,
                            uint64_t align, struct mem_range *out, unsigned out_max,
                            unsigned *dropped)
{
    struct mem_range res[BOOT_MAX_RANGES];
    unsigned nres = MIN(reserved_count, (unsigned)BOOT_MAX_RANGES);
    for (unsigned i = 0; i < nres; i++)
        res[i] = reserved[i];
    ranges_sort(res, nres);

    struct emitter e = {out, out_max, 0, 0, align ? align : 1};
    for (unsigned i = 0; i < ram_count; i++) {
        paddr_t cur = ram[i].base;
        paddr_t end = ram[i].base + ram[i].size;
        for (unsigned j = 0; j < nres && cur < end; j++) {
            paddr_t rs = res[j].base;
            paddr_t re = res[j].base + res[j].size;
            if (re <= cur || rs >= end)
                continue;
            if (rs > cur)
                emit(&e, cur, rs);
            if (re > cur)
                cur = re;
        }
        if (cur < end)
            emit(&e, cur, end);
    }
    ranges_sort(out, e.count);
    if (dropped)
        *dropped = e.dropped;
    return e.count;
}

uint64_t memmap_total(const struct mem_range *r, unsigned count)
{
    uint64_t sum = 0;
    for (unsigned i = 0; i < count; i++)
        sum += r[i].size;
    return sum;
}
