/* SPDX-License-Identifier: MIT */
#ifndef AXVM_HYPERCALL_HANDLE_H
#define AXVM_HYPERCALL_HANDLE_H

#include <axvm/exit.h>

struct vcpu;

/* Serve a hypercall; EXIT_NONE when the guest continues (hc->ret set), else what the
 * scheduler must do (shutdown, reboot). */
enum exit_kind hypercall_handle(struct vcpu *v, struct exit_hypercall *hc);

/*
 * Answer hypercall 'nr' in place if it only reads (version, VM id, vCPU id, boot count, trap
 * floor, shared-memory rings): *ret set, the exit counted in v->exits and
 * v->exit_kinds[EXIT_HYPERCALL] as vcpu_run counts the exits it sees, and true. False, nothing
 * changed, for every other call: it must take the ordinary exit. For an architecture's exception
 * entry (interrupts masked, the guest's state only partly saved): it neither blocks, logs nor
 * touches the scheduler.
 */
bool hypercall_answer_fast(struct vcpu *v, uint64_t nr, uint64_t arg0, int64_t *ret);

#endif
