# SPDX-License-Identifier: MIT
"""SMP Linux as a VM on RISC-V beside a bare-metal VM: virtual PLIC, Sstc timer, SBI (HSM, IPI,
RFENCE, DBCN, SRST), generated device tree, shell input through the console multiplexer and
the host PLIC, poweroff and reboot of that VM only, a passthrough disk, idle vCPUs that sleep.
The boot and the checks every architecture shares are in machine.py.
"""
import re
import time

from machine import (LINUX_FAILURES, assert_none_of, expect_console_focus_moves,
                     expect_linux_reboots, expect_linux_up, poweroff_linux,
                     poweroff_linux_then_ticker)

# The rows of /proc/interrupts: the hart-local timer on the RISC-V interrupt controller, the
# UART's line on the PLIC.
TIMER = r"RISC-V INTC\s+5 Edge\s+riscv-timer"
UART = r"(SiFive )?PLIC\s+10 (Edge|Level)\s+ttyS0"


def shell(m, cmd, timeout=30):
    """Run 'cmd' in the Linux shell (in the console focus) and return the lines it printed.
    Waits for the command's echo first: the prompt alone would match the echo's line too."""
    m.send(cmd + "\n")
    m.expect(re.escape(cmd) + r"\n", timeout)
    out = m.expect(r"(?s)(.*?)\[1:linux\] axvm# ", timeout).group(1)
    return [line[len("[1:linux] "):] for line in out.splitlines()
            if line.startswith("[1:linux] ")]


def boot_linux(boot, config, **kw):
    """Linux of 'config' (its vCPUs on pCPUs 1 and 2) up to its shell."""
    m = boot("riscv64", config=config, **kw)
    expect_linux_up(m, pcpus=(1, 2))
    return m


def test_smp_linux_boots_beside_bare_metal_and_powers_off(boot):
    m = boot("riscv64", config="linux")
    marker = expect_linux_up(m, before_vcpu1=[
        # earlycon=sbi: the kernel's first lines come through the SBI debug console, long
        # before the UART driver (which comes after the second CPU) could print them.
        r"\[1:linux\] \[    0\.000000\] earlycon: sbi0 at I/O port 0x0",
        # Its timer is Sstc's: programmed by the guest, no exit per tick.
        r"\[1:linux\] .*riscv-timer: Timer interrupt in S-mode is available via sstc",
    ], after_vcpu1=[r"\[1:linux\] .*ttyS0 at MMIO 0x10000000 \(irq = \d+"])

    # The timer keeps interrupting Linux, and the UART's interrupt carries the shell's input
    # and output: both counts grow between two looks.
    first = [m.interrupt_count(TIMER), m.interrupt_count(UART)]
    shell(m, "sleep 1")
    assert "slept" in shell(m, "echo slept")
    second = [m.interrupt_count(TIMER), m.interrupt_count(UART)]
    assert all(b > a > 0 for a, b in zip(first, second)), (first, second)

    expect_console_focus_moves(m)
    poweroff_linux_then_ticker(m, marker)
    assert_none_of(LINUX_FAILURES, m.output)


def test_linux_reboot_restarts_only_that_vm(boot):
    m = boot("riscv64", config="linux-reboot")
    expect_linux_reboots(m, 3)


def test_passthrough_device_interrupts_reach_linux(boot, tmp_path):
    # Two sectors of numbered lines: the guest's shell has `cat`, which prints all of it.
    disk = tmp_path / "disk.img"
    disk.write_bytes(b"".join(f"AXVM-DISK-{i:02d}".ljust(31, "-").encode() + b"\n"
                              for i in range(32)))
    m = boot("riscv64", config="linux-passthrough",
             extra=["-drive", f"file={disk},if=none,format=raw,id=d0",
                    "-device", "virtio-blk-device,drive=d0"])
    expect_linux_up(m, after_vcpu1=[
        r"\[1:linux\] .*virtio_blk virtio0: \[vda\] 2 512-byte logical blocks"], pcpus=(1, 2))
    # Reading the disk needs the device's completion interrupts, forwarded by the hypervisor
    # from the host PLIC and completed there when the guest completes them.
    lines = shell(m, "cat /dev/vda", 60)
    for i in range(32):
        assert f"AXVM-DISK-{i:02d}".ljust(31, "-") in lines, (i, lines)
    assert m.interrupt_count(r"(SiFive )?PLIC\s+8 (Edge|Level)\s+virtio0") > 0
    poweroff_linux(m)
    assert m.wait_exit(30) == 0


def test_linux_without_sstc_gets_its_timer_through_the_sbi(boot):
    """Harts without Sstc: the guest's ISA says so, and SBI set_timer is served with the
    hypervisor's own timer and hvip.VSTIP; sleeping and timer interrupts still work."""
    m = boot_linux(boot, "linux-idle", extra=["-cpu", "rv64,sstc=false"])
    assert "via sstc" not in m.output
    first = m.interrupt_count(TIMER)
    shell(m, "sleep 1")
    second = m.interrupt_count(TIMER)
    assert second > first > 0, (first, second)
    poweroff_linux(m)
    assert m.wait_exit(30) == 0


def test_linux_console_on_the_sbi_debug_console(boot):
    """No UART: Linux's console is hvc0 over the SBI Debug Console extension, DBCN write for its
    output and DBCN read for the shell's input, both on the VM's console stream."""
    m = boot_linux(boot, "linux-hvc")
    assert re.search(r"\[1:linux\] .*SBI DBCN extension detected", m.output)
    assert re.search(r"\[1:linux\] .*printk: legacy console \[hvc0\] enabled", m.output)
    assert "read-through-dbcn" in shell(m, "echo read-through-dbcn")
    poweroff_linux(m)
    assert m.wait_exit(30) == 0


def test_idle_linux_leaves_its_pcpus_asleep(boot):
    """Linux idles at its shell: WFI halts its vCPUs, their pCPUs sleep until the next timer
    deadline. A vCPU run again at once after each WFI (the old behaviour) keeps its hart, and
    so QEMU's thread for it, busy all the time."""
    m = boot_linux(boot, "linux-idle", extra=["-name", "axvm,debug-threads=on"])
    time.sleep(2)  # let the boot's deferred work finish
    threads = [f"CPU {n}/TCG" for n in range(4)]
    window = 4.0
    before = [m.thread_cpu_seconds(t) for t in threads]
    time.sleep(window)
    busy = {t: (m.thread_cpu_seconds(t) - b) / window for t, b in zip(threads, before)}
    # Asleep: a few percent at most. Spinning: the whole window, or a fair share of a
    # contended host core, far above this bound.
    assert all(b < 0.15 for b in busy.values()), busy
    # Still alive and responsive after sleeping.
    assert "awake" in shell(m, "echo awake")
    poweroff_linux(m)
    assert m.wait_exit(30) == 0
