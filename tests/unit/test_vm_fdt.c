// SPDX-License-Identifier: MIT
/* The device tree a VM boots with, generated from its config. */
#include <stdlib.h>
#include <libfdt.h>
#include <axvm/frame.h>
#include <axvm/vdev.h>
#include <axvm/vm.h>
#include <axvm/vm_fdt.h>
#include "check.h"

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
