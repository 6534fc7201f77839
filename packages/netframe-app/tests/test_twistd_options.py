"""
Tests for netframe-twistd's command line (ServerOptions), with fake plugin
discovery and a fake reactor installer.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from zope.interface import implementer

from netframe.app import twistd
from netframe.app._version import __version__
from netframe.app.service import IServiceMaker
from netframe.app.twistd import ServerOptions
from netframe.core import usage
from netframe.core.reactors import NoSuchReactor
from netframe.plugin import IPlugin


class MyOptions(usage.Options):
    """The AP7 plugin's options."""

    optParameters = [["port", "p", 1235, "The port number to listen on."]]


@implementer(IServiceMaker, IPlugin)
class MyServiceMaker:
    """The AP7 plugin."""

    tapname = "myproject"
    description = "Run this! It'll make your dog happy."
    options = MyOptions

    def makeService(self, options: Any) -> Any:
        return None


@implementer(IServiceMaker, IPlugin)
class OtherMaker(MyServiceMaker):
    """A second plugin."""

    tapname = "another"
    description = "Another service."


def makeOptions(plugins: list[Any] | None = None, installed: list[str] | None = None) -> Any:
    """ServerOptions with fake plugins and reactor installer."""
    found = [MyServiceMaker(), OtherMaker()] if plugins is None else plugins
    record = [] if installed is None else installed

    def install(name: str) -> None:
        if name == "nosuch":
            raise NoSuchReactor(name)
        if name == "taken":
            raise AssertionError("reactor already installed")
        record.append(name)

    class TestOptions(ServerOptions):
        _getPlugins = staticmethod(lambda iface: list(found))
        _installReactor = staticmethod(install)

    return TestOptions()


class ServerOptionsTests:
    """ServerOptions parses netframe-twistd's options."""

    def test_publicModule(self) -> None:
        """ServerOptions and run are published by netframe.app.twistd."""
        assert ServerOptions.__module__ == "netframe.app.twistd"
        assert twistd.run.__module__ == "netframe.app.twistd"

    def test_defaults(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """Defaults: daemon, twistd.pid made absolute, text logs, 30 s drain."""
        monkeypatch.chdir(tmp_path)
        config = makeOptions()
        config.parseOptions(["-y", "x.tac"])
        assert config["nodaemon"] == 0
        assert config["pidfile"] == str(tmp_path / "twistd.pid")
        assert config["python"] == str(tmp_path / "x.tac")
        assert config["log-format"] == "text"
        assert config["shutdown-timeout"] == ServerOptions.defaultShutdownTimeout == 30.0
        assert config["rundir"] == "."
        assert config["logfile"] is None

    def test_combinedShortFlags(self) -> None:
        """-noy FILE means --nodaemon --no_save --python FILE."""
        config = makeOptions()
        config.parseOptions(["-noy", "echo.tac"])
        assert config["nodaemon"] == 1
        assert config["no_save"] == 1
        assert config["python"].endswith("echo.tac")

    def test_emptyPidfile(self) -> None:
        """--pidfile= disables the pidfile."""
        config = makeOptions()
        config.parseOptions(["--pidfile=", "-y", "x.tac"])
        assert config["pidfile"] == ""

    def test_logfileDashKept(self) -> None:
        """-l - stays '-' (standard output)."""
        config = makeOptions()
        config.parseOptions(["-l", "-", "-y", "x.tac"])
        assert config["logfile"] == "-"

    def test_nothingToRun(self) -> None:
        """Without -y or a subcommand the options are refused."""
        with pytest.raises(usage.UsageError, match="nothing to run"):
            makeOptions().parseOptions(["-n"])

    def test_killNeedsNothingElse(self) -> None:
        """--kill alone is accepted."""
        config = makeOptions()
        config.parseOptions(["--kill"])
        assert config["kill"] == 1

    def test_pythonAndSubcommand(self) -> None:
        """-y and a subcommand together are refused."""
        with pytest.raises(usage.UsageError, match="not both"):
            makeOptions().parseOptions(["-y", "x.tac", "myproject"])

    def test_subcommand(self) -> None:
        """A plugin tapname is a subcommand with its own options."""
        config = makeOptions()
        config.parseOptions(["-n", "myproject", "--port", "4321"])
        assert config.subCommand == "myproject"
        assert config.subOptions["port"] == "4321"
        assert isinstance(config.loadedPlugins["myproject"], MyServiceMaker)

    def test_unknownSubcommand(self) -> None:
        """An unknown subcommand is a usage error naming it."""
        with pytest.raises(usage.UsageError, match="Unknown command: nosuch"):
            makeOptions().parseOptions(["nosuch"])

    def test_helpListsPlugins(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--help lists every plugin with its description, sorted."""
        with pytest.raises(SystemExit) as info:
            makeOptions().parseOptions(["--help"])
        assert info.value.code == 0
        out = capsys.readouterr().out
        assert out.startswith("Usage: netframe-twistd [options]")
        assert "Commands:" in out
        assert "myproject" in out and "Run this! It'll make your dog happy." in out
        assert out.index("another") < out.index("myproject")
        for option in ("--nodaemon", "--pidfile=", "--logfile=", "--reactor=", "--log-format="):
            assert option in out, option

    def test_subcommandHelp(self, capsys: pytest.CaptureFixture[str]) -> None:
        """'SUBCOMMAND --help' shows the plugin's options."""
        with pytest.raises(SystemExit):
            makeOptions().parseOptions(["myproject", "--help"])
        out = capsys.readouterr().out
        assert out.startswith("Usage: netframe-twistd [options] myproject [options]")
        assert "--port=" in out and "[default: 1235]" in out

    def test_version(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--version prints the program and version."""
        with pytest.raises(SystemExit):
            makeOptions().parseOptions(["--version"])
        assert capsys.readouterr().out == f"netframe-twistd (netframe-app) {__version__}\n"

    def test_reactorInstalledAtOnce(self) -> None:
        """-r installs the named reactor while parsing."""
        installed: list[str] = []
        config = makeOptions(installed=installed)
        config.parseOptions(["-r", "poll", "-y", "x.tac"])
        assert installed == ["poll"]
        assert config["reactor"] == "poll"

    def test_unknownReactor(self) -> None:
        """An unknown reactor name is a usage error."""
        with pytest.raises(usage.UsageError, match="no reactor named 'nosuch'"):
            makeOptions().parseOptions(["--reactor=nosuch", "-y", "x.tac"])

    def test_reactorAlreadyInstalled(self) -> None:
        """A reactor that cannot be installed is a usage error."""
        with pytest.raises(usage.UsageError, match="cannot install reactor 'taken'"):
            makeOptions().parseOptions(["-r", "taken", "-y", "x.tac"])

    def test_helpReactors(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--help-reactors lists the built-in reactors."""
        with pytest.raises(SystemExit):
            makeOptions().parseOptions(["--help-reactors"])
        out = capsys.readouterr().out
        assert "select" in out and "default" in out

    def test_pickleRefused(self) -> None:
        """-f FILE.tap is refused: pickles are unsafe."""
        with pytest.raises(usage.UsageError, match="pickled"):
            makeOptions().parseOptions(["-f", "x.tap"])

    def test_debugImpliesNodaemon(self) -> None:
        """-b implies -n."""
        config = makeOptions()
        config.parseOptions(["-b", "-y", "x.tac"])
        assert config["nodaemon"] == 1

    @pytest.mark.parametrize("value", ["text", "json"])
    def test_logFormats(self, value: str) -> None:
        """--log-format accepts text and json."""
        config = makeOptions()
        config.parseOptions([f"--log-format={value}", "-y", "x.tac"])
        assert config["log-format"] == value

    def test_badLogFormat(self) -> None:
        """Other log formats are refused."""
        with pytest.raises(usage.UsageError, match="--log-format must be one of"):
            makeOptions().parseOptions(["--log-format=xml", "-y", "x.tac"])

    def test_badProfiler(self) -> None:
        """Unknown profilers are refused."""
        with pytest.raises(usage.UsageError, match="--profiler must be one of"):
            makeOptions().parseOptions(["--profiler=hotshot", "-y", "x.tac"])

    @pytest.mark.parametrize(("value", "expected"), [("022", 0o22), ("777", 0o777), ("0", 0)])
    def test_umask(self, value: str, expected: int) -> None:
        """--umask is octal, up to 777."""
        config = makeOptions()
        config.parseOptions(["--umask", value, "-y", "x.tac"])
        assert config["umask"] == expected

    @pytest.mark.parametrize("value", ["1000", "8", "abc"])
    def test_badUmask(self, value: str) -> None:
        """A umask past 777 or not octal is refused."""
        with pytest.raises(usage.UsageError, match="umask"):
            makeOptions().parseOptions(["--umask", value, "-y", "x.tac"])

    def test_shutdownTimeoutLimit(self) -> None:
        """--shutdown-timeout must be positive: 0.001 is accepted, 0 refused."""
        config = makeOptions()
        config.parseOptions(["--shutdown-timeout=0.001", "-y", "x.tac"])
        assert config["shutdown-timeout"] == 0.001
        for bad in ("0", "-1", "nan", "inf"):
            with pytest.raises(usage.UsageError, match="positive"):
                makeOptions().parseOptions([f"--shutdown-timeout={bad}", "-y", "x.tac"])

    def test_uidGidByName(self) -> None:
        """-u and -g accept names and numbers."""
        config = makeOptions()
        config.parseOptions(["-u", "root", "-g", "0", "-y", "x.tac"])
        assert (config["uid"], config["gid"]) == (0, 0)

    def test_unknownUser(self) -> None:
        """An unknown user name is a usage error naming it."""
        with pytest.raises(usage.UsageError, match="no such user 'nfapp-nobody-here'"):
            makeOptions().parseOptions(["-u", "nfapp-nobody-here", "-y", "x.tac"])

    def test_unknownGroup(self) -> None:
        """An unknown group name is a usage error naming it."""
        with pytest.raises(usage.UsageError, match="no such group"):
            makeOptions().parseOptions(["-g", "nfapp-nogroup-here", "-y", "x.tac"])


class RunEntryPointTests:
    """twistd.run turns usage errors into exit status 1 with a message."""

    def test_usageErrorExits1(
        self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A usage error prints the synopsis and message and exits 1."""
        monkeypatch.setattr(sys, "path", list(sys.path))
        with pytest.raises(SystemExit) as info:
            twistd.run(["--log-format=xml", "-y", "x.tac"])
        assert info.value.code == 1
        err = capsys.readouterr().err
        assert "netframe-twistd: --log-format must be one of" in err
        assert "Traceback" not in err
