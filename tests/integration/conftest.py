# SPDX-License-Identifier: MIT
import pytest

import machine

ARCHES = ["aarch64", "riscv64", "x86_64"]


def pytest_configure(config):
    # `make integration PYTEST_ARGS='-m "not slow"'` leaves them out.
    config.addinivalue_line("markers", "slow: boots through UEFI firmware or PXE under TCG "
                            "(tens of seconds each)")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def machines(request):
    """The machines a test starts: killed after it, and their whole serial logs printed when
    it failed."""
    started = []
    yield started
    for m in started:
        m.kill()
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        for m in started:
            print(f"==== serial log {m.log_path} ====")
            print(m.log_path.read_text(errors="replace"))


@pytest.fixture
def boot(machines, tmp_path):
    """boot(arch, append=..., smp=..., config=...) starts axvm under QEMU with qemu/<arch>.toml."""

    def start(arch, **kw):
        d = tmp_path / f"machine{len(machines)}"
        d.mkdir()
        m = machine.boot(arch, d, **kw)
        machines.append(m)
        return m

    return start
