# SPDX-License-Identifier: MIT
import pytest

import machine

ARCHES = ["aarch64", "riscv64", "x86_64"]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def boot(request, tmp_path):
    """boot(arch, append=..., smp=...) starts QEMU with qemu/<arch>.toml. Machines are killed
    after the test; when the test failed, their whole serial logs are printed."""
    machines = []

    def start(arch, **kw):
        d = tmp_path / f"machine{len(machines)}"
        d.mkdir()
        m = machine.boot(arch, d, **kw)
        machines.append(m)
        return m

    yield start
    for m in machines:
        m.kill()
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        for m in machines:
            print(f"==== serial log {m.log_path} ====")
            print(m.log_path.read_text(errors="replace"))
