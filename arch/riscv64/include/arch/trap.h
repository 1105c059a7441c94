/* SPDX-License-Identifier: MIT */
#ifndef ARCH_TRAP_H
#define ARCH_TRAP_H

/*
 * The register frame trap_entry.S builds on every trap. x0 has a slot so that frame->x[n] is
 * register xn; the CSRs follow.
 */

#define TRAP_FRAME_X(n)    ((n)*8)
#define TRAP_FRAME_SEPC    (32 * 8)
#define TRAP_FRAME_SSTATUS (33 * 8)
#define TRAP_FRAME_SCAUSE  (34 * 8)
#define TRAP_FRAME_STVAL   (35 * 8)
#define TRAP_FRAME_HSTATUS (36 * 8)
#define TRAP_FRAME_HTVAL   (37 * 8)
#define TRAP_FRAME_SIZE    (38 * 8) /* a multiple of 16: the psABI stack alignment */

#ifndef __ASSEMBLY__

#include <axvm/types.h>

struct trap_frame {
    uint64_t x[32];
    uint64_t sepc;
    uint64_t sstatus;
    uint64_t scause;
    uint64_t stval;
    uint64_t hstatus;
    uint64_t htval;
};

/* The vector installed in stvec on every hart (arch/riscv64/trap_entry.S). */
void trap_entry(void);

/* C side of a trap; 'f' may be modified and is restored on return. */
void trap_handle(struct trap_frame *f);

#endif /* !__ASSEMBLY__ */

#endif
