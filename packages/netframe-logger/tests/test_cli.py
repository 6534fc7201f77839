"""Tests for the JSON log renderer, python -m netframe.logger."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from netframe.logger import Logger, LogLevel, jsonFileLogObserver
from netframe.logger._cli import main


@pytest.fixture
def logFile(tmp_path: Path) -> Path:
    """A JSON log file with events at several levels and namespaces."""
    path = tmp_path / "log.json"
    with path.open("w") as f:
        observer = jsonFileLogObserver(f)
        Logger(namespace="app.db", observer=observer).debug("query {q}", q="select")
        Logger(namespace="app.web", observer=observer).info(
            "GET {path} took {ms}", path="/x y", ms=3
        )
        Logger(namespace="other", observer=observer).error("bad")
        for event in (
            {
                "log_format": "fixed",
                "log_time": 0.0,
                "log_namespace": "app",
                "log_level": LogLevel.warn,
            },
        ):
            observer(event)
    return path


def _run(*args: str, stdin: str = "") -> tuple[int, str, str]:
    out = io.StringIO()
    err = io.StringIO()
    status = main(list(args), io.StringIO(stdin), out, err)
    return status, out.getvalue(), err.getvalue()


class CLITests:
    def test_text(self, logFile: Path) -> None:
        """Events are rendered as classic text."""
        status, out, err = _run(str(logFile))
        assert status == 0 and err == ""
        lines = out.splitlines()
        assert len(lines) == 4
        assert lines[0].endswith(" [app.db#debug] query select")
        assert lines[3].endswith(" [app#warn] fixed")

    def test_namespaceFilter(self, logFile: Path) -> None:
        """--namespace keeps the prefix and its children only."""
        _, out, _ = _run("--namespace", "app", str(logFile))
        assert [line.split("[")[1].split("]")[0] for line in out.splitlines()] == [
            "app.db#debug",
            "app.web#info",
            "app#warn",
        ]
        _, out, _ = _run("--namespace", "ap", str(logFile))
        assert out == ""

    def test_levelFilter(self, logFile: Path) -> None:
        """--level keeps that level and above."""
        _, out, _ = _run("--level", "warn", str(logFile))
        assert [line.split("] ")[1] for line in out.splitlines()] == ["bad", "fixed"]

    def test_jsonOutput(self, logFile: Path) -> None:
        """--format json writes one JSON object per line."""
        _, out, _ = _run("--format", "json", "--level", "error", str(logFile))
        assert out.count("\n") == 1 and out.startswith("{")

    def test_logfmt(self, logFile: Path) -> None:
        """--format logfmt writes key=value lines, quoting where needed."""
        _, out, _ = _run("--format", "logfmt", "--namespace", "app.web", str(logFile))
        assert ' level=info namespace=app.web msg="GET /x y took 3" path="/x y" ms=3\n' in out
        assert out.startswith("time=")

    def test_stdin(self, logFile: Path) -> None:
        """'-' reads standard input."""
        _, out, _ = _run("-", stdin=logFile.read_text())
        assert len(out.splitlines()) == 4

    def test_missingFile(self, tmp_path: Path, logFile: Path) -> None:
        """A file that cannot be read gives a clear message and status 1."""
        status, out, err = _run(str(tmp_path / "nope.json"), str(logFile))
        assert status == 1
        assert err.startswith(f"error: cannot read {tmp_path / 'nope.json'}: No such file")
        assert len(out.splitlines()) == 4

    def test_malformedSkipped(self, tmp_path: Path) -> None:
        """Malformed lines are skipped with a warning on stderr."""
        path = tmp_path / "bad.json"
        path.write_text('{"log_format": "ok"}\nnot json\n')
        status, out, err = _run(str(path))
        assert status == 0
        assert out == "- [-#-] ok\n"
        assert err.startswith(f"warning: {path}: Unable to read JSON record: 'not json'")

    def test_badArguments(self) -> None:
        """Bad arguments give status 2."""
        assert _run("--level", "loud", "x")[0] == 2
        assert _run()[0] == 2

    def test_module(self, logFile: Path) -> None:
        """python -m netframe.logger runs the renderer."""
        result: Any = subprocess.run(
            [sys.executable, "-m", "netframe.logger", "--level", "error", str(logFile)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0
        assert result.stdout.endswith("[other#error] bad\n")
