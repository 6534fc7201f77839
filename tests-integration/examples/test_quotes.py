"""
The TwistedQuotes examples (SCOPE.md C15, C16; L5849-6071 and 002 L87-219),
ported to Python 3 on netframe under quotes/: the package wired into
qotd.tac, and its twistd plugin C{qotd} as a drop-in module
(quotes/netframe/plugins/quotes_plugin.py), each run as a real program on a
free loopback port.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

QUOTES = Path(__file__).resolve().parent / "quotes"
"""The directory holding the TwistedQuotes package and the drop-in plugin."""

APPLE = b"An apple a day keeps the doctor away.\r\n"
"""The default (static) quote, as a connection receives it."""

FORTUNES = ["Fortune one.", "Fortune two\non two lines.", "Fortune three."]
"""The quotes of the fortune-format file the tests write."""


def writeFortunes(directory: Path) -> Path:
    """Write L{FORTUNES} as a C{\\n%\\n}-separated fortune file; return its path."""
    path = directory / "fortunes"
    path.write_text("\n%\n".join(FORTUNES))
    return path


def assertFortunes(runner: Any, port: int) -> None:
    """Every connection gets one quote of L{FORTUNES}, then the server closes."""
    expected = {(q + "\r\n").encode() for q in FORTUNES}
    seen = {runner.exchange(port) for _ in range(30)}
    assert seen <= expected
    assert len(seen) > 1


class QuotesPackageTests:
    """C15: TwistedQuotes.quoters and quoteproto wired into qotd.tac."""

    def test_staticQuote(self, runner: Any) -> None:
        """C15: each connection receives the static quote and CRLF, then is closed."""
        port = runner.freePort()
        program = runner.tac("quotes/qotd.tac", QOTD_PORT=str(port), **runner.pythonPath(QUOTES))
        program.waitForPort(port)
        assert runner.exchange(port) == APPLE
        assert runner.exchange(port) == APPLE
        assert program.stop() == 0, program.output()

    def test_fortuneQuoter(self, runner: Any, tmp_path: Path) -> None:
        """C15: FortuneQuoter picks one quote of the %-separated file per connection."""
        port = runner.freePort()
        fortunes = writeFortunes(tmp_path)
        env = runner.pythonPath(QUOTES)
        program = runner.tac("quotes/qotd.tac", QOTD_PORT=str(port), QOTD_FILE=str(fortunes), **env)
        program.waitForPort(port)
        assertFortunes(runner, port)
        assert program.stop() == 0, program.output()


class QuotesPluginTests:
    """C16: the qotd plugin run by netframe-twistd."""

    def test_helpListsPlugin(self, runner: Any) -> None:
        """C16: the plugin is a subcommand; its help shows --port/--static/--file."""
        env = runner.pythonPath(QUOTES)
        listed = runner.run(["-m", "netframe.app", "--help"], **env)
        assert listed.returncode == 0, listed.stderr
        assert "qotd" in listed.stdout
        assert "Quote of the Day" in listed.stdout
        helped = runner.run(["-m", "netframe.app", "qotd", "--help"], **env)
        assert helped.returncode == 0, helped.stderr
        for option in ("--port=", "--static=", "--file=", "8007"):
            assert option in helped.stdout

    def test_defaultQuote(self, runner: Any) -> None:
        """C16: `netframe-twistd -n qotd` answers "An apple a day..." (port adapted)."""
        port = runner.freePort()
        program = runner.twistd(
            ["-n", "--pidfile=", "qotd", "--port", str(port)], **runner.pythonPath(QUOTES)
        )
        program.waitForPort(port)
        assert runner.exchange(port) == APPLE
        assert program.stop() == 0, program.output()

    def test_staticOption(self, runner: Any) -> None:
        """C16: --static sets the quote (run as `python -m netframe.app`)."""
        port = runner.freePort()
        program = runner.start(
            ["-m", "netframe.app", "-n", "--pidfile=", "qotd", f"--port={port}", "--static", "Hi."],
            **runner.pythonPath(QUOTES),
        )
        program.waitForPort(port)
        assert runner.exchange(port) == b"Hi.\r\n"
        assert program.stop() == 0, program.output()

    def test_fileOption(self, runner: Any, tmp_path: Path) -> None:
        """C16: --file serves random quotes from a fortune file."""
        port = runner.freePort()
        fortunes = writeFortunes(tmp_path)
        program = runner.twistd(
            ["-n", "--pidfile=", "qotd", "-p", str(port), "--file", str(fortunes)],
            **runner.pythonPath(QUOTES),
        )
        program.waitForPort(port)
        assertFortunes(runner, port)
        assert program.stop() == 0, program.output()
