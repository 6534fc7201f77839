"""
Tests for finger.tap and finger.twistdplugin: the netframe-twistd subcommand.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from zope.interface.verify import verifyObject

from finger import tap
from finger.perspective import FingerPBRoot
from finger.protocol import FingerFactory
from finger.store import FingerService
from finger.twistdplugin import finger as serviceMaker
from netframe.app.service import IServiceMaker
from netframe.core import usage
from netframe.core.testing import MemoryReactorClock
from netframe.cred.checkers import HashedPasswordFileChecker
from netframe.cred.passwd import setPassword
from netframe.plugin import IPlugin
from netframe.spread import pb


@pytest.fixture
def passwords(tmp_path: Path) -> Path:
    """A hashed password file with alice (cheap scrypt parameters)."""
    path = tmp_path / "passwd"
    setPassword(path, "alice", "secret", n=2, r=1, p=1)
    return path


def parse(*argv: str) -> tap.Options:
    """Parse the finger options."""
    options = tap.Options()
    options.parseOptions(list(argv))
    return options


def listening(service: Any, reactor: MemoryReactorClock) -> list[tuple[int, Any, str]]:
    """Start the listening services of C{service}; return (port, factory, interface)."""
    for child in service:
        if not isinstance(child, FingerService):
            child.privilegedStartService()
    return [(port, factory, interface) for port, factory, _, interface in reactor.tcpServers]


class OptionsTests:
    """The options of the finger subcommand."""

    def test_defaults(self) -> None:
        """Loopback ports 7079/7080, finger.sqlite, no checkers."""
        options = parse()
        assert options["port"] == "tcp:port=7079:interface=127.0.0.1"
        assert options["pb-port"] == "tcp:port=7080:interface=127.0.0.1"
        assert options["db"] == "finger.sqlite"
        assert options["credCheckers"] == []

    def test_hashedAuth(self, passwords: Path) -> None:
        """--auth hashed:FILE makes a hashed password file checker."""
        options = parse("--auth", f"hashed:{passwords}")
        (checker,) = options["credCheckers"]
        assert isinstance(checker, HashedPasswordFileChecker)

    def test_missingPasswordFile(self, tmp_path: Path) -> None:
        """A missing password file is a usage error naming it."""
        with pytest.raises(usage.UsageError, match="nope"):
            parse("--auth", f"hashed:{tmp_path / 'nope'}")

    @pytest.mark.parametrize("option", ["--port", "--pb-port", "--db"])
    def test_emptyValues(self, option: str) -> None:
        """Empty endpoints or database names are refused."""
        with pytest.raises(usage.UsageError, match=f"{option} must not be empty"):
            parse(f"{option}=")


class MakeServiceTests:
    """makeService builds the store, finger and (with --auth) PB services."""

    def test_withoutAuth(self, events: list[dict[str, Any]]) -> None:
        """Without --auth: store and finger only, and a log line says why."""
        reactor = MemoryReactorClock()
        service = tap.makeService(parse("--port", "tcp:port=1079"), reactor)
        children = list(service)
        assert len(children) == 2
        assert isinstance(children[0], FingerService)
        (port,) = listening(service, reactor)
        assert port[0] == 1079
        assert isinstance(port[1], FingerFactory)
        assert any("PB interface is off" in e.get("log_format", "") for e in events)

    def test_withAuth(self, passwords: Path) -> None:
        """With --auth: the PB root listens on --pb-port too, on loopback by default."""
        reactor = MemoryReactorClock()
        service = tap.makeService(parse("--auth", f"hashed:{passwords}"), reactor)
        ports = listening(service, reactor)
        assert [(port, interface) for port, _, interface in ports] == [
            (7079, "127.0.0.1"),
            (7080, "127.0.0.1"),
        ]
        pbFactory = ports[1][1]
        assert isinstance(pbFactory, pb.PBServerFactory)
        assert isinstance(pbFactory.root, FingerPBRoot)

    def test_databaseOption(self) -> None:
        """--db names the sqlite3 file of the pool."""
        reactor = MemoryReactorClock()
        service = tap.makeService(parse("--db", "other.sqlite"), reactor)
        store = next(iter(service))
        assert isinstance(store, FingerService)
        assert store.database == "other.sqlite"
        assert store.store.pool.connargs == ("other.sqlite",)

    def test_malformedEndpoint(self) -> None:
        """A malformed endpoint description is a ValueError."""
        with pytest.raises(ValueError):
            tap.makeService(parse("--port", "tcp:port=notanumber"), MemoryReactorClock())


class PluginTests:
    """The twistd plugin object."""

    def test_serviceMaker(self) -> None:
        """It is an IPlugin and IServiceMaker named finger, backed by finger.tap."""
        assert verifyObject(IServiceMaker, serviceMaker)
        assert IPlugin.providedBy(serviceMaker)
        assert serviceMaker.tapname == "finger"
        assert serviceMaker.options is tap.Options
