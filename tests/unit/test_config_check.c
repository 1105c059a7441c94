// SPDX-License-Identifier: MIT
/* The boot-time config check: the same rules as scripts/vmconfig.py, against the real machine. */
#include <stdio.h>
#include <stdlib.h>
#include <libfdt.h>
#include <axvm/config.h>
#include <axvm/dt.h>
#include "check.h"
#include "harness.h"

static const uint8_t image[64];

extern struct shmem_config host_shmem_configs[SHMEM_MAX] __asm__("shmem_configs");
extern unsigned host_shmem_config_count __asm__("shmem_config_count");

static struct vm_config good(void)
{
    struct vm_config c = {
        .source = "t.toml",
        .id = 1,
        .name = "a",
        .vcpu_count = 2,
        .affinity = {1, 2},
        .mem = {{0x40000000, MiB(16), VM_MEM_ALLOCATED}, {0x50000000, MiB(4), VM_MEM_LAZY}},
        .mem_count = 2,
        .dev = {{"pl011", 0x09000000, 0, -1, false}},
        .dev_count = 1,
        .image = image,
        .image_size = sizeof(image),
        .load_addr = 0x40000000,
        .entry = 0x40000000,
    };
    return c;
}

/* Shaped like QEMU virt with 1 GiB: RAM from 0x40000000, the hypervisor image and the boot
 * device tree kept, the GIC and the console UART driven by the hypervisor. */
static const struct mem_range ram[] = {{0x40000000, GiB(1)}};
static const struct mem_range reserved[] = {{0x40200000, MiB(2)}, {0x48000000, MiB(1)}};
static const struct mem_range devices[] = {
    {0x08000000, KiB(64)}, {0x080a0000, 0xf60000}, {0x09000000, KiB(4)}};
static const struct machine_facts machine = {
    .cpu_count = 4,
    .free_bytes = MiB(64),
    .guest_addr_bits = 40,
    .ram = ram,
    .ram_count = 1,
    .reserved = reserved,
    .reserved_count = 2,
    .devices = devices,
    .device_count = 3,
};

static bool check(const struct vm_config *c, const struct vm_config *const *others, unsigned n,
                  char *why)
{
    return vm_config_check(c, &machine, others, n, why, 128);
}

TEST(config_check_accepts_good)
{
    char why[128] = "";
    struct vm_config c = good();
    CHECK(check(&c, NULL, 0, why));
    CHECK_STR(why, "");
}

TEST(config_check_machine_rules)
{
    char why[128];
    struct vm_config c = good();
    c.affinity[1] = 4;
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why, "cpu_affinity[1]: pCPU 4 does not exist (this machine has 4)");

    /* A pCPU that did not come online: the VM would never run there. */
    struct machine_facts m = machine;
    m.cpus_offline = 1u << 3;
    c = good();
    CHECK(vm_config_check(&c, &m, NULL, 0, why, sizeof(why)));
    c.affinity[1] = 3;
    CHECK(!vm_config_check(&c, &m, NULL, 0, why, sizeof(why)));
    CHECK_STR(why, "cpu_affinity[1]: pCPU 3 did not come online");

    c = good();
    c.mem[0].size = MiB(64);
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why, "memory: needs 68 MiB, only 64 MiB free");

    /* Identity regions use no hypervisor memory. */
    c.mem[0].gpa = 0x60000000;
    c.load_addr = 0x60000000;
    c.mem[0].kind = VM_MEM_IDENTITY;
    CHECK(check(&c, NULL, 0, why));
}

TEST(config_check_structure_rules)
{
    char why[128];
    struct vm_config c = good();
    c.mem[1].gpa = 0x40fff000;
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why, "memory[1]: overlaps memory[0]");

    c = good();
    c.mem[1].size = 0x1800;
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why,
              "memory[1]: base 0x50000000 and size 0x1800 must be non-zero multiples of 4 KiB");

    c = good();
    c.dev[0].base = 0x40001000;
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why, "device[0]: pl011 at 0x40001000 lies on memory[0]");

    c = good();
    c.dev[0].type = "floppy";
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why, "device[0].type: unknown device type 'floppy'");

    c = good();
    c.load_addr = 0x40fffff0;
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why, "image: 64 bytes at 0x40fffff0 do not fit in one memory region");

    /* An image size that would wrap the end address around. */
    c = good();
    c.image_size = UINT64_MAX - 0x10;
    CHECK(!check(&c, NULL, 0, why));

    c = good();
    c.vcpu_count = 0;
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why, "vcpus: 0 is not between 1 and 8");
}

/* Regions beyond the stage-2 input size would alias onto low addresses (issue 9). */
TEST(config_check_guest_address_size)
{
    char why[128];
    struct vm_config c = good();
    c.mem[1].gpa = 1ULL << 40;
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why, "memory[1]: 0x10000000000 + 0x400000 reaches past the 40-bit guest-physical "
                   "address space");

    c = good();
    c.mem[1].gpa = (1ULL << 40) - MiB(4); /* ends exactly at the top: fine */
    CHECK(check(&c, NULL, 0, why));

    c = good();
    c.mem[1].gpa = UINT64_MAX & ~(PAGE_SIZE - 1); /* would wrap */
    CHECK(!check(&c, NULL, 0, why));

    c = good();
    c.dev[0].base = (1ULL << 40) - 0x800;
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why, "device[0]: pl011 at 0xfffffff800 reaches past the 40-bit guest-physical "
                   "address space");

    c = good();
    c.passthru[0] = (struct vm_passthru_config){1ULL << 40, 0x200, -1, NULL};
    c.passthru_count = 1;
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why, "passthrough[0]: 0x10000000000 + 0x200 is empty or reaches past the 40-bit "
                   "guest-physical address space");
}

TEST(config_check_identity_memory)
{
    char why[128];
    struct vm_config c = good();
    c.mem[1] = (struct vm_mem_config){0x100000000ULL, MiB(16), VM_MEM_IDENTITY};
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why, "memory[1]: identity range 0x100000000-0x101000000 is not inside host RAM");

    /* Straddling the end of RAM. */
    c.mem[1].gpa = 0x7f800000;
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why, "memory[1]: identity range 0x7f800000-0x80800000 is not inside host RAM");

    c.mem[1].gpa = 0x47f00000; /* over the boot device tree */
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why, "memory[1]: identity range 0x47f00000-0x48f00000 covers 0x48000000-0x48100000, "
                   "which the firmware or the hypervisor keeps");

    c.mem[1].gpa = 0x60000000;
    CHECK(check(&c, NULL, 0, why));
}

TEST(config_check_passthrough_isolation)
{
    char why[128];
    struct vm_config c = good();
    c.passthru_count = 1;

    c.passthru[0] = (struct vm_passthru_config){0x0a003e00, 0x200, 79, "virtio,mmio"};
    CHECK(check(&c, NULL, 0, why));

    /* Over the hypervisor's GIC redistributors and its console. */
    c.passthru[0].base = 0x080a0000;
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why, "passthrough[0]: pages 0x80a0000-0x80a1000 cover the hypervisor's own device "
                   "at 0x80a0000-0x9000000");
    c.passthru[0].base = 0x09000f00;
    c.passthru[0].size = 0x200; /* the last bytes of the UART's page and the next page */
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why, "passthrough[0]: pages 0x9000000-0x9002000 cover the hypervisor's own device "
                   "at 0x9000000-0x9001000");

    /* Over the hypervisor image, and over RAM the allocator hands to other VMs. */
    c.passthru[0].base = 0x40200000;
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why, "passthrough[0]: pages 0x40200000-0x40201000 lie on host memory "
                   "0x40200000-0x40400000: only devices may be passed through");
    c.passthru[0].base = 0x70000000;
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why, "passthrough[0]: pages 0x70000000-0x70001000 lie on host memory "
                   "0x40000000-0x80000000: only devices may be passed through");

    c.passthru[0].base = 0x09000000 - 0x1000; /* beside the pl011 emulated at 0x09000000 */
    c.passthru[0].size = 0x1001;
    CHECK(!check(&c, NULL, 0, why));
}

/* The shared regions a VM maps, checked again at boot against the VM: each message names the
 * region and the field. */
TEST(config_check_shared_regions)
{
    char why[128];
    struct vm_config c = good();
    c.dev[1] = (struct vm_dev_config){"host-intc", 0x0a000000, 0x1000, -1, false};
    c.dev[0].irq = 5;
    c.dev_count = 2;
    c.passthru[0] = (struct vm_passthru_config){0x0a003e00, 0x200, 7, NULL};
    c.passthru_count = 1;
    host_shmem_configs[0] = (struct shmem_config){
        "ring", 0x2000, {{2, 0x60000000, false, 3, 0}, {1, 0x60000000, false, 3, 0}}, 2};
    host_shmem_configs[1] = (struct shmem_config){
        "log", 0x1000, {{1, 0x60004000, true, 4, 0}, {2, 0x60004000, false, 3, 0}}, 2};
    host_shmem_config_count = 2;
    CHECK(check(&c, NULL, 0, why));

    host_shmem_configs[1].map[0].gpa = 0x60001000;
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why, "shmem[1].map[0] (region 'log'): 0x60001000-0x60002000 overlaps region 'ring'");
    host_shmem_configs[1].map[0].gpa = 0x40fff000;
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why, "shmem[1].map[0] (region 'log'): 0x40fff000-0x41000000 lies on memory[0]");
    host_shmem_configs[1].map[0].gpa = 0x09000000;
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why,
              "shmem[1].map[0] (region 'log'): 0x9000000-0x9001000 overlaps device[0] (pl011)");
    host_shmem_configs[1].map[0].gpa = 0x0a003000;
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why, "shmem[1].map[0] (region 'log'): 0xa003000-0xa004000 overlaps passthrough[0]");
    host_shmem_configs[1].map[0].gpa = 0x60004800;
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why, "shmem[1].map[0] (region 'log'): 0x60004800 + 0x1000 is not whole pages inside "
                   "the 40-bit guest-physical address space");
    host_shmem_configs[1].map[0].gpa = 0x60004000;

    /* The doorbell register page: a whole free page inside the guest address space. */
    struct shmem_map_config *bell = &host_shmem_configs[1].map[0];
    bell->doorbell = 0x60010000;
    CHECK(check(&c, NULL, 0, why));
    const struct {
        uint64_t at;
        const char *why;
    } bad_bells[] = {
        {0x60010800, "doorbell 0x60010800 is not a page inside the 40-bit guest-physical address "
                     "space"},
        {0x10000000000ull, "doorbell 0x10000000000 is not a page inside the 40-bit "
                           "guest-physical address space"},
        {0x40000000, "doorbell 0x40000000 lies on memory[0]"},
        {0x09000000, "doorbell 0x9000000 overlaps device[0] (pl011)"},
        {0x0a003000, "doorbell 0xa003000 overlaps passthrough[0]"},
        {0x60001000, "doorbell 0x60001000 lies on region 'ring'"},
        {0x60004000, "doorbell 0x60004000 lies on region 'log'"},
    };
    for (unsigned k = 0; k < sizeof(bad_bells) / sizeof(bad_bells[0]); k++) {
        bell->doorbell = bad_bells[k].at;
        CHECK(!check(&c, NULL, 0, why));
        char want[160];
        snprintf(want, sizeof(want), "shmem[1].map[0] (region 'log'): %s", bad_bells[k].why);
        CHECK_STR(why, want);
    }
    bell->doorbell = host_shmem_configs[0].map[1].doorbell = 0x60010000;
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why, "shmem[1].map[0] (region 'log'): doorbell 0x60010000 is region 'ring''s");
    bell->doorbell = host_shmem_configs[0].map[1].doorbell = 0;

    /* The doorbell: a line of the VM's interrupt controller nothing else of the VM uses. */
    host_shmem_configs[1].map[0].irq = 3;
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why, "shmem[1].map[0] (region 'log'): irq 3 is region 'ring''s");
    host_shmem_configs[1].map[0].irq = 5;
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why, "shmem[1].map[0] (region 'log'): irq 5 is device[0]'s");
    host_shmem_configs[1].map[0].irq = 7;
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why, "shmem[1].map[0] (region 'log'): irq 7 is passthrough[0]'s");
    host_shmem_configs[1].map[0].irq = 64;
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why, "shmem[1].map[0] (region 'log'): irq 64 is not a host-intc line (0..63)");
    host_shmem_configs[1].map[0].irq = HOST_INTC_OWN_IRQ;
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why, "shmem[1].map[0] (region 'log'): irq 62 is the host-intc model's own line");
    host_shmem_configs[1].map[0].irq = 4;
    c.dev[0].irq = HOST_INTC_OWN_IRQ;
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why, "device[0].irq: interrupt 62 is the host-intc model's own line");
    c.dev[0].irq = 5;
    host_shmem_configs[1].map[0].irq = 4;
    c.dev_count = 1;
    c.dev[0].irq = -1;
    c.passthru[0].irq = -1;
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why, "shmem[0].map[1] (region 'ring'): irq 3: the VM has no interrupt controller");
    /* No doorbell needs no controller; a VM that maps nothing is not concerned. */
    host_shmem_configs[0].map[1].irq = host_shmem_configs[1].map[0].irq = -1;
    CHECK(check(&c, NULL, 0, why));
    c.id = 3;
    host_shmem_configs[0].map[1].gpa = 0x40000000;
    CHECK(check(&c, NULL, 0, why));

    host_shmem_config_count = 0;
    memset(host_shmem_configs, 0, sizeof(host_shmem_configs));
}

TEST(config_check_rules_across_vms)
{
    char why[128];
    struct vm_config a = good(), b = good();
    b.id = 2;
    b.name = "b";
    b.affinity[0] = 3;
    b.vcpu_count = 1;
    b.mem[0].size = MiB(1);
    b.mem_count = 1;
    const struct vm_config *accepted[] = {&a};
    CHECK(check(&b, accepted, 1, why));

    b.affinity[0] = 2;
    CHECK(!check(&b, accepted, 1, why));
    CHECK_STR(why, "cpu_affinity[0]: pCPU 2 is already given to vm 'a' (set share_pcpus = true "
                   "in both to share it)");
    a.shared_pcpus = b.shared_pcpus = true;
    CHECK(check(&b, accepted, 1, why));

    b.id = 1;
    CHECK(!check(&b, accepted, 1, why));
    CHECK_STR(why, "id: 1 is already used by vm 'a'");
}

/* Host memory, devices and interrupts belong to one VM (issue 9). */
TEST(config_check_host_resources_not_shared)
{
    char why[128];
    struct vm_config a = good(), b = good();
    b.id = 2;
    b.name = "b";
    b.vcpu_count = 1;
    b.affinity[0] = 3;
    const struct vm_config *accepted[] = {&a};

    a.mem[1] = (struct vm_mem_config){0x60000000, MiB(32), VM_MEM_IDENTITY};
    b.mem[1] = (struct vm_mem_config){0x61000000, MiB(32), VM_MEM_IDENTITY};
    CHECK(!check(&b, accepted, 1, why));
    CHECK_STR(why, "memory[1]: identity range 0x61000000-0x63000000 is also vm 'a''s memory[1]");
    b.mem[1].gpa = 0x62000000;
    CHECK(check(&b, accepted, 1, why));

    a.passthru[0] = (struct vm_passthru_config){0x0a003e00, 0x200, 79, NULL};
    a.passthru_count = 1;
    b.passthru[0] = (struct vm_passthru_config){0x0a003c00, 0x200, 78, NULL};
    b.passthru_count = 1;
    CHECK(!check(&b, accepted, 1, why));
    CHECK_STR(why, "passthrough[0]: pages 0xa003000-0xa004000 are also vm 'a''s passthrough[0]");

    b.passthru[0].base = 0x0a002000;
    CHECK(check(&b, accepted, 1, why));
    b.passthru[0].irq = 79;
    CHECK(!check(&b, accepted, 1, why));
    CHECK_STR(why, "passthrough[0].irq: host interrupt 79 is already vm 'a''s");
}

static void *load_dtb(const char *name)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", FIXTURE_DIR, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        check_fail(__FILE__, __LINE__, "cannot open %s", path);
        return NULL;
    }
    void *buf = malloc(1 << 16);
    size_t n = fread(buf, 1, 1 << 16, f);
    fclose(f);
    CHECK(n > 0);
    return buf;
}

static bool has_range(const struct mem_range *r, unsigned n, uint64_t base, uint64_t size)
{
    for (unsigned i = 0; i < n; i++)
        if (r[i].base == base && r[i].size == size)
            return true;
    return false;
}

TEST(machine_facts_from_boot)
{
    void *fdt = load_dtb("machine-facts.dtb");
    if (!fdt)
        return;
    struct boot_info bi = {0};
    CHECK_EQ(dt_read_boot_info(fdt, &bi), 0);
    machine_facts_record(&bi);
    /* What kernel_main carves out for identity memory afterwards is not the machine's. */
    boot_add_range(bi.reserved, &bi.reserved_count, 0x60000000, MiB(256));

    struct machine_facts m;
    machine_facts_fill(&m);
    CHECK_EQ(m.guest_addr_bits, 41); /* the host tests' stage-2 format: 12 + 11 + 2 * 9 */
    CHECK_EQ(m.ram_count, 1);
    CHECK_EQ(m.ram[0].base, 0x40000000);
    CHECK_EQ(m.ram[0].size, GiB(1));
    CHECK_EQ(m.reserved_count, 2); /* /memreserve/ and the device tree itself */
    CHECK(has_range(m.reserved, m.reserved_count, 0x40000000, 0x10000));
    CHECK(!has_range(m.reserved, m.reserved_count, 0x60000000, MiB(256)));
    /* The console's page, GICD, GICR, the ITS; not the CPU's register-less controller. */
    CHECK_EQ(m.device_count, 4);
    CHECK(has_range(m.devices, m.device_count, 0x09000000, KiB(4)));
    CHECK(has_range(m.devices, m.device_count, 0x08000000, KiB(64)));
    CHECK(has_range(m.devices, m.device_count, 0x080a0000, 0xf60000));
    CHECK(has_range(m.devices, m.device_count, 0x08080000, KiB(128)));

    /* Facts an architecture adds itself (the x86 local APIC), page-rounded. */
    machine_facts_add_device(0xfee00010, 0x10);
    machine_facts_fill(&m);
    CHECK(has_range(m.devices, m.device_count, 0xfee00000, KiB(4)));
    free(fdt);
}

/* The console's polite stop, checked again at boot: the timeout's limit, and a power-request
 * line only on an interrupt controller and on no device's line. */
TEST(config_check_polite_stop)
{
    char why[128] = "";
    struct vm_config c = good();
    c.stop_timeout_ms = VM_STOP_TIMEOUT_MAX;
    CHECK(check(&c, NULL, 0, why));
    c.stop_timeout_ms = VM_STOP_TIMEOUT_MAX + 1;
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why, "stop_timeout_ms: 600001 ms is more than 600000");
    c = good();
    c.power_irq = 40;
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why, "power_irq: the VM has no interrupt controller in its device tree");
    c.dev[1] = (struct vm_dev_config){"host-intc", 0x08000000, 0x10000, -1, false};
    c.dev_count = 2;
    CHECK(check(&c, NULL, 0, why));
    c.dev[0].irq = 40;
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why, "power_irq: interrupt 40 is already device[0]'s");
}
