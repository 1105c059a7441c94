# SPDX-License-Identifier: MIT
"""SMP Linux as a VM on RISC-V beside a bare-metal VM: virtual PLIC, Sstc timer, SBI (HSM, IPI,
RFENCE, DBCN, SRST), generated device tree, shell input through the console multiplexer and
the host PLIC, poweroff and reboot of that VM only, a passthrough disk, idle vCPUs that sleep.

The Linux guest's init prints "AXVM-GUEST-OK" only after its checks (arithmetic, tmpfs, a
child process, work on every CPU); the bare-metal "ticker" prints a checked computation every
25 ms.
"""
import re
import time

from machine import LINUX_FAILURES, LINUX_PROMPT as PROMPT

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
    m = boot("riscv64", config=config, **kw)
    m.expect(r"\[axvm\] vm1 \(linux\): boot #1, 2 vCPUs", 60)
    m.expect(r"\[axvm\] vm1 \(linux\): vcpu1 started on pCPU", 120)
    m.expect(r"\[1:linux\] init: cpus online 2", 120)
    return m


def test_smp_linux_boots_beside_bare_metal_and_powers_off(boot):
    m = boot("riscv64", config="linux")
    m.expect(r"\[axvm\] vm1 \(linux\): boot #1, 2 vCPUs on pCPU 0", 60)
    # earlycon=sbi: the kernel's first lines come through the SBI debug console, long before
    # the UART driver (which comes after the second CPU) could print them.
    m.expect(r"\[1:linux\] \[    0\.000000\] earlycon: sbi0 at I/O port 0x0", 60)
    # Its timer is Sstc's: programmed by the guest, no exit per tick.
    m.expect(r"\[1:linux\] .*riscv-timer: Timer interrupt in S-mode is available via sstc", 60)
    m.expect(r"\[axvm\] vm1 \(linux\): vcpu1 started on pCPU 1", 120)
    m.expect(r"\[1:linux\] .*ttyS0 at MMIO 0x10000000 \(irq = \d+", 120)
    m.expect(r"\[1:linux\] init: cpus online 2", 120)
    m.expect(r"\[1:linux\] init: every cpu ok: 2 workers")
    marker = m.expect(r"\[1:linux\] AXVM-GUEST-OK").start()
    m.expect(PROMPT, 60)

    # The timer keeps interrupting Linux, and the UART's interrupt carries the shell's input
    # and output: both counts grow between two looks.
    first = [m.interrupt_count(TIMER), m.interrupt_count(UART)]
    shell(m, "sleep 1")
    assert "slept" in shell(m, "echo slept")
    second = [m.interrupt_count(TIMER), m.interrupt_count(UART)]
    assert all(b > a > 0 for a, b in zip(first, second)), (first, second)

    # The console hotkeys: list the VMs, move the focus away and back.
    m.send("\x1dl")
    m.expect(r"\[axvm\] console: \* \[1:linux\]", 30)
    m.expect(r"\[axvm\] console:   \[2:ticker\]", 30)
    m.send("\x1dn")
    m.expect(r"\[axvm\] console: input goes to \[2:ticker\]", 30)
    m.send("\x1d1")
    m.expect(r"\[axvm\] console: input goes to \[1:linux\]", 30)

    m.send("poweroff\n")
    stopped = m.expect(r"\[axvm\] vm1 \(linux\): stopped \(shutdown\)", 60).start()
    # The bare-metal VM printed while Linux booted and went on after Linux had stopped.
    ticks = [t.start() for t in re.finditer(r"\[2:ticker\] guest: compute ok", m.output)]
    assert ticks and ticks[0] < marker, "ticker printed nothing while Linux booted"
    m.expect(r"\[2:ticker\] guest: compute ok: 2262 primes below 20000 \(round \d+", 60)
    assert m.pos > stopped  # a checked computation after Linux was gone
    m.expect(r"\[2:ticker\] guest: all checks passed", 120)
    m.expect(r"\[axvm\] vm2 \(ticker\): stopped \(shutdown\)")
    m.expect(r"\[axvm\] all VMs have stopped: powering off")
    assert m.wait_exit(30) == 0
    for pat in LINUX_FAILURES:
        assert not re.search(pat, m.output), pat


def test_linux_reboot_restarts_only_that_vm(boot):
    m = boot("riscv64", config="linux-reboot")
    for n in (1, 2, 3):
        m.expect(rf"\[axvm\] vm1 \(linux\): boot #{n}, 2 vCPUs", 120)
        m.expect(r"\[1:linux\] init: cpus online 2", 120)
        m.expect(r"\[1:linux\] AXVM-GUEST-OK", 120)
        stop = m.expect(r"\[axvm\] vm1 \(linux\): stopped \(reboot\) after \d+ exits, "
                        r"\d+ lazy pages; (\d+) frames free", 60)
        # Every frame the VM held is back before it is created again.
        if n == 1:
            free = int(stop.group(1))
        else:
            assert int(stop.group(1)) == free, (n, stop.group(0))
    # The other VM was never restarted: one boot line, and it is still counting.
    assert len(re.findall(r"\[axvm\] vm2 \(ticker\): boot #", m.output)) == 1
    assert "vm2 (ticker): stopped" not in m.output
    m.expect(r"\[2:ticker\] guest: compute ok", 60)


def test_passthrough_device_interrupts_reach_linux(boot, tmp_path):
    # Two sectors of numbered lines: the guest's shell has `cat`, which prints all of it.
    disk = tmp_path / "disk.img"
    disk.write_bytes(b"".join(f"AXVM-DISK-{i:02d}".ljust(31, "-").encode() + b"\n"
                              for i in range(32)))
    m = boot("riscv64", config="linux-passthrough",
             extra=["-drive", f"file={disk},if=none,format=raw,id=d0",
                    "-device", "virtio-blk-device,drive=d0"])
    m.expect(r"\[1:linux\] .*virtio_blk virtio0: \[vda\] 2 512-byte logical blocks", 120)
    m.expect(r"\[1:linux\] AXVM-GUEST-OK", 120)
    m.expect(PROMPT, 60)
    # Reading the disk needs the device's completion interrupts, forwarded by the hypervisor
    # from the host PLIC and completed there when the guest completes them.
    lines = shell(m, "cat /dev/vda", 60)
    for i in range(32):
        assert f"AXVM-DISK-{i:02d}".ljust(31, "-") in lines, (i, lines)
    assert m.interrupt_count(r"(SiFive )?PLIC\s+8 (Edge|Level)\s+virtio0") > 0
    m.send("poweroff\n")
    m.expect(r"\[axvm\] vm1 \(linux\): stopped \(shutdown\)", 60)
    assert m.wait_exit(30) == 0


def test_linux_without_sstc_gets_its_timer_through_the_sbi(boot):
    """Harts without Sstc: the guest's ISA says so, and SBI set_timer is served with the
    hypervisor's own timer and hvip.VSTIP; sleeping and timer interrupts still work."""
    m = boot_linux(boot, "linux-idle", extra=["-cpu", "rv64,sstc=false"])
    m.expect(r"\[1:linux\] AXVM-GUEST-OK", 120)
    m.expect(PROMPT, 60)
    assert "via sstc" not in m.output
    first = m.interrupt_count(TIMER)
    shell(m, "sleep 1")
    second = m.interrupt_count(TIMER)
    assert second > first > 0, (first, second)
    m.send("poweroff\n")
    m.expect(r"\[axvm\] vm1 \(linux\): stopped \(shutdown\)", 60)
    assert m.wait_exit(30) == 0


def test_linux_console_on_the_sbi_debug_console(boot):
    """No UART: Linux's console is hvc0 over the SBI Debug Console extension, DBCN write for its
    output and DBCN read for the shell's input, both on the VM's console stream."""
    m = boot_linux(boot, "linux-hvc")
    m.expect(r"\[1:linux\] AXVM-GUEST-OK", 120)
    assert re.search(r"\[1:linux\] .*SBI DBCN extension detected", m.output)
    assert re.search(r"\[1:linux\] .*printk: legacy console \[hvc0\] enabled", m.output)
    m.expect(PROMPT, 60)
    assert "read-through-dbcn" in shell(m, "echo read-through-dbcn")
    m.send("poweroff\n")
    m.expect(r"\[axvm\] vm1 \(linux\): stopped \(shutdown\)", 60)
    assert m.wait_exit(30) == 0


def test_idle_linux_leaves_its_pcpus_asleep(boot):
    """Linux idles at its shell: WFI halts its vCPUs, their pCPUs sleep until the next timer
    deadline. A vCPU run again at once after each WFI (the old behaviour) keeps its hart, and
    so QEMU's thread for it, busy all the time."""
    m = boot_linux(boot, "linux-idle", extra=["-name", "axvm,debug-threads=on"])
    m.expect(r"\[1:linux\] AXVM-GUEST-OK", 120)
    m.expect(PROMPT, 60)
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
    m.send("poweroff\n")
    m.expect(r"\[axvm\] vm1 \(linux\): stopped \(shutdown\)", 60)
    assert m.wait_exit(30) == 0
