/* SPDX-License-Identifier: MIT */
#ifndef AXVM_HYPERCALL_HANDLE_H
#define AXVM_HYPERCALL_HANDLE_H

#include <axvm/exit.h>

struct vcpu;

/* Serve a hypercall; EXIT_NONE when the guest continues (hc->ret set), else what the
 * scheduler must do (shutdown, reboot). */
enum exit_kind hypercall_handle(struct vcpu *v, struct exit_hypercall *hc);

#endif
