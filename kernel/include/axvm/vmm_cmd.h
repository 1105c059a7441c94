/* SPDX-License-Identifier: MIT */
#ifndef AXVM_VMM_CMD_H
#define AXVM_VMM_CMD_H

/*
 * The hypervisor's console command line (Ctrl-] then ':'): the line editor and the parser.
 * Pure: no VM, lock or output here, so both are unit-tested (and fuzzed) on the host; kernel/
 * vmm.c runs what they produce.
 *
 * Grammar: a command word, then at most one argument, separated by spaces:
 *   help | list | info VM | log VM | start VM | stop VM | reboot VM
 * VM is a VM id (decimal) or a VM's whole name: nothing shorter or approximate matches, so a
 * typo names no VM rather than another one.
 */

#include <axvm/types.h>

#define VMM_LINE_MAX 64 /* characters of a command line */

/* ---- the line editor ---- */

struct vmm_line {
    char text[VMM_LINE_MAX + 1]; /* NUL-terminated */
    unsigned len;
};

enum vmm_key {
    VMM_KEY_IGNORE, /* nothing changes (unprintable, or the line is full) */
    VMM_KEY_ECHO,   /* the character was added: show it */
    VMM_KEY_ERASE,  /* the last character was removed: take it off the screen */
    VMM_KEY_RUN,    /* Enter: text holds the command */
    VMM_KEY_CANCEL, /* Ctrl-C, Ctrl-], Escape: the line is abandoned */
};

void vmm_line_reset(struct vmm_line *l);
enum vmm_key vmm_line_key(struct vmm_line *l, char c);

/* ---- the parser ---- */

enum vmm_op {
    VMM_OP_NONE, /* an empty line: nothing to do */
    VMM_OP_HELP,
    VMM_OP_LIST,
    VMM_OP_INFO,
    VMM_OP_LOG,
    VMM_OP_START,
    VMM_OP_STOP,
    VMM_OP_REBOOT,
    VMM_OP_ERROR, /* 'error' says why, in one line */
};

struct vmm_cmd {
    enum vmm_op op;
    char vm[VMM_LINE_MAX + 1]; /* the VM argument as typed (id or name), for ops that take one */
    const char *error;
};

/* Parse a NUL-terminated line. Never fails to return: a bad line gives VMM_OP_ERROR. */
void vmm_cmd_parse(const char *line, struct vmm_cmd *cmd);

/*
 * Which of 'count' VMs (ids[i], names[i]) the argument names: its index, or -1. A decimal
 * argument is an id only; anything else must equal a name exactly.
 */
int vmm_cmd_match(const char *arg, const unsigned *ids, const char *const *names, unsigned count);

/* One line per command, for `help`. */
extern const char *const vmm_cmd_help[];

#endif
