"""
Shared fixtures of the integration suite: the repository tools, and the eight wheels
built once per session (their sizes are shown in the terminal summary and written to
``wheel-sizes.txt`` in pytest's base temporary directory).
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
_WHEEL_SIZES = pytest.StashKey[dict[str, tuple[str, int]]]()


def _loadTool(name: str) -> ModuleType:
    """Import tools/<name>.py under a private module name."""
    moduleName = f"_netframe_tool_{name}"
    if moduleName in sys.modules:
        return sys.modules[moduleName]
    spec = importlib.util.spec_from_file_location(moduleName, ROOT / "tools" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[moduleName] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def wheelTools() -> ModuleType:
    """The tools/wheels.py module (wheel builder, closure, monorepo reader)."""
    return _loadTool("wheels")


@pytest.fixture(scope="session")
def builtWheels(
    wheelTools: ModuleType, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> dict[str, Path]:
    """Every distribution's wheel, built once into a session temp dir, by dist name."""
    out = tmp_path_factory.mktemp("wheels")
    dists = wheelTools.loadMonorepo(ROOT)
    wheels: dict[str, Path] = wheelTools.buildWheels(list(dists), out, ROOT)
    sizes = request.config.stash.setdefault(_WHEEL_SIZES, {})
    for name, wheel in wheels.items():
        sizes[name] = (wheel.name, wheel.stat().st_size)
    summary = tmp_path_factory.getbasetemp() / "wheel-sizes.txt"
    summary.write_text(
        "".join(f"{wheel}\t{size}\n" for wheel, size in sorted(sizes.values())),
        encoding="utf-8",
    )
    return wheels


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """Show the wheel sizes measured by this run."""
    sizes = config.stash.get(_WHEEL_SIZES, None)
    if not sizes:
        return
    terminalreporter.section("netframe wheel sizes")
    total = 0
    for wheel, size in sorted(sizes.values()):
        terminalreporter.write_line(f"{size / 1000:9.1f} kB  {wheel}")
        total += size
    terminalreporter.write_line(f"{total / 1000:9.1f} kB  total of {len(sizes)} wheels")


#: How long an interoperability scenario may run its reactor before it fails.
INTEROP_WATCHDOG_SECONDS = 30.0


@pytest.fixture
def reactor() -> Iterator[Any]:
    """A fresh EPollReactor (never the global one), closed after the test."""
    from netframe.core.epollreactor import EPollReactor

    r = EPollReactor()
    yield r
    r.disconnectAll()
    r._close()


@pytest.fixture
def runUntil(reactor: Any) -> Callable[[Any], Any]:
    """
    A function running C{reactor} until a Deferred fires or the watchdog expires, then
    returning its result or raising its failure.
    """
    from netframe.core.failure import Failure

    def run(d: Any) -> Any:
        outcome: list[Any] = []
        timedOut: list[bool] = []

        def done(result: Any) -> None:
            outcome.append(result)
            reactor.stop()

        def watchdog() -> None:
            timedOut.append(True)
            reactor.stop()

        d.addBoth(done)
        call = reactor.callLater(INTEROP_WATCHDOG_SECONDS, watchdog)
        if not outcome:
            reactor.run(installSignalHandlers=False)
        if call.active():
            call.cancel()
        if timedOut:
            pytest.fail(f"the scenario did not finish within {INTEROP_WATCHDOG_SECONDS}s")
        result = outcome[0]
        if isinstance(result, Failure):
            result.raiseException()
        return result

    return run
