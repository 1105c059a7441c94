# SPDX-License-Identifier: MIT
"""SMP Linux as a VM on x86_64 (AMD SVM) beside a bare-metal VM: the virtual local APIC and
I/O APIC, INIT-SIPI-SIPI, the generated ACPI tables (MADT, FADT, DSDT \\_S5), the direct bzImage
boot, COM1 with its interrupt, shell input through the console multiplexer, poweroff (ACPI S5)
and reboot (ACPI reset register) of that VM only, and an idle Linux that lets its pCPU sleep.

The Linux guest's init prints "AXVM-GUEST-OK" only after its checks (arithmetic, tmpfs, a
child process, work on every CPU); the bare-metal "ticker" prints a checked computation every
25 ms.
"""
import re
import time

from machine import LINUX_FAILURES, LINUX_PROMPT as PROMPT

# Linux's own complaints about time keeping and the APIC (arch/x86/kernel/tsc.c, apic/apic.c,
# kernel/time/clocksource.c), whatever their log level.
TIME_WARNINGS = [r"Marking TSC unstable", r"TSC.*(deviates|skew|unstable)",
                 r"Unable to calibrate", r"APIC (calibration|frequency|timer disabled)",
                 r"timer doesn't work", r"IO-APIC \+ timer", r"clocksource.*(unstable|skew)",
                 r"Long readout interval", r"watchdog", r"[Ff]irmware [Bb]ug",
                 r"unchecked MSR access"]


def local_timer(m):
    return m.interrupt_count(r"Local timer interrupts")


def serial_irqs(m):
    return m.interrupt_count(r"IO-APIC\s+4-edge\s+ttyS0")


def test_smp_linux_boots_beside_bare_metal_and_powers_off(boot):
    m = boot("x86_64", config="linux")
    m.expect(r"\[axvm\] vm1 \(linux\): boot #1, 2 vCPUs on pCPU 0", 60)
    m.expect(r"\[1:linux\] .*ACPI: Using ACPI \(MADT\) for SMP configuration", 120)
    m.expect(r"\[1:linux\] .*TSC deadline timer available", 60)
    m.expect(r"\[axvm\] vm1 \(linux\): vcpu1 started on pCPU 1", 120)
    m.expect(r"\[1:linux\] init: cpus online 2", 120)
    m.expect(r"\[1:linux\] init: every cpu ok: 2 workers")
    marker = m.expect(r"\[1:linux\] AXVM-GUEST-OK").start()
    m.expect(PROMPT, 60)

    # The local APIC timers and COM1's interrupt keep coming: both counts grow between two looks
    # (printing through the interrupt-driven UART raises IRQ 4).
    ticks, serial = local_timer(m), serial_irqs(m)
    m.send("sleep 1\n")
    m.expect(PROMPT, 30)
    ticks2, serial2 = local_timer(m), serial_irqs(m)
    assert ticks2 > ticks > 0, (ticks, ticks2)
    assert serial2 > serial > 0, (serial, serial2)

    # Shell input reaches Linux and its answer comes back; time keeping raised no complaint.
    m.send("echo $((6 * 7))-answer\n")
    m.expect(r"\[1:linux\] 42-answer", 30)
    m.expect(PROMPT, 30)
    m.send("dmesg | grep -E 'clocksource|tsc:'\n")
    m.expect(r"\[1:linux\] .*tsc: Detected \d+\.\d+ MHz processor", 30)
    m.expect(PROMPT, 30)
    # (Commands stay under the console's 63-byte input buffer: a longer line sent at once can
    # overrun it before the guest has read it, as a real UART's FIFO would.)
    m.send("cat /sys/devices/system/clocksource/*/current_clocksource\n")
    m.expect(r"\[1:linux\] tsc\n", 30)

    m.send("poweroff\n")
    stopped = m.expect(r"\[axvm\] vm1 \(linux\): stopped \(shutdown\)", 60).start()
    # The bare-metal VM printed while Linux booted and went on after Linux had stopped.
    ticks_ = [t.start() for t in re.finditer(r"\[2:ticker\] guest: compute ok", m.output)]
    assert ticks_ and ticks_[0] < marker, "ticker printed nothing while Linux booted"
    m.expect(r"\[2:ticker\] guest: compute ok: 2262 primes below 20000 \(round \d+", 60)
    assert m.pos > stopped  # a checked computation after Linux was gone
    m.expect(r"\[2:ticker\] guest: all checks passed", 120)
    m.expect(r"\[axvm\] vm2 \(ticker\): stopped \(shutdown\)")
    m.expect(r"\[axvm\] all VMs have stopped: powering off")
    assert m.wait_exit(30) == 0
    linux = "\n".join(l for l in m.output.splitlines() if l.startswith("[1:linux]"))
    for pat in LINUX_FAILURES + TIME_WARNINGS:
        assert not re.search(pat, linux), pat


def test_linux_reboot_restarts_only_that_vm(boot):
    m = boot("x86_64", config="linux-reboot")
    frees = []
    for n in (1, 2, 3, 4):
        m.expect(rf"\[axvm\] vm1 \(linux\): boot #{n}, 2 vCPUs", 120)
        m.expect(r"\[1:linux\] init: cpus online 2", 120)
        m.expect(r"\[1:linux\] AXVM-GUEST-OK", 120)
        if n < 4:
            stop = m.expect(r"\[axvm\] vm1 \(linux\): stopped \(reboot\) after \d+ exits, "
                            r"\d+ lazy pages; (\d+) frames free", 60)
            frees.append(int(stop.group(1)))
    # Every reboot returned every frame the boot before it took.
    assert len(set(frees)) == 1, f"free frames after each stop differ: {frees}"
    # The other VM was never restarted: one boot line, and it is still counting.
    assert len(re.findall(r"\[axvm\] vm2 \(ticker\): boot #", m.output)) == 1
    assert "vm2 (ticker): stopped" not in m.output
    m.expect(r"\[2:ticker\] guest: compute ok", 60)


def test_idle_linux_leaves_its_pcpu_asleep(boot):
    # QEMU names its vCPU threads ("CPU 1/TCG"): the host CPU time of pCPU 1, where Linux's
    # vCPU 1 runs, is known. It is compared with the time the same thread gets while that vCPU
    # spins, so a machine shared with other work cannot make the bound meaningless.
    m = boot("x86_64", config="linux", extra=["-name", "axvm,debug-threads=on"])
    m.expect(r"\[1:linux\] AXVM-GUEST-OK", 180)
    m.expect(PROMPT, 60)

    def cpu1():
        return m.thread_cpu_seconds("CPU 1/TCG")

    before = cpu1()
    m.send("taskset 2 timeout 5 sh -c 'while :; do :; done'; echo spin-done\n")
    m.expect(r"\[1:linux\] spin-done", 60)
    busy = cpu1() - before
    m.expect(PROMPT, 30)
    time.sleep(1)  # the shell and its output settle
    before = cpu1()
    time.sleep(5)
    idle = cpu1() - before
    # Linux's vCPU 1 is idle (HLT, no periodic tick): its pCPU sleeps in HLT too. A vCPU run
    # again at once after each HLT would keep the thread as busy as the spinning guest did.
    assert busy > 0.2, f"the spinning vCPU got only {busy:.2f} s of CPU"
    assert idle < busy / 5, f"pCPU 1 used {idle:.2f} s idle, {busy:.2f} s spinning"
    m.send("poweroff\n")
    m.expect(r"\[axvm\] vm1 \(linux\): stopped \(shutdown\)", 60)
