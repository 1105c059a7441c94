# SPDX-License-Identifier: MIT
"""scripts/vmconfig.py: every rejection rule has a fixture in tests/configs/bad/ whose first line
says which error it must produce; good configs generate C that names every VM."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import vmconfig  # noqa: E402

sys.path.insert(0, str(ROOT / "tests" / "unit"))
import image_fixtures  # noqa: E402

BAD = sorted((ROOT / "tests" / "configs" / "bad").glob("*.toml"))
MACHINE = vmconfig.machine_facts("aarch64")


def header(path):
    """The fixture's expected message ('# expect: ...') and architecture ('# arch: ...',
    aarch64 when absent). Read as bytes: some fixtures are not even text."""
    lines = path.read_bytes().decode("utf-8", "replace").splitlines()
    assert lines[0].startswith("# expect: "), f"{path} must start with '# expect: ...'"
    arch = lines[1][len("# arch: "):] if lines[1].startswith("# arch: ") else "aarch64"
    return lines[0][len("# expect: "):], arch


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_config_is_rejected_naming_the_field(path, monkeypatch):
    monkeypatch.chdir(ROOT)
    rel = path.relative_to(ROOT)
    expect, arch = header(path)
    with pytest.raises(vmconfig.ConfigError) as e:
        vmconfig.Checker(rel, arch, vmconfig.machine_facts(arch)).load()
    msg = str(e.value)
    assert msg.startswith(f"{rel}: "), msg
    assert "\n" not in msg, msg
    assert expect in msg


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_config_fails_the_command_with_one_line(path, monkeypatch, capsys):
    # The command's own path (main), in this process: test_cli_exit_status_and_message runs
    # the script itself.
    monkeypatch.chdir(ROOT)
    _, arch = header(path)
    rel = path.relative_to(ROOT)
    assert vmconfig.main(["check", "--arch", arch, str(rel)]) == 1
    out = capsys.readouterr()
    assert out.out == ""
    lines = out.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"config error: {rel}: "), out.err


def test_every_rule_has_a_fixture():
    # The rules the issues name, each with its own fixture.
    names = {p.stem for p in BAD}
    for rule in ["overlap", "too-much-ram", "affinity-count", "no-such-pcpu", "shared-pcpu",
                 "unaligned", "missing-image", "oversized-image", "device-on-ram",
                 # issue 9: malformed input
                 "vm-not-table", "memory-not-table", "affinity-bool", "share-pcpus-string",
                 "int-too-big", "negative-base", "cmdline-nul", "elf-truncated",
                 "elf-phdrs-past-end", "elf-huge-memsz",
                 # issue 9: isolation
                 "irq-below-spi", "irq-above-spi", "irq-duplicate", "two-irqchips",
                 "device-zero-size", "memory-beyond-ipa", "identity-outside-ram",
                 "identity-shared", "passthrough-on-host-ram", "passthrough-over-hypervisor",
                 "passthrough-over-gic", "passthrough-over-uart", "passthrough-shared",
                 "passthrough-irq-shared"]:
        assert rule in names


def test_image_fixtures_are_what_the_generator_makes():
    for name, make in image_fixtures.IMAGE_FILES.items():
        assert (image_fixtures.IMAGES / name).read_bytes() == make(), \
            f"regenerate with: python3 tests/unit/image_fixtures.py ({name})"


def test_sizes_parse():
    assert vmconfig.parse_size("64M", "x") == 64 << 20
    assert vmconfig.parse_size("4KiB", "x") == 4096
    assert vmconfig.parse_size("2G", "x") == 2 << 30
    assert vmconfig.parse_size(12345, "x") == 12345
    with pytest.raises(vmconfig.ConfigError):
        vmconfig.parse_size("lots", "x")


def test_pl011_is_aarch64_only(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        '[[vm]]\nid = 1\nname = "a"\nvcpus = 1\ncpu_affinity = [1]\n'
        f'image = "{cfg}"\nload_address = 0x80000000\n'
        '[[vm.memory]]\nbase = 0x80000000\nsize = "16M"\n'
        '[[vm.device]]\ntype = "pl011"\nbase = 0x10000000\n')
    with pytest.raises(vmconfig.ConfigError, match=r"device\[0\]\.type: pl011 is not available on riscv64"):
        vmconfig.Checker(cfg, "riscv64", MACHINE).load()


def test_generate_writes_tables(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    cfg = tmp_path / "c.toml"
    img = tmp_path / "img.bin"
    img.write_bytes(b"\x00" * 100)
    cfg.write_text(
        '[[vm]]\nid = 3\nname = "gen"\nvcpus = 2\ncpu_affinity = [2, 3]\n'
        f'image = "{img}"\nload_address = 0x40000000\ncmdline = "a \\"b\\""\n'
        '[[vm.memory]]\nbase = 0x40000000\nsize = "16M"\nkind = "lazy"\n'
        '[[vm.device]]\ntype = "ns16550"\nbase = 0x09000000\nirq = 33\n'
        '[[vm.device]]\ntype = "gicv3"\nbase = 0x08000000\n')
    vms = vmconfig.Checker(cfg, "aarch64", MACHINE).load()
    vmconfig.generate(vms, cfg, tmp_path / "out")
    c = (tmp_path / "out" / "vmconfig.c").read_text()
    assert ".id = 3," in c and '.name = "gen",' in c
    assert ".affinity = {2, 3}," in c
    assert "{0x40000000ULL, 0x1000000ULL, 1}" in c  # lazy = 1
    assert '{"ns16550", 0x9000000ULL, 0x100ULL, 33, false}' in c
    assert '{"gicv3", 0x8000000ULL, 0x1a0000ULL, -1, false}' in c
    assert r'.cmdline = "a \"b\"",' in c
    assert "const unsigned vm_config_count = 1;" in c
    assert f'.incbin "{img}"' in (tmp_path / "out" / "vmimages.S").read_text()


def test_cli_exit_status_and_message():
    r = subprocess.run([sys.executable, "scripts/vmconfig.py", "check", "--arch", "aarch64",
                        "tests/configs/bad/overlap.toml"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 1
    assert "config error: tests/configs/bad/overlap.toml: vm 'a' (id 1): memory[1]: overlaps" in r.stderr


def test_arm64_image_goes_2mib_aligned_plus_text_offset(tmp_path, monkeypatch):
    import struct
    monkeypatch.chdir(ROOT)
    img = tmp_path / "Image"
    head = bytearray(64)
    struct.pack_into("<QQ", head, 8, 0x80000, 0x300000)  # text_offset, image_size (with BSS)
    head[56:60] = b"ARM\x64"
    img.write_bytes(bytes(head) + b"\x00" * 4096)
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        '[[vm]]\nid = 1\nname = "l"\nvcpus = 1\ncpu_affinity = [1]\n'
        f'image = "{img}"\n'
        '[[vm.memory]]\nbase = 0x40100000\nsize = "64M"\n')
    (vm,) = vmconfig.Checker(cfg, "aarch64", MACHINE).load()
    assert vm["load_address"] == 0x40200000 + 0x80000
    assert vm["entry"] == vm["load_address"]
    # Its BSS must fit too, not just the file.
    cfg.write_text(cfg.read_text().replace('"64M"', '"3M"'))
    with pytest.raises(vmconfig.ConfigError, match="too big for its region"):
        vmconfig.Checker(cfg, "aarch64", MACHINE).load()


def test_identity_memory_avoids_the_images_the_hypervisor_carries(tmp_path, monkeypatch):
    # The hypervisor image grows with every VM image packed into it (qemu/<arch>.toml gives
    # only its own core), so identity memory just above the core is fine for a small guest and
    # refused once a big image fills that space.
    monkeypatch.chdir(ROOT)
    img = tmp_path / "img.bin"
    img.write_bytes(b"\x00" * 4096)
    cfg = tmp_path / "c.toml"
    body = ('[[vm]]\nid = 1\nname = "a"\nvcpus = 1\ncpu_affinity = [1]\n'
            f'image = "{img}"\nload_address = 0x40600000\n'
            '[[vm.memory]]\nbase = 0x40600000\nsize = "16M"\nkind = "identity"\n')
    cfg.write_text(body)
    vmconfig.Checker(cfg, "aarch64", MACHINE).load()
    img.write_bytes(b"\x00" * (4 << 20))
    with pytest.raises(vmconfig.ConfigError, match=r"memory\[0\]: identity range "
                       r"0x40600000-0x41600000 covers the host's hypervisor image at "
                       r"0x40200000-0x40800000"):
        vmconfig.Checker(cfg, "aarch64", MACHINE).load()


def test_guest_address_bits_match_the_stage2_formats():
    # 12 + root index bits + 9 per further level, as each architecture's pt_format says.
    import re
    for arch, path in [("aarch64", "arch/aarch64/stage2.c"), ("riscv64", "arch/riscv64/stage2.c"),
                       ("x86_64", "arch/x86_64/npt.c")]:
        src = (ROOT / path).read_text()
        field = {k: int(re.search(rf"\.{k} = (\d+),", src).group(1))
                 for k in ("levels", "root_index_bits", "index_bits")}
        bits = 12 + field["root_index_bits"] + field["index_bits"] * (field["levels"] - 1)
        assert vmconfig.GUEST_ADDRESS_BITS[arch] == bits, arch


def test_gicv3_interrupts_match_the_vgic():
    import re
    src = (ROOT / "arch/aarch64/include/arch/vgic.h").read_text()
    spis = int(re.search(r"#define VGIC_SPIS\s+(\d+)", src).group(1))
    assert vmconfig.IRQ_CONTROLLERS["gicv3"] == range(32, 32 + spis)


def test_every_irq_controller_is_a_device_type():
    for model in vmconfig.IRQ_CONTROLLERS:
        assert model in vmconfig.DEVICE_TYPES


def test_unknown_arch_is_one_line():
    r = subprocess.run([sys.executable, "scripts/vmconfig.py", "check", "--arch", "mips",
                        "configs/aarch64.toml"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 1
    assert r.stderr == "config error: --arch 'mips': not one of aarch64, riscv64, x86_64\n"


def test_a_checker_bug_is_still_one_line(monkeypatch, capsys):
    # The last line of defence: a bug in the checker must not print a traceback either, and
    # must not pass for a verdict on the config (status 2, not 1).
    def broken(self):
        raise KeyError("oops")
    monkeypatch.setattr(vmconfig.Checker, "load", broken)
    assert vmconfig.main(["check", "--arch", "aarch64", "configs/aarch64.toml"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("config error: configs/aarch64.toml: the "
                                                  "checker failed (KeyError")


def test_missing_config_file_is_one_line(capsys):
    assert vmconfig.main(["check", "--arch", "aarch64", "no/such/config.toml"]) == 1
    assert capsys.readouterr().err == "config error: no/such/config.toml: no such file\n"


def test_config_that_is_a_directory_is_one_line(capsys):
    assert vmconfig.main(["check", "--arch", "aarch64", "tests"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("config error: tests: cannot read: ") and err.count("\n") == 1


@pytest.mark.parametrize("doc", ["docs/config.md", "README.md"])
def test_documented_example_is_accepted(doc, tmp_path, monkeypatch):
    # The example configs the documentation shows must pass the rules it lists (with a small
    # ELF standing in for the bare-metal guest, which unit tests do not build).
    import re
    monkeypatch.chdir(ROOT)
    text = (ROOT / doc).read_text()
    example = re.search(r"```toml\n(.*?)```", text, re.S).group(1)
    elf = tmp_path / "guest.elf"
    elf.write_bytes(image_fixtures.make_elf("aarch64", paddr=0x40000000))
    example = re.sub(r'image = "[^"]*"', f'image = "{elf}"', example)
    cfg = tmp_path / "example.toml"
    cfg.write_text(example)
    assert vmconfig.Checker(cfg, "aarch64", MACHINE).load()
