"""
Unit tests for the UNIX, adopted and systemd endpoints and the unix: and
systemd: description parsers, against MemoryReactor (no real sockets).
"""

from __future__ import annotations

import os
import socket
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from zope.interface.verify import verifyObject

from netframe.core import _endpoints_unix, endpoints, error
from netframe.core.address import UNIXAddress
from netframe.core.failure import Failure
from netframe.core.interfaces import IStreamClientEndpoint, IStreamServerEndpoint
from netframe.core.protocol import Factory, Protocol
from netframe.core.testing import MemoryReactor, RaisingMemoryReactor, StringTransport


def result(d: Any) -> Any:
    """Return the result of an already fired Deferred."""
    out: list[Any] = []
    d.addBoth(out.append)
    assert out, "Deferred has not fired"
    return out[0]


class UNIXServerEndpointTests:
    """UNIXServerEndpoint."""

    def test_listen(self) -> None:
        """listen calls listenUNIX with the endpoint's settings and fires with the port."""
        r = MemoryReactor()
        factory = Factory()
        ep = endpoints.UNIXServerEndpoint(r, "/tmp/x.sock", backlog=7, mode=0o600, wantPID=1)
        assert verifyObject(IStreamServerEndpoint, ep)
        port = result(ep.listen(factory))
        assert r.unixServers == [("/tmp/x.sock", factory, 7, 0o600, 1)]
        assert port.getHost() == UNIXAddress("/tmp/x.sock")

    def test_listenFails(self) -> None:
        """A failing listenUNIX fails the Deferred."""
        r = RaisingMemoryReactor(listenException=error.CannotListenError(None, "/x", "busy"))
        failure = result(endpoints.UNIXServerEndpoint(r, "/x").listen(Factory()))
        assert isinstance(failure, Failure) and failure.check(error.CannotListenError)

    def test_repr(self) -> None:
        """The repr names the address."""
        assert "/tmp/x.sock" in repr(endpoints.UNIXServerEndpoint(MemoryReactor(), "/tmp/x.sock"))


class UNIXClientEndpointTests:
    """UNIXClientEndpoint."""

    def test_connect(self) -> None:
        """connect calls connectUNIX with path, timeout and checkPID."""
        r = MemoryReactor()
        ep = endpoints.UNIXClientEndpoint(r, "/tmp/x.sock", timeout=3, checkPID=1)
        assert verifyObject(IStreamClientEndpoint, ep)
        d = ep.connect(Factory.forProtocol(Protocol))
        [(path, wrapper, timeout, checkPID)] = r.unixClients
        assert (path, timeout, checkPID) == ("/tmp/x.sock", 3, 1)
        proto = wrapper.buildProtocol(UNIXAddress("/tmp/x.sock"))
        proto.makeConnection(StringTransport())
        assert isinstance(result(d), Protocol)

    def test_connectFails(self) -> None:
        """A failed connection attempt fails the Deferred."""
        r = MemoryReactor()
        d = endpoints.UNIXClientEndpoint(r, "/tmp/x.sock").connect(Factory.forProtocol(Protocol))
        wrapper = r.unixClients[0][1]
        wrapper.clientConnectionFailed(r.connectors[0], Failure(error.BadFileError()))
        assert result(d).check(error.BadFileError)

    def test_cancel(self) -> None:
        """Cancelling fails with ConnectingCancelledError naming the path."""
        r = MemoryReactor()
        d = endpoints.UNIXClientEndpoint(r, "/tmp/x.sock").connect(Factory.forProtocol(Protocol))
        d.cancel()
        failure = result(d)
        assert failure.check(error.ConnectingCancelledError)
        assert failure.value.address == UNIXAddress("/tmp/x.sock")


class AdoptedStreamServerEndpointTests:
    """AdoptedStreamServerEndpoint."""

    def test_listenAdoptsAndCloses(self) -> None:
        """listen adopts the descriptor, then closes the original."""
        r = MemoryReactor()
        closed: list[int] = []
        ep = endpoints.AdoptedStreamServerEndpoint(r, 7, socket.AF_INET)
        ep._close = closed.append
        factory = Factory()
        result(ep.listen(factory))
        assert r.adoptedPorts == [(7, socket.AF_INET, factory)]
        assert closed == [7]

    def test_listenOnce(self) -> None:
        """A second listen fails with AlreadyListened without adopting again."""
        r = MemoryReactor()
        ep = endpoints.AdoptedStreamServerEndpoint(r, 7, socket.AF_INET)
        ep._close = lambda fd: None
        result(ep.listen(Factory()))
        assert result(ep.listen(Factory())).check(error.AlreadyListened)
        assert len(r.adoptedPorts) == 1

    def test_adoptionFailureKeepsDescriptor(self) -> None:
        """If adoption fails the Deferred fails and the descriptor is not closed."""
        r = MemoryReactor()
        closed: list[int] = []
        ep = endpoints.AdoptedStreamServerEndpoint(r, 7, socket.AF_UNIX + 1000)
        ep._close = closed.append
        assert result(ep.listen(Factory())).check(error.UnsupportedAddressFamily)
        assert closed == []


class UnixStringTests:
    """unix: descriptions."""

    def test_serverPositional(self) -> None:
        """unix:PATH gives a server endpoint with the defaults."""
        ep = endpoints.serverFromString(MemoryReactor(), "unix:/var/run/web.sock")
        assert isinstance(ep, endpoints.UNIXServerEndpoint)
        assert (ep._address, ep._backlog, ep._mode, ep._wantPID) == (
            "/var/run/web.sock",
            50,
            0o666,
            0,
        )

    def test_serverKeywords(self) -> None:
        """address, mode (octal), backlog and lockfile by name."""
        ep = endpoints.serverFromString(
            MemoryReactor(), "unix:address=/var/run/web.sock:mode=0600:backlog=9:lockfile=1"
        )
        assert (ep._address, ep._backlog, ep._mode, ep._wantPID) == (
            "/var/run/web.sock",
            9,
            0o600,
            1,
        )

    def test_serverWantPIDAlias(self) -> None:
        """The older wantPID=1 spelling means lockfile=1."""
        ep = endpoints.serverFromString(MemoryReactor(), "unix:/home/u/.twistd-web-pb:wantPID=1")
        assert ep._wantPID == 1

    def test_serverOctalForms(self) -> None:
        """mode accepts 660, 0660 and 0o660."""
        for text in ("660", "0660", "0o660"):
            ep = endpoints.serverFromString(MemoryReactor(), f"unix:/s:mode={text}")
            assert ep._mode == 0o660

    def test_serverEscapedColon(self) -> None:
        """A backslash-escaped colon is part of the path."""
        ep = endpoints.serverFromString(MemoryReactor(), r"unix:/tmp/a\:b.sock")
        assert ep._address == "/tmp/a:b.sock"

    def test_clientPositionalAndKeywords(self) -> None:
        """unix:PATH and unix:path=...:timeout=...:checkPID=... give client endpoints."""
        ep = endpoints.clientFromString(MemoryReactor(), "unix:/var/run/web.sock")
        assert isinstance(ep, endpoints.UNIXClientEndpoint)
        assert (ep._path, ep._timeout, ep._checkPID) == ("/var/run/web.sock", 30, 0)
        ep = endpoints.clientFromString(
            MemoryReactor(), "unix:path=/var/run/web.sock:timeout=2.5:checkPID=1"
        )
        assert (ep._path, ep._timeout, ep._checkPID) == ("/var/run/web.sock", 2.5, 1)

    @pytest.mark.parametrize(
        "description,fragment",
        [
            ("unix:", "missing address"),
            ("unix:/s:mode=999", "'999'"),
            ("unix:/s:mode=17777", "at most 7777"),
            ("unix:/s:mode=", "''"),
            ("unix:/s:backlog=0", "backlog"),
            ("unix:/s:backlog=-1", "'-1'"),
            ("unix:/s:lockfile=yes", "'yes'"),
            ("unix:/s:lockfile=1:wantPID=1", "not both"),
            ("unix:/s:colour=red", "'colour'"),
        ],
    )
    def test_badServer(self, description: str, fragment: str) -> None:
        """Malformed unix: server descriptions raise ValueError naming the bad part."""
        with pytest.raises(ValueError) as exc:
            endpoints.serverFromString(MemoryReactor(), description)
        assert fragment in str(exc.value)

    @pytest.mark.parametrize(
        "description,fragment",
        [
            ("unix:", "missing path"),
            ("unix:/s:timeout=soon", "'soon'"),
            ("unix:/s:timeout=-1", "'-1'"),
            ("unix:/s:checkPID=2", "'2'"),
            ("unix:/s:mode=600", "'mode'"),
        ],
    )
    def test_badClient(self, description: str, fragment: str) -> None:
        """Malformed unix: client descriptions raise ValueError naming the bad part."""
        with pytest.raises(ValueError) as exc:
            endpoints.clientFromString(MemoryReactor(), description)
        assert fragment in str(exc.value)

    @given(st.text(alphabet=st.characters(blacklist_characters="\0"), min_size=1, max_size=40))
    def test_escapedPathRoundTrip(self, path: str) -> None:
        """Any path, with its backslashes, colons and equals signs escaped, parses back unchanged."""
        escaped = "".join("\\" + c if c in "\\:=" else c for c in path)
        ep = endpoints.serverFromString(MemoryReactor(), f"unix:address={escaped}")
        assert ep._address == path
        client = endpoints.clientFromString(MemoryReactor(), f"unix:{escaped}")
        assert client._path == path


def env(**values: str) -> dict[str, str]:
    """Build a socket-activation environment."""
    return dict(values)


class ListenFDsTests:
    """listenFDs: reading LISTEN_FDS / LISTEN_PID / LISTEN_FDNAMES."""

    def test_descriptorsFromThree(self) -> None:
        """LISTEN_FDS=2 for our PID gives descriptors 3 and 4."""
        fds, names = _endpoints_unix.listenFDs(
            env(LISTEN_FDS="2", LISTEN_PID="42"), getpid=lambda: 42
        )
        assert (fds, names) == ([3, 4], [])

    def test_names(self) -> None:
        """LISTEN_FDNAMES gives one name per descriptor."""
        fds, names = _endpoints_unix.listenFDs(
            env(LISTEN_FDS="2", LISTEN_PID="42", LISTEN_FDNAMES="web:admin"), getpid=lambda: 42
        )
        assert (fds, names) == ([3, 4], ["web", "admin"])

    @pytest.mark.parametrize(
        "environ,fragment",
        [
            ({}, "not set"),
            ({"LISTEN_FDS": "1"}, "not set"),
            ({"LISTEN_FDS": "1", "LISTEN_PID": "41"}, "LISTEN_PID=41 is not this process"),
            ({"LISTEN_FDS": "x", "LISTEN_PID": "42"}, "LISTEN_FDS"),
            ({"LISTEN_FDS": "-1", "LISTEN_PID": "42"}, "LISTEN_FDS"),
            ({"LISTEN_FDS": "01", "LISTEN_PID": "42"}, "LISTEN_FDS"),
            ({"LISTEN_FDS": "1", "LISTEN_PID": " 42"}, "LISTEN_PID"),
            ({"LISTEN_FDS": "2", "LISTEN_PID": "42", "LISTEN_FDNAMES": "a"}, "LISTEN_FDNAMES"),
        ],
    )
    def test_badEnvironment(self, environ: dict[str, str], fragment: str) -> None:
        """Missing, foreign or malformed variables raise ValueError saying which."""
        with pytest.raises(ValueError, match=fragment):
            _endpoints_unix.listenFDs(environ, getpid=lambda: 42)

    def test_countAtLimit(self) -> None:
        """MAX_LISTEN_FDS descriptors are accepted; one more is refused."""
        limit = _endpoints_unix.MAX_LISTEN_FDS
        fds, _ = _endpoints_unix.listenFDs(
            env(LISTEN_FDS=str(limit), LISTEN_PID="1"), getpid=lambda: 1
        )
        assert len(fds) == limit and fds[-1] == 2 + limit
        with pytest.raises(ValueError, match="limit"):
            _endpoints_unix.listenFDs(
                env(LISTEN_FDS=str(limit + 1), LISTEN_PID="1"), getpid=lambda: 1
            )

    def test_defaultsToProcessEnvironment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without arguments the process environment and PID are used."""
        monkeypatch.setenv("LISTEN_FDS", "1")
        monkeypatch.setenv("LISTEN_PID", str(os.getpid()))
        monkeypatch.delenv("LISTEN_FDNAMES", raising=False)
        assert _endpoints_unix.listenFDs() == ([3], [])


class SystemdStringTests:
    """systemd: descriptions (environment patched; nothing adopted)."""

    @pytest.fixture(autouse=True)
    def activated(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Pretend two sockets named web and admin were passed to this process."""
        monkeypatch.setenv("LISTEN_FDS", "2")
        monkeypatch.setenv("LISTEN_PID", str(os.getpid()))
        monkeypatch.setenv("LISTEN_FDNAMES", "web:admin")

    @pytest.mark.parametrize(
        "description,fd,family",
        [
            ("systemd:domain=INET:index=0", 3, socket.AF_INET),
            ("systemd:domain=INET6:index=1", 4, socket.AF_INET6),
            ("systemd:INET:1", 4, socket.AF_INET),
            ("systemd:domain=INET:name=admin", 4, socket.AF_INET),
        ],
    )
    def test_parse(self, description: str, fd: int, family: int) -> None:
        """domain and index (or name) select the inherited descriptor and family."""
        ep = endpoints.serverFromString(MemoryReactor(), description)
        assert isinstance(ep, endpoints.AdoptedStreamServerEndpoint)
        assert (ep.fileno, ep.addressFamily) == (fd, family)

    @pytest.mark.parametrize(
        "description,fragment",
        [
            ("systemd:index=0", "missing domain"),
            ("systemd:domain=UNIX:index=0", "only INET and INET6"),
            ("systemd:domain=inet:index=0", "'inet'"),
            ("systemd:domain=INET", "exactly one of index or name"),
            ("systemd:domain=INET:index=0:name=web", "exactly one of index or name"),
            ("systemd:domain=INET:index=2", "out of range: 2 descriptor"),
            ("systemd:domain=INET:index=x", "'x'"),
            ("systemd:domain=INET:name=db", "'db'"),
        ],
    )
    def test_bad(self, description: str, fragment: str) -> None:
        """Bad systemd: descriptions raise ValueError naming the bad part."""
        with pytest.raises(ValueError) as exc:
            endpoints.serverFromString(MemoryReactor(), description)
        assert fragment in str(exc.value)

    def test_notActivated(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without LISTEN_* variables the description is refused, naming them."""
        monkeypatch.delenv("LISTEN_FDS")
        with pytest.raises(ValueError, match="LISTEN_FDS"):
            endpoints.serverFromString(MemoryReactor(), "systemd:domain=INET:index=0")

    def test_blockingInheritedDescriptor(self) -> None:
        """A blocking inherited descriptor fails listen with a hint about NonBlocking=true."""
        r, w = os.pipe()
        try:
            ep = _endpoints_unix._SystemdEndpoint(MemoryReactor(), r, socket.AF_INET)
            failure = result(ep.listen(Factory()))
        finally:
            os.close(r)
            os.close(w)
        assert failure.check(ValueError)
        assert "NonBlocking=true" in str(failure.value)

    def test_adoptedOncePerProcess(self) -> None:
        """Two endpoints for the same inherited descriptor: the second listen fails."""
        closed: list[int] = []
        fd, w = os.pipe()
        os.set_blocking(fd, False)
        reactor = MemoryReactor()
        first = _endpoints_unix._SystemdEndpoint(reactor, fd, socket.AF_INET)
        first._close = closed.append
        second = _endpoints_unix._SystemdEndpoint(reactor, fd, socket.AF_INET)
        try:
            result(first.listen(Factory()))
            assert result(second.listen(Factory())).check(error.AlreadyListened)
        finally:
            _endpoints_unix._adoptedSystemdFds.discard(fd)
            os.close(fd)
            os.close(w)
        assert closed == [fd]
        assert len(reactor.adoptedPorts) == 1
