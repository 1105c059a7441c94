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
    bool manual_start;       /* autostart = false: created and booted by the console's start */
    uint32_t history_size;   /* bytes of output kept for the console (0: VMM_HISTORY_DEFAULT) */
    /* The console's `stop`: how long the guest has to power itself off once asked, before it
     * is forced off (0: at once). */
    uint32_t stop_timeout_ms;
    /* Device-tree VMs: the interrupt line (the controller's numbering) of the power-request
     * node that asks the guest to power off (docs/config.md); 0: none. */
    unsigned power_irq;
};

/* The longest stop_timeout_ms a config may give (10 minutes), and the default. */
#define VM_STOP_TIMEOUT_MAX     600000u
#define VM_STOP_TIMEOUT_DEFAULT 5000u

extern const struct vm_config vm_configs[];
extern const unsigned vm_config_count;

/* A region of memory shared between VMs ([[shmem]], docs/config.md). */
#define SHMEM_MAX      4
#define SHMEM_NAME_MAX 16 /* with its NUL (scripts/vmconfig.py: 1 to 15 characters) */

struct shmem_map_config {
    unsigned vm_id;
    uint64_t gpa;
    bool ro;           /* mapped read-only into this VM */
    int irq;           /* its doorbell interrupt in this VM's interrupt controller; -1: none */
    uint64_t doorbell; /* the page of its doorbell registers in this VM (shmem.h); 0: none */
};

struct shmem_config {
    const char *name;
    uint64_t size;
    struct shmem_map_config map[VM_MAX];
    unsigned map_count;
};

extern const struct shmem_config shmem_configs[];
extern const unsigned shmem_config_count;

struct mem_range;
struct boot_info;

/* What the boot-time check needs to know of the real machine (machine_facts_fill). */
struct machine_facts {
    unsigned cpu_count;    /* pCPUs the machine has: 0 .. cpu_count - 1 */
    uint32_t cpus_offline; /* bit i: pCPU i did not come online (a VM pinned there never runs) */
    uint64_t free_bytes;
    /* The stage-2 input size: every region and device ends at or below 2^guest_addr_bits. */
    unsigned guest_addr_bits;
    /* Host RAM as the firmware described it: identity memory must lie inside one range,
     * passthrough ranges outside all of them. */
    const struct mem_range *ram;
    unsigned ram_count;
    /* RAM the firmware and the hypervisor keep (firmware, the hypervisor image, the boot
     * device tree): no identity memory. Not the VMs' own identity regions. */
    const struct mem_range *reserved;
    unsigned reserved_count;
    /* MMIO the hypervisor drives (its console UART, its interrupt controller): no
     * passthrough. */
    const struct mem_range *devices;
    unsigned device_count;
};

/*
 * Check a configuration against itself, the machine and the VMs accepted before it
 * ('accepted'/'accepted_count'). On failure returns false and writes "field: problem" into
 * 'why'. The build runs the same rules (scripts/vmconfig.py) with the file's line numbers.
 */
bool vm_config_check(const struct vm_config *cfg, const struct machine_facts *m,
                     const struct vm_config *const *accepted, unsigned accepted_count, char *why,
                     size_t why_size);

/*
 * The machine as the hypervisor found it at boot (kernel/machine_facts.c).
 * machine_facts_record: called once by kernel_main before the VMs' identity regions are
 * carved out of RAM; keeps the RAM and reserved ranges of 'bi', the console UART's page and
 * the registers of every interrupt or MSI controller in the device tree.
 * machine_facts_add_device: MMIO the architecture drives that no device tree describes (the
 * x86 local APIC); callable before or after the record.
 * machine_facts_fill: everything vm_config_check needs, as of now (CPUs online, free memory).
 */
void machine_facts_record(const struct boot_info *bi);
void machine_facts_add_device(paddr_t base, uint64_t size);
void machine_facts_fill(struct machine_facts *m);

#endif
