# SPDX-License-Identifier: MIT
"""A Linux VM and a bare-metal VM share a region (tests/configs/<arch>/linux-shmem.toml, issue
15): the bare-metal peer ("shmemlinux", guests/baremetal/shmem.c) writes a message of 64 known
words and their checksum; Linux, with its own tools only (the init's shm check,
guests/linux/init/shm.c), maps the region from /dev/mem, checks every word and the checksum and
writes an answer; the peer checks every word of the answer and rings Linux's doorbell, which
Linux takes as an interrupt through /dev/uio: uio_pdrv_genirq bound to the "generic-uio"
compatible of the region's device-tree node (AArch64, RISC-V) or of the ACPI device the
hypervisor describes it with in the DSDT (x86_64, which also finds the address there). Linux
then rings the peer back with a plain store to the region's doorbell register page (the UIO
device's second map), and the peer sees the ring counted."""
import pytest

from conftest import ARCHES

BOOT_TIMEOUT = 90
ADDRESS = {"aarch64": 0x50000000, "riscv64": 0x90000000, "x86_64": 0x20000000}


@pytest.mark.parametrize("arch", ARCHES)
def test_linux_reads_a_shared_region(boot, arch):
    m = boot(arch, config="linux-shmem")
    m.expect(r"\[axvm\] shmem mailbox: 4 KiB shared by 2 VMs", BOOT_TIMEOUT)
    checksum = m.expect(r"\[2:peer\] shmem: message for linux at 0x0*%x, checksum (0x[0-9a-f]{8}); "
                        r"waiting for its answer" % ADDRESS[arch], BOOT_TIMEOUT).group(1)
    m.expect(r"\[1:linux\] init: shm: region at 0x%x \(4 KiB\) through /dev/mem, doorbell "
             r"through /dev/uio\n" % ADDRESS[arch], BOOT_TIMEOUT)
    m.expect(r"\[1:linux\] init: shm: message ok: 64 words, checksum %s\n" % checksum,
             BOOT_TIMEOUT)
    mark = m.pos
    m.expect(r"\[1:linux\] init: shm: answer written\n", BOOT_TIMEOUT)
    after_answer = m.pos
    # The peer sees the answer as soon as it is in the region, so its line may come before or
    # after Linux says it wrote it: searched from the message check on.
    m.pos = mark
    m.expect(r"\[2:peer\] shmem: linux answered, every word ok; its doorbell rung\n",
             BOOT_TIMEOUT)
    m.pos = after_answer
    m.expect(r"\[1:linux\] init: shm: doorbell interrupt received \(count 1\), peer says "
             r"rung\n", BOOT_TIMEOUT)
    mark = m.pos
    m.expect(r"\[1:linux\] init: shm: peer's doorbell rung through /dev/uio map1; rings "
             r"received here: 1\n", BOOT_TIMEOUT)
    m.expect(r"\[1:linux\] init: shm: ok\n", BOOT_TIMEOUT)
    after_ok = m.pos
    # The peer's line and Linux's own may come in either order.
    m.pos = mark
    m.expect(r"\[2:peer\] shmem: linux rang our doorbell \(1 ring\)\n", BOOT_TIMEOUT)
    m.pos = max(m.pos, after_ok)
    m.expect(r"\[1:linux\] AXVM-GUEST-OK", BOOT_TIMEOUT)
    m.expect(r"\[axvm\] all VMs have stopped: powering off", BOOT_TIMEOUT)
    for bad in ("FAILED", "MISMATCH", "AXVM-GUEST-FAIL", "Unable to handle", "Oops", "BUG:"):
        assert bad not in m.output, bad
    assert m.wait_exit(30) == 0


@pytest.mark.parametrize("arch", ARCHES)
def test_two_linux_vms_talk_through_a_shared_region(boot, arch):
    """tests/configs/<arch>/linux-shmem-pair.toml: both sides are Linux with their own tools;
    each takes the other's doorbell interrupt through /dev/uio0 and rings the other through its
    doorbell register page. Every step is a line of the side that did it."""
    m = boot(arch, config="linux-shmem-pair")
    m.expect(r"\[axvm\] shmem mailbox: 4 KiB shared by 2 VMs", BOOT_TIMEOUT)
    start = m.pos
    region = (r"init: shm: region at 0x%x \(4 KiB\) through /dev/mem, doorbell through "
              r"/dev/uio\n" % ADDRESS[arch])
    ping = [r"\[2:ping\] " + region,
            r"\[2:ping\] init: shm: message written: 64 words, checksum (0x[0-9a-f]{8}); "
            r"waiting for the answer\n",
            r"\[2:ping\] init: shm: answer ok: 64 words\n",
            # 0, or 1 if the answer's ring back came between the two accesses.
            r"\[2:ping\] init: shm: peer's doorbell rung through /dev/uio map1; rings received "
            r"here: [01]\n",
            r"\[2:ping\] init: shm: doorbell interrupt received \(count 1\): the peer rang "
            r"back\n",
            r"\[2:ping\] init: shm: ok\n",
            r"\[2:ping\] AXVM-GUEST-OK"]
    answer = [r"\[1:answer\] " + region,
              r"\[1:answer\] init: shm: message ok: 64 words, checksum %s\n",
              r"\[1:answer\] init: shm: answer written\n",
              r"\[1:answer\] init: shm: doorbell interrupt received \(count 1\), peer says "
              r"rung\n",
              r"\[1:answer\] init: shm: peer's doorbell rung through /dev/uio map1; rings "
              r"received here: 1\n",
              r"\[1:answer\] init: shm: ok\n",
              r"\[1:answer\] AXVM-GUEST-OK"]
    # Each VM's lines in its own order; the two VMs' lines interleave as their consoles go.
    ends, checksum = [], None
    for steps in (ping, answer):
        m.pos = start
        for step in steps:
            found = m.expect(step % checksum if "%s" in step else step, BOOT_TIMEOUT)
            checksum = checksum or (found.group(1) if found.re.groups else None)
        ends.append(m.pos)
    m.pos = max(ends)
    m.expect(r"\[axvm\] all VMs have stopped: powering off", BOOT_TIMEOUT)
    for bad in ("FAILED", "MISMATCH", "AXVM-GUEST-FAIL", "Unable to handle", "Oops", "BUG:"):
        assert bad not in m.output, bad
    assert m.wait_exit(30) == 0
