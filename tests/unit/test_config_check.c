// SPDX-License-Identifier: MIT
/* The boot-time config check: the same rules as scripts/vmconfig.py, against the real machine. */
#include <axvm/config.h>
#include "check.h"

static const uint8_t image[64];

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

static const struct machine_facts machine = {.cpu_count = 4, .free_bytes = MiB(64)};

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

    c = good();
    c.mem[0].size = MiB(64);
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why, "memory: needs 68 MiB, only 64 MiB free");

    /* Identity regions use no hypervisor memory. */
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

    c = good();
    c.vcpu_count = 0;
    CHECK(!check(&c, NULL, 0, why));
    CHECK_STR(why, "vcpus: 0 is not between 1 and 8");
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
