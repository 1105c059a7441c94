// SPDX-License-Identifier: MIT
#include <axvm/arch_vm.h>

/* x86 caches are coherent with every agent, instruction fetch included (cross-modifying code
 * needs only the serialising VMRUN the guest is entered with). */
void arch_guest_mem_written(void *p, size_t len) {}
