// SPDX-License-Identifier: MIT
#include <axvm/arch_vm.h>

/* Data accesses are coherent between harts; instruction fetch is made to see the hypervisor's
 * stores by the FENCE.I every vCPU load runs on its hart (arch_vcpu_load). */
void arch_guest_mem_written(void *p, size_t len) {}
