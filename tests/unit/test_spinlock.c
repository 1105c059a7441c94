// SPDX-License-Identifier: MIT
#include <pthread.h>
#include <axvm/spinlock.h>
#include "check.h"

TEST(spinlock_trylock_excludes)
{
    spinlock_t l = SPINLOCK_INIT;
    CHECK(spin_trylock(&l));
    CHECK(!spin_trylock(&l));
    spin_unlock(&l);
    spin_lock(&l);
    CHECK(!spin_trylock(&l));
    spin_unlock(&l);
    CHECK(spin_trylock(&l));
    spin_unlock(&l);
}

static spinlock_t counter_lock = SPINLOCK_INIT;
static unsigned long counter;

static void *bump(void *arg)
{
    for (int i = 0; i < 20000; i++) {
        spin_lock(&counter_lock);
        counter++; /* not atomic: only the lock keeps the count exact */
        spin_unlock(&counter_lock);
    }
    return arg;
}

TEST(spinlock_mutual_exclusion_under_contention)
{
    pthread_t t[4];
    counter = 0;
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, bump, NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    CHECK_EQ(counter, 80000);
}
