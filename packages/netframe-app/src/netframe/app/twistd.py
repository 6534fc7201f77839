"""
netframe-twistd: run an application from a .tac file or a plugin subcommand.

Command line (also C{python -m netframe.app})::

    netframe-twistd [options] -y FILE.tac
    netframe-twistd [options] SUBCOMMAND [subcommand options]

By default the server daemonizes (double fork, new session, stdio to
/dev/null), records its pid in C{twistd.pid} (held with an advisory lock;
stale files are replaced) and logs to C{twistd.log}; the starting process
waits until the application has started and exits non-zero with the
daemon's error if it did not. C{-n} keeps it in the foreground, logging to
standard output. SIGTERM and SIGINT shut down gracefully: listening stops,
services' C{stopService} Deferreds are awaited for at most
C{--shutdown-timeout} seconds. SIGHUP reopens the log file. Under systemd
(C{NOTIFY_SOCKET}), C{READY=1}, C{STOPPING=1} and watchdog pings are sent.
C{--workers N} runs the application in N worker processes that share its
listening sockets, bound once by the parent, which restarts workers that
die and stops them all on SIGTERM.
C{--help} lists every option and every L{IServiceMaker} plugin subcommand.

Errors a user can fix (missing or broken .tac, unknown subcommand or
reactor, unwritable log file or pidfile directory, a live server holding the
pidfile) print one line on stderr and exit with status 1.

An application that finds, after start-up, that it cannot go on calls
L{stopWithStatus} (C{stopWithStatus(1, "cannot open the database")}): the
reactor stops cleanly and netframe-twistd exits with that status, so
C{Restart=on-failure} and scripts see the failure (a netframe extension:
Twisted's C{reactor.stop()} always exits 0).

Twisted's C{twisted.scripts.twistd}.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from netframe.app._runner import MAX_EXIT_STATUS, TwistdRunner, stopWithStatus
from netframe.app._twistdoptions import PROGRAM, ServerOptions
from netframe.core.usage import UsageError

__all__ = ["MAX_EXIT_STATUS", "ServerOptions", "run", "runApp", "stopWithStatus"]

ServerOptions.__module__ = __name__


def runApp(config: ServerOptions) -> int:
    """
    Run the application the parsed options describe.

    @param config: parsed options.
    @return: the exit status (0 on a clean run, 1 on a startup failure,
        the status given to L{stopWithStatus} when the application called it).
        In the original process of a daemon, the process exits at once with
        the daemon's startup status instead of returning.
    """
    runner = TwistdRunner(config)
    code = runner.run()
    if runner.isDaemonParent:
        sys.stderr.flush()
        os._exit(code)
    return code


def run(argv: Sequence[str] | None = None) -> None:
    """
    The netframe-twistd entry point: parse C{argv} (default C{sys.argv[1:]})
    and run the application, then exit with its status.

    @param argv: the arguments without the program name.
    @raise SystemExit: Always, with the exit status (0 after --help and
        --version, 1 on a usage error or startup failure).
    """
    if os.getcwd() not in sys.path and os.path.abspath(os.curdir) not in sys.path:
        sys.path.insert(0, os.path.abspath(os.curdir))
    config = ServerOptions()
    try:
        config.parseOptions(None if argv is None else list(argv))
    except UsageError as e:
        sys.stderr.write(f"{config.getSynopsis()}\n{PROGRAM}: {e}\n")
        sys.stderr.write(f"Try '{PROGRAM} --help' for usage details.\n")
        raise SystemExit(1) from None
    raise SystemExit(runApp(config))


run.__module__ = __name__
runApp.__module__ = __name__
stopWithStatus.__module__ = __name__
