"""
L{HostnameEndpoint}: a name-based TCP client endpoint that resolves the name
to all its addresses and races connections to them ("happy eyeballs",
RFC 8305).

Implementation module of L{netframe.core.endpoints}.
"""

from __future__ import annotations

import importlib
import math
import socket
from typing import Any, cast

from zope.interface import implementer

from netframe.core import error
from netframe.core._endpoints import _WrappingProtocol
from netframe.core._reactorbase import _isIPAddress
from netframe.core.address import HostnameAddress
from netframe.core.defer import Deferred, succeed
from netframe.core.failure import Failure
from netframe.core.interfaces import IStreamClientEndpoint
from netframe.core.protocol import ClientFactory
from netframe.core.threads import deferToThreadPool

#: One resolved destination: C{(family, sockaddr)} with C{sockaddr[0]} the
#: address text and C{sockaddr[1]} the port.
_Destination = tuple[int, tuple[Any, ...]]


def _idnaEncode(host: str) -> str:
    """
    Return the ASCII (IDNA) form of C{host}.

    The C{idna} package (IDNA 2008 with UTS 46 mapping) is used when it is
    installed, otherwise Python's IDNA 2003 codec.

    @raise ValueError: If C{host} cannot be encoded.
    """
    if host.isascii():
        return host
    try:
        idna = importlib.import_module("idna")
    except ImportError:
        try:
            return host.encode("idna").decode("ascii")
        except UnicodeError as e:
            raise ValueError(f"host name {host!r} cannot be IDNA-encoded: {e}") from None
    try:
        encoded: bytes = idna.encode(host, uts46=True)
    except (idna.IDNAError, UnicodeError, ValueError) as e:
        raise ValueError(f"host name {host!r} cannot be IDNA-encoded: {e}") from None
    return encoded.decode("ascii")


def _interleave(destinations: list[_Destination]) -> list[_Destination]:
    """
    Order destinations as RFC 8305 section 4 asks: drop duplicates, then
    alternate address families, starting with the family of the first one.
    """
    seen: set[tuple[int, str]] = set()
    byFamily: dict[int, list[_Destination]] = {}
    for family, sockaddr in destinations:
        key = (family, sockaddr[0])
        if key in seen:
            continue
        seen.add(key)
        byFamily.setdefault(family, []).append((family, sockaddr))
    queues = list(byFamily.values())
    ordered: list[_Destination] = []
    index = 0
    while queues:
        current = queues[index % len(queues)]
        ordered.append(current.pop(0))
        if not current:
            queues.remove(current)
            if queues:
                index %= len(queues)
        else:
            index += 1
    return ordered


class _HostnameConnectError(error.ConnectError):
    """
    Every address of a host name failed.

    @ivar attempts: C{(address, failure)} for each attempt, in start order.
    """

    _description = "An error occurred while connecting"

    def __init__(self, host: str, port: int, attempts: list[tuple[str, Failure]]) -> None:
        """
        @param host: the host name.
        @param port: the port.
        @param attempts: the address tried and the failure of each attempt.
        """
        self.attempts = attempts
        details = "; ".join(f"{address}: {f.getErrorMessage()}" for address, f in attempts)
        super().__init__(
            string=f"all {len(attempts)} address(es) of {host}:{port} failed ({details})"
        )


class _Attempt:
    """One connection attempt to one address, within one L{_HostnameConnection}."""

    __slots__ = ("address", "connector", "finished")

    def __init__(self, address: str) -> None:
        """@param address: the IP address text being connected to."""
        self.address = address
        self.connector: Any = None
        self.finished = False


class _AttemptFactory(ClientFactory):
    """The client factory of one attempt: reports to its connection race."""

    def __init__(self, race: _HostnameConnection, attempt: _Attempt) -> None:
        """@param race: the race the attempt belongs to; @param attempt: the attempt."""
        self._race = race
        self._attempt = attempt

    def doStart(self) -> None:
        """Start the user's factory (refcounted, once per attempt)."""
        self._race.userFactory.doStart()

    def doStop(self) -> None:
        """Stop the user's factory (balances L{doStart})."""
        self._race.userFactory.doStop()

    def startedConnecting(self, connector: Any) -> None:
        """Remember the connector, to stop the attempt if another one wins."""
        self._attempt.connector = connector

    def buildProtocol(self, addr: Any) -> Any:
        """The attempt connected: the race decides whether it wins."""
        return self._race._attemptConnected(self._attempt, addr)

    def clientConnectionFailed(self, connector: Any, reason: Failure) -> None:
        """The attempt failed."""
        self._race._attemptFailed(self._attempt, reason)

    def clientConnectionLost(self, connector: Any, reason: Failure) -> None:
        """Nothing: the winner's protocol hears about it itself."""


class _HostnameConnection:
    """
    The state of one C{HostnameEndpoint.connect} call: resolution, then a race
    of staggered connection attempts.
    """

    def __init__(self, endpoint: HostnameEndpoint, userFactory: Any) -> None:
        """
        @param endpoint: the endpoint connecting.
        @param userFactory: the factory that builds the winner's protocol.
        """
        self.endpoint = endpoint
        self.userFactory = userFactory
        self.reactor = endpoint._reactor
        self.result: Deferred[Any] = Deferred(self._cancel)
        self.finished = False
        self.winner: _Attempt | None = None
        self.resolution: Deferred[list[_Destination]] | None = None
        self.pending: list[_Destination] = []
        self.attempts: list[_Attempt] = []
        self.failures: list[tuple[str, Failure]] = []
        self.nextStart: Any = None

    # -- resolution -------------------------------------------------------------

    def start(self) -> Deferred[Any]:
        """Resolve, then start the attempts; return the Deferred of the protocol."""
        endpoint = self.endpoint
        try:
            resolution = endpoint._nameResolution(endpoint._hostASCII, endpoint._port)
        except BaseException:
            self._finish(Failure())
            return self.result
        self.resolution = resolution
        resolution.addCallbacks(self._resolved, self._resolutionFailed)
        return self.result

    def _resolved(self, destinations: list[_Destination]) -> None:
        """Order the addresses and start the first attempt."""
        self.resolution = None
        if self.finished:
            return
        ordered = _interleave(list(destinations))
        if not ordered:
            self._finish(
                Failure(
                    error.DNSLookupError(
                        f"no results for host name lookup: {self.endpoint._hostText}"
                    )
                )
            )
            return
        self.pending = ordered
        self._startNext()

    def _resolutionFailed(self, reason: Failure) -> None:
        """Name resolution failed (or was cancelled)."""
        self.resolution = None
        if self.finished:
            return
        value = reason.value
        if not isinstance(value, error.DNSLookupError):
            reason = Failure(
                error.DNSLookupError(
                    f"address {self.endpoint._hostText!r} not found: {reason.getErrorMessage()}"
                )
            )
        self._finish(reason)

    # -- attempts -----------------------------------------------------------------

    def _startNext(self) -> None:
        """Start an attempt to the next address; schedule the one after."""
        self.nextStart = None
        if self.finished or not self.pending:
            return
        address = self.pending.pop(0)[1][0]
        attempt = _Attempt(address)
        self.attempts.append(attempt)
        endpoint = self.endpoint
        try:
            self.reactor.connectTCP(
                address,
                endpoint._port,
                _AttemptFactory(self, attempt),
                timeout=endpoint._timeout,
                bindAddress=endpoint._bindAddress,
            )
        except BaseException:
            self._attemptFailed(attempt, Failure())
            return
        if self.pending and not self.finished and self.nextStart is None:
            self.nextStart = self.reactor.callLater(endpoint._attemptDelay, self._startNext)

    def _attemptFailed(self, attempt: _Attempt, reason: Failure) -> None:
        """One attempt failed: start the next at once, or fail if none is left."""
        if attempt.finished or self.finished:
            return
        attempt.finished = True
        self.failures.append((attempt.address, reason))
        if self.pending:
            if self.nextStart is not None:
                self.nextStart.cancel()
                self.nextStart = None
            self._startNext()
            return
        if all(a.finished for a in self.attempts):
            endpoint = self.endpoint
            self._finish(
                Failure(_HostnameConnectError(endpoint._hostText, endpoint._port, self.failures))
            )

    def _attemptConnected(self, attempt: _Attempt, addr: Any) -> Any:
        """
        An attempt connected.  The first one wins: the others are stopped and
        the user's protocol is built for it.  A later one is refused (its
        connection is closed at once).
        """
        if self.finished or attempt.finished or self.winner is not None:
            return None
        self.winner = attempt
        attempt.finished = True
        self._stopOthers(attempt)
        try:
            protocol = self.userFactory.buildProtocol(addr)
        except BaseException:
            self._finish(Failure())
            return None
        if protocol is None:
            self._finish(Failure(error.NoProtocol(f"{self.userFactory!r} returned no protocol")))
            return None
        original = protocol.makeConnection

        def makeConnection(transport: Any) -> None:
            try:
                del protocol.makeConnection
            except AttributeError:
                pass
            original(transport)
            self._connected(protocol)

        try:
            protocol.makeConnection = makeConnection
        except AttributeError:
            return _WrappingProtocol(cast(Any, self), protocol)
        return protocol

    def _connected(self, protocol: Any) -> None:
        """The winner's protocol is connected: fire the result."""
        if not self.finished:
            self.finished = True
            self.result.callback(protocol)

    def _stopOthers(self, keep: _Attempt | None) -> None:
        """Stop the staggered starts and every unfinished attempt but C{keep}."""
        self.pending = []
        if self.nextStart is not None:
            if self.nextStart.active():
                self.nextStart.cancel()
            self.nextStart = None
        for other in self.attempts:
            if other is keep or other.finished:
                continue
            other.finished = True
            connector = other.connector
            if connector is None:
                continue
            try:
                connector.stopConnecting()
            except error.NotConnectingError:
                # Connected already (but not reported yet): drop it.
                transport = getattr(connector, "transport", None)
                if transport is not None:
                    transport.abortConnection()

    def _finish(self, reason: Failure) -> None:
        """Fail the whole connect with C{reason}, stopping everything."""
        if self.finished:
            return
        self.finished = True
        self._stopOthers(None)
        self.result.errback(reason)

    def _cancel(self, d: Deferred[Any]) -> None:
        """Canceller: stop resolving and every attempt; fail with ConnectingCancelledError."""
        endpoint = self.endpoint
        self.finished = True
        resolution = self.resolution
        self.resolution = None
        if resolution is not None:
            resolution.cancel()
        self._stopOthers(None)
        d.errback(
            error.ConnectingCancelledError(
                HostnameAddress(endpoint._hostText.encode("utf-8"), endpoint._port)
            )
        )


@implementer(IStreamClientEndpoint)
class HostnameEndpoint:
    """
    A TCP client endpoint for a host name: resolves it to all its IPv4 and
    IPv6 addresses and returns the connection established first.

    Attempts start in RFC 8305 order (address families interleaved, the
    resolver's first family first), a new one every C{attemptDelay} seconds
    or as soon as the previous one fails; the first to connect wins and the
    others are stopped.  Resolution uses C{getaddrinfo} on the reactor's
    thread pool; an address literal is used directly.  Non-ASCII (IDN) host
    names are IDNA-encoded.

    @ivar attemptDelay: seconds between attempt starts (RFC 8305's
        "Connection Attempt Delay", 0.3 by default).
    """

    def __init__(
        self,
        reactor: Any,
        host: str | bytes,
        port: int,
        timeout: float = 30,
        bindAddress: tuple[str, int] | None = None,
        attemptDelay: float = 0.3,
    ) -> None:
        """
        @param reactor: an L{IReactorTCP} and L{IReactorTime} provider (with
            a thread pool, L{IReactorThreads}, unless the host is an address
            literal).
        @param host: the host name (text, or ASCII bytes) or address literal.
        @param port: the port to connect to.
        @param timeout: seconds each attempt may take before it fails with
            L{TimeoutError<netframe.core.error.TimeoutError>}.
        @param bindAddress: C{(host, port)} for the local end, or None.
        @param attemptDelay: seconds between attempt starts.
        @raise ValueError: If the port is out of range, C{timeout} or
            C{attemptDelay} is negative or not finite.
        @raise TypeError: If C{host} is neither text nor bytes.
        """
        if isinstance(host, bytes):
            host = host.decode("ascii", "backslashreplace")
        if not isinstance(host, str):
            raise TypeError(f"host must be str or bytes, not {type(host).__name__}")
        if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
            raise ValueError(f"port must be an integer in 1..65535, not {port!r}")
        for label, value in (("timeout", timeout), ("attemptDelay", attemptDelay)):
            if not (isinstance(value, (int, float)) and value >= 0 and math.isfinite(value)):
                raise ValueError(f"{label} must be a finite number >= 0, not {value!r}")
        self._reactor = reactor
        self._hostText = host
        self._port = port
        self._timeout = timeout
        self._bindAddress = bindAddress
        self._attemptDelay = attemptDelay
        self._badHostname: str | None = None
        try:
            bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
            self._hostASCII = _idnaEncode(bare)
        except ValueError as e:
            self._hostASCII = ""
            self._badHostname = str(e)

    @property
    def attemptDelay(self) -> float:
        """Seconds between the starts of successive attempts."""
        return self._attemptDelay

    def _nameResolution(self, host: str, port: int) -> Deferred[list[_Destination]]:
        """
        Resolve C{host} to its TCP destinations (the hook tests replace).

        @param host: the host name in its ASCII (IDNA) form, or an address
            literal.
        @param port: the port.
        @return: a Deferred firing with C{(family, sockaddr)} pairs in the
            resolver's order.
        """
        address = host
        if _isIPAddress(address):
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            return succeed([(family, (address, port))])
        reactor = self._reactor
        d = deferToThreadPool(
            reactor,
            reactor.getThreadPool(),
            socket.getaddrinfo,
            address,
            port,
            0,
            socket.SOCK_STREAM,
        )
        return d.addCallback(_destinations)

    def connect(self, protocolFactory: Any) -> Deferred[Any]:
        """
        Resolve the host name and connect to the first address that answers.

        The factory's C{clientConnectionFailed}/C{clientConnectionLost} are
        not called; its C{buildProtocol} is called once, for the winning
        connection.  Cancelling the Deferred stops the resolution and every
        attempt and fails it with L{ConnectingCancelledError} (whose
        C{address} is a L{HostnameAddress}).

        @param protocolFactory: the factory building the protocol.
        @return: a Deferred firing with the connected protocol; failing with
            L{DNSLookupError} if the name does not resolve, with a
            L{ConnectError} listing every address and its failure if all
            attempts fail, with C{ValueError} if the host name cannot be
            IDNA-encoded, or with what the factory raised.
        """
        if self._badHostname is not None:
            failed: Deferred[Any] = Deferred()
            failed.errback(ValueError(self._badHostname))
            return failed
        return _HostnameConnection(self, protocolFactory).start()

    def __repr__(self) -> str:
        """Return a description naming the destination."""
        host = f"[{self._hostText}]" if ":" in self._hostText else self._hostText
        return f"<HostnameEndpoint {host}:{self._port}>"


def _destinations(infos: list[tuple[Any, ...]]) -> list[_Destination]:
    """Turn C{getaddrinfo} results into C{(family, sockaddr)} pairs (IPv4/IPv6 only)."""
    return [
        (int(info[0]), tuple(info[4]))
        for info in infos
        if info[0] in (socket.AF_INET, socket.AF_INET6)
    ]
