"""
The command-line client of the finger service's PB interface::

    python -m finger.client [--pb ENDPOINT] --user NAME [--password PASSWORD] COMMAND

COMMAND is one of:

  - C{get USER}: print USER's status (C{No such user}, exit status 1, for
    an unknown user);
  - C{set STATUS...}: set your own status (the words joined by spaces);
  - C{list}: print the user names, one a line.

Without C{--password} the password is asked for on a terminal, or read from
the first line of standard input otherwise (C{--password} is visible to
other local users in the process list: use it for demo passwords only).
C{--pb} is a client endpoint description (default
C{tcp:host=127.0.0.1:port=7080}; C{tls:...} for a TLS server).

Exit status: 0 on success, 1 when the command failed (connection, login,
refused status, unknown user), 2 for a usage error.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from typing import IO, Any, NoReturn

from netframe.core import task, usage
from netframe.core.defer import Deferred, succeed
from netframe.core.endpoints import clientFromString
from netframe.core.failure import Failure
from netframe.spread import pb

__all__ = [
    "DEFAULT_PB",
    "ClientOptions",
    "GetOptions",
    "ListOptions",
    "SetOptions",
    "main",
    "perform",
    "readPassword",
    "run",
]

DEFAULT_PB = "tcp:host=127.0.0.1:port=7080"
"""The PB endpoint unless C{--pb} says otherwise."""

NO_SUCH_USER = "No such user"
"""What C{get} prints for an unknown user."""


class GetOptions(usage.Options):
    """
    C{get USER}: print a user's status.
    """

    synopsis = "Usage: python -m finger.client [options] get USER"

    def parseArgs(self, user: str) -> None:
        """
        @param user: the user whose status to print.
        """
        self["user"] = user


class SetOptions(usage.Options):
    """
    C{set STATUS...}: set your own status.
    """

    synopsis = "Usage: python -m finger.client [options] set STATUS..."

    def parseArgs(self, *words: str) -> None:
        """
        @param words: the status, joined by single spaces.
        @raise netframe.core.usage.UsageError: without any word.
        """
        if not words:
            raise usage.UsageError("set needs the new status")
        self["status"] = " ".join(words)


class ListOptions(usage.Options):
    """
    C{list}: print the user names.
    """

    synopsis = "Usage: python -m finger.client [options] list"


class ClientOptions(usage.Options):
    """
    The options of C{python -m finger.client}.
    """

    synopsis = "Usage: python -m finger.client [options] (get USER | set STATUS... | list)"
    longdesc = "Log in to the finger service's PB interface and read or set statuses."
    optParameters = [
        ["pb", None, DEFAULT_PB, "The PB server's client endpoint."],
        ["user", "u", None, "Your user name."],
        ["password", None, None, "Your password (default: prompt or standard input)."],
    ]
    subCommands = [
        ["get", None, GetOptions, "Print a user's status."],
        ["set", None, SetOptions, "Set your own status."],
        ["list", None, ListOptions, "List the users."],
    ]

    def postOptions(self) -> None:
        """
        @raise netframe.core.usage.UsageError: without C{--user} or a command.
        """
        if not self["user"]:
            raise usage.UsageError("--user is required")
        if self.subCommand is None:
            raise usage.UsageError("give a command: get USER, set STATUS or list")


def readPassword(stdin: IO[str], prompt: Callable[[str], str] = getpass.getpass) -> str:
    """
    Get the password when C{--password} was not given.

    @param stdin: standard input.
    @param prompt: asks on the terminal without echo (when C{stdin} is one).
    @return: the password (the first line of C{stdin} without its line end
        when C{stdin} is not a terminal).
    @raise netframe.core.usage.UsageError: if standard input is empty.
    """
    if stdin.isatty():
        return prompt("Password: ")
    line = stdin.readline()
    if not line:
        raise usage.UsageError("no password: standard input is empty (or give --password)")
    return line.rstrip("\r\n")


def perform(avatar: Any, options: ClientOptions, out: IO[str]) -> Deferred[int]:
    """
    Run the command on a logged-in avatar and print its result.

    @param avatar: a L{netframe.spread.pb.RemoteReference} to the
        L{finger.perspective.FingerAvatar}.
    @param options: the parsed options (with a subcommand).
    @param out: where to print.
    @return: a Deferred firing with the exit status (failing with the
        server's error).
    """
    command, sub = options.subCommand, options.subOptions
    assert sub is not None, "parseOptions sets a subcommand (postOptions checks)"

    if command == "get":

        def printStatus(status: str | None) -> int:
            out.write(f"{NO_SUCH_USER if status is None else status}\n")
            return 1 if status is None else 0

        d: Deferred[Any] = avatar.callRemote("getStatus", sub["user"])
        return d.addCallback(printStatus)
    if command == "set":

        def printSet(_: object) -> int:
            out.write(f"Status of {options['user']} set to: {sub['status']}\n")
            return 0

        d = avatar.callRemote("setStatus", sub["status"])
        return d.addCallback(printSet)

    def printNames(names: list[str]) -> int:
        for name in names:
            out.write(f"{name}\n")
        return 0

    d = avatar.callRemote("listUsers")
    return d.addCallback(printNames)


def main(
    reactor: Any,
    argv: list[str],
    stdin: IO[str] | None = None,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
) -> Deferred[int]:
    """
    Parse C{argv}, connect, log in, run the command.

    @param reactor: the reactor.
    @param argv: the arguments (without the program name).
    @param stdin: where a password may come from (default C{sys.stdin}).
    @param stdout: where results go (default C{sys.stdout}).
    @param stderr: where errors go (default C{sys.stderr}).
    @return: a Deferred firing with the exit status.
    """
    stdin = sys.stdin if stdin is None else stdin
    out = sys.stdout if stdout is None else stdout
    err = sys.stderr if stderr is None else stderr
    options = ClientOptions()
    try:
        options.parseOptions(argv)
        password = options["password"]
        if password is None:
            password = readPassword(stdin)
        endpoint = clientFromString(reactor, options["pb"])
    except (usage.UsageError, ValueError) as e:
        err.write(f"{options.synopsis}\nfinger.client: {e}\n")
        return succeed(2)

    factory = pb.PBClientFactory()

    def failedTo(what: str) -> Callable[[Failure], Failure]:
        def report(failure: Failure) -> Failure:
            err.write(f"finger.client: {what}: {failure.getErrorMessage()}\n")
            raise _Reported()

        return report

    d: Deferred[Any] = endpoint.connect(factory)
    d.addErrback(failedTo(f"cannot connect to {options['pb']}"))
    d.addCallback(lambda _: factory.getRootObject())
    d.addCallback(
        lambda root: root.callRemote("loginWithPassword", options["user"], password).addErrback(
            failedTo("login failed")
        )
    )
    d.addCallback(
        lambda avatar: perform(avatar, options, out).addErrback(
            failedTo(f"{options.subCommand} failed")
        )
    )

    def finish(result: int | Failure) -> int:
        factory.disconnect()
        if isinstance(result, Failure):
            if result.check(_Reported) is None:
                err.write(f"finger.client: {result.getErrorMessage()}\n")
            return 1
        return result

    return d.addBoth(finish)


class _Reported(Exception):
    """
    A failure already reported on standard error.
    """


def run() -> NoReturn:
    """
    The console entry point: run L{main} with C{sys.argv} and exit with its
    status.

    @raise SystemExit: always.
    """

    def _main(reactor: Any) -> Deferred[None]:
        def exit(status: int) -> None:
            if status:
                raise SystemExit(status)

        return main(reactor, sys.argv[1:]).addCallback(exit)

    task.react(_main)


if __name__ == "__main__":
    run()
