/* SPDX-License-Identifier: MIT */
#ifndef ARCH_SMP_H
#define ARCH_SMP_H

#include <axvm/types.h>

/* Copy the start-up code to 'page' (below 1 MiB) and fill in what every secondary shares:
 * the page tables 'cr3' (below 4 GiB). */
void smp_init(paddr_t page, uint64_t cr3);

#endif
