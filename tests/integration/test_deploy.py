# SPDX-License-Identifier: MIT
"""Deployment paths (docs/deploy.md): axvm booted the way a board or PC boots it, through the
firmware it would run, from the disk image `make image` writes or over TFTP as `make netboot`
serves it, and the direct path (`kernel`) for comparison.

Each test boots the pair config (two bare-metal VMs on their own pCPUs, so the run is short):
every CPU online, both VMs' checks passed, a clean power-off. It also checks each step the
path's firmware prints of itself and the hypervisor's own note of how it was entered, and that
no other path's firmware spoke: a path that silently fell back to another fails.
"""
import os
import re
import sys

import pytest

import machine
from machine import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import image  # noqa: E402
import qemu  # noqa: E402

SMP = 4
CONFIG = "pair"
# Firmware start-up under TCG on a loaded 2-core machine: OVMF's PXE boot alone takes ~15 s.
FIRMWARE_TIMEOUT = 180
RUN_TIMEOUT = 120

UEFI_AA64 = r"UEFI firmware \(version"
UBOOT = r"U-Boot 20\d\d\.\d\d"
OPENSBI = r"OpenSBI v\d+\.\d+"
OVMF_PXE = r">>Start PXE over IPv4"
X86_ENTERED = (r"\[axvm\] entered from UEFI in long mode \(UEFI \d+\.\d+ \(EDK II\), "
               r"through axvm\.efi\)\n")

# (arch, path): the firmware's own lines in the order they must appear, what axvm says of its
# entry, and lines that belong to other paths' firmware and must not appear at all.
PATHS = {
    ("aarch64", "kernel"): (
        [],
        r"\[axvm\] entered as a Linux Image at EL2\n",
        [UEFI_AA64, UBOOT, r"axvm\.efi:"],
    ),
    ("aarch64", "disk"): (
        [UEFI_AA64, r'BdsDxe: starting Boot\d+ "UEFI Misc Device"',
         r"axvm\.efi: started by UEFI \d+\.\d+ \(EDK II\) at EL2",
         r"axvm\.efi: axvm\.bin at 0x40200000, device tree at 0x[0-9A-Fa-f]+: leaving UEFI"],
        r"\[axvm\] entered from UEFI at EL2 \(UEFI \d+\.\d+ \(EDK II\), through axvm\.efi\)",
        [UBOOT, r"PXE"],
    ),
    ("aarch64", "uboot"): (
        [UBOOT, r"Found U-Boot script /boot\.scr",
         r"axvm boot script \(disk\): loading axvm\.bin from virtio 0:1",
         r"axvm boot script \(disk\): booti 0x40200000", r"Starting kernel \.\.\."],
        r"\[axvm\] entered as a Linux Image at EL2, loaded by U-Boot 20\d\d\.\d\d",
        [UEFI_AA64, r"axvm\.efi:", r"DHCP client bound", r"booti returned"],
    ),
    ("aarch64", "netboot"): (
        [UBOOT, r"DHCP client bound to address", r"Filename 'boot\.scr\.uimg'",
         r"axvm boot script \(tftp\): loading axvm\.bin from TFTP server",
         r"Filename 'axvm\.bin'", r"Starting kernel \.\.\."],
        r"\[axvm\] entered as a Linux Image at EL2, loaded by U-Boot 20\d\d\.\d\d",
        [UEFI_AA64, r"axvm\.efi:", r"Found U-Boot script /boot\.scr\n", r"booti returned"],
    ),
    ("riscv64", "kernel"): (
        [OPENSBI],
        r"\[axvm\] entered in HS-mode as an SBI payload\n",
        [UBOOT],
    ),
    ("riscv64", "uboot"): (
        [OPENSBI, UBOOT, r"Found U-Boot script /boot\.scr",
         r"axvm boot script \(disk\): loading axvm\.bin from virtio 0:1",
         r"axvm boot script \(disk\): booti 0x80200000", r"Starting kernel \.\.\."],
        r"\[axvm\] entered in HS-mode as an SBI payload, loaded by U-Boot 20\d\d\.\d\d",
        [r"DHCP client bound", r"booti returned"],
    ),
    ("riscv64", "netboot"): (
        [OPENSBI, UBOOT, r"DHCP client bound to address", r"Filename 'boot\.scr\.uimg'",
         r"axvm boot script \(tftp\): loading axvm\.bin from TFTP server",
         r"Filename 'axvm\.bin'", r"Starting kernel \.\.\."],
        r"\[axvm\] entered in HS-mode as an SBI payload, loaded by U-Boot 20\d\d\.\d\d",
        [r"Found U-Boot script /boot\.scr\n", r"booti returned"],
    ),
    # axvm.efi is the x86_64 hypervisor itself, so every path enters it from UEFI
    # (boot/x86_64/efi_main.c); which device OVMF booted it from is OVMF's own line.
    ("x86_64", "kernel"): (
        [r'BdsDxe: starting Boot\d+ "UEFI QEMU HARDDISK'],
        X86_ENTERED,
        [OVMF_PXE, r"USB HARDDRIVE"],
    ),
    ("x86_64", "disk"): (
        [r'BdsDxe: starting Boot\d+ "UEFI QEMU QEMU USB HARDDRIVE'],
        X86_ENTERED,
        [OVMF_PXE, r"QEMU HARDDISK"],
    ),
    ("x86_64", "netboot"): (
        [OVMF_PXE, r"NBP filename is axvm\.efi", r"NBP file downloaded successfully",
         r'BdsDxe: starting Boot\d+ "UEFI PXEv4'],
        X86_ENTERED,
        [r"USB HARDDRIVE", r"QEMU HARDDISK"],
    ),
}

# Firmware under TCG is what makes a path slow: the direct paths and U-Boot take seconds, UEFI
# (AAVMF, OVMF) and OVMF's PXE boot up to tens of seconds each.
SLOW = {("aarch64", "disk"), ("x86_64", "kernel"), ("x86_64", "disk"), ("x86_64", "netboot")}


def params():
    for key in PATHS:
        marks = [pytest.mark.slow] if key in SLOW else []
        yield pytest.param(*key, id=f"{key[0]}-{key[1]}", marks=marks)


@pytest.fixture(scope="module")
def disk_images():
    """`make image` for the pair config of each architecture, made once for the module."""
    made = {}

    def get(arch):
        if arch not in made:
            build = machine.image_dir(arch, CONFIG)
            made[arch], _ = image.make_image(arch, build, build / "axvm.img")
        return made[arch]

    return get


def start(machines, tmp_path, arch, path, build, extra=()):
    cmd = qemu.machine_command(arch, build, smp=SMP, workdir=tmp_path, boot=path, extra=extra)
    m = machine.Machine(cmd, tmp_path / "serial.log")
    machines.append(m)
    return m


@pytest.mark.parametrize("arch,path", params())
def test_deployment_path_boots_the_vms(machines, tmp_path, disk_images, arch, path):
    firmware, entered, foreign = PATHS[(arch, path)]
    if path in ("disk", "uboot"):
        disk_images(arch)
    m = start(machines, tmp_path, arch, path, machine.image_dir(arch, CONFIG))
    for line in firmware:
        m.expect(line, FIRMWARE_TIMEOUT)
    m.expect(rf"\[axvm\] axvm \S+ \(\S+\) on {arch}", FIRMWARE_TIMEOUT)
    m.expect(rf"\[axvm\] firmware .*, {SMP} CPUs, \d+ MiB RAM")
    m.pos = 0
    m.expect(entered)
    m.expect(rf"\[axvm\] {SMP} of {SMP} CPUs online")
    for vm, name in ((1, "left"), (2, "right")):
        m.pos = 0  # the two VMs interleave: search each from the start
        m.expect(rf"\[{vm}:{name}\] guest: compute ok: 2262 primes below 20000 \(round 2",
                 RUN_TIMEOUT)
        m.expect(rf"\[{vm}:{name}\] guest: all checks passed, shutting down", RUN_TIMEOUT)
    m.expect(r"\[axvm\] all VMs have stopped: powering off", RUN_TIMEOUT)
    assert m.wait_exit(30) == 0
    for pattern in foreign:
        assert not re.search(pattern, m.output), \
            f"{arch} {path}: {pattern!r} belongs to another boot path"


def own_image(tmp_path, arch, cmdline="", drop=()):
    """A build directory of its own holding the pair config's images and a disk image made
    with 'cmdline', without the ESP files named in 'drop'."""
    build = tmp_path / "build"
    build.mkdir()
    for name in ("axvm.bin", "axvm.efi"):
        src = machine.image_dir(arch, CONFIG) / name
        if src.exists():
            (build / name).symlink_to(src)
    img, files = image.make_image(arch, build, build / "axvm.img", cmdline)
    for name in drop:
        image.run(["mdel", "-i", f"{img}@@{image.ESP_START}", f"::/{name}"],
                  env=dict(os.environ, MTOOLS_SKIP_CHECK="1"))
    return build


def expect_vms_done(m):
    for vm, name in ((1, "left"), (2, "right")):
        m.pos = 0
        m.expect(rf"\[{vm}:{name}\] guest: all checks passed, shutting down", RUN_TIMEOUT)
    m.expect(r"\[axvm\] all VMs have stopped: powering off", RUN_TIMEOUT)
    assert m.wait_exit(30) == 0


@pytest.mark.slow
def test_uefi_passes_boot_arguments_and_the_memory_map(machines, tmp_path):
    # \axvm.cmdline on the ESP (the default boot entry passes no load options); the memory node
    # axvm.efi writes from the UEFI map leaves out the firmware's runtime and reserved memory.
    build = own_image(tmp_path, "aarch64", cmdline="loglevel=3")
    m = start(machines, tmp_path, "aarch64", "disk", build)
    m.expect(r"axvm\.efi: .*boot arguments: loglevel=3: leaving UEFI", FIRMWARE_TIMEOUT)
    ram = int(m.expect(rf"\[axvm\] firmware .*, {SMP} CPUs, (\d+) MiB RAM", 60).group(1))
    assert 900 < ram < 1024, f"{ram} MiB: the UEFI map should leave out the firmware's own"
    m.expect(r"\[axvm\] command line: loglevel=3")
    m.pos = 0
    # RAM from the UEFI map: from the RAM base, with holes where the firmware stays resident.
    m.expect(r"\[axvm\] debug: ram +0x0040000000-0x[0-9a-f]{10}\n")
    m.expect(r"\[axvm\] debug: ram +0x[0-9a-f]{10}-0x[0-9a-f]{10}\n")
    m.expect(r"\[axvm\] entered from UEFI at EL2 \(UEFI \d+\.\d+ \(EDK II\)")
    expect_vms_done(m)


@pytest.mark.slow
@pytest.mark.parametrize("option,why", [
    ("acpi=on", r"the firmware describes this machine with ACPI only and gives no device tree; "
                r"ACPI-only machines are not supported yet"),
    ("virtualization=off", r"axvm must be entered at EL2, and this firmware runs applications "
                           r"at EL1"),
], ids=["acpi-only", "el1"])
def test_uefi_refuses_a_machine_axvm_cannot_run_on(machines, tmp_path, disk_images, option,
                                                   why):
    disk_images("aarch64")
    m = start(machines, tmp_path, "aarch64", "disk", machine.image_dir("aarch64", CONFIG),
              extra=["-M", option])
    m.expect(rf"axvm\.efi: cannot start axvm: {why}", FIRMWARE_TIMEOUT)
    # The firmware gets control back and goes on with its next boot option.
    m.expect(r'BdsDxe: failed to start Boot\d+ "UEFI Misc Device" .*: Unsupported', 60)
    assert "[axvm]" not in m.output


def test_uboot_without_its_script_falls_back_to_uefi_visibly(machines, tmp_path):
    # With no boot.scr, U-Boot's distro boot runs \EFI\BOOT\BOOTAA64.EFI under its own UEFI.
    # That works, and it is the fallback the uboot path's test must notice: axvm says so.
    build = own_image(tmp_path, "aarch64", drop=["boot.scr"])
    m = start(machines, tmp_path, "aarch64", "uboot", build)
    m.expect(UBOOT, FIRMWARE_TIMEOUT)
    m.expect(r"Booting /efi\\boot\\bootaa64\.efi", FIRMWARE_TIMEOUT)
    m.expect(r"axvm\.efi: started by UEFI \d+\.\d+ \(Das U-Boot\) at EL2")
    m.expect(r"\[axvm\] entered from UEFI at EL2 \(UEFI \d+\.\d+ \(Das U-Boot\), through "
             r"axvm\.efi\)", 60)
    assert "Found U-Boot script" not in m.output
    expect_vms_done(m)


def test_riscv_hart_without_h_extension_is_refused_clearly(machines, tmp_path, disk_images):
    # As on a VisionFive 2 (U74 harts, no H extension): U-Boot starts axvm, which says why it
    # cannot run instead of hanging.
    disk_images("riscv64")
    cmd = qemu.machine_command("riscv64", machine.image_dir("riscv64", CONFIG), smp=SMP,
                               workdir=tmp_path, boot="uboot", extra=["-cpu", "rv64,h=false"])
    m = machine.Machine(cmd, tmp_path / "serial.log", allow=[r"this hart has no H extension"])
    machines.append(m)
    m.expect(r"axvm boot script \(disk\): booti 0x80200000", FIRMWARE_TIMEOUT)
    m.expect(r"\[axvm\] error: this hart has no H extension \(HS-mode\); axvm cannot run here\n",
             60)
    assert "[axvm] axvm " not in m.output
