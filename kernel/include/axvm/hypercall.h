/* SPDX-License-Identifier: MIT */
#ifndef AXVM_HYPERCALL_H
#define AXVM_HYPERCALL_H

/*
 * The axvm hypercall ABI, the same numbers on every architecture (docs/hypercalls.md):
 *   AArch64: HVC #0, x0 = AXVM_HC_BASE_ARM + nr, args x1..x4, result in x0
 *   RISC-V:  ECALL, a7 = AXVM_SBI_EXT, a6 = nr, args a0..a3, result a0 (error) / a1 (value)
 *   x86_64:  VMMCALL, rax = nr, args rdi, rsi, rdx, rcx, result in rax
 * Results are >= 0 on success and -errno (kernel/include/axvm/errno.h values) on failure.
 */

#define AXVM_HC_VERSION       0 /* () -> ABI version */
#define AXVM_HC_VM_ID         1 /* () -> this VM's id */
#define AXVM_HC_CONSOLE_WRITE 2 /* (gpa, len) -> bytes written */
#define AXVM_HC_SHUTDOWN      3 /* () -> does not return */
#define AXVM_HC_REBOOT        4 /* () -> does not return */
#define AXVM_HC_VCPU_ID       5 /* () -> the calling vCPU's index */
#define AXVM_HC_BOOT_COUNT    6 /* () -> how many times this VM has booted, this boot included */
#define AXVM_HC_SHMEM_RING    7 /* (region) -> peers rung: every other VM mapping the region */
#define AXVM_HC_SHMEM_RINGS   8 /* (region) -> how often this VM was rung for it, this boot */

/* () -> 0, answered by the architecture's exception entry itself before any guest state is
 * saved (arch/aarch64/vectors.S, arch/riscv64/trap_entry.S, arch/x86_64/svm_entry.S): the cost
 * of a bare trap and return, the floor `make bench` measures every other exit against. */
#define AXVM_HC_TRAP_FLOOR 0xffff

#define AXVM_HC_ABI_VERSION 1

/* These are used in assembly too, where a UL suffix is not understood. */
#ifdef __ASSEMBLY__
#define AXVM_UL(x) x
#else
#define AXVM_UL(x) x##UL
#endif

/* SMCCC function id range: fast call, 64-bit, owner 6 (vendor-specific hypervisor service). */
#define AXVM_HC_BASE_ARM AXVM_UL(0xc6000000)
/* SBI extension id in the vendor range 0x09000000-0x09ffffff: "AXV". */
#define AXVM_SBI_EXT AXVM_UL(0x09415856)

#endif
