/* SPDX-License-Identifier: MIT */
#ifndef ARCH_PERCPU_H
#define ARCH_PERCPU_H

/* The host build has no architecture state per CPU. */
struct arch_percpu {
    int unused;
};

#endif
