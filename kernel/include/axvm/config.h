/* SPDX-License-Identifier: MIT */
#ifndef AXVM_CONFIG_H
#define AXVM_CONFIG_H

/*
 * VM configurations as the build packs them into the image: scripts/vmconfig.py checks the
 * TOML files in configs/ and generates the table vm_configs[] (docs/config.md).
 */

#include <axvm/types.h>

#define VM_MAX          8
#define VM_MAX_VCPUS    8
#define VM_MAX_MEM      8
#define VM_MAX_DEVICES  8
#define VM_MAX_PASSTHRU 8
#define VM_NAME_MAX     16

enum vm_mem_kind {
    VM_MEM_ALLOCATED = 0,
    VM_MEM_LAZY = 1,
    VM_MEM_IDENTITY = 2,
};

struct vm_mem_config {
    uint64_t gpa;
    uint64_t size;
    enum vm_mem_kind kind;
};

struct vm_dev_config {
    const char *type; /* "ns16550", "pl011", ... */
    uint64_t base;    /* guest-physical address, or I/O port */
    uint64_t size;
    int irq;  /* -1: none */
    bool pio; /* x86 I/O ports instead of MMIO */
};

struct vm_passthru_config {
    uint64_t base; /* the device's registers: mapped as the whole pages around them */
    uint64_t size;
    int irq;                /* physical interrupt given to the VM, same number; -1: none */
    const char *compatible; /* for the guest's device tree node; NULL: no node */
};

struct vm_config {
    const char *source; /* the TOML file, for messages */
    unsigned id;
    const char *name;
    unsigned vcpu_count;
    unsigned affinity[VM_MAX_VCPUS]; /* pCPU of each vCPU */
    struct vm_mem_config mem[VM_MAX_MEM];
    unsigned mem_count;
    struct vm_dev_config dev[VM_MAX_DEVICES];
    unsigned dev_count;
    struct vm_passthru_config passthru[VM_MAX_PASSTHRU];
    unsigned passthru_count;
    const uint8_t *image;
    uint64_t image_size;
    uint64_t load_addr;
    uint64_t entry;
    const uint8_t *initrd;
    uint64_t initrd_size;
    const char *cmdline;
    bool shared_pcpus;       /* the config asked to share pCPUs with other VMs */
    bool stop_on_bad_access; /* on_bad_access = "stop": stop the VM instead of a guest fault */
};

extern const struct vm_config vm_configs[];
extern const unsigned vm_config_count;

/* What the boot-time check needs to know of the real machine. */
struct machine_facts {
    unsigned cpu_count;
    uint64_t free_bytes;
};

/*
 * Check a configuration against itself, the machine and the VMs accepted before it
 * ('accepted'/'accepted_count'). On failure returns false and writes "field: problem" into
 * 'why'. The build runs the same rules (scripts/vmconfig.py) with the file's line numbers.
 */
bool vm_config_check(const struct vm_config *cfg, const struct machine_facts *m,
                     const struct vm_config *const *accepted, unsigned accepted_count, char *why,
                     size_t why_size);

#endif
