// SPDX-License-Identifier: MIT
#include <string.h>
#include <libfdt.h>
#include <axvm/dt.h>

uint64_t dt_read_cells(const void *p, int cells)
{
    const uint8_t *b = p;
    uint64_t v = 0;
    for (int i = 0; i < cells * 4; i++)
        v = (v << 8) | b[i];
    return v;
}

/* A node's #address-cells / #size-cells as numbers axvm can hold in 64 bits, or -1. */
static int dt_cells(const void *fdt, int node, bool size)
{
    int n = size ? fdt_size_cells(fdt, node) : fdt_address_cells(fdt, node);
    return n >= (size ? 0 : 1) && n <= 2 ? n : -1;
}

/*
 * Translate 'addr', an address on the bus 'bus' (a node whose children it addresses), to a CPU
 * address through the "ranges" of 'bus' and of every ancestor up to the root (Devicetree
 * Specification 2.3.8): each (child address, parent address, length) entry maps a window of
 * its bus into its parent's. An empty "ranges" maps one-to-one; a bus without "ranges" is not
 * reachable from the CPU.
 */
static int dt_translate(const void *fdt, int bus, uint64_t *addr, uint64_t size)
{
    while (bus > 0) {
        int parent = fdt_parent_offset(fdt, bus);
        if (parent < 0)
            return parent;
        int len;
        const uint8_t *ranges = fdt_getprop(fdt, bus, "ranges", &len);
        if (!ranges)
            return -FDT_ERR_NOTFOUND;
        int ac = dt_cells(fdt, bus, false), pac = dt_cells(fdt, parent, false);
        int sc = dt_cells(fdt, bus, true);
        if (ac < 0 || pac < 0 || sc < 0)
            return -FDT_ERR_BADNCELLS;
        int stride = (ac + pac + sc) * 4;
        bool found = len == 0;
        for (int off = 0; !found && off + stride <= len; off += stride) {
            uint64_t child = dt_read_cells(ranges + off, ac);
            uint64_t up = dt_read_cells(ranges + off + ac * 4, pac);
            uint64_t span = dt_read_cells(ranges + off + (ac + pac) * 4, sc);
            if (*addr >= child && *addr - child < span && size <= span - (*addr - child)) {
                *addr = up + (*addr - child);
                found = true;
            }
        }
        if (!found)
            return -FDT_ERR_NOTFOUND;
        bus = parent;
    }
    return 0;
}

/* Entry 'index' of a node's "reg" as written, in its parent's #address-cells/#size-cells. */
int dt_node_reg_raw(const void *fdt, int node, unsigned index, uint64_t *addr, uint64_t *size)
{
    int parent = fdt_parent_offset(fdt, node);
    if (parent < 0)
        return parent;
    int ac = dt_cells(fdt, parent, false), sc = dt_cells(fdt, parent, true);
    int len;
    const uint8_t *reg = fdt_getprop(fdt, node, "reg", &len);
    if (!reg || ac < 0 || sc < 0)
        return -FDT_ERR_BADVALUE;
    int stride = (ac + sc) * 4;
    if ((int)(index + 1) * stride > len)
        return -FDT_ERR_NOTFOUND;
    reg += index * stride;
    *addr = dt_read_cells(reg, ac);
    *size = sc ? dt_read_cells(reg + ac * 4, sc) : 0;
    return 0;
}

int dt_node_reg(const void *fdt, int node, unsigned index, paddr_t *base, uint64_t *size)
{
    uint64_t addr;
    int err = dt_node_reg_raw(fdt, node, index, &addr, size);
    err = err ?: dt_translate(fdt, fdt_parent_offset(fdt, node), &addr, *size);
    if (!err)
        *base = addr;
    return err;
}

static bool dt_node_enabled(const void *fdt, int node)
{
    const char *status = fdt_getprop(fdt, node, "status", NULL);
    return !status || strcmp(status, "okay") == 0 || strcmp(status, "ok") == 0;
}

static void dt_read_memory(const void *fdt, struct boot_info *bi)
{
    int node;
    fdt_for_each_subnode(node, fdt, 0)
    {
        const char *type = fdt_getprop(fdt, node, "device_type", NULL);
        if (!type || strcmp(type, "memory") != 0 || !dt_node_enabled(fdt, node))
            continue;
        paddr_t base;
        uint64_t size;
        for (unsigned i = 0; dt_node_reg(fdt, node, i, &base, &size) == 0; i++)
            boot_add_range(bi->ram, &bi->ram_count, base, size);
    }
}

static void dt_read_reserved(const void *fdt, struct boot_info *bi)
{
    int n = fdt_num_mem_rsv(fdt);
    for (int i = 0; i < n; i++) {
        uint64_t addr, size;
        if (fdt_get_mem_rsv(fdt, i, &addr, &size) == 0)
            boot_add_range(bi->reserved, &bi->reserved_count, addr, size);
    }
    int rm = fdt_path_offset(fdt, "/reserved-memory");
    if (rm >= 0) {
        int node;
        fdt_for_each_subnode(node, fdt, rm)
        {
            /* A disabled node reserves nothing (the Pi's bootloader-config placeholder). */
            if (!dt_node_enabled(fdt, node))
                continue;
            paddr_t base;
            uint64_t size;
            for (unsigned i = 0; dt_node_reg(fdt, node, i, &base, &size) == 0; i++)
                if (size)
                    boot_add_range(bi->reserved, &bi->reserved_count, base, size);
        }
    }
    boot_add_range(bi->reserved, &bi->reserved_count, ptr_to_phys(fdt), fdt_totalsize(fdt));
}

/* A cpu node's enable-method (its own, else the /cpus node's). */
static void dt_read_cpu_start(const void *fdt, int cpus, int node, struct boot_info *bi)
{
    unsigned i = bi->cpu_count;
    const char *method = fdt_getprop(fdt, node, "enable-method", NULL);
    method = method ?: fdt_getprop(fdt, cpus, "enable-method", NULL);
    if (!method) {
        bi->cpu_start[i] = CPU_START_DEFAULT;
    } else if (strcmp(method, "psci") == 0) {
        bi->cpu_start[i] = CPU_START_PSCI;
    } else if (strcmp(method, "spin-table") == 0) {
        /* cpu-release-addr is always two cells, whatever #address-cells says. */
        int len;
        const uint8_t *p = fdt_getprop(fdt, node, "cpu-release-addr", &len);
        bi->cpu_start[i] = p && len == 8 ? CPU_START_SPIN_TABLE : CPU_START_UNKNOWN;
        bi->cpu_release_addr[i] = p && len == 8 ? dt_read_cells(p, 2) : 0;
    } else {
        bi->cpu_start[i] = CPU_START_UNKNOWN;
    }
}

static void dt_read_cpus(const void *fdt, struct boot_info *bi)
{
    int cpus = fdt_path_offset(fdt, "/cpus");
    if (cpus < 0)
        return;
    int node;
    fdt_for_each_subnode(node, fdt, cpus)
    {
        const char *type = fdt_getprop(fdt, node, "device_type", NULL);
        if (!type || strcmp(type, "cpu") != 0 || !dt_node_enabled(fdt, node))
            continue;
        /* "reg" of a cpu node is its hardware id, not an address: no translation. */
        uint64_t hwid, unused;
        if (dt_node_reg_raw(fdt, node, 0, &hwid, &unused) != 0 || bi->cpu_count >= CPU_MAX)
            continue;
        dt_read_cpu_start(fdt, cpus, node, bi);
        bi->cpu_hwid[bi->cpu_count++] = hwid;
    }
    int psci = fdt_path_offset(fdt, "/psci");
    const char *conduit = psci >= 0 ? fdt_getprop(fdt, psci, "method", NULL) : NULL;
    if (conduit && (strcmp(conduit, "smc") == 0 || strcmp(conduit, "hvc") == 0))
        memcpy(bi->psci_method, conduit, 4); /* "smc" or "hvc" and its NUL */
}

/*
 * The interrupt controller of the machine: the root node's interrupt-parent, else the one the
 * console's interrupt goes to (the nearest interrupt-parent above the console node).
 */
static void dt_read_intc(const void *fdt, int console, struct boot_info *bi)
{
    const fdt32_t *ph = fdt_getprop(fdt, 0, "interrupt-parent", NULL);
    for (int n = console; !ph && n > 0; n = fdt_parent_offset(fdt, n))
        ph = fdt_getprop(fdt, n, "interrupt-parent", NULL);
    int node = ph ? fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(*ph)) : -1;
    if (node < 0)
        return;
    struct boot_intc *ic = &bi->intc;
    int len;
    const char *compat = fdt_getprop(fdt, node, "compatible", &len);
    if (!compat || len <= 0)
        return;
    ic->compatible_len =
        (unsigned)len < sizeof(ic->compatible) ? (unsigned)len : sizeof(ic->compatible) - 1;
    memcpy(ic->compatible, compat, ic->compatible_len);
    ic->compatible[ic->compatible_len] = '\0';
    paddr_t base;
    uint64_t size;
    for (unsigned i = 0; i < BOOT_INTC_REGS && dt_node_reg(fdt, node, i, &base, &size) == 0; i++)
        ic->reg[ic->reg_count++] = (struct mem_range){base, size};
}

bool dt_compatible_in(const char *list, unsigned len, const char *compat)
{
    for (unsigned off = 0; off < len; off += (unsigned)strlen(list + off) + 1)
        if (strcmp(list + off, compat) == 0)
            return true;
    return false;
}

static void dt_read_irq_cells(const void *fdt, int node, struct boot_info *bi)
{
    int len;
    const fdt32_t *irq = fdt_getprop(fdt, node, "interrupts", &len);
    bi->console_irq_cells = 0;
    for (int i = 0; irq && i < len / 4 && i < 3; i++)
        bi->console_irq[bi->console_irq_cells++] = fdt32_to_cpu(irq[i]);
}

static bool dt_uart_from_node(const void *fdt, int node, struct uart_desc *d)
{
    struct uart_desc u = {0};
    if (fdt_node_check_compatible(fdt, node, "arm,pl011") == 0) {
        u.kind = UART_PL011;
        u.reg_width = 4;
    } else if (fdt_node_check_compatible(fdt, node, "brcm,bcm2835-aux-uart") == 0) {
        u.kind = UART_BCM2835_AUX; /* 8250-like registers, 32 bits apart */
        u.reg_shift = 2;
        u.reg_width = 4;
    } else if (fdt_node_check_compatible(fdt, node, "ns16550a") == 0 ||
               fdt_node_check_compatible(fdt, node, "ns16550") == 0 ||
               fdt_node_check_compatible(fdt, node, "snps,dw-apb-uart") == 0) {
        u.kind = UART_NS16550;
        const fdt32_t *shift = fdt_getprop(fdt, node, "reg-shift", NULL);
        const fdt32_t *width = fdt_getprop(fdt, node, "reg-io-width", NULL);
        u.reg_shift = shift ? fdt32_to_cpu(*shift) : 0;
        u.reg_width = width ? fdt32_to_cpu(*width) : 1;
    } else {
        return false;
    }
    paddr_t base;
    uint64_t size;
    if (dt_node_reg(fdt, node, 0, &base, &size) != 0)
        return false;
    u.base = (uintptr_t)base;
    *d = u;
    return true;
}

/* The console UART: /chosen/stdout-path (a path or an alias), else the first UART axvm drives.
 * Returns its node, or -1. */
static int dt_read_console(const void *fdt, struct boot_info *bi)
{
    int chosen = fdt_path_offset(fdt, "/chosen");
    if (chosen >= 0) {
        int len;
        const char *path = fdt_getprop(fdt, chosen, "stdout-path", &len);
        if (path) {
            /* "serial0:115200n8": the options after ':' are not part of the path. */
            const char *colon = strchr(path, ':');
            int plen = colon ? (int)(colon - path) : (int)strlen(path);
            int node = fdt_path_offset_namelen(fdt, path, plen);
            if (node >= 0 && dt_uart_from_node(fdt, node, &bi->console)) {
                dt_read_irq_cells(fdt, node, bi);
                return node;
            }
        }
    }
    /* No usable stdout-path: take the first UART we know how to drive. */
    static const char *const compatibles[] = {"arm,pl011", "ns16550a", "ns16550",
                                              "brcm,bcm2835-aux-uart"};
    for (unsigned i = 0; i < ARRAY_SIZE(compatibles); i++) {
        int node = fdt_node_offset_by_compatible(fdt, -1, compatibles[i]);
        if (node >= 0 && dt_uart_from_node(fdt, node, &bi->console)) {
            dt_read_irq_cells(fdt, node, bi);
            return node;
        }
    }
    return -1;
}

static void dt_read_bootargs(const void *fdt, struct boot_info *bi)
{
    int chosen = fdt_path_offset(fdt, "/chosen");
    const char *args = chosen >= 0 ? fdt_getprop(fdt, chosen, "bootargs", NULL) : NULL;
    bi->cmdline[0] = '\0';
    if (args) {
        strncpy(bi->cmdline, args, sizeof(bi->cmdline) - 1);
        bi->cmdline[sizeof(bi->cmdline) - 1] = '\0';
    }
}

int dt_read_boot_info(const void *fdt, struct boot_info *bi)
{
    int err = fdt_check_header(fdt);
    if (err)
        return err;
    /* The specification wants the memory reservation block 8-byte aligned and the structure
     * block 4-byte aligned; libfdt reads both as aligned words, so a misaligned tree is refused
     * here rather than read askew. */
    if (fdt_off_mem_rsvmap(fdt) % 8 || fdt_off_dt_struct(fdt) % 4)
        return -FDT_ERR_ALIGNMENT;
    bi->fdt = fdt;
    dt_read_memory(fdt, bi);
    dt_read_reserved(fdt, bi);
    dt_read_cpus(fdt, bi);
    dt_read_intc(fdt, dt_read_console(fdt, bi), bi);
    dt_read_bootargs(fdt, bi);
    return 0;
}
