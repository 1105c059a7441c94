#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check a VM configuration (TOML, docs/config.md) and generate the C tables the hypervisor
image carries.

  vmconfig.py check  --arch ARCH [--board BOARD] CONFIG.toml
  vmconfig.py generate --arch ARCH [--board BOARD] CONFIG.toml --out DIR
                                            (writes DIR/vmconfig.c, vmimages.S)

Every problem is one line naming the file, the VM and the field, e.g.
  configs/x.toml: vm 'hello' (id 1): memory[1]: overlaps memory[0] (0x40000000-0x44000000)
The checker is total: whatever the file holds, it either accepts it or prints such a line; it
never leaves a problem to the C compiler or to the hypervisor at boot (which checks again,
kernel/config_check.c, against the machine it finds).
"""
import argparse
import os
import re
import struct
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import board  # noqa: E402

PAGE = 4096
U64 = 1 << 64
MAX_VMS, MAX_VCPUS, MAX_MEM, MAX_DEV, MAX_PT = 8, 8, 8, 8, 8
FDT_MAX = 64 * 1024
CMDLINE_MAX = 1024
# What the hypervisor keeps for itself (image, tables, stacks) when judging whether RAM suffices.
HYPERVISOR_RESERVE = 32 << 20

# The guest-physical address size of each architecture's stage-2 translation: a region or
# device must end at or below 2^bits, or its table index would wrap onto low addresses.
# 12 + root index bits + 9 per further level, from the pt_format in each stage2.c.
GUEST_ADDRESS_BITS = {
    "aarch64": 40,  # arch/aarch64/stage2.c: VTCR_EL2.T0SZ = 24, 3 levels, 1024-entry root
    "riscv64": 41,  # arch/riscv64/stage2.c: Sv39x4, 3 levels, 2048-entry root
    "x86_64": 48,  # arch/x86_64/npt.c: 4-level nested paging
}

DEVICE_TYPES = {
    # model: (arches, default size, smallest size its registers need)
    "ns16550": ({"aarch64", "riscv64", "x86_64"}, 0x100, 8),
    "pl011": ({"aarch64"}, 0x1000, 0x1000),
    # GICD at base, redistributors from base + 0xa0000 (128 KiB per vCPU, room for 8), as on
    # QEMU virt. The model always occupies all of it.
    "gicv3": ({"aarch64"}, 0xa0000 + 8 * 0x20000, 0xa0000 + 8 * 0x20000),
    # GICD at base (emulated), the guest's GICC at base + 0x10000 (the host's GICV mapped
    # there), as on QEMU virt with gic-version=2. Only on a board whose GIC is a GICv2.
    "gicv2": ({"aarch64"}, 0x20000, 0x20000),
    # The I/O APIC's register window at base; with it come a local APIC per vCPU at 0xfee00000
    # and the legacy PC ports (arch/x86_64/include/arch/vapic.h).
    "ioapic": ({"x86_64"}, 0x1000, 0x20),
    # Priorities, pending bits, per-context enables, then threshold and claim from base +
    # 0x200000 (4 KiB per vCPU, room for 8), as on QEMU virt (arch/riscv64/vplic_model.h).
    "plic": ({"riscv64"}, 0x400000, 0x200000 + 8 * 0x1000),
    # virtio-mmio version 2 registers, then the console's configuration space from base + 0x100
    # (drivers/virtio/vconsole.c); 0x200 as on QEMU virt.
    "virtio-console": ({"aarch64", "riscv64", "x86_64"}, 0x200, 0x200),
}
# Models that cannot work without an interrupt line (the guest driver needs it), and those
# that are MMIO only.
IRQ_REQUIRED = {"virtio-console"}
MMIO_ONLY = {"virtio-console"}

# Interrupt-controller models: the interrupt numbers each implements for device lines, which is
# what a device's or a passthrough's `irq` may be. A new model adds its row here (and its
# DEVICE_TYPES row above).
IRQ_CONTROLLERS = {
    # vGICv3 (arch/aarch64/include/arch/vgic.h): SPIs 32 .. 32 + VGIC_SPIS - 1. INTIDs 0-31
    # are each CPU's own SGIs and PPIs.
    "gicv3": range(32, 160),
    # vGICv2 (arch/aarch64/vgic2_mmio.c): the same SPIs, the same list-register delivery.
    "gicv2": range(32, 160),
    # vIOAPIC (arch/x86_64/vioapic_model.h): pins (GSIs) 1-23, ISA IRQs by their own number
    # (COM1 is 4); pin 0 is not wired, ISA IRQ 0 goes to pin 2.
    "ioapic": range(1, 24),
    # vPLIC (arch/riscv64/vplic_model.h): sources 1 .. VPLIC_SOURCES - 1; 0 means "none".
    "plic": range(1, 64),
}

# Lines an interrupt-controller model's own platform raises, which no device, passthrough range
# or doorbell may take: the vIOAPIC's VM has the ACPI SCI on pin 9 (arch/x86_64/vlegacy.h).
IRQ_OWN = {"ioapic": {9: "the ACPI SCI (the power button)"}}

MEM_KINDS = {"allocated": 0, "lazy": 1, "identity": 2}

VM_KEYS = {"id", "name", "vcpus", "cpu_affinity", "image", "load_address", "entry", "cmdline",
           "initrd", "memory", "device", "passthrough", "share_pcpus", "on_bad_access",
           "autostart", "history", "stop_timeout_ms", "power_irq"}
# The per-VM output history (console `log`, replay on a focus switch): default and limits.
HISTORY_DEFAULT = 16 * 1024
HISTORY_MIN = 1024
HISTORY_MAX = 64 * 1024
# The console's `stop`: milliseconds the guest has to power itself off once asked (0: forced at
# once), as kernel/include/axvm/config.h has them.
STOP_TIMEOUT_DEFAULT = 5000
STOP_TIMEOUT_MAX = 600000
# Interrupt controllers of device-tree guests: with one, a VM gets a power-request node whose
# interrupt (`power_irq`, by default the controller's highest line no device uses) asks it to
# power off. x86_64 VMs are asked through the ACPI power button instead.
POWER_IRQ_CONTROLLERS = ("gicv3", "gicv2", "plic")
# What a guest gets for an access to an address with no memory or device: a fault as hardware
# gives it ("fault", the default), or the VM stops ("stop").
BAD_ACCESS = ("fault", "stop")
MEM_KEYS = {"base", "size", "kind"}
# Shared memory between VMs ([[shmem]] at the top level, docs/config.md).
SHMEM_KEYS = {"name", "size", "map"}
SHMEM_MAP_KEYS = {"vm", "base", "access", "irq", "doorbell"}
MAX_SHMEM = 4
SHMEM_MAX_SIZE = 2 * 1024 * 1024
DEV_KEYS = {"type", "base", "size", "irq", "port"}
PT_KEYS = {"base", "size", "irq", "compatible"}

EM_BY_ARCH = {"aarch64": 183, "riscv64": 243, "x86_64": 62}


class ConfigError(Exception):
    pass


def show(v, limit=60):
    """A value as one short line for a message (repr escapes control characters)."""
    s = repr(v)
    return s if len(s) <= limit else s[:limit - 3] + "..."


def field_name(k):
    """A key as it may appear in a message: plain keys as they are, others quoted."""
    return k if isinstance(k, str) and re.fullmatch(r"[A-Za-z0-9_-]{1,40}", k) else show(k)


def overlaps(base, size, other):
    """[base, base+size) meets the range of 'other' (a dict with base and size)."""
    return base < other["base"] + other["size"] and other["base"] < base + size


def span(r):
    return f"0x{r['base']:x}-0x{r['base'] + r['size']:x}"


def page_span(base, size):
    """The whole pages around [base, base+size): (base, size)."""
    lo = base & ~(PAGE - 1)
    return lo, ((base + size + PAGE - 1) & ~(PAGE - 1)) - lo


def parse_size(v, where):
    """A byte count: an integer, or a string like "64M" / "4KiB". Raises ConfigError with
    'where' for anything else, and for counts outside 0 .. 2^64 - 1."""
    n = None
    if isinstance(v, int) and not isinstance(v, bool):
        n = v
    elif isinstance(v, str):
        m = re.fullmatch(r"\s*(\d{1,20})\s*([KMGT]?)(i?B)?\s*", v, re.I)
        if m:
            n = int(m.group(1)) << {"": 0, "K": 10, "M": 20, "G": 30, "T": 40}[m.group(2).upper()]
    if n is None:
        raise ConfigError(f"{where}: expected a number of bytes or a size like \"64M\", "
                          f"got {show(v)}")
    if not 0 <= n < U64:
        raise ConfigError(f"{where}: {show(v)} is not between 0 and 2^64 - 1")
    return n


# ---- the machine ---------------------------------------------------------------------------

def machine_facts(arch, board_name=None):
    """What the board's description (boards/<board>.toml, scripts/board.py) says of the
    machine: CPUs, RAM, its interrupt controller, and (its [host] table) what the firmware and
    the hypervisor keep for themselves, which no VM may be given. Without a board, the
    architecture's QEMU board."""
    if arch not in GUEST_ADDRESS_BITS:
        raise ConfigError(f"--arch {show(arch)}: not one of {', '.join(GUEST_ADDRESS_BITS)}")
    name = board_name or board.default(arch)
    src = f"boards/{name}.toml"
    try:
        b = board.load(name)
    except board.BoardError as e:
        raise ConfigError(str(e))
    if b["arch"] != arch:
        raise ConfigError(f"{src}: a board for {b['arch']}, not {arch}")
    try:
        host = b["host"]

        def ranges(key):
            out = []
            for i, r in enumerate(host.get(key, [])):
                w = f"{src}: host.{key}[{i}]"
                out.append({"what": str(r["what"]), "base": parse_size(r["base"], w + ".base"),
                            "size": parse_size(r["size"], w + ".size")})
            return out

        ram_ranges = [{"base": parse_size(r["base"], f"{src}: ram[{i}].base"),
                       "size": parse_size(r["size"], f"{src}: ram[{i}].size")}
                      for i, r in enumerate(b["ram"])]
        image = None
        if "image_base" in host:
            image = {"base": parse_size(host["image_base"], f"{src}: host.image_base"),
                     "core": parse_size(host["image_core"], f"{src}: host.image_core")}
        return {
            "board": name,
            "board_name": str(b["name"]),
            "cpus": int(b["cpus"]["count"]),
            "image": image,
            "ram": sum(r["size"] for r in ram_ranges),
            "ram_ranges": ram_ranges,
            "irqchip": str(b["irqchip"]["type"]),
            "keep": ranges("keep"),
            "devices": ranges("devices"),
            "irqs": {int(r["irq"]): str(r["what"]) for r in host.get("irqs", [])},
            "guest_bits": GUEST_ADDRESS_BITS[arch],
        }
    except (KeyError, TypeError, ValueError) as e:
        raise ConfigError(f"{src}: unreadable board description ({type(e).__name__}: {e})")


# ---- guest images --------------------------------------------------------------------------

class ElfImage:
    """An ELF64 executable's PT_LOAD segments, placed by physical address; nothing is
    allocated for memory the segments only reserve (p_memsz beyond p_filesz)."""

    def __init__(self, data, segments, entry):
        self.data = data
        self.segments = segments  # (paddr, file offset, filesz, memsz)
        self.entry = entry
        self.base = min(s[0] for s in segments)
        self.size = max(s[0] + s[3] for s in segments) - self.base

    def flatten(self):
        flat = bytearray(self.size)
        for paddr, off, filesz, _ in self.segments:
            flat[paddr - self.base:paddr - self.base + filesz] = self.data[off:off + filesz]
        return bytes(flat)


def elf_image(data, arch):
    """An ElfImage from the bytes of a file, or None if it is not ELF. Raises ConfigError
    (the text after "image: ") for an ELF file that is not a usable executable."""
    if data[:4] != b"\x7fELF":
        return None
    if len(data) < 64:
        raise ConfigError(f"truncated ELF file ({len(data)} bytes; the header alone is 64)")
    if data[4] != 2 or data[5] != 1:
        raise ConfigError("only 64-bit little-endian ELF images are supported")
    machine, = struct.unpack_from("<H", data, 18)
    if machine != EM_BY_ARCH[arch]:
        raise ConfigError(f"an ELF file for machine {machine}, not {arch} "
                          f"(e_machine {EM_BY_ARCH[arch]})")
    entry, phoff = struct.unpack_from("<QQ", data, 24)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    if phnum and phentsize < 56:
        raise ConfigError(f"ELF program headers of {phentsize} bytes; ELF64 needs 56")
    if phoff + phnum * phentsize > len(data):
        raise ConfigError(f"ELF program headers (offset {phoff}, {phnum} of {phentsize} bytes) "
                          f"run past the end of the file ({len(data)} bytes)")
    segs = []
    for i in range(phnum):
        ptype, _, off, _, paddr, filesz, memsz = struct.unpack_from(
            "<IIQQQQQ", data, phoff + i * phentsize)
        if ptype != 1 or not memsz:
            continue
        if filesz > memsz:
            raise ConfigError(f"ELF segment {i}: p_filesz {filesz} is larger than p_memsz {memsz}")
        if off + filesz > len(data):
            raise ConfigError(f"ELF segment {i}: bytes {off}..{off + filesz} run past the end of "
                              f"the file ({len(data)} bytes)")
        if paddr + memsz > U64:
            raise ConfigError(f"ELF segment {i}: 0x{paddr:x} + 0x{memsz:x} wraps around")
        segs.append((paddr, off, filesz, memsz))
    if not segs:
        raise ConfigError("ELF file with no loadable segment")
    return ElfImage(data, segs, entry)


BZIMAGE_PM_START = 0x100000


def bzimage(data):
    """(setup size, init_size) of a Linux x86 bzImage of boot protocol 2.12 or later, or None
    (Documentation/arch/x86/boot.rst: "HdrS" at 0x202, the version at 0x206)."""
    if len(data) < 0x270 or data[0x202:0x206] != b"HdrS":
        return None
    version, = struct.unpack_from("<H", data, 0x206)
    if version < 0x20c:
        return None
    sects = data[0x1f1] or 4
    init_size, = struct.unpack_from("<I", data, 0x260)
    return (sects + 1) * 512, init_size


# Linux Image headers: text_offset at byte 8, image_size at byte 16 and the architecture's magic
# at byte 56 (Linux Documentation/arch/arm64/booting.rst, arch/riscv/boot-image-header.rst).
LINUX_IMAGE_MAGIC = {"aarch64": b"ARM\x64", "riscv64": b"RSC\x05"}


def linux_image(data, arch):
    """(text_offset, image_size) from a Linux Image header for 'arch', or None."""
    magic = LINUX_IMAGE_MAGIC.get(arch)
    if not magic or len(data) < 64 or data[56:56 + len(magic)] != magic:
        return None
    text_offset, image_size = struct.unpack_from("<QQ", data, 8)
    return text_offset, image_size


# ---- the checker ---------------------------------------------------------------------------

class Checker:
    def __init__(self, path, arch, machine):
        self.path = Path(path)
        self.arch = arch
        self.machine = machine
        self.bits = machine.get("guest_bits", GUEST_ADDRESS_BITS.get(arch, 64))

    # -- reporting and typed fields --

    def fail(self, vm, field, msg):
        if vm is None:
            who = "top level"
        else:
            name, vid = vm.get("name"), vm.get("id")
            name = name if isinstance(name, str) and re.fullmatch(r"[A-Za-z0-9_-]{1,15}", name) \
                else "?"
            vid = vid if isinstance(vid, int) and not isinstance(vid, bool) and 0 <= vid < U64 \
                else "?"
            who = f"vm '{name}' (id {vid})"
        raise ConfigError(f"{self.path}: {who}: {field}: {msg}")

    def int_field(self, vm, d, key, where, lo=0, hi=U64 - 1, required=True, default=None):
        if key not in d:
            if required:
                self.fail(vm, where + key, "missing")
            return default
        v = d[key]
        if not isinstance(v, int) or isinstance(v, bool):
            self.fail(vm, where + key, f"expected an integer, got {show(v)}")
        if not lo <= v <= hi:
            self.fail(vm, where + key, f"{v} is not between {lo} and {hi}")
        return v

    def size_field(self, vm, d, key, where, default=None):
        if key not in d and default is None:
            self.fail(vm, where + key, "missing")
        try:
            return parse_size(d.get(key, default), "x")
        except ConfigError as e:
            self.fail(vm, where + key, str(e)[len("x: "):])

    def bool_field(self, vm, d, key, default):
        v = d.get(key, default)
        if not isinstance(v, bool):
            self.fail(vm, key, f"expected true or false, got {show(v)}")
        return v

    def text_field(self, vm, d, key, where, pattern, what, required=False, default=None):
        """A string matching 'pattern' (which keeps out control characters)."""
        if key not in d:
            if required:
                self.fail(vm, where + key, f"missing: {what}")
            return default
        v = d[key]
        if not isinstance(v, str) or not re.fullmatch(pattern, v):
            self.fail(vm, where + key, f"expected {what}, got {show(v)}")
        return v

    def tables(self, vm, d, key, limit, what):
        """An array of tables ([[vm.memory]] ...): a list of dicts, at most 'limit'."""
        v = d.get(key, [])
        if not isinstance(v, list):
            self.fail(vm, key, f"must be an array of tables ([[vm.{key}]]), got {show(v)}")
        if len(v) > limit:
            self.fail(vm, key, f"{len(v)} {what}; at most {limit}")
        for i, t in enumerate(v):
            if not isinstance(t, dict):
                self.fail(vm, f"{key}[{i}]", f"must be a table ([[vm.{key}]]), got {show(t)}")
        return v

    def unknown_keys(self, vm, d, allowed, where):
        for k in d:
            if k not in allowed:
                self.fail(vm, where + field_name(k),
                          f"unknown field (known: {', '.join(sorted(allowed))})")

    def in_guest_space(self, vm, where, base, size):
        if base + size > 1 << self.bits:
            self.fail(vm, where, f"0x{base:x}-0x{base + size:x} reaches past the {self.bits}-bit "
                                 f"guest-physical address space of {self.arch} "
                                 f"(ends at 0x{1 << self.bits:x})")

    def host_clash(self, base, size):
        """What of the hypervisor's or the firmware's [base, base+size) meets, or None."""
        image = self.machine.get("image")
        image = [{"what": "hypervisor image", "base": image["base"], "size": image["core"]}] \
            if image else []
        for r in image + self.machine.get("keep", []) + self.machine.get("devices", []):
            if overlaps(base, size, r):
                return f"{r['what']} at {span(r)}"
        return None

    # -- the whole file --

    def load(self):
        try:
            with open(self.path, "rb") as f:
                data = tomllib.load(f)
        except FileNotFoundError:
            raise ConfigError(f"{self.path}: no such file")
        except OSError as e:
            raise ConfigError(f"{self.path}: cannot read: {e.strerror or e}")
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"{self.path}: not valid TOML: {' '.join(str(e).split())}")
        except UnicodeDecodeError as e:
            raise ConfigError(f"{self.path}: not valid TOML: not UTF-8 text (byte {e.start})")
        except RecursionError:
            raise ConfigError(f"{self.path}: not valid TOML: nested too deeply")
        for k in data:
            if k not in ("vm", "shmem"):
                self.fail(None, field_name(k), "unknown top-level field (VMs are [[vm]] tables, "
                                               "shared memory [[shmem]] tables)")
        vms = data.get("vm", [])
        if not isinstance(vms, list):
            self.fail(None, "vm", "must be an array of tables: [[vm]]")
        if len(vms) > MAX_VMS:
            self.fail(None, "vm", f"{len(vms)} VMs; at most {MAX_VMS}")
        for i, vm in enumerate(vms):
            if not isinstance(vm, dict):
                self.fail(None, f"vm[{i}]", f"must be a table ([[vm]]), got {show(vm)}")
        out = [self.check_vm(vm) for vm in vms]
        self.check_across(out)
        self.shmem = self.check_shmem(data.get("shmem", []), out)
        return out

    # -- shared memory --

    def check_shmem(self, regions, vms):
        """[[shmem]]: a name, a size, and the VMs that map it, each at a free guest address,
        read-write or read-only; at least one writer."""
        if not isinstance(regions, list):
            self.fail(None, "shmem", "must be an array of tables: [[shmem]]")
        if len(regions) > MAX_SHMEM:
            self.fail(None, "shmem", f"{len(regions)} regions; at most {MAX_SHMEM}")
        by_id = {c["id"]: c for c in vms}
        out = []
        for i, s in enumerate(regions):
            w = f"shmem[{i}]."
            if not isinstance(s, dict):
                self.fail(None, f"shmem[{i}]", f"must be a table ([[shmem]]), got {show(s)}")
            self.unknown_keys(None, s, SHMEM_KEYS, w)
            name = self.text_field(None, s, "name", w, r"[A-Za-z0-9_-]{1,15}",
                                   "1 to 15 letters, digits, '-' or '_'", required=True)
            if any(o["name"] == name for o in out):
                self.fail(None, w + "name", f"'{name}' is already another region's name")
            size = self.size_field(None, s, "size", w)
            if size == 0 or size % PAGE or size > SHMEM_MAX_SIZE:
                self.fail(None, w + "size", f"{size} bytes: must be a non-zero multiple of 4 KiB, "
                                            f"at most {SHMEM_MAX_SIZE >> 20} MiB")
            maps = s.get("map")
            if not isinstance(maps, list) or len(maps) < 2:
                self.fail(None, w + "map", "give at least two VMs that map it ([[shmem.map]])")
            region = {"name": name, "size": size, "maps": []}
            for k, m in enumerate(maps):
                mw = f"{w}map[{k}]."
                if not isinstance(m, dict):
                    self.fail(None, f"{w}map[{k}]", f"must be a table, got {show(m)}")
                self.unknown_keys(None, m, SHMEM_MAP_KEYS, mw)
                vid = self.int_field(None, m, "vm", mw, 1, 255)
                if vid not in by_id:
                    self.fail(None, mw + "vm", f"no VM has id {vid}")
                if any(x["vm"] == vid for x in region["maps"]):
                    self.fail(None, mw + "vm", f"vm {vid} maps the region twice")
                base = self.int_field(None, m, "base", mw)
                if base % PAGE:
                    self.fail(None, mw + "base", f"0x{base:x} is not a multiple of 4 KiB")
                access = m.get("access", "rw")
                if access not in ("rw", "ro"):
                    self.fail(None, mw + "access", f"{show(access)}: must be 'rw' or 'ro'")
                c = by_id[vid]
                vm = {"name": c["name"], "id": vid}
                self.in_guest_space(vm, f"shmem '{name}'", base, size)
                taken = [(f"memory[{j}]", r["base"], r["size"]) for j, r in enumerate(c["memory"])]
                taken += [(f"device[{j}]", d["base"], d["size"]) for j, d in
                          enumerate(c["devices"]) if not d["pio"]]
                taken += [(f"passthrough[{j}]", p["base"], p["size"]) for j, p in
                          enumerate(c["passthrough"])]
                taken += [(f"shmem '{o['name']}'", x["base"], o["size"]) for o in out
                          for x in o["maps"] if x["vm"] == vid]
                taken += [(f"shmem '{o['name']}' doorbell", x["doorbell"], PAGE) for o in out
                           for x in o["maps"] if x["vm"] == vid and x["doorbell"]]
                for what, b, sz in taken:
                    if base < b + sz and b < base + size:
                        self.fail(None, mw + "base", f"0x{base:x}-0x{base + size:x} overlaps vm "
                                                     f"{vid}'s {what} (0x{b:x}-0x{b + sz:x})")
                irq = self.shmem_irq(m, mw, c, out)
                bell = self.shmem_doorbell(m, mw, vm, base, size, taken)
                region["maps"].append({"vm": vid, "base": base, "ro": access == "ro", "irq": irq,
                                       "doorbell": bell})
            if all(x["ro"] for x in region["maps"]):
                self.fail(None, w + "map", "every VM maps it read-only: nobody can write it")
            out.append(region)
        return out

    def shmem_doorbell(self, m, mw, vm, base, size, taken):
        """A map's doorbell register page: a free, page-aligned guest address (0 when not
        given), on none of the VM's memory, devices, passthrough ranges or regions."""
        bell = self.int_field(None, m, "doorbell", mw, PAGE, required=False, default=0)
        if not bell:
            return 0
        if bell % PAGE:
            self.fail(None, mw + "doorbell", f"0x{bell:x} is not a multiple of 4 KiB")
        self.in_guest_space(vm, "shmem doorbell", bell, PAGE)
        for what, b, sz in taken + [("region itself", base, size)]:
            if bell < b + sz and b < bell + PAGE:
                where = "the region itself" if what == "region itself" else \
                    f"vm {vm['id']}'s {what}"
                self.fail(None, mw + "doorbell", f"page 0x{bell:x} overlaps {where} "
                                                 f"(0x{b:x}-0x{b + sz:x})")
        return bell

    def shmem_irq(self, m, mw, c, regions):
        """A map's doorbell `irq`: a line the VM's interrupt controller implements that none of
        its devices, passthrough ranges or other regions' doorbells use. -1 when not given."""
        irq = self.int_field(None, m, "irq", mw, 0, 1019, required=False, default=-1)
        if irq < 0:
            return irq
        vid = c["id"]
        chips = [d["type"] for d in c["devices"] if d["type"] in IRQ_CONTROLLERS]
        if not chips:
            self.fail(None, mw + "irq", f"vm {vid} has no interrupt controller to take the "
                                        f"doorbell: give it one or leave irq out")
        lines_ok = IRQ_CONTROLLERS[chips[0]]
        if irq not in lines_ok:
            self.fail(None, mw + "irq", f"interrupt {irq} is not one vm {vid}'s {chips[0]} model "
                                        f"implements for devices ({lines_ok.start}.."
                                        f"{lines_ok.stop - 1})")
        if irq in IRQ_OWN.get(chips[0], {}):
            self.fail(None, mw + "irq", f"interrupt {irq} is {IRQ_OWN[chips[0]][irq]} of vm "
                                        f"{vid}'s {chips[0]} model")
        used = [(f"device[{j}]", d["irq"]) for j, d in enumerate(c["devices"])]
        used += [(f"passthrough[{j}]", p["irq"]) for j, p in enumerate(c["passthrough"])]
        used += [(f"shmem '{o['name']}'", x["irq"]) for o in regions for x in o["maps"]
                 if x["vm"] == vid]
        if c.get("power_irq"):
            used.append(("power_irq (its power-request line; give power_irq another line)",
                         c["power_irq"]))
        for what, other in used:
            if other == irq:
                self.fail(None, mw + "irq",
                          f"interrupt {irq} is already used by vm {vid}'s {what}")
        return irq

    # -- one VM --

    def check_vm(self, vm):
        self.unknown_keys(vm, vm, VM_KEYS, "")
        c = {}
        c["id"] = self.int_field(vm, vm, "id", "", 1, 255)
        c["name"] = self.text_field(vm, vm, "name", "", r"[A-Za-z0-9_-]{1,15}",
                                    "1 to 15 letters, digits, '-' or '_'", required=True)
        self.check_cpus(vm, c)
        self.check_memory(vm, c)
        self.check_image(vm, c)
        self.check_boot_data(vm, c)
        self.check_devices(vm, c)
        self.check_passthrough(vm, c)
        self.check_irqs(vm, c)
        return c

    def check_cpus(self, vm, c):
        c["vcpus"] = self.int_field(vm, vm, "vcpus", "", 1, MAX_VCPUS)
        aff = vm.get("cpu_affinity")
        if not isinstance(aff, list):
            self.fail(vm, "cpu_affinity", f"missing, or not a list of pCPU numbers: {show(aff)}")
        if len(aff) != c["vcpus"]:
            self.fail(vm, "cpu_affinity",
                      f"{len(aff)} pCPUs listed for {c['vcpus']} vCPUs: give one pCPU per vCPU")
        for i, p in enumerate(aff):
            if not isinstance(p, int) or isinstance(p, bool):
                self.fail(vm, f"cpu_affinity[{i}]", f"expected a pCPU number, got {show(p)}")
            if p < 0 or p >= self.machine["cpus"]:
                self.fail(vm, f"cpu_affinity[{i}]",
                          f"pCPU {p} does not exist (the machine has {self.machine['cpus']})")
        c["share_pcpus"] = self.bool_field(vm, vm, "share_pcpus", False)
        if len(set(aff)) != len(aff) and not c["share_pcpus"]:
            self.fail(vm, "cpu_affinity", "two vCPUs on one pCPU: set share_pcpus = true to allow it")
        c["affinity"] = aff
        bad = vm.get("on_bad_access", "fault")
        if not isinstance(bad, str) or bad not in BAD_ACCESS:
            self.fail(vm, "on_bad_access", f"{show(bad)}: must be one of "
                                           f"{', '.join(map(repr, BAD_ACCESS))}")
        c["stop_on_bad_access"] = bad == "stop"
        c["autostart"] = self.bool_field(vm, vm, "autostart", True)
        hist = self.size_field(vm, vm, "history", "", HISTORY_DEFAULT)
        if hist < HISTORY_MIN or hist > HISTORY_MAX:
            self.fail(vm, "history", f"{hist} bytes: must be between {HISTORY_MIN // 1024}K "
                                     f"and {HISTORY_MAX // 1024}K")
        c["history"] = hist
        c["stop_timeout_ms"] = self.int_field(vm, vm, "stop_timeout_ms", "", 0, STOP_TIMEOUT_MAX,
                                              required=False, default=STOP_TIMEOUT_DEFAULT)

    def check_memory(self, vm, c):
        mems = self.tables(vm, vm, "memory", MAX_MEM, "regions")
        if not mems:
            self.fail(vm, "memory", "no memory region: add a [[vm.memory]] table")
        c["memory"] = []
        for i, m in enumerate(mems):
            w = f"memory[{i}]."
            self.unknown_keys(vm, m, MEM_KEYS, w)
            base = self.int_field(vm, m, "base", w)
            size = self.size_field(vm, m, "size", w)
            kind = m.get("kind", "allocated")
            if not isinstance(kind, str) or kind not in MEM_KINDS:
                self.fail(vm, w + "kind", f"{show(kind)} is not one of {', '.join(MEM_KINDS)}")
            if size <= 0 or size % PAGE or base % PAGE:
                self.fail(vm, w[:-1], f"base 0x{base:x} and size 0x{size:x} must be non-zero "
                                      f"multiples of 4 KiB")
            self.in_guest_space(vm, w[:-1], base, size)
            if size > self.machine["ram"]:
                self.fail(vm, w + "size", f"{size >> 20} MiB is more than the machine's "
                                          f"{self.machine['ram'] >> 20} MiB of RAM")
            for j, o in enumerate(c["memory"]):
                if overlaps(base, size, o):
                    self.fail(vm, w[:-1], f"overlaps memory[{j}] ({span(o)})")
            r = {"base": base, "size": size, "kind": kind}
            if kind == "identity":
                self.check_identity(vm, w[:-1], r)
            c["memory"].append(r)
        if c["memory"][0]["size"] < FDT_MAX + PAGE:
            self.fail(vm, "memory[0].size", "too small to hold the generated device tree")

    def check_identity(self, vm, where, r):
        """Identity memory is the host's own RAM at the same address: it must be RAM, and none
        the firmware or the hypervisor keeps."""
        if not any(o["base"] <= r["base"] and r["base"] + r["size"] <= o["base"] + o["size"]
                   for o in self.machine["ram_ranges"]):
            ram = ", ".join(span(o) for o in self.machine["ram_ranges"])
            self.fail(vm, where, f"identity range {span(r)} is not inside host RAM ({ram})")
        clash = self.host_clash(r["base"], r["size"])
        if clash:
            self.fail(vm, where, f"identity range {span(r)} covers the host's {clash}")

    def read_file(self, vm, key):
        """The bytes and path of the file named by string field 'key' (ROOT-relative or
        absolute). The path goes into generated assembly, so it must be plain text."""
        v = vm.get(key)
        if not isinstance(v, str) or not v:
            self.fail(vm, key, f"missing or not a path: {show(v)}")
        p = Path(v) if os.path.isabs(v) else ROOT / v
        if not str(p).isprintable() or '"' in str(p) or "\\" in str(p):
            self.fail(vm, key, f"{show(v)}: a path may not hold quotes, backslashes or control "
                               f"characters")
        try:
            if not p.is_file():
                self.fail(vm, key, f"{v} does not exist (build it first?)")
            return p, p.read_bytes()
        except OSError as e:
            self.fail(vm, key, f"{v}: cannot read: {e.strerror or e}")

    def check_image(self, vm, c):
        img = vm.get("image")
        c["image"], data = self.read_file(vm, "image")
        try:
            elf = elf_image(data, self.arch)
        except ConfigError as e:
            self.fail(vm, "image", f"{img}: {e}")
        linux = linux_image(data, self.arch) if not elf else None
        bz = bzimage(data) if self.arch == "x86_64" and not elf else None
        c["elf"] = elf
        if elf:
            # An ELF says where it goes: the config need not (and must not) say it again.
            for k in ("load_address", "entry"):
                if k in vm:
                    self.fail(vm, k, f"{img} is an ELF file, which gives its own {k}")
            c["load_address"], c["entry"], c["image_size"] = elf.base, elf.entry, elf.size
            extent = elf.size
        elif bz:
            # A Linux bzImage: the whole file is loaded so that its protected-mode part, after
            # the setup sectors, is at 1 MiB, the 32-bit entry point (arch/x86_64/bzimage_model.h).
            setup_size, init_size = bz
            for k in ("load_address", "entry"):
                if k in vm:
                    self.fail(vm, k, f"{img} is a bzImage, which goes at 1 MiB")
            c["image_size"] = len(data)
            c["load_address"], c["entry"] = BZIMAGE_PM_START - setup_size, BZIMAGE_PM_START
            extent = max(c["image_size"], setup_size + init_size)
        elif linux:
            # A Linux Image goes at a 2 MiB-aligned address plus its text_offset; the memory
            # it needs (BSS included) is image_size from its header.
            text_offset, effective = linux
            c["image_size"] = len(data)
            default = ((c["memory"][0]["base"] + (2 << 20) - 1) & ~((2 << 20) - 1)) + text_offset
            c["load_address"] = self.int_field(vm, vm, "load_address", "", required=False,
                                               default=min(default, U64 - 1))
            if (c["load_address"] - text_offset) % (2 << 20):
                self.fail(vm, "load_address", f"0x{c['load_address']:x}: a Linux Image must be "
                          f"loaded 2 MiB-aligned plus its text_offset (0x{text_offset:x})")
            c["entry"] = c["load_address"]
            extent = max(effective, c["image_size"])
        else:
            c["image_size"] = len(data)
            c["load_address"] = self.int_field(vm, vm, "load_address", "")
            c["entry"] = self.int_field(vm, vm, "entry", "", required=False,
                                        default=c["load_address"])
            extent = c["image_size"]
        if c["image_size"] == 0:
            self.fail(vm, "image", f"{img} is empty")
        region = next((r for r in c["memory"]
                       if r["base"] <= c["load_address"] < r["base"] + r["size"]), None)
        if region is None:
            self.fail(vm, "load_address", f"0x{c['load_address']:x} is in no memory region")
        if c["load_address"] + extent > region["base"] + region["size"]:
            self.fail(vm, "image", f"{img} is {c['image_size']} bytes: too big for its region "
                                   f"from 0x{c['load_address']:x}")
        if not (c["load_address"] <= c["entry"] < c["load_address"] + c["image_size"]):
            self.fail(vm, "entry", f"0x{c['entry']:x} is outside the image")
        c["image_extent"] = extent

    def check_boot_data(self, vm, c):
        """The command line, and the initrd and device tree the hypervisor puts at the top of
        memory[0] (kernel/vm.c vm_load): neither may land on the image."""
        c["cmdline"] = vm.get("cmdline", "")
        if not isinstance(c["cmdline"], str) or not c["cmdline"].isprintable():
            self.fail(vm, "cmdline", f"expected a string of printable characters, got "
                                     f"{show(c['cmdline'])}")
        if len(c["cmdline"].encode()) > CMDLINE_MAX:
            self.fail(vm, "cmdline", f"{len(c['cmdline'].encode())} bytes; at most {CMDLINE_MAX}")
        m0 = c["memory"][0]
        fdt = (m0["base"] + m0["size"] - FDT_MAX) & ~(PAGE - 1)
        image = {"base": c["load_address"], "size": c["image_extent"]}
        if overlaps(fdt, FDT_MAX, image):
            self.fail(vm, "image", f"the image ({span(image)}) would overlap the device tree at "
                                   f"the top of memory[0] (0x{fdt:x}-0x{fdt + FDT_MAX:x})")
        c["initrd"] = None
        if "initrd" in vm:
            c["initrd"], data = self.read_file(vm, "initrd")
            c["initrd_size"] = len(data)
            if c["initrd_size"] + FDT_MAX + (4 << 20) > m0["size"]:
                self.fail(vm, "initrd", "does not fit in memory[0] beside the device tree")
            start = (fdt - c["initrd_size"]) & ~((2 << 20) - 1)
            if overlaps(start, c["initrd_size"], image):
                self.fail(vm, "initrd", f"placed at 0x{start:x} below the device tree, it would "
                                        f"overlap the image ({span(image)})")

    def check_devices(self, vm, c):
        devs = self.tables(vm, vm, "device", MAX_DEV, "devices")
        c["devices"] = []
        for i, d in enumerate(devs):
            w = f"device[{i}]."
            self.unknown_keys(vm, d, DEV_KEYS, w)
            t = d.get("type")
            if not isinstance(t, str) or t not in DEVICE_TYPES:
                self.fail(vm, w + "type", f"{show(t)} is not one of {', '.join(DEVICE_TYPES)}")
            arches, default_size, min_size = DEVICE_TYPES[t]
            if self.arch not in arches:
                self.fail(vm, w + "type", f"{t} is not available on {self.arch}")
            chip = self.machine.get("irqchip")
            if t in IRQ_CONTROLLERS and chip and t != chip:
                self.fail(vm, w + "type", f"{t}: the board's interrupt controller is a {chip} "
                                          f"({self.machine['board']}): a VM here can have a "
                                          f"{chip} device, not a {t}")
            pio = "port" in d
            if pio and self.arch != "x86_64":
                self.fail(vm, w + "port", "I/O ports exist only on x86_64: use base")
            if pio and t in MMIO_ONLY:
                self.fail(vm, w + "port", f"a {t} is memory-mapped: use base")
            if pio == ("base" in d):
                self.fail(vm, w + "base", "give exactly one of base (MMIO) or port (x86 I/O)")
            base = self.int_field(vm, d, "port" if pio else "base", w)
            size = self.size_field(vm, d, "size", w, default_size)
            if size == 0:
                self.fail(vm, w + "size", "must not be zero")
            if size < min_size:
                self.fail(vm, w + "size", f"0x{size:x} is too small for a {t} "
                                          f"(its registers take 0x{min_size:x})")
            if pio:
                if base + size > 0x10000:
                    self.fail(vm, w + "port", f"ports 0x{base:x}-0x{base + size:x} reach past "
                                              f"the 64 Ki I/O ports")
            else:
                self.in_guest_space(vm, w + "base", base, size)
            irq = self.int_field(vm, d, "irq", w, 0, 1019, required=False, default=-1)
            if irq < 0 and t in IRQ_REQUIRED:
                self.fail(vm, w + "irq", f"a {t} needs an interrupt line: give irq")
            if not pio:
                for j, m in enumerate(c["memory"]):
                    if overlaps(base, size, m):
                        self.fail(vm, w + "base", f"{t} at 0x{base:x} lies on memory[{j}]")
            for j, o in enumerate(c["devices"]):
                if o["pio"] == pio and overlaps(base, size, o):
                    self.fail(vm, w + "base", f"overlaps device[{j}] ({o['type']})")
            c["devices"].append({"type": t, "base": base, "size": size, "irq": irq, "pio": pio})

    def check_passthrough(self, vm, c):
        pts = self.tables(vm, vm, "passthrough", MAX_PT, "ranges")
        c["passthrough"] = []
        for i, p in enumerate(pts):
            w = f"passthrough[{i}]."
            self.unknown_keys(vm, p, PT_KEYS, w)
            exact_base = self.int_field(vm, p, "base", w)
            exact_size = self.size_field(vm, p, "size", w, PAGE)
            if exact_size == 0:
                self.fail(vm, w + "size", "must not be zero")
            # The device's registers as given (the device tree says so); the mapping covers
            # the whole pages around them, which is what the checks below compare.
            base, size = page_span(exact_base, exact_size)
            self.in_guest_space(vm, w + "base", base, size)
            compatible = self.text_field(vm, p, "compatible", w, r"[A-Za-z0-9,._+-]{1,64}",
                                         "a device-tree compatible string like \"virtio,mmio\"")
            for j, m in enumerate(c["memory"]):
                if overlaps(base, size, m):
                    self.fail(vm, w + "base", f"passthrough range lies on memory[{j}]")
            for j, d in enumerate(c["devices"]):
                if not d["pio"] and overlaps(base, size, d):
                    self.fail(vm, w + "base", f"overlaps emulated device[{j}] ({d['type']})")
            r = {"base": base, "size": size}
            clash = self.host_clash(base, size)
            if clash:
                self.fail(vm, w + "base", f"pages {span(r)} cover the host's {clash}, which the "
                                          f"hypervisor keeps")
            for o in self.machine["ram_ranges"]:
                if overlaps(base, size, o):
                    self.fail(vm, w + "base", f"pages {span(r)} lie on host RAM ({span(o)}): "
                                              f"only devices may be passed through")
            irq = self.int_field(vm, p, "irq", w, 0, 1019, required=False, default=-1)
            if irq in self.machine.get("irqs", {}):
                self.fail(vm, w + "irq", f"host interrupt {irq} is the hypervisor's "
                                         f"({self.machine['irqs'][irq]})")
            for j, o in enumerate(c["passthrough"]):
                if overlaps(base, size, o["pages"]):
                    self.fail(vm, w + "base", f"shares a page with passthrough[{j}]")
            c["passthrough"].append({"base": exact_base, "size": exact_size, "irq": irq,
                                     "compatible": compatible, "pages": r})

    def check_irqs(self, vm, c):
        """Interrupt lines: at most one interrupt controller, every line one it implements,
        no line used twice."""
        chips = [(i, d) for i, d in enumerate(c["devices"]) if d["type"] in IRQ_CONTROLLERS]
        for i, d in chips[1:]:
            self.fail(vm, f"device[{i}].type", f"a second interrupt controller "
                                               f"(device[{chips[0][0]}] is one): a VM has at "
                                               f"most one")
        lines = [(f"device[{i}].irq", d["irq"]) for i, d in enumerate(c["devices"])]
        lines += [(f"passthrough[{i}].irq", p["irq"]) for i, p in enumerate(c["passthrough"])]
        if chips and chips[0][1]["irq"] >= 0:
            self.fail(vm, f"device[{chips[0][0]}].irq", "an interrupt controller has no line of "
                                                        "its own to raise")
        seen = {}
        for where, irq in lines:
            if irq < 0:
                continue
            if not chips:
                models = [t for t in IRQ_CONTROLLERS if self.arch in DEVICE_TYPES[t][0]]
                hint = f"add a device of type {' or '.join(models)}" if models else \
                    f"no interrupt-controller model exists on {self.arch} yet"
                self.fail(vm, where, f"the VM has no interrupt controller: {hint}")
            model = chips[0][1]["type"]
            lines_ok = IRQ_CONTROLLERS[model]
            if irq not in lines_ok:
                self.fail(vm, where, f"interrupt {irq} is not one the {model} model implements "
                                     f"for devices ({lines_ok.start}..{lines_ok.stop - 1})")
            if irq in IRQ_OWN.get(model, {}):
                self.fail(vm, where, f"interrupt {irq} is {IRQ_OWN[model][irq]} of the {model} "
                                     f"model")
            if irq in seen:
                self.fail(vm, where, f"interrupt {irq} is already {seen[irq]}'s")
            seen[irq] = where[:-len(".irq")]
        c["power_irq"] = self.power_irq(vm, chips[0][1]["type"] if chips else None, seen)

    def power_irq(self, vm, model, used):
        """The power-request line: given, or the controller's highest free one; 0 for none."""
        irq = self.int_field(vm, vm, "power_irq", "", 0, 1019, required=False, default=None)
        if model not in POWER_IRQ_CONTROLLERS:
            if irq is None:
                return 0
            why = "x86_64 VMs are asked through the ACPI power button, not an interrupt line" \
                if model == "ioapic" or self.arch == "x86_64" else \
                "the VM has no interrupt controller to raise it on"
            self.fail(vm, "power_irq", why)
        lines = IRQ_CONTROLLERS[model]
        if irq is None:
            free = [i for i in lines if i not in used]
            return free[-1] if free else 0
        if irq not in lines:
            self.fail(vm, "power_irq", f"interrupt {irq} is not one the {model} model implements "
                                       f"for devices ({lines.start}..{lines.stop - 1})")
        if irq in used:
            self.fail(vm, "power_irq", f"interrupt {irq} is already {used[irq]}'s")
        return irq

    # -- across VMs --

    def check_across(self, vms):
        total = 0
        for i, c in enumerate(vms):
            vm = {"name": c["name"], "id": c["id"]}
            for o in vms[:i]:
                if o["id"] == c["id"]:
                    self.fail(vm, "id", f"{c['id']} is already used by vm '{o['name']}'")
                if o["name"] == c["name"]:
                    self.fail(vm, "name", f"'{c['name']}' is already used by vm id {o['id']}")
                self.check_host_ranges_shared(vm, c, o)
                if c["share_pcpus"] and o["share_pcpus"]:
                    continue
                for k, p in enumerate(c["affinity"]):
                    if p in o["affinity"]:
                        self.fail(vm, f"cpu_affinity[{k}]",
                                  f"pCPU {p} is already given to vm '{o['name']}' "
                                  f"(set share_pcpus = true in both to share it)")
            # Identity memory is the machine's RAM too: the hypervisor carves it out at boot.
            self.check_identity_off_image(vm, c, vms)
            total += sum(m["size"] for m in c["memory"])
            if total > self.machine["ram"] - HYPERVISOR_RESERVE:
                self.fail(vm, "memory",
                          f"the VMs need {total >> 20} MiB together; the machine has "
                          f"{self.machine['ram'] >> 20} MiB of which the hypervisor keeps "
                          f"{HYPERVISOR_RESERVE >> 20} MiB")

    def check_identity_off_image(self, vm, c, vms):
        """The hypervisor image carries every VM's image and initrd, so how far it reaches is
        known only once all VMs are read."""
        image = self.machine.get("image")
        if image is None:
            return
        size = image["core"] + sum((v[k] + PAGE - 1) & ~(PAGE - 1) for v in vms
                                   for k in ("image_size", "initrd_size") if k in v)
        r = {"base": image["base"], "size": size}
        for j, m in enumerate(c["memory"]):
            if m["kind"] == "identity" and overlaps(m["base"], m["size"], r):
                self.fail(vm, f"memory[{j}]", f"identity range {span(m)} covers the host's "
                                              f"hypervisor image at {span(r)} (with the VMs' "
                                              f"images it carries)")

    def check_host_ranges_shared(self, vm, c, o):
        """Host memory and devices belong to one VM: identity RAM, passthrough pages and the
        host interrupts passed through."""
        for j, m in enumerate(c["memory"]):
            if m["kind"] != "identity":
                continue
            for k, om in enumerate(o["memory"]):
                if om["kind"] == "identity" and overlaps(m["base"], m["size"], om):
                    self.fail(vm, f"memory[{j}]", f"identity range {span(m)} is also vm "
                                                  f"'{o['name']}''s memory[{k}] ({span(om)})")
        for j, p in enumerate(c["passthrough"]):
            for k, op in enumerate(o["passthrough"]):
                if overlaps(p["pages"]["base"], p["pages"]["size"], op["pages"]):
                    self.fail(vm, f"passthrough[{j}].base",
                              f"pages {span(p['pages'])} are also vm '{o['name']}''s "
                              f"passthrough[{k}]")
                if p["irq"] >= 0 and p["irq"] == op["irq"]:
                    self.fail(vm, f"passthrough[{j}].irq",
                              f"host interrupt {p['irq']} is already vm '{o['name']}''s "
                              f"(passthrough[{k}])")


# ---- output --------------------------------------------------------------------------------

def c_string(s):
    """A C string literal for 's': printable ASCII as itself, the quote, backslash and '?' (which
    could start a trigraph) escaped, everything else as octal escapes of its UTF-8 bytes."""
    out = []
    for b in s.encode():
        ch = chr(b)
        out.append("\\" + ch if ch in '"\\?' else ch if 0x20 <= b < 0x7f else f"\\{b:03o}")
    return '"' + "".join(out) + '"'


def generate(vms, source, out, shmem=()):
    out.mkdir(parents=True, exist_ok=True)
    asm = ["/* Generated by scripts/vmconfig.py: guest images. */",
           '    .section .rodata.vm_images, "a"']
    c = ["/* Generated by scripts/vmconfig.py. Do not edit. */",
         "/* from " + c_string(str(source)).replace("*/", "*\\/") + " */",
         "#include <axvm/config.h>", ""]
    for i, vm in enumerate(vms):
        if vm["elf"] is not None:
            data = vm["elf"].flatten()
            flat = out / f"vm{i}-image.bin"
            if not flat.exists() or flat.read_bytes() != data:
                flat.write_bytes(data)
            vm = dict(vm, image=flat.resolve())
        for what in ("image", "initrd"):
            if vm.get(what):
                asm += ["    .balign 4096", f"    .globl vm{i}_{what}", f"vm{i}_{what}:",
                        f'    .incbin "{vm[what]}"']
                c.append(f"extern const uint8_t vm{i}_{what}[];")
    c.append("")
    c.append("const struct vm_config vm_configs[] = {")
    for i, vm in enumerate(vms):
        c.append("    {")
        c.append(f"        .source = {c_string(str(source))},")
        c.append(f"        .id = {vm['id']},")
        c.append(f"        .name = {c_string(vm['name'])},")
        c.append(f"        .vcpu_count = {vm['vcpus']},")
        c.append(f"        .affinity = {{{', '.join(str(a) for a in vm['affinity'])}}},")
        c.append(f"        .shared_pcpus = {'true' if vm['share_pcpus'] else 'false'},")
        c.append(f"        .stop_on_bad_access = {'true' if vm['stop_on_bad_access'] else 'false'},")
        c.append(f"        .manual_start = {'false' if vm['autostart'] else 'true'},")
        c.append(f"        .history_size = {vm['history']},")
        c.append(f"        .stop_timeout_ms = {vm['stop_timeout_ms']},")
        c.append(f"        .power_irq = {vm['power_irq']},")
        mems = ", ".join(f"{{0x{m['base']:x}ULL, 0x{m['size']:x}ULL, {MEM_KINDS[m['kind']]}}}"
                         for m in vm["memory"])
        c.append(f"        .mem = {{{mems}}},")
        c.append(f"        .mem_count = {len(vm['memory'])},")
        devs = ", ".join(f"{{{c_string(d['type'])}, 0x{d['base']:x}ULL, 0x{d['size']:x}ULL, "
                         f"{d['irq']}, {'true' if d['pio'] else 'false'}}}" for d in vm["devices"])
        c.append(f"        .dev = {{{devs}}},")
        c.append(f"        .dev_count = {len(vm['devices'])},")
        pts = ", ".join(f"{{0x{p['base']:x}ULL, 0x{p['size']:x}ULL, {p['irq']}, "
                        f"{c_string(p['compatible']) if p['compatible'] else 'NULL'}}}"
                        for p in vm["passthrough"])
        c.append(f"        .passthru = {{{pts}}},")
        c.append(f"        .passthru_count = {len(vm['passthrough'])},")
        c.append(f"        .image = vm{i}_image,")
        c.append(f"        .image_size = {vm['image_size']},")
        c.append(f"        .load_addr = 0x{vm['load_address']:x}ULL,")
        c.append(f"        .entry = 0x{vm['entry']:x}ULL,")
        if vm["initrd"]:
            c.append(f"        .initrd = vm{i}_initrd,")
            c.append(f"        .initrd_size = {vm['initrd_size']},")
        c.append(f"        .cmdline = {c_string(vm['cmdline'])},")
        c.append("    },")
    if not vms:
        c.append("    {0},")
    c.append("};")
    c.append(f"const unsigned vm_config_count = {len(vms)};")
    c.append("const struct shmem_config shmem_configs[] = {")
    for r in shmem:
        maps = ", ".join(f"{{{x['vm']}, 0x{x['base']:x}ULL, {'true' if x['ro'] else 'false'}, "
                         f"{x['irq']}, 0x{x['doorbell']:x}ULL}}" for x in r["maps"])
        c.append(f"    {{{c_string(r['name'])}, 0x{r['size']:x}ULL, {{{maps}}}, {len(r['maps'])}}},")
    if not shmem:
        c.append("    {0},")
    c.append("};")
    c.append(f"const unsigned shmem_config_count = {len(shmem)};")
    (out / "vmconfig.c").write_text("\n".join(c) + "\n")
    (out / "vmimages.S").write_text("\n".join(asm) + "\n")
    # Make rebuilds when an image changes.
    deps = " ".join(str(vm[w]) for vm in vms for w in ("image", "initrd") if vm.get(w))
    (out / "vmconfig.d").write_text(f"{out}/vmconfig.c: {source} {deps}\n")


def run(command, config, arch, out=None, board_name=None):
    """The checker's whole path from a file name to its verdict: raises ConfigError."""
    checker = Checker(config, arch, machine_facts(arch, board_name))
    vms = checker.load()
    if command == "generate":
        generate(vms, config, out, checker.shmem)
    return vms


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["check", "generate"])
    ap.add_argument("config")
    ap.add_argument("--arch", required=True)
    ap.add_argument("--board", help="judge the config against boards/BOARD.toml (default: the "
                                    "architecture's QEMU board)")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    try:
        run(args.command, args.config, args.arch, args.out, args.board)
    except ConfigError as e:
        print(f"config error: {e}", file=sys.stderr)
        return 1
    except Exception as e:  # noqa: BLE001 - a checker bug still gets one line, not a traceback
        print(f"config error: {args.config}: the checker failed ({type(e).__name__}: "
              f"{show(str(e), 200)}); please report it", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
