#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check a VM configuration (TOML, docs/config.md) and generate the C tables the hypervisor
image carries.

  vmconfig.py check  --arch ARCH CONFIG.toml
  vmconfig.py generate --arch ARCH CONFIG.toml --out DIR     (writes DIR/vmconfig.c, vmimages.S)

Errors name the file, the VM and the field, e.g.
  configs/x.toml: vm 'hello' (id 1): memory[1]: overlaps memory[0] (0x40000000-0x44000000)
"""
import argparse
import os
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import qemu  # noqa: E402

PAGE = 4096
MAX_VMS, MAX_VCPUS, MAX_MEM, MAX_DEV, MAX_PT = 8, 8, 8, 8, 8
FDT_MAX = 64 * 1024
# What the hypervisor keeps for itself (image, tables, stacks) when judging whether RAM suffices.
HYPERVISOR_RESERVE = 32 << 20

DEVICE_TYPES = {
    # type: (arches, default size, address space)
    "ns16550": ({"aarch64", "riscv64", "x86_64"}, 0x100, "mmio"),
    "pl011": ({"aarch64"}, 0x1000, "mmio"),
    # GICD at base, redistributors from base + 0xa0000 (128 KiB per vCPU), as on QEMU virt.
    "gicv3": ({"aarch64"}, 0xa0000 + 8 * 0x20000, "mmio"),
    # Priorities, pending, per-context enables and threshold/claim for up to 8 vCPUs, as on
    # QEMU virt (arch/riscv64/vplic_model.h).
    "plic": ({"riscv64"}, 0x400000, "mmio"),
}
# Interrupt-controller models: the interrupts a device's or a passthrough's `irq` may name.
IRQ_CONTROLLERS = {
    "gicv3": range(32, 1020),  # SPIs
    "plic": range(1, 64),  # sources 1..63 (arch/riscv64/vplic_model.h)
}
MEM_KINDS = {"allocated": 0, "lazy": 1, "identity": 2}

VM_KEYS = {"id", "name", "vcpus", "cpu_affinity", "image", "load_address", "entry", "cmdline",
           "initrd", "memory", "device", "passthrough", "share_pcpus"}
MEM_KEYS = {"base", "size", "kind"}
DEV_KEYS = {"type", "base", "size", "irq", "port"}
PT_KEYS = {"base", "size", "irq", "compatible"}


class ConfigError(Exception):
    pass


def overlaps(base, size, other):
    """[base, base+size) meets the range of 'other' (a dict with base and size)."""
    return base < other["base"] + other["size"] and other["base"] < base + size


def parse_size(v, where):
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    if isinstance(v, str):
        m = re.fullmatch(r"\s*(\d+)\s*([KMG]?)i?B?\s*", v, re.I)
        if m:
            return int(m.group(1)) << {"": 0, "K": 10, "M": 20, "G": 30}[m.group(2).upper()]
    raise ConfigError(f"{where}: expected a number of bytes or a size like \"64M\", got {v!r}")


def machine_facts(arch):
    cfg = qemu.machine_config(arch)
    return {"cpus": int(cfg["smp"]), "ram": parse_size(cfg["memory"], "qemu memory")}


class Checker:
    def __init__(self, path, arch, machine):
        self.path = Path(path)
        self.arch = arch
        self.machine = machine

    def fail(self, vm, field, msg):
        who = f"vm '{vm.get('name', '?')}' (id {vm.get('id', '?')})" if vm is not None else "top level"
        raise ConfigError(f"{self.path}: {who}: {field}: {msg}")

    def int_field(self, vm, d, key, where, lo=None, hi=None, required=True, default=None):
        if key not in d:
            if required:
                self.fail(vm, where + key, "missing")
            return default
        v = d[key]
        if not isinstance(v, int) or isinstance(v, bool):
            self.fail(vm, where + key, f"expected an integer, got {v!r}")
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            self.fail(vm, where + key, f"{v} is not between {lo} and {hi}")
        return v

    def unknown_keys(self, vm, d, allowed, where):
        for k in d:
            if k not in allowed:
                self.fail(vm, where + k, f"unknown field (known: {', '.join(sorted(allowed))})")

    def load(self):
        try:
            with open(self.path, "rb") as f:
                data = tomllib.load(f)
        except FileNotFoundError:
            raise ConfigError(f"{self.path}: no such file")
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"{self.path}: not valid TOML: {e}")
        for k in data:
            if k != "vm":
                self.fail(None, k, "unknown top-level field (VMs are [[vm]] tables)")
        vms = data.get("vm", [])
        if not isinstance(vms, list):
            self.fail(None, "vm", "must be an array of tables: [[vm]]")
        if len(vms) > MAX_VMS:
            self.fail(None, "vm", f"{len(vms)} VMs; at most {MAX_VMS}")
        out = [self.check_vm(vm) for vm in vms]
        self.check_across(out)
        return out

    def check_vm(self, vm):
        self.unknown_keys(vm, vm, VM_KEYS, "")
        c = {}
        c["id"] = self.int_field(vm, vm, "id", "", 1, 255)
        name = vm.get("name")
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_-]{1,15}", name or ""):
            self.fail(vm, "name", f"expected 1 to 15 letters, digits, '-' or '_', got {name!r}")
        c["name"] = name
        c["vcpus"] = self.int_field(vm, vm, "vcpus", "", 1, MAX_VCPUS)
        aff = vm.get("cpu_affinity")
        if not isinstance(aff, list) or not all(isinstance(a, int) for a in aff):
            self.fail(vm, "cpu_affinity", "missing, or not a list of pCPU numbers")
        if len(aff) != c["vcpus"]:
            self.fail(vm, "cpu_affinity",
                      f"{len(aff)} pCPUs listed for {c['vcpus']} vCPUs: give one pCPU per vCPU")
        for i, p in enumerate(aff):
            if p < 0 or p >= self.machine["cpus"]:
                self.fail(vm, f"cpu_affinity[{i}]",
                          f"pCPU {p} does not exist (the machine has {self.machine['cpus']})")
        c["share_pcpus"] = bool(vm.get("share_pcpus", False))
        if len(set(aff)) != len(aff) and not c["share_pcpus"]:
            self.fail(vm, "cpu_affinity", "two vCPUs on one pCPU: set share_pcpus = true to allow it")
        c["affinity"] = aff

        mems = vm.get("memory", [])
        if not mems:
            self.fail(vm, "memory", "no memory region: add a [[vm.memory]] table")
        if len(mems) > MAX_MEM:
            self.fail(vm, "memory", f"{len(mems)} regions; at most {MAX_MEM}")
        c["memory"] = []
        for i, m in enumerate(mems):
            w = f"memory[{i}]."
            self.unknown_keys(vm, m, MEM_KEYS, w)
            base = self.int_field(vm, m, "base", w, 0)
            size = parse_size(m.get("size"), f"{self.path}: vm '{name}': {w}size") if "size" in m \
                else self.fail(vm, w + "size", "missing")
            kind = m.get("kind", "allocated")
            if kind not in MEM_KINDS:
                self.fail(vm, w + "kind", f"{kind!r} is not one of {', '.join(MEM_KINDS)}")
            if size <= 0 or size % PAGE or base % PAGE:
                self.fail(vm, w[:-1], f"base 0x{base:x} and size 0x{size:x} must be non-zero "
                                      f"multiples of 4 KiB")
            for j, o in enumerate(c["memory"]):
                if overlaps(base, size, o):
                    self.fail(vm, w[:-1], f"overlaps memory[{j}] "
                                          f"(0x{o['base']:x}-0x{o['base'] + o['size']:x})")
            c["memory"].append({"base": base, "size": size, "kind": kind})
        if c["memory"][0]["size"] < FDT_MAX + PAGE:
            self.fail(vm, "memory[0].size", "too small to hold the generated device tree")

        img = vm.get("image")
        if not isinstance(img, str):
            self.fail(vm, "image", "missing: the path of the guest image")
        img_path = (ROOT / img) if not os.path.isabs(img) else Path(img)
        if not img_path.is_file():
            self.fail(vm, "image", f"{img} does not exist (build it first?)")
        c["image"] = img_path
        elf = elf_image(img_path)
        if elf:
            # An ELF says where it goes: the config need not (and must not) say it again.
            c["image_data"], c["load_address"], c["entry"] = elf
            c["image_size"] = len(c["image_data"])
            for k in ("load_address", "entry"):
                if k in vm:
                    self.fail(vm, k, f"{img} is an ELF file, which gives its own {k}")
        elif linux_image(self.arch, img_path):
            # A Linux Image goes at a 2 MiB-aligned address plus its text_offset; the memory
            # it needs (BSS included) is image_size from its header.
            text_offset, effective = linux_image(self.arch, img_path)
            c["image_data"] = None
            c["image_size"] = img_path.stat().st_size
            default = ((c["memory"][0]["base"] + (2 << 20) - 1) & ~((2 << 20) - 1)) + text_offset
            c["load_address"] = self.int_field(vm, vm, "load_address", "", 0, required=False,
                                               default=default)
            if (c["load_address"] - text_offset) % (2 << 20):
                self.fail(vm, "load_address", f"0x{c['load_address']:x}: a Linux Image must be "
                          f"loaded 2 MiB-aligned plus its text_offset (0x{text_offset:x})")
            c["entry"] = c["load_address"]
            c["image_extent"] = max(effective, c["image_size"])
        else:
            c["image_data"] = None
            c["image_size"] = img_path.stat().st_size
            c["load_address"] = self.int_field(vm, vm, "load_address", "", 0)
            c["entry"] = self.int_field(vm, vm, "entry", "", 0, required=False,
                                        default=c["load_address"])
        region = next((r for r in c["memory"]
                       if r["base"] <= c["load_address"] < r["base"] + r["size"]), None)
        if region is None:
            self.fail(vm, "load_address", f"0x{c['load_address']:x} is in no memory region")
        if c["load_address"] + c.get("image_extent", c["image_size"]) > region["base"] + region["size"]:
            self.fail(vm, "image", f"{img} is {c['image_size']} bytes: too big for its region "
                                   f"from 0x{c['load_address']:x}")
        if not (c["load_address"] <= c["entry"] < c["load_address"] + c["image_size"]):
            self.fail(vm, "entry", f"0x{c['entry']:x} is outside the image")
        c["cmdline"] = vm.get("cmdline", "")
        if not isinstance(c["cmdline"], str) or len(c["cmdline"]) > 1024:
            self.fail(vm, "cmdline", "must be a string of at most 1024 characters")
        c["initrd"] = None
        if "initrd" in vm:
            p = ROOT / vm["initrd"]
            if not p.is_file():
                self.fail(vm, "initrd", f"{vm['initrd']} does not exist (build it first?)")
            c["initrd"] = p
            if p.stat().st_size + FDT_MAX + (4 << 20) > c["memory"][0]["size"]:
                self.fail(vm, "initrd", "does not fit in memory[0] beside the device tree")

        devs = vm.get("device", [])
        if len(devs) > MAX_DEV:
            self.fail(vm, "device", f"{len(devs)} devices; at most {MAX_DEV}")
        c["devices"] = []
        for i, d in enumerate(devs):
            w = f"device[{i}]."
            self.unknown_keys(vm, d, DEV_KEYS, w)
            t = d.get("type")
            if t not in DEVICE_TYPES:
                self.fail(vm, w + "type", f"{t!r} is not one of {', '.join(DEVICE_TYPES)}")
            arches, default_size, _ = DEVICE_TYPES[t]
            if self.arch not in arches:
                self.fail(vm, w + "type", f"{t} is not available on {self.arch}")
            pio = "port" in d
            if pio and self.arch != "x86_64":
                self.fail(vm, w + "port", "I/O ports exist only on x86_64: use base")
            if pio == ("base" in d):
                self.fail(vm, w + "base", "give exactly one of base (MMIO) or port (x86 I/O)")
            base = self.int_field(vm, d, "port" if pio else "base", w, 0,
                                  0xffff if pio else None)
            size = parse_size(d.get("size", default_size), w + "size")
            irq = self.int_field(vm, d, "irq", w, 0, 1019, required=False, default=-1)
            if not pio:
                for j, m in enumerate(c["memory"]):
                    if overlaps(base, size, m):
                        self.fail(vm, w + "base", f"{t} at 0x{base:x} lies on memory[{j}]")
            for j, o in enumerate(c["devices"]):
                if o["pio"] == pio and overlaps(base, size, o):
                    self.fail(vm, w + "base", f"overlaps device[{j}] ({o['type']})")
            c["devices"].append({"type": t, "base": base, "size": size, "irq": irq, "pio": pio})

        chip = next((d["type"] for d in c["devices"] if d["type"] in IRQ_CONTROLLERS), None)
        for i, d in enumerate(c["devices"]):
            self.check_irq(vm, f"device[{i}].irq", d["irq"], chip)

        pts = vm.get("passthrough", [])
        if len(pts) > MAX_PT:
            self.fail(vm, "passthrough", f"{len(pts)} ranges; at most {MAX_PT}")
        c["passthrough"] = []
        for i, p in enumerate(pts):
            w = f"passthrough[{i}]."
            self.unknown_keys(vm, p, PT_KEYS, w)
            base = self.int_field(vm, p, "base", w, 0)
            size = parse_size(p.get("size", PAGE), w + "size")
            if size == 0:
                self.fail(vm, w + "size", "must not be zero")
            # The device's registers as given (the device tree says so); the mapping covers
            # the whole pages around them, which is what the checks below compare.
            exact_base, exact_size = base, size
            base, size = base & ~(PAGE - 1), ((base + size + PAGE - 1) & ~(PAGE - 1)) - (base & ~(PAGE - 1))
            compatible = p.get("compatible")
            if compatible is not None and (not isinstance(compatible, str) or not compatible):
                self.fail(vm, w + "compatible", "must be a device-tree compatible string")
            for j, m in enumerate(c["memory"]):
                if overlaps(base, size, m):
                    self.fail(vm, w + "base", f"passthrough range lies on memory[{j}]")
            for j, d in enumerate(c["devices"]):
                if not d["pio"] and overlaps(base, size, d):
                    self.fail(vm, w + "base", f"overlaps emulated device[{j}] ({d['type']})")
            irq = self.int_field(vm, p, "irq", w, 0, 1019, required=False, default=-1)
            self.check_irq(vm, w + "irq", irq, chip)
            for j, o in enumerate(c["passthrough"]):
                if overlaps(base, size, o):
                    self.fail(vm, w + "base", f"shares a page with passthrough[{j}]")
            c["passthrough"].append({"base": exact_base, "size": exact_size, "irq": irq,
                                     "compatible": compatible})
        return c

    def check_irq(self, vm, where, irq, chip):
        """An interrupt line needs the VM's interrupt controller, and one it implements."""
        if irq < 0:
            return
        if chip is None:
            models = [t for t in IRQ_CONTROLLERS if self.arch in DEVICE_TYPES[t][0]]
            self.fail(vm, where, "the VM has no interrupt controller: " +
                      (f"add a device of type {' or '.join(models)}" if models else
                       f"no interrupt-controller model exists on {self.arch} yet"))
        lines = IRQ_CONTROLLERS[chip]
        if irq not in lines:
            self.fail(vm, where, f"interrupt {irq} is not one the {chip} model implements "
                                 f"({lines.start}..{lines.stop - 1})")

    def check_across(self, vms):
        total = 0
        for i, c in enumerate(vms):
            vm = {"name": c["name"], "id": c["id"]}
            for o in vms[:i]:
                if o["id"] == c["id"]:
                    self.fail(vm, "id", f"{c['id']} is already used by vm '{o['name']}'")
                if o["name"] == c["name"]:
                    self.fail(vm, "name", f"'{c['name']}' is already used by vm id {o['id']}")
                if c["share_pcpus"] and o["share_pcpus"]:
                    continue
                for k, p in enumerate(c["affinity"]):
                    if p in o["affinity"]:
                        self.fail(vm, f"cpu_affinity[{k}]",
                                  f"pCPU {p} is already given to vm '{o['name']}' "
                                  f"(set share_pcpus = true in both to share it)")
            total += sum(m["size"] for m in c["memory"] if m["kind"] != "identity")
            if total > self.machine["ram"] - HYPERVISOR_RESERVE:
                self.fail(vm, "memory",
                          f"the VMs need {total >> 20} MiB together; the machine has "
                          f"{self.machine['ram'] >> 20} MiB of which the hypervisor keeps "
                          f"{HYPERVISOR_RESERVE >> 20} MiB")


def elf_image(path):
    """Flatten an ELF64 little-endian executable's PT_LOAD segments (by physical address).
    Returns (bytes, load address, entry) or None if the file is not ELF."""
    import struct
    data = path.read_bytes()
    if data[:4] != b"\x7fELF":
        return None
    if data[4] != 2 or data[5] != 1:
        raise ConfigError(f"{path}: only 64-bit little-endian ELF images are supported")
    entry, phoff = struct.unpack_from("<QQ", data, 24)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    segs = []
    for i in range(phnum):
        ptype, _, off, _, paddr, filesz, memsz = struct.unpack_from("<IIQQQQQ", data, phoff + i * phentsize)
        if ptype == 1 and memsz:
            segs.append((paddr, data[off:off + filesz], memsz))
    if not segs:
        raise ConfigError(f"{path}: no loadable segment")
    base = min(p for p, _, _ in segs)
    end = max(p + m for p, _, m in segs)
    flat = bytearray(end - base)
    for p, b, _ in segs:
        flat[p - base:p - base + len(b)] = b
    return bytes(flat), base, entry


# Where each architecture's Linux Image header keeps its magic (arm64 booting.rst; riscv
# boot-image-header.rst). Both keep text_offset at byte 8 and image_size at byte 16.
LINUX_IMAGE_MAGIC = {"aarch64": b"ARM\x64", "riscv64": b"RSC\x05"}


def linux_image(arch, path):
    """(text_offset, image_size) from a Linux Image header of 'arch', or None (magic at byte
    56)."""
    import struct
    magic = LINUX_IMAGE_MAGIC.get(arch)
    head = path.read_bytes()[:64]
    if not magic or len(head) < 64 or head[56:56 + len(magic)] != magic:
        return None
    text_offset, image_size = struct.unpack_from("<QQ", head, 8)
    return text_offset, image_size


def c_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def generate(vms, source, out):
    out.mkdir(parents=True, exist_ok=True)
    asm = ["/* Generated by scripts/vmconfig.py: guest images. */",
           '    .section .rodata.vm_images, "a"']
    c = ["/* Generated by scripts/vmconfig.py from " + str(source) + ". Do not edit. */",
         "#include <axvm/config.h>", ""]
    for i, vm in enumerate(vms):
        if vm["image_data"] is not None:
            flat = out / f"vm{i}-image.bin"
            if not flat.exists() or flat.read_bytes() != vm["image_data"]:
                flat.write_bytes(vm["image_data"])
            vm = dict(vm, image=flat.resolve())
        for what in ("image", "initrd"):
            if vm.get(what):
                asm += [f"    .balign 4096", f"    .globl vm{i}_{what}", f"vm{i}_{what}:",
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
            c.append(f"        .initrd_size = {vm['initrd'].stat().st_size},")
        c.append(f"        .cmdline = {c_string(vm['cmdline'])},")
        c.append("    },")
    if not vms:
        c.append("    {0},")
    c.append("};")
    c.append(f"const unsigned vm_config_count = {len(vms)};")
    (out / "vmconfig.c").write_text("\n".join(c) + "\n")
    (out / "vmimages.S").write_text("\n".join(asm) + "\n")
    # Make rebuilds when an image changes.
    deps = " ".join(str(vm[w]) for vm in vms for w in ("image", "initrd") if vm.get(w))
    (out / "vmconfig.d").write_text(f"{out}/vmconfig.c: {source} {deps}\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["check", "generate"])
    ap.add_argument("config")
    ap.add_argument("--arch", required=True)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    try:
        vms = Checker(args.config, args.arch, machine_facts(args.arch)).load()
        if args.command == "generate":
            generate(vms, args.config, args.out)
    except ConfigError as e:
        print(f"config error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
