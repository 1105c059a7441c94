// SPDX-License-Identifier: MIT
/* The virtual PLIC's registers and delivery rules (see vplic_model.h). */
#include <axvm/errno.h>
#include "vplic_model.h"

#define SOURCE_MASK (~1ULL) /* source 0 does not exist: never pending, never enabled */

static uint64_t bit(unsigned src)
{
    return 1ULL << src;
}

void vplic_model_reset(struct vplic_model *m, unsigned contexts)
{
    uint64_t hw = m->hw;
    *m = (struct vplic_model){0};
    m->contexts = contexts < VPLIC_CONTEXTS_MAX ? contexts : VPLIC_CONTEXTS_MAX;
    m->hw = hw;
}

bool vplic_model_set_level(struct vplic_model *m, unsigned src, bool level)
{
    if (src == 0 || src >= VPLIC_SOURCES || (m->hw & bit(src)))
        return false;
    if (!level) {
        /* A request not claimed yet goes away with its line, as on QEMU's PLIC: the guest
         * would otherwise claim an interrupt the device no longer has. */
        m->level &= ~bit(src);
        m->pending &= ~bit(src);
        return false;
    }
    m->level |= bit(src);
    /* The gateway forwards nothing new while a request is in flight (PLIC spec, "Interrupt
     * Gateways"); completion looks at the line again. */
    if (m->claimed & bit(src))
        return false;
    m->pending |= bit(src);
    return true;
}

bool vplic_model_raise_edge(struct vplic_model *m, unsigned src)
{
    if (src == 0 || src >= VPLIC_SOURCES || (m->hw & bit(src)))
        return false;
    /* An edge-triggered gateway forwards one request (PLIC spec, "Interrupt Gateways"): kept
     * pending while the previous one is in flight, so claim skips it until completion. */
    m->pending |= bit(src);
    return !(m->claimed & bit(src));
}

bool vplic_model_raise_hw(struct vplic_model *m, unsigned src)
{
    if (src == 0 || src >= VPLIC_SOURCES)
        return false;
    m->hw |= bit(src);
    if (m->claimed & bit(src))
        return false;
    m->pending |= bit(src);
    return true;
}

unsigned vplic_model_best(const struct vplic_model *m, unsigned ctx)
{
    if (ctx >= m->contexts)
        return 0;
    uint64_t candidates = m->pending & m->enable[ctx] & ~m->claimed & SOURCE_MASK;
    unsigned best = 0, best_priority = m->threshold[ctx];
    /* Highest priority above the threshold; among equals the lowest id (ascending scan, strict
     * comparison). */
    for (unsigned src = 1; src < VPLIC_SOURCES && candidates; src++) {
        if (!(candidates & bit(src)))
            continue;
        candidates &= ~bit(src);
        if (m->priority[src] > best_priority) {
            best = src;
            best_priority = m->priority[src];
        }
    }
    return best;
}

static unsigned claim(struct vplic_model *m, unsigned ctx)
{
    unsigned src = vplic_model_best(m, ctx);
    if (src) {
        m->pending &= ~bit(src);
        m->claimed |= bit(src);
    }
    return src;
}

/* Completion (PLIC spec, "Interrupt Completion"): ignored unless the source is in flight and
 * enabled for this context. */
static unsigned complete(struct vplic_model *m, unsigned ctx, uint32_t src)
{
    if (src == 0 || src >= VPLIC_SOURCES || !(m->claimed & bit(src)) ||
        !(m->enable[ctx] & bit(src)))
        return 0;
    m->claimed &= ~bit(src);
    if (m->hw & bit(src))
        return src;
    if (m->level & bit(src))
        m->pending |= bit(src);
    return 0;
}

/* The 32 bits of 'mask' starting at source 32 * 'word' (for the pending and enable arrays). */
static uint32_t word_get(uint64_t mask, unsigned word)
{
    return word < VPLIC_SOURCES / 32 ? (uint32_t)(mask >> (32 * word)) : 0;
}

static void word_set(uint64_t *mask, unsigned word, uint32_t value)
{
    if (word >= VPLIC_SOURCES / 32)
        return;
    uint64_t shift = 32 * word;
    *mask = (*mask & ~(0xffffffffULL << shift)) | (((uint64_t)value << shift) & SOURCE_MASK);
}

/* Which register 'off' is. */
enum reg_kind { REG_NONE, REG_PRIORITY, REG_PENDING, REG_ENABLE, REG_THRESHOLD, REG_CLAIM };

struct reg {
    enum reg_kind kind;
    unsigned index; /* source, pending/enable word */
    unsigned ctx;
};

static struct reg reg_find(const struct vplic_model *m, uint64_t off)
{
    struct reg r = {REG_NONE, 0, 0};
    if (off < VPLIC_PENDING) {
        if (off / 4 < VPLIC_SOURCES)
            r = (struct reg){REG_PRIORITY, (unsigned)(off / 4), 0};
    } else if (off < VPLIC_ENABLE) {
        r = (struct reg){REG_PENDING, (unsigned)((off - VPLIC_PENDING) / 4), 0};
    } else if (off < VPLIC_CONTEXT) {
        uint64_t ctx = (off - VPLIC_ENABLE) / VPLIC_ENABLE_STRIDE;
        if (ctx < m->contexts)
            r = (struct reg){REG_ENABLE, (unsigned)((off - VPLIC_ENABLE) % VPLIC_ENABLE_STRIDE / 4),
                             (unsigned)ctx};
    } else {
        uint64_t ctx = (off - VPLIC_CONTEXT) / VPLIC_CONTEXT_STRIDE;
        uint64_t in = (off - VPLIC_CONTEXT) % VPLIC_CONTEXT_STRIDE;
        if (ctx < m->contexts && in == 0)
            r = (struct reg){REG_THRESHOLD, 0, (unsigned)ctx};
        else if (ctx < m->contexts && in == VPLIC_CONTEXT_CLAIM)
            r = (struct reg){REG_CLAIM, 0, (unsigned)ctx};
    }
    return r;
}

static bool access_ok(uint64_t off, unsigned width)
{
    return width == 4 && (off & 3) == 0;
}

int vplic_model_read(struct vplic_model *m, uint64_t off, unsigned width, uint32_t *value)
{
    if (!access_ok(off, width))
        return -EINVAL;
    struct reg r = reg_find(m, off);
    switch (r.kind) {
    case REG_PRIORITY:
        *value = m->priority[r.index];
        break;
    case REG_PENDING:
        *value = word_get(m->pending, r.index);
        break;
    case REG_ENABLE:
        *value = word_get(m->enable[r.ctx], r.index);
        break;
    case REG_THRESHOLD:
        *value = m->threshold[r.ctx];
        break;
    case REG_CLAIM:
        *value = claim(m, r.ctx);
        break;
    case REG_NONE:
        *value = 0;
        break;
    }
    return 0;
}

int vplic_model_write(struct vplic_model *m, uint64_t off, unsigned width, uint32_t value,
                      unsigned *completed_hw)
{
    *completed_hw = 0;
    if (!access_ok(off, width))
        return -EINVAL;
    struct reg r = reg_find(m, off);
    switch (r.kind) {
    case REG_PRIORITY:
        if (r.index != 0)
            m->priority[r.index] = value & VPLIC_PRIORITY_MAX;
        break;
    case REG_ENABLE:
        word_set(&m->enable[r.ctx], r.index, value);
        break;
    case REG_THRESHOLD:
        m->threshold[r.ctx] = value & VPLIC_PRIORITY_MAX;
        break;
    case REG_CLAIM:
        *completed_hw = complete(m, r.ctx, value);
        break;
    case REG_PENDING: /* read-only here, as on QEMU's PLIC */
    case REG_NONE:
        break;
    }
    return 0;
}
