// SPDX-License-Identifier: MIT
/* The device tree a VM boots with, generated from its config. */
#include <stdlib.h>
#include <libfdt.h>
#include <axvm/frame.h>
#include <axvm/vdev.h>
#include <axvm/vm.h>
#include <axvm/vm_fdt.h>
#include "check.h"

extern struct shmem_config host_shmem_configs[SHMEM_MAX] __asm__("shmem_configs");
extern unsigned host_shmem_config_count __asm__("shmem_config_count");

TEST(vm_fdt_from_config)
{
    void *arena = aligned_alloc(1 << 20, 1 << 20);
    struct mem_range r = {(paddr_t)(uintptr_t)arena, 1 << 20};
    frame_init(&r, 1);
    static const uint8_t image[16];
    struct vm_config cfg = {
        .id = 3,
        .name = "fdt",
        .vcpu_count = 2,
        .affinity = {1, 2},
        .mem = {{0x40000000, MiB(64), VM_MEM_ALLOCATED}, {0x50000000, MiB(4), VM_MEM_LAZY}},
        .mem_count = 2,
        /* A port-I/O UART first: it has no node, so the console is the PL011. */
        .dev = {{"ns16550", 0x3f8, 8, -1, true}, {"pl011", 0x9000000, 0, -1, false}},
        .dev_count = 2,
        .image = image,
        .image_size = sizeof(image),
        .load_addr = 0x40000000,
        .cmdline = "console=ttyAMA0 quiet",
    };
    static struct vm vm;
    memset(&vm, 0, sizeof(vm));
    vm.cfg = &cfg;
    vm.vcpu_count = 2;
    for (unsigned i = 0; i < 2; i++) {
        vm.vcpus[i].id = i;
        vm.vcpus[i].hwid = i;
        CHECK_EQ(vdev_attach(&vm, &vm.devs[i], &cfg.dev[i]), 0);
    }
    static char buf[16384];
    CHECK_EQ(vm_fdt_build(&vm, buf, sizeof(buf)), 0);
    CHECK_EQ(fdt_check_header(buf), 0);

    int chosen = fdt_path_offset(buf, "/chosen");
    CHECK(chosen >= 0);
    CHECK_STR(fdt_getprop(buf, chosen, "bootargs", NULL), "console=ttyAMA0 quiet");
    CHECK_STR(fdt_getprop(buf, chosen, "stdout-path", NULL), "/pl011@9000000");
    int uart = fdt_path_offset(buf, "/pl011@9000000");
    CHECK(uart >= 0);
    const fdt64_t *reg = fdt_getprop(buf, uart, "reg", NULL);
    CHECK(reg && fdt64_ld(&reg[1]) == 0x1000); /* the model's size when the config has none */
    CHECK(fdt_path_offset(buf, "/serial@3f8") < 0);

    const fdt64_t *mem = fdt_getprop(buf, fdt_path_offset(buf, "/memory@50000000"), "reg", NULL);
    CHECK(mem && fdt64_ld(&mem[0]) == 0x50000000 && fdt64_ld(&mem[1]) == MiB(4));
    CHECK(fdt_path_offset(buf, "/cpus/cpu@1") >= 0);
    CHECK(fdt_path_offset(buf, "/cpus/cpu@2") < 0);
    /* No interrupt controller in this VM: no interrupt-parent to dangle. */
    CHECK(fdt_getprop(buf, 0, "interrupt-parent", NULL) == NULL);

    vdev_detach(&vm.devs[0]);
    vdev_detach(&vm.devs[1]);
    CHECK_EQ(frame_free_count(), frame_total_count());
    free(arena);
}

/* A shared region's node: both compatibles (the second for Linux's uio_pdrv_genirq), its
 * registers, and the doorbell as "interrupts" in the interrupt controller's format (here
 * host-intc's one cell) and as the plain number "axvm,irq"; a map without irq has neither. */
TEST(vm_fdt_shmem_node_with_doorbell)
{
    void *arena = aligned_alloc(1 << 20, 1 << 20);
    struct mem_range r = {(paddr_t)(uintptr_t)arena, 1 << 20};
    frame_init(&r, 1);
    static const uint8_t image[16];
    struct vm_config cfg = {
        .id = 2,
        .name = "uio",
        .vcpu_count = 1,
        .mem = {{0x40000000, MiB(16), VM_MEM_ALLOCATED}},
        .mem_count = 1,
        .dev = {{"host-intc", 0x0a000000, 0x1000, -1, false}},
        .dev_count = 1,
        .image = image,
        .image_size = sizeof(image),
        .load_addr = 0x40000000,
    };
    host_shmem_configs[0] = (struct shmem_config){
        "ring", 0x2000, {{1, 0x50000000, false, -1, 0}, {2, 0x60000000, true, 12, 0}}, 2};
    host_shmem_configs[1] = (struct shmem_config){
        "quiet", 0x1000, {{2, 0x60004000, false, -1, 0x60010000}, {1, 0x50004000, false, 9, 0}}, 2};
    host_shmem_config_count = 2;
    static struct vm vm;
    memset(&vm, 0, sizeof(vm));
    vm.cfg = &cfg;
    vm.id = 2;
    vm.vcpu_count = 1;
    CHECK_EQ(vdev_attach(&vm, &vm.devs[0], &cfg.dev[0]), 0);
    static char buf[16384];
    CHECK_EQ(vm_fdt_build(&vm, buf, sizeof(buf)), 0);

    int node = fdt_path_offset(buf, "/shmem@60000000");
    CHECK(node >= 0);
    int len = 0;
    const char *compat = fdt_getprop(buf, node, "compatible", &len);
    CHECK(compat && len == (int)sizeof("axvm,shmem\0generic-uio"));
    CHECK(compat &&
          memcmp(compat, "axvm,shmem\0generic-uio", sizeof("axvm,shmem\0generic-uio")) == 0);
    CHECK_EQ(fdt_node_check_compatible(buf, node, "generic-uio"), 0);
    const fdt64_t *reg = fdt_getprop(buf, node, "reg", &len);
    CHECK(reg && len == 16 && fdt64_ld(&reg[0]) == 0x60000000 && fdt64_ld(&reg[1]) == 0x2000);
    CHECK(fdt_getprop(buf, node, "reg-names", NULL) == NULL);
    CHECK_STR(fdt_getprop(buf, node, "label", NULL), "ring");
    CHECK(fdt_getprop(buf, node, "read-only", NULL) != NULL);
    const fdt32_t *irq = fdt_getprop(buf, node, "interrupts", &len);
    CHECK(irq && len == 4 && fdt32_ld(irq) == 12);
    irq = fdt_getprop(buf, node, "axvm,irq", &len);
    CHECK(irq && len == 4 && fdt32_ld(irq) == 12);
    CHECK(fdt_getprop(buf, 0, "interrupt-parent", NULL) != NULL);

    node = fdt_path_offset(buf, "/shmem@60004000");
    CHECK(node >= 0);
    CHECK(fdt_getprop(buf, node, "interrupts", NULL) == NULL);
    CHECK(fdt_getprop(buf, node, "axvm,irq", NULL) == NULL);
    CHECK(fdt_getprop(buf, node, "read-only", NULL) == NULL);
    const fdt32_t *index = fdt_getprop(buf, node, "axvm,index", NULL);
    CHECK(index && fdt32_ld(index) == 1);
    /* Its doorbell page is the second "reg" entry (the UIO device's map1). */
    reg = fdt_getprop(buf, node, "reg", &len);
    CHECK(reg && len == 32 && fdt64_ld(&reg[0]) == 0x60004000 && fdt64_ld(&reg[1]) == 0x1000 &&
          fdt64_ld(&reg[2]) == 0x60010000 && fdt64_ld(&reg[3]) == 0x1000);
    const char *names = fdt_getprop(buf, node, "reg-names", &len);
    CHECK(names && len == (int)sizeof("region\0doorbell") &&
          memcmp(names, "region\0doorbell", sizeof("region\0doorbell")) == 0);
    CHECK(fdt_path_offset(buf, "/shmem@50000000") < 0); /* the other VM's addresses */

    vdev_detach(&vm.devs[0]);
    host_shmem_config_count = 0;
    memset(host_shmem_configs, 0, sizeof(host_shmem_configs));
    CHECK_EQ(frame_free_count(), frame_total_count());
    free(arena);
}
