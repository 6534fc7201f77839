"""
Tests for finger.client: options, password input and the commands, over an
in-memory PB connection.
"""

from __future__ import annotations

import io
from typing import Any

import pytest

from finger.client import ClientOptions, main, perform, readPassword
from finger.perspective import FingerPBRoot, FingerRealm
from finger.store import UserStore
from netframe.core import usage
from netframe.core.testing import MemoryReactorClock
from netframe.cred.checkers import InMemoryUsernamePasswordDatabaseDontUse
from netframe.cred.portal import Portal


class Terminal(io.StringIO):
    """A stdin that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def parse(*argv: str) -> ClientOptions:
    """Parse client options."""
    options = ClientOptions()
    options.parseOptions(list(argv))
    return options


@pytest.fixture
def avatar(helpers: Any) -> tuple[Any, Any]:
    """(pair, alice's avatar reference) over an in-memory PB connection."""
    store = UserStore(helpers.syncPool())
    helpers.succeeded(store.prepare())
    checker = InMemoryUsernamePasswordDatabaseDontUse(alice=b"alice")
    pair = helpers.pbPair(FingerPBRoot(Portal(FingerRealm(store), [checker])))
    reference = pair.call(pair.root().callRemote("loginWithPassword", "alice", "alice"))
    return pair, reference


class ReadPasswordTests:
    """readPassword asks on a terminal, or reads a line otherwise."""

    def test_terminalPrompts(self) -> None:
        """On a terminal the prompt function is used."""
        prompts: list[str] = []

        def prompt(text: str) -> str:
            prompts.append(text)
            return "typed"

        assert readPassword(Terminal(), prompt) == "typed"
        assert prompts == ["Password: "]

    def test_firstLineOfPipe(self) -> None:
        """Otherwise the first line, without its line end, is the password."""
        assert readPassword(io.StringIO("s3cret\r\nignored\n")) == "s3cret"

    def test_noNewline(self) -> None:
        """A last line without a line end is used as it is."""
        assert readPassword(io.StringIO("s3cret")) == "s3cret"

    def test_emptyInput(self) -> None:
        """Empty standard input is a usage error."""
        with pytest.raises(usage.UsageError, match="standard input is empty"):
            readPassword(io.StringIO(""))


class ClientOptionsTests:
    """The command line of the client."""

    def test_get(self) -> None:
        """get USER."""
        options = parse("--user", "alice", "--password", "pw", "get", "bob")
        assert options.subCommand == "get"
        assert options.subOptions is not None
        assert options.subOptions["user"] == "bob"
        assert options["pb"] == "tcp:host=127.0.0.1:port=7080"

    def test_setJoinsWords(self) -> None:
        """set STATUS... joins its words with spaces."""
        options = parse("--user", "alice", "set", "Writing", "the", "docs")
        assert options.subOptions is not None
        assert options.subOptions["status"] == "Writing the docs"

    def test_setNeedsStatus(self) -> None:
        """set without a status is a usage error."""
        with pytest.raises(usage.UsageError, match="needs the new status"):
            parse("--user", "alice", "set")

    def test_userRequired(self) -> None:
        """--user is required."""
        with pytest.raises(usage.UsageError, match="--user is required"):
            parse("list")

    def test_commandRequired(self) -> None:
        """A command is required."""
        with pytest.raises(usage.UsageError, match="give a command"):
            parse("--user", "alice")

    def test_getNeedsOneUser(self) -> None:
        """get takes exactly one user."""
        with pytest.raises(usage.UsageError):
            parse("--user", "alice", "get")
        with pytest.raises(usage.UsageError):
            parse("--user", "alice", "get", "a", "b")


class PerformTests:
    """perform runs one command on the avatar and prints its result."""

    def run(self, pair: Any, reference: Any, *argv: str) -> tuple[int, str]:
        out = io.StringIO()
        status = pair.call(perform(reference, parse("--user", "alice", *argv), out))
        return status, out.getvalue()

    def test_get(self, avatar: tuple[Any, Any]) -> None:
        """get prints the status and succeeds."""
        assert self.run(*avatar, "get", "bob") == (0, "Giving a tutorial now, sorry!\n")

    def test_getUnknown(self, avatar: tuple[Any, Any]) -> None:
        """get of an unknown user prints 'No such user' and exits 1."""
        assert self.run(*avatar, "get", "mallory") == (1, "No such user\n")

    def test_set(self, avatar: tuple[Any, Any]) -> None:
        """set stores the status and confirms it."""
        assert self.run(*avatar, "set", "Writing", "docs") == (
            0,
            "Status of alice set to: Writing docs\n",
        )
        assert self.run(*avatar, "get", "alice") == (0, "Writing docs\n")

    def test_list(self, avatar: tuple[Any, Any]) -> None:
        """list prints the names, one a line."""
        assert self.run(*avatar, "list") == (0, "alice\nbob\n")

    def test_refusedStatusFails(self, avatar: tuple[Any, Any]) -> None:
        """A refused status fails the Deferred with the server's message."""
        pair, reference = avatar
        d = perform(reference, parse("--user", "alice", "set", "x" * 201), io.StringIO())
        assert "at most 200 characters" in pair.fail(d).getErrorMessage()


class MainTests:
    """main's handling of bad command lines."""

    def test_usageError(self, helpers: Any) -> None:
        """A usage error prints the synopsis and the error, and gives status 2."""
        err = io.StringIO()
        status = helpers.succeeded(
            main(MemoryReactorClock(), ["list"], io.StringIO(), io.StringIO(), err)
        )
        assert status == 2
        assert err.getvalue().startswith("Usage: python -m finger.client")
        assert "--user is required" in err.getvalue()

    def test_badEndpoint(self, helpers: Any) -> None:
        """A malformed --pb endpoint gives status 2."""
        err = io.StringIO()
        argv = ["--pb", "nosuchtype:x", "--user", "a", "--password", "p", "list"]
        status = helpers.succeeded(main(MemoryReactorClock(), argv, None, io.StringIO(), err))
        assert status == 2
        assert "finger.client:" in err.getvalue()

    def test_connectionFailure(self, helpers: Any) -> None:
        """A refused connection is reported on stderr with status 1."""
        from netframe.core.error import ConnectionRefusedError

        reactor = MemoryReactorClock()
        err = io.StringIO()
        argv = ["--user", "a", "--password", "p", "list"]
        d = main(reactor, argv, None, io.StringIO(), err)
        _, _, factory, _, _ = reactor.tcpClients[0]
        connector = reactor.connectors[0]
        factory.clientConnectionFailed(connector, ConnectionRefusedError())
        assert helpers.succeeded(d) == 1
        assert err.getvalue().startswith("finger.client: cannot connect to tcp:host=127.0.0.1")
