/* SPDX-License-Identifier: MIT */
#ifndef GUEST_AARCH64_TIMERS_H
#define GUEST_AARCH64_TIMERS_H

/* The EL1 timers' interrupt checks (timers.c), entries of fault_checks. */

#include <stdbool.h>
#include <stddef.h>

struct fault_env;

bool timer_check_virtual(const struct fault_env *env, char *detail, size_t size);
bool timer_check_physical(const struct fault_env *env, char *detail, size_t size);
bool timer_check_virtual_imask(const struct fault_env *env, char *detail, size_t size);
bool timer_check_physical_imask(const struct fault_env *env, char *detail, size_t size);
bool timer_check_virtual_rearm(const struct fault_env *env, char *detail, size_t size);
bool timer_check_physical_rearm(const struct fault_env *env, char *detail, size_t size);

#endif
