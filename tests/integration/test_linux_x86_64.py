# SPDX-License-Identifier: MIT
"""SMP Linux as a VM on x86_64 (AMD SVM) beside a bare-metal VM: the virtual local APIC and
I/O APIC, INIT-SIPI-SIPI, the generated ACPI tables (MADT, FADT, DSDT \\_S5), the direct bzImage
boot, COM1 with its interrupt, shell input through the console multiplexer, poweroff (ACPI S5)
and reboot (ACPI reset register) of that VM only, and an idle Linux that lets its pCPU sleep.
The boot and the checks every architecture shares are in machine.py.
"""
import time

from machine import (LINUX_FAILURES, LINUX_PROMPT as PROMPT, assert_none_of,
                     expect_linux_reboots, expect_linux_up, linux_lines, poweroff_linux,
                     poweroff_linux_then_ticker)

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
    marker = expect_linux_up(m, before_vcpu1=[
        r"\[1:linux\] .*ACPI: Using ACPI \(MADT\) for SMP configuration",
        r"\[1:linux\] .*TSC deadline timer available"])

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

    poweroff_linux_then_ticker(m, marker)
    assert_none_of(LINUX_FAILURES + TIME_WARNINGS, linux_lines(m))


def test_linux_reboot_restarts_only_that_vm(boot):
    m = boot("x86_64", config="linux-reboot")
    expect_linux_reboots(m, 4)


def test_idle_linux_leaves_its_pcpu_asleep(boot):
    # QEMU names its vCPU threads ("CPU 1/TCG"): the host CPU time of pCPU 1, where Linux's
    # vCPU 1 runs, is known. It is compared with the time the same thread gets while that vCPU
    # spins, so a machine shared with other work cannot make the bound meaningless.
    m = boot("x86_64", config="linux", extra=["-name", "axvm,debug-threads=on"])
    expect_linux_up(m)

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
    poweroff_linux(m)
