# SPDX-License-Identifier: MIT
"""scripts/bench.py without running QEMU: parsing the guest's lines, the ratios to the trap
floor, the start-to-first-instruction figure and the summary table."""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import bench  # noqa: E402


def guest_output(ticks, hv_start=1000, guest_start=63500, hz=62500000):
    lines = [f"[axvm] debug: started at counter {hv_start}, {hz} Hz",
             f"[1:bench] bench: start_cycles={guest_start} counter_hz={hz}"]
    for case, rounds in ticks.items():
        for r, t in enumerate(rounds):
            lines.append(f"[1:bench] bench: case={case} iterations=100 round={r} ticks={t}")
    return "\n".join(lines) + "\n"


TICKS = {"ram_read": [100, 120, 110], "trap_floor": [2000, 1000, 3000],
         "null_hypercall": [2500, 5000, 2600], "mmio_read": [4000, 4100, 9000],
         "mmio_write": [3000, 3500, 3200]}


def test_parse_takes_the_least_disturbed_round():
    cases, hz, start = bench.parse_guest(guest_output(TICKS))
    assert hz == 62500000
    assert start == 62500
    assert cases["trap_floor"]["ticks_per_iteration"] == 10.0
    assert cases["trap_floor"]["median_ticks_per_iteration"] == 20.0
    assert cases["null_hypercall"]["rounds_ticks_per_iteration"] == [25.0, 50.0, 26.0]


def test_exits_are_ratios_to_the_floor_of_the_same_run():
    cases, hz, _ = bench.parse_guest(guest_output(TICKS))
    rep = bench.exit_report(cases, hz)
    assert rep["null_hypercall"]["ratio_to_floor"] == 2.5
    assert rep["mmio_read"]["ratio_to_floor"] == 4.0
    assert rep["mmio_write"]["median_ratio_to_floor"] == 1.6
    assert rep["null_hypercall"]["rounds_ratio_to_floor"] == [1.25, 5.0, 26 / 30]
    assert abs(rep["trap_floor_us"] - 0.16) < 1e-9  # 10 ticks at 62.5 MHz


def test_missing_lines_give_none():
    cases, hz, start = bench.parse_guest("[1:bench] guest: hello\n")
    assert cases == {} and hz is None and start is None


def test_icount_ticks_are_nanoseconds_of_instructions():
    assert bench.instructions(16, 62500000) == 256
    assert bench.instructions(1, 10000000) == 100


def test_summary_has_a_column_per_arch_and_marks_what_was_not_measured(tmp_path):
    cases, hz, _ = bench.parse_guest(guest_output(TICKS))
    base = {"date": "2026-12-01", "host": "test", "bench_vm_memory": "256M",
            "wall": bench.exit_report(cases, hz), "icount": bench.exit_report(cases, hz),
            "start_to_first_instruction": {"wall_ms": 12.5}}
    base["icount"]["trap_floor_instructions"] = 25
    a = dict(base, arch="aarch64", linux_boot={
        "runs": 5, "bare_median_s": 0.8, "axvm": {"median_s": 1.2, "median_round_ratio": 1.5}},
        linux_uptime_icount={"ratio": 1.21})
    (tmp_path / "aarch64.json").write_text(json.dumps(a))
    (tmp_path / "riscv64.json").write_text(json.dumps(dict(base, arch="riscv64")))
    bench.write_summary(tmp_path)
    text = (tmp_path / "summary.md").read_text()
    assert "| | aarch64 | riscv64 |" in text
    assert "| null hypercall / floor (wall) | 2.50× | 2.50× |" in text
    assert "| Linux boot ratio (median of per-round ratios) | 1.50× | not measured |" in text
    assert "| start → first guest instruction, 256M VM (wall, ms) | 12.5 | 12.5 |" in text
    assert "| start → first guest instruction (icount, virtual ms) | – | – |" in text


def test_info_lines_give_exits_per_vcpu_and_kind():
    text = ("[axvm] console: vm1 (linux): running, boot 1, 530 exits, image 3530 KiB at 0x0\n"
            "[axvm] console:   vcpu0 on pCPU 1: 500 exits (arch 120, mmio 370, halt 10)\n"
            "[axvm] console:   vcpu1 on pCPU 2: 30 exits (arch 30)\n"
            "[axvm] console:   memory 0x40000000-0x50000000 (262144 KiB, ram)\n")
    counts = bench.parse_info(text)
    assert counts == {0: (500, {"arch": 120, "mmio": 370, "halt": 10}), 1: (30, {"arch": 30})}


def test_idle_row_shows_both_modes():
    il = {"idle_in_guest": {"median_exits_per_s": 12.34}, "idle_trap": {"median_exits_per_s": 250.0}}
    assert bench.idle_rows({"idle_linux": il}) == [
        ("idle Linux, exits/s (WFI/HLT in the guest; idle=trap)", "12.3; 250.0")]
    assert bench.idle_rows({}) == []


def test_timer_line_and_rows():
    out = ("[1:timer] timerbench: samples=101 counter_hz=62500000 median_ticks=3047 "
           "min_ticks=2891 p90_ticks=9426\n[1:timer] timerbench: done\n")
    r = bench.parse_timer(out)
    assert r == {"samples": 101, "counter_hz": 62500000, "median_ticks": 3047,
                 "min_ticks": 2891, "p90_ticks": 9426}
    assert bench.parse_timer("nothing") is None
    t = {"axvm": {"median_us": 48.75, "icount_median_ns": 8368.0},
         "axvm_idle_trap": {"median_us": 53.6}}
    rows = dict(bench.timer_rows({"timer_latency": t}))
    assert rows["timer deadline → guest handler, axvm (wall µs; icount ns)"] == "48.8; 8368"
    assert rows["timer deadline → guest handler, axvm, idle=trap (wall µs; icount ns)"] == "53.6; –"
    assert rows["timer deadline → guest handler, bare QEMU (wall µs; icount ns)"] == "not measured"


def test_linux_machine_has_the_cpus_its_config_uses(tmp_path):
    config = tmp_path / "two.toml"
    config.write_text('[[vm]]\ncpu_affinity = [0, 1]\n[[vm]]\ncpu_affinity = [3]\n')
    (tmp_path / "gen").mkdir()
    (tmp_path / "gen" / "config-path").write_text(f"{config}\n")
    assert bench.linux_machine_smp(tmp_path) == 4
    config.write_text('[[vm]]\ncpu_affinity = [0, 1]\n')
    assert bench.linux_machine_smp(tmp_path) == 2
    cmd = bench.linux_machine_command("aarch64", tmp_path, tmp_path)
    assert cmd[cmd.index("-smp") + 1] == "2"


def test_bench_linux_configs_match_bare_qemu_cpus(tmp_path):
    # Bare QEMU boots the guest on two CPUs (bench.linux_boot, bench_virtio.bare_command):
    # the DT-booting arches' Linux bench VMs use pCPUs 0 and 1 so axvm's machine has two too.
    root = Path(__file__).resolve().parents[2]
    for arch in ("aarch64", "riscv64"):
        for name in (f"{arch}-linux.toml", f"{arch}-linux-virtio.toml"):
            d = tmp_path / name
            (d / "gen").mkdir(parents=True)
            (d / "gen" / "config-path").write_text(f"{root / 'configs' / 'bench' / name}\n")
            assert bench.linux_machine_smp(d) == 2, name
