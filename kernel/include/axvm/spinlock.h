/* SPDX-License-Identifier: MIT */
#ifndef AXVM_SPINLOCK_H
#define AXVM_SPINLOCK_H

/* Ticket lock: FIFO fairness so a CPU printing in a loop cannot starve the others. */

#include <axvm/types.h>

typedef struct {
    uint32_t next;
    uint32_t owner;
} spinlock_t;

#define SPINLOCK_INIT                                                                              \
    {                                                                                              \
        0, 0                                                                                       \
    }

void spin_lock(spinlock_t *l);
void spin_unlock(spinlock_t *l);
bool spin_trylock(spinlock_t *l);

/* Lock with local interrupts masked; returns the state to give to spin_unlock_irqrestore. */
unsigned long spin_lock_irqsave(spinlock_t *l);
void spin_unlock_irqrestore(spinlock_t *l, unsigned long flags);

#endif
