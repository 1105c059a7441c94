// SPDX-License-Identifier: MIT
/* The shared-memory doorbell hypercalls as the core serves them. */
#include <string.h>
#include <axvm/errno.h>
#include <axvm/hypercall.h>
#include <axvm/hypercall_handle.h>
#include <axvm/shmem.h>
#include <axvm/console.h>
#include <axvm/emu.h>
#include <axvm/vm.h>
#include <axvm/vmm.h>
#include "check.h"

extern struct shmem_config host_shmem_configs[SHMEM_MAX] __asm__("shmem_configs");
extern unsigned host_shmem_config_count __asm__("shmem_config_count");

static char captured[4096];
static size_t capture_len;

static void capture(const char *s, size_t len)
{
    if (capture_len + len < sizeof(captured)) {
        memcpy(captured + capture_len, s, len);
        capture_len += len;
        captured[capture_len] = '\0';
    }
}

static int64_t call(struct vcpu *v, uint64_t nr, uint64_t arg)
{
    struct exit_hypercall hc = {.nr = nr, .args = {arg}};
    CHECK_EQ(hypercall_handle(v, &hc), EXIT_NONE);
    return hc.ret;
}

TEST(shmem_doorbell_rings_running_peers_of_the_region_only)
{
    static const struct vm_config cfgs[4] = {{.id = 1, .name = "a"},
                                             {.id = 2, .name = "b"},
                                             {.id = 3, .name = "c"},
                                             {.id = 4, .name = "d"}};
    memset(vm_table, 0, sizeof(vm_table));
    for (unsigned i = 0; i < 4; i++) {
        vm_table[i].id = cfgs[i].id;
        vm_table[i].cfg = &cfgs[i];
        vm_state_set(&vm_table[i], VM_RUNNING);
    }
    /* Region 0: a, b, c (c read-only); region 1: a and d. */
    host_shmem_configs[0] = (struct shmem_config){
        "r0",
        4096,
        {{1, 0x1000, false, -1, 0}, {2, 0x1000, false, -1, 0}, {3, 0x1000, true, -1, 0}},
        3};
    host_shmem_configs[1] = (struct shmem_config){
        "r1", 4096, {{1, 0x2000, false, -1, 0}, {4, 0x1000, false, -1, 0}}, 2};
    host_shmem_config_count = 2;
    struct vcpu a = {.vm = &vm_table[0]}, b = {.vm = &vm_table[1]}, d = {.vm = &vm_table[3]};

    CHECK_EQ(call(&a, AXVM_HC_SHMEM_RING, 0), 2); /* b and c */
    CHECK_EQ(call(&b, AXVM_HC_SHMEM_RINGS, 0), 1);
    CHECK_EQ(vm_table[2].shmem_rings[0], 1);
    CHECK_EQ(call(&a, AXVM_HC_SHMEM_RINGS, 0), 0); /* never its own */
    CHECK_EQ(call(&d, AXVM_HC_SHMEM_RINGS, 1), 0); /* another region's ring did not reach d */
    vm_state_set(&vm_table[2], VM_STOPPED);
    CHECK_EQ(call(&b, AXVM_HC_SHMEM_RING, 0), 1); /* a only: c is stopped */
    CHECK_EQ(call(&a, AXVM_HC_SHMEM_RINGS, 0), 1);
    CHECK_EQ(vm_table[2].shmem_rings[0], 1);
    /* A region the caller does not map, or none at all. */
    CHECK_EQ(call(&d, AXVM_HC_SHMEM_RING, 0), -EINVAL);
    CHECK_EQ(call(&d, AXVM_HC_SHMEM_RINGS, 0), -EINVAL);
    CHECK_EQ(call(&a, AXVM_HC_SHMEM_RING, 2), -EINVAL);
    CHECK_EQ(call(&a, AXVM_HC_SHMEM_RING, ~0ULL), -EINVAL);
    CHECK_EQ(call(&a, AXVM_HC_SHMEM_RING, 1), 1);
    CHECK_EQ(call(&d, AXVM_HC_SHMEM_RINGS, 1), 1);

    /* A write fault is named after the region only where the VM maps it read-only. */
    CHECK_STR(shmem_read_only_at(&vm_table[2], 0x1ffc), "r0");
    CHECK(shmem_read_only_at(&vm_table[2], 0x2000) == NULL);
    CHECK(shmem_read_only_at(&vm_table[2], 0xfff) == NULL);
    CHECK(shmem_read_only_at(&vm_table[1], 0x1000) == NULL); /* b maps it read-write */

    /* The console's info shows the regions a VM maps, with its rings. */
    vm_table[2].vcpu_count = 0;
    capture_len = 0;
    cmux_sink = capture;
    vmm_run("info c");
    cmux_sink = console_write;
    CHECK(strstr(captured,
                 "[axvm] console:   shmem r0 at 0x1000 (4 KiB, read-only), rung 1 times\n"));
    CHECK(!strstr(captured, "shmem r1"));

    host_shmem_config_count = 0;
    memset(host_shmem_configs, 0, sizeof(host_shmem_configs));
    memset(vm_table, 0, sizeof(vm_table));
}

/* What the doorbell did to each VM's interrupt controller. */
static struct {
    unsigned edges, levels;
    int last_irq;
    bool high;
} seen[4];

static void fake_raise_edge(void *ctx, unsigned irq)
{
    unsigned i = (unsigned)(uintptr_t)ctx;
    seen[i].edges++;
    seen[i].last_irq = (int)irq;
}

static void fake_set_level(void *ctx, unsigned irq, bool level)
{
    unsigned i = (unsigned)(uintptr_t)ctx;
    seen[i].levels++;
    seen[i].last_irq = (int)irq;
    seen[i].high = level;
}

/* The ring raises each running peer's doorbell interrupt, the number from that peer's map: an
 * edge through raise_edge, else a line pulsed high then low; nothing for a peer without an irq,
 * a stopped peer or the ringer itself. */
TEST(shmem_doorbell_raises_each_running_peers_interrupt)
{
    static const struct vm_config cfgs[4] = {{.id = 1, .name = "a"},
                                             {.id = 2, .name = "b"},
                                             {.id = 3, .name = "c"},
                                             {.id = 4, .name = "d"}};
    static const struct vintc_ops edge_ops = {.raise_edge = fake_raise_edge,
                                              .set_level = fake_set_level};
    static const struct vintc_ops level_ops = {.set_level = fake_set_level};
    memset(vm_table, 0, sizeof(vm_table));
    memset(seen, 0, sizeof(seen));
    for (unsigned i = 0; i < 4; i++) {
        vm_table[i].id = cfgs[i].id;
        vm_table[i].cfg = &cfgs[i];
        vm_table[i].intc = (struct vintc){i == 2 ? &level_ops : &edge_ops, (void *)(uintptr_t)i};
        vm_state_set(&vm_table[i], VM_RUNNING);
    }
    host_shmem_configs[0] = (struct shmem_config){"r0",
                                                  4096,
                                                  {{1, 0x1000, false, 40, 0},
                                                   {2, 0x1000, false, 41, 0},
                                                   {3, 0x1000, true, 5, 0},
                                                   {4, 0x1000, false, -1, 0}},
                                                  4};
    host_shmem_config_count = 1;
    struct vcpu a = {.vm = &vm_table[0]}, b = {.vm = &vm_table[1]};

    CHECK_EQ(call(&a, AXVM_HC_SHMEM_RING, 0), 3);
    CHECK_EQ(seen[0].edges + seen[0].levels, 0);
    CHECK_EQ(seen[1].edges, 1);
    CHECK_EQ(seen[1].last_irq, 41);
    CHECK_EQ(seen[2].levels, 2); /* pulsed: high, then low again */
    CHECK_EQ(seen[2].last_irq, 5);
    CHECK(!seen[2].high);
    CHECK_EQ(seen[3].edges + seen[3].levels, 0); /* rung (counted), no interrupt configured */
    CHECK_EQ(vm_table[3].shmem_rings[0], 1);

    vm_state_set(&vm_table[1], VM_STOPPING);
    CHECK_EQ(call(&a, AXVM_HC_SHMEM_RING, 0), 2);
    CHECK_EQ(seen[1].edges, 1); /* a VM on its way down gets nothing */
    CHECK_EQ(call(&b, AXVM_HC_SHMEM_RING, 0), 3);
    CHECK_EQ(seen[0].edges, 1);
    CHECK_EQ(seen[0].last_irq, 40);

    host_shmem_config_count = 0;
    memset(host_shmem_configs, 0, sizeof(host_shmem_configs));
    memset(vm_table, 0, sizeof(vm_table));
}

/* The doorbell register page: on the bus of a VM whose map has one, at its address; a write
 * of RING rings the region's other running VMs as the hypercall does, RINGS reads this VM's
 * count, everything else reads 0 and changes nothing. */
TEST(shmem_doorbell_page_rings_and_counts)
{
    static const struct vm_config cfgs[2] = {{.id = 1, .name = "a"}, {.id = 2, .name = "b"}};
    memset(vm_table, 0, sizeof(vm_table));
    for (unsigned i = 0; i < 2; i++) {
        vm_table[i].id = cfgs[i].id;
        vm_table[i].cfg = &cfgs[i];
        emu_bus_init(&vm_table[i].bus);
        vm_state_set(&vm_table[i], VM_RUNNING);
    }
    host_shmem_configs[0] = (struct shmem_config){"r0", 4096, {{1, 0x1000, false, -1, 0}}, 1};
    host_shmem_configs[1] = (struct shmem_config){
        "r1", 8192, {{1, 0x4000, false, -1, 0x9000}, {2, 0x4000, true, -1, 0x20000}}, 2};
    host_shmem_config_count = 2;
    struct emu_bus *bus_a = &vm_table[0].bus, *bus_b = &vm_table[1].bus;
    CHECK_EQ(shmem_add_doorbells(&vm_table[0]), 0);
    CHECK_EQ(shmem_add_doorbells(&vm_table[1]), 0);
    CHECK_EQ(bus_a->count, 1); /* region 0's map has no doorbell page */
    CHECK_EQ(bus_b->count, 1);
    CHECK(emu_bus_find(bus_a, EMU_MMIO, 0x9000) == &vm_table[0].shmem_bells[1]);
    CHECK(!emu_bus_find(bus_a, EMU_MMIO, 0x8fff));
    CHECK(!emu_bus_find(bus_a, EMU_MMIO, 0xa000));
    CHECK(!emu_bus_find(bus_a, EMU_PIO, 0x9000));

    uint64_t v = 1;
    CHECK_EQ(emu_bus_access(bus_a, EMU_MMIO, 0x9000 + SHMEM_BELL_RING, 4, true, &v), 0);
    CHECK_EQ(vm_table[1].shmem_rings[1], 1);
    CHECK_EQ(vm_table[0].shmem_rings[1], 0);
    v = 0; /* any value, any width rings */
    CHECK_EQ(emu_bus_access(bus_a, EMU_MMIO, 0x9000, 1, true, &v), 0);
    CHECK_EQ(emu_bus_access(bus_b, EMU_MMIO, 0x20000 + SHMEM_BELL_RINGS, 4, false, &v), 0);
    CHECK_EQ(v, 2);
    CHECK_EQ(emu_bus_access(bus_b, EMU_MMIO, 0x20000 + SHMEM_BELL_RING, 4, false, &v), 0);
    CHECK_EQ(v, 0);
    /* Other offsets: nothing rings, reads are 0. */
    v = 1;
    CHECK_EQ(emu_bus_access(bus_a, EMU_MMIO, 0x9008, 4, true, &v), 0);
    CHECK_EQ(emu_bus_access(bus_a, EMU_MMIO, 0x9ffc, 4, true, &v), 0);
    CHECK_EQ(vm_table[1].shmem_rings[1], 2);
    CHECK_EQ(emu_bus_access(bus_a, EMU_MMIO, 0x9ffc, 4, false, &v), 0);
    CHECK_EQ(v, 0);
    /* b rings a through its page although it maps the region read-only, as with the call. */
    CHECK_EQ(emu_bus_access(bus_b, EMU_MMIO, 0x20000, 4, true, &v), 0);
    CHECK_EQ(vm_table[0].shmem_rings[1], 1);
    /* A stopped peer is not rung. */
    vm_state_set(&vm_table[1], VM_STOPPED);
    CHECK_EQ(emu_bus_access(bus_a, EMU_MMIO, 0x9000, 4, true, &v), 0);
    CHECK_EQ(vm_table[1].shmem_rings[1], 2);
    /* The console's info shows the page. */
    capture_len = 0;
    cmux_sink = capture;
    vmm_run("info b");
    cmux_sink = console_write;
    CHECK(strstr(captured, "[axvm] console:   shmem r1 at 0x4000 (8 KiB, read-only, doorbell page "
                           "0x20000), rung 2 times\n"));

    host_shmem_config_count = 0;
    memset(host_shmem_configs, 0, sizeof(host_shmem_configs));
    memset(vm_table, 0, sizeof(vm_table));
}
