# SPDX-License-Identifier: MIT
"""`make bench`, the virtio-console variant of the Linux boot: the guest's console is the
hypervisor's virtio-console (configs/bench/<arch>-linux-virtio.toml), timed to the init's
marker against bare QEMU booting the same kernel, initramfs and command line with QEMU's own
virtio console (`-device virtio-serial-device -device virtconsole`) on the machine's
virtio-mmio slots.

x86_64 is not measured: QEMU's q35 machine, which the bare x86 guest boots on, has no
virtio-mmio transport (only the microvm machine has), so bare QEMU cannot give that guest the
same console.
"""
import re
import statistics
import tempfile
import tomllib
from pathlib import Path

import qemu

ARCHES = ("aarch64", "riscv64")


def config_cmdline(config):
    """The Linux VM's command line in a bench config."""
    with open(config, "rb") as f:
        return tomllib.load(f)["vm"][0]["cmdline"]


def bare_command(arch, cmdline):
    """Bare QEMU with the test guest, 'cmdline' as its whole command line and QEMU's virtio
    console on stdout (the UART, which only the early console uses, goes nowhere). One port
    (max_ports=1), as the hypervisor's device has: with QEMU's default multiport device the
    test guest's init never gets past its first write to the console."""
    cmd = qemu.guest_command(arch, smp=2)
    cmd[cmd.index("-append") + 1] = cmdline
    cmd[cmd.index("-serial") + 1] = "null"
    return cmd + ["-chardev", "stdio,id=vc", "-device", "virtio-serial-device,max_ports=1",
                  "-device", "virtconsole,chardev=vc"]


def linux_boot_virtio(arch, config, image_dir, runs, timeout, time_to_marker, machine_command):
    """Interleaved rounds of bare QEMU and axvm, both on a virtio console; medians and the
    median of the per-round ratios."""
    cmdline = config_cmdline(config)
    bare_cmd = bare_command(arch, cmdline)
    bare, hv = [], []
    with tempfile.TemporaryDirectory() as work:
        for i in range(runs):
            bare.append(time_to_marker(bare_cmd, timeout))
            hv.append(time_to_marker(machine_command(arch, image_dir, work), timeout))
            print(f"  round {i + 1}: bare QEMU {bare[-1]:.2f} s, axvm {hv[-1]:.2f} s",
                  flush=True)
    ratios = [h / b for h, b in zip(hv, bare)]
    return {"runs": runs, "cmdline": cmdline, "bare_qemu_s": bare,
            "bare_median_s": statistics.median(bare), "axvm_s": hv,
            "axvm_median_s": statistics.median(hv), "round_ratios": ratios,
            "median_round_ratio": statistics.median(ratios)}


def summary_rows(r):
    lv = r.get("linux_boot_virtio")
    if not lv:
        return []
    return [("Linux boot on virtio-console, bare QEMU (median, s)",
             f"{lv['bare_median_s']:.2f}"),
            ("Linux boot on virtio-console, under axvm (median, s)",
             f"{lv['axvm_median_s']:.2f}"),
            ("Linux boot on virtio-console ratio (median of per-round ratios)",
             f"{lv['median_round_ratio']:.2f}×")]
