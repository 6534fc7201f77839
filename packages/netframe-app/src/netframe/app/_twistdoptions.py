"""
The command line of netframe-twistd.

Private module of netframe-app; L{ServerOptions} is published by
L{netframe.app.twistd}.
"""

from __future__ import annotations

import grp
import math
import os
import pwd
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar, NoReturn

from netframe.app._service import IServiceMaker
from netframe.app._version import __version__
from netframe.core import usage
from netframe.core.reactors import NoSuchReactor, getReactorTypes, installReactorByName
from netframe.plugin import getPlugins

__all__ = ["PROGRAM", "ServerOptions"]

PROGRAM = "netframe-twistd"
"""The program name shown in messages and help."""

LOG_FORMATS = ("text", "json")
"""The values of C{--log-format}."""

PROFILERS = ("cprofile", "profile")
"""The values of C{--profiler}."""


def _uid(value: str) -> int:
    """
    Turn a user name or number into a uid.

    @raise ValueError: If no such user exists.
    """
    if value.isdigit():
        return int(value)
    try:
        return pwd.getpwnam(value).pw_uid
    except KeyError:
        raise ValueError(f"no such user {value!r}") from None


_uid.coerceDoc = "A user name or a numeric uid."  # type: ignore[attr-defined]


def _gid(value: str) -> int:
    """
    Turn a group name or number into a gid.

    @raise ValueError: If no such group exists.
    """
    if value.isdigit():
        return int(value)
    try:
        return grp.getgrnam(value).gr_gid
    except KeyError:
        raise ValueError(f"no such group {value!r}") from None


_gid.coerceDoc = "A group name or a numeric gid."  # type: ignore[attr-defined]


def _umask(value: str) -> int:
    """
    Parse an octal umask such as C{022}.

    @raise ValueError: If it is not an octal number in 0..0o777.
    """
    try:
        mask = int(value, 8)
    except ValueError:
        raise ValueError(f"umask must be an octal number, not {value!r}") from None
    if not 0 <= mask <= 0o777:
        raise ValueError(f"umask must be between 000 and 777, not {value!r}")
    return mask


_umask.coerceDoc = "An octal number such as 022."  # type: ignore[attr-defined]


def _timeout(value: str) -> float:
    """
    Parse a positive, finite number of seconds.

    @raise ValueError: If it is not one.
    """
    seconds = float(value)
    if not (seconds > 0 and math.isfinite(seconds)):
        raise ValueError(f"must be a positive number of seconds, not {value!r}")
    return seconds


def _workers(value: str) -> int:
    """
    Parse the C{--workers} count: a whole number from 0 (no workers, the
    default) to L{ServerOptions.maxWorkers}.

    @raise ValueError: Otherwise.
    """
    if not value.isascii() or not value.isdigit():
        raise ValueError(f"must be a whole number of worker processes, not {value!r}")
    count = int(value)
    if count > ServerOptions.maxWorkers:
        raise ValueError(f"at most {ServerOptions.maxWorkers} workers, not {count}")
    return count


_workers.coerceDoc = "A number of worker processes (0: none)."  # type: ignore[attr-defined]


class ServerOptions(usage.Options):
    """
    The options of netframe-twistd: what to run (C{-y FILE} or a plugin
    subcommand) and how (foreground or daemon, logging, pidfile, reactor,
    privileges, profiling).

    Subcommands are the L{IServiceMaker} plugins found by
    C{netframe.plugin.getPlugins}; C{--help} lists them with their
    descriptions.

    @cvar defaultShutdownTimeout: the default of C{--shutdown-timeout}.
    @cvar maxWorkers: the largest C{--workers} count accepted.
    @ivar loadedPlugins: the subcommand plugins by name, once listed.
    @ivar argv: the arguments parsed (C{--workers} starts each worker with
        them).
    """

    synopsis = f"Usage: {PROGRAM} [options]"
    longdesc = (
        "Run an application: from a .tac file (-y FILE) or a plugin subcommand. "
        f"'{PROGRAM} SUBCOMMAND --help' shows a subcommand's options."
    )
    defaultShutdownTimeout: ClassVar[float] = 30.0
    maxWorkers: ClassVar[int] = 256

    optFlags = [
        ["nodaemon", "n", "Stay in the foreground (do not daemonize)."],
        ["debug", "b", "Run the application under the Python debugger (implies --nodaemon)."],
        ["savestats", None, "With --profile, save the raw statistics, not a text report."],
        ["no_save", "o", "Accepted for compatibility: applications are never saved."],
        ["syslog", None, "Log to syslog instead of a file."],
        ["kill", None, "Send SIGTERM to the server recorded in the pidfile, then exit."],
        ["spew", None, "Print every function call (very verbose; for debugging)."],
    ]
    optParameters = [
        ["python", "y", None, "Run the application defined by this Python (.tac) file."],
        ["logfile", "l", None, "Log to this file ('-' for stdout; default twistd.log)."],
        ["logger", None, None, "Dotted name of a callable returning a log observer."],
        ["log-format", None, "text", "Log as 'text' or as 'json' (one JSON record a line)."],
        ["profile", "p", None, "Profile the run, writing the results to this file."],
        ["profiler", None, "cprofile", "The profiler: cprofile or profile."],
        ["pidfile", None, "twistd.pid", "The pidfile (empty: write none)."],
        ["rundir", "d", ".", "Change to this directory before running."],
        ["chroot", None, None, "Chroot to this directory before running."],
        ["uid", "u", None, "Switch to this user after binding.", _uid],
        ["gid", "g", None, "Switch to this group after binding.", _gid],
        ["umask", None, None, "The umask (octal; default 077 when daemonizing).", _umask],
        ["prefix", None, "netframe", "The syslog identifier (with --syslog)."],
        [
            "shutdown-timeout",
            None,
            None,
            "Seconds a graceful shutdown may take before it is forced [default: 30].",
            _timeout,
        ],
        [
            "workers",
            None,
            0,
            (
                "Serve with this many worker processes sharing the listening sockets "
                "(the parent binds them, starts the workers and restarts any that dies)."
            ),
            _workers,
        ],
    ]

    #: Installs a reactor by short name (injectable for tests).
    _installReactor: Callable[[str], Any] = staticmethod(installReactorByName)
    #: Finds IServiceMaker plugins (injectable for tests).
    _getPlugins: Callable[[Any], Iterable[Any]] = staticmethod(getPlugins)

    def __init__(self) -> None:
        """Set the defaults."""
        super().__init__()
        self["reactor"] = None
        self.loadedPlugins: dict[str, Any] = {}
        self.argv: list[str] = []

    def parseOptions(self, options: Sequence[str] | None = None) -> None:
        """
        Parse C{options} (default C{sys.argv[1:]}), remembering them in
        L{argv}.

        @raise UsageError: On a bad option or combination.
        """
        self.argv = list(sys.argv[1:] if options is None else options)
        super().parseOptions(list(self.argv))

    @property
    def subCommands(self) -> list[list[Any]]:  # type: ignore[override]
        """
        The plugin subcommands: C{[tapname, None, optionsFactory, description]}.
        """
        if not self.loadedPlugins:
            for plugin in sorted(self._getPlugins(IServiceMaker), key=_tapname):
                self.loadedPlugins.setdefault(plugin.tapname, plugin)
        return [
            [name, None, _optionsFactory(plugin), plugin.description]
            for name, plugin in self.loadedPlugins.items()
        ]

    def opt_version(self) -> NoReturn:
        """Display the version and exit."""
        sys.stdout.write(f"{PROGRAM} (netframe-app) {__version__}\n")
        sys.stdout.flush()
        raise SystemExit(0)

    def opt_reactor(self, shortName: str) -> None:
        """
        Install the reactor called shortName (see --help-reactors), before
        anything else imports the reactor.
        """
        try:
            self._installReactor(shortName)
        except NoSuchReactor as e:
            raise usage.UsageError(str(e)) from None
        except AssertionError as e:
            raise usage.UsageError(f"cannot install reactor {shortName!r}: {e}") from None
        except ImportError as e:
            raise usage.UsageError(f"cannot install reactor {shortName!r}: {e}") from None
        self["reactor"] = shortName

    opt_r = opt_reactor

    def opt_help_reactors(self) -> NoReturn:
        """Display the reactors -r accepts and exit."""
        for reactorType in getReactorTypes():
            sys.stdout.write(f"    {reactorType.shortName:<12}{reactorType.description}\n")
        sys.stdout.flush()
        raise SystemExit(0)

    def opt_file(self, filename: str) -> NoReturn:
        """Not supported: pickled .tap files are unsafe; use -y FILE or a plugin."""
        raise usage.UsageError(
            f"cannot run {filename!r}: pickled .tap applications are not supported "
            "(they are unsafe to load); use a .tac file with -y, or a plugin subcommand"
        )

    opt_f = opt_file

    def parseArgs(self, *args: Any, **kwargs: Any) -> None:
        """
        Reached only when no subcommand matched the first argument.

        @raise UsageError: Always when arguments are given, naming the
            unknown subcommand.
        """
        if args:
            raise usage.UsageError(f"Unknown command: {args[0]}")

    def postOptions(self) -> None:
        """
        Check the combination and make paths absolute (they are opened
        before --rundir and --chroot apply).

        @raise UsageError: On a bad value or combination.
        """
        if self["log-format"] not in LOG_FORMATS:
            raise usage.UsageError(
                f"--log-format must be one of {', '.join(LOG_FORMATS)}, not {self['log-format']!r}"
            )
        if self["profiler"] not in PROFILERS:
            raise usage.UsageError(
                f"--profiler must be one of {', '.join(PROFILERS)}, not {self['profiler']!r}"
            )
        if self["shutdown-timeout"] is None:
            self["shutdown-timeout"] = self.defaultShutdownTimeout
        if self["workers"]:
            for option in ("chroot", "debug", "profile"):
                if self[option]:
                    raise usage.UsageError(f"--workers cannot be combined with --{option}")
        if self["python"] and self.subCommand:
            raise usage.UsageError("give either -y FILE or a subcommand, not both")
        if self["debug"]:
            self["nodaemon"] = 1
        if self["python"]:
            self["python"] = os.path.abspath(self["python"])
        if self["pidfile"]:
            self["pidfile"] = os.path.abspath(self["pidfile"])
        if self["logfile"] and self["logfile"] != "-":
            self["logfile"] = os.path.abspath(self["logfile"])
        if self["profile"]:
            self["profile"] = os.path.abspath(self["profile"])
        if not self["kill"] and not self["python"] and not self.subCommand:
            raise usage.UsageError(
                f"nothing to run: give -y FILE or a subcommand (see {PROGRAM} --help)"
            )


def _tapname(plugin: Any) -> str:
    """Sort key: a plugin's subcommand name."""
    return str(plugin.tapname)


def _optionsFactory(plugin: Any) -> Callable[[], Any]:
    """Return a callable building the plugin's Options (imported only then)."""

    def build() -> Any:
        return plugin.options()

    return build
