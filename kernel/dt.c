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

/* Walk the (address, size) pairs of a node's "reg", using its parent's cell counts. */
int dt_node_reg(const void *fdt, int node, unsigned index, paddr_t *base, uint64_t *size)
{
    int parent = fdt_parent_offset(fdt, node);
    int ac = fdt_address_cells(fdt, parent);
    int sc = fdt_size_cells(fdt, parent);
    int len;
    const uint8_t *reg = fdt_getprop(fdt, node, "reg", &len);
    if (!reg || ac < 1 || ac > 2 || sc < 0 || sc > 2)
        return -FDT_ERR_BADVALUE;
    int stride = (ac + sc) * 4;
    if ((int)(index + 1) * stride > len)
        return -FDT_ERR_NOTFOUND;
    reg += index * stride;
    *base = dt_read_cells(reg, ac);
    *size = sc ? dt_read_cells(reg + ac * 4, sc) : 0;
    return 0;
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
            paddr_t base;
            uint64_t size;
            for (unsigned i = 0; dt_node_reg(fdt, node, i, &base, &size) == 0; i++)
                boot_add_range(bi->reserved, &bi->reserved_count, base, size);
        }
    }
    boot_add_range(bi->reserved, &bi->reserved_count, ptr_to_phys(fdt), fdt_totalsize(fdt));
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
        paddr_t hwid;
        uint64_t unused;
        if (dt_node_reg(fdt, node, 0, &hwid, &unused) != 0 || bi->cpu_count >= CPU_MAX)
            continue;
        bi->cpu_hwid[bi->cpu_count++] = hwid;
    }
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

static void dt_read_console(const void *fdt, struct boot_info *bi)
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
                return;
            }
        }
    }
    /* No usable stdout-path: take the first UART we know how to drive. */
    static const char *const compatibles[] = {"arm,pl011", "ns16550a", "ns16550"};
    for (unsigned i = 0; i < ARRAY_SIZE(compatibles); i++) {
        int node = fdt_node_offset_by_compatible(fdt, -1, compatibles[i]);
        if (node >= 0 && dt_uart_from_node(fdt, node, &bi->console)) {
            dt_read_irq_cells(fdt, node, bi);
            return;
        }
    }
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
    dt_read_console(fdt, bi);
    dt_read_bootargs(fdt, bi);
    return 0;
}
