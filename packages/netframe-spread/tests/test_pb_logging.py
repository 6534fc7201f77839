"""
PB's log lines (SCOPE 2.5.1, L12597-12602): the server start line names
C{netframe.spread.pb.PBServerFactory}, and the events a connection logs
carry its transport's log prefix as C{log_system}, shown as
C{[Broker,0,127.0.0.1]} in classic log text.

The in-memory tests use L{SynchronousTestCase}; the two lines only real TCP
produces are checked over loopback on the global reactor (like
test_pb_tcp.py), with cleanups that close the port and both connection ends.
"""

from __future__ import annotations

from typing import Any

from netframe.core import reactor as _reactor
from netframe.core.defer import Deferred, gatherResults
from netframe.core.testing import FakeTransport, connectedServerAndClient
from netframe.logger import eventAsText, formatEvent, globalLogPublisher
from netframe.spread import banana, pb
from netframe.trial import unittest

#: The global reactor, typed loosely (its TCP methods come from the reactor class).
reactor: Any = _reactor


class BrokenRoot(pb.Root):
    """A root whose method raises an unexpected (non-pb.Error) exception."""

    def remote_broken(self) -> None:
        raise ValueError("unexpected")


def _capture(case: unittest.SynchronousTestCase) -> list[dict[str, Any]]:
    """The log events emitted from now until the end of C{case}."""
    captured: list[dict[str, Any]] = []
    globalLogPublisher.addObserver(captured.append)
    case.addCleanup(globalLogPublisher.removeObserver, captured.append)
    return captured


def _named(events: list[dict[str, Any]], format: str) -> list[dict[str, Any]]:
    """The events of C{events} whose C{log_format} is C{format}."""
    return [e for e in events if e.get("log_format") == format]


class _NoPrefixTransport(FakeTransport):
    """An in-memory transport without a usable C{logPrefix}."""

    logPrefix = None  # type: ignore[assignment]


class LogSystemTests(unittest.SynchronousTestCase):
    """Events a broker logs carry its connection's system prefix."""

    def connect(self, serverTransport: Any = None) -> tuple[Any, Any, Any]:
        """A PB pair over memory serving L{BrokenRoot}: C{(client, server, pump)}."""
        serverFactory = pb.PBServerFactory(BrokenRoot())
        self.clientFactory = pb.PBClientFactory()
        kw = {} if serverTransport is None else {"serverTransportFactory": serverTransport}
        client, server, pump = connectedServerAndClient(
            lambda: serverFactory.buildProtocol(None),
            lambda: self.clientFactory.buildProtocol(None),
            **kw,
        )
        pump.flush()
        return client, server, pump

    def callBroken(self, pump: Any) -> None:
        """Call the root's broken method; the client gets the ValueError."""
        d = self.clientFactory.getRootObject()
        pump.flush()
        root = self.successResultOf(d)
        d = root.callRemote("broken")
        pump.flush()
        assert self.failureResultOf(d).check(ValueError)
        assert len(self.flushLoggedErrors(ValueError)) == 1

    def test_tracebackEventHasTransportPrefix(self) -> None:
        """'Peer Will Receive PB Traceback' carries the transport's logPrefix()."""
        events = _capture(self)
        _client, server, pump = self.connect()
        self.callBroken(pump)
        [event] = _named(events, "Peer Will Receive PB Traceback")
        assert event["log_system"] == server.transport.logPrefix() == "iosim"
        text = eventAsText(event, includeTraceback=False, includeTimestamp=False)
        assert text == "[iosim] Peer Will Receive PB Traceback"

    def test_noTransportPrefixUsesBroker(self) -> None:
        """A transport without logPrefix gives the broker's own prefix, 'Broker'."""
        events = _capture(self)
        _client, _server, pump = self.connect(lambda p: _NoPrefixTransport(p, isServer=True))
        self.callBroken(pump)
        [event] = _named(events, "Peer Will Receive PB Traceback")
        assert event["log_system"] == "Broker"

    def test_protocolErrorHasPrefix(self) -> None:
        """A malformed PB message's error event carries the prefix too."""
        events = _capture(self)
        client, _server, pump = self.connect()
        client.sendEncoded(b"not a list")
        pump.flush()
        [event] = [e for e in events if "non-empty list" in (e.get("log_format") or "")]
        assert event["log_system"] == "iosim"

    def test_bananaErrorHasPrefix(self) -> None:
        """A banana error that drops the connection is logged with the prefix."""
        events = _capture(self)
        client, _server, pump = self.connect()
        client.transport.write(b"\x01\xff")  # 0xff is no type byte
        pump.flush()
        [event] = _named(events, "Banana protocol error; dropping the connection")
        assert event["log_system"] == "iosim"
        assert len(self.flushLoggedErrors(banana.BananaError)) == 1


class TCPLogTests(unittest.TestCase):
    """The start line and the connection prefix over loopback TCP."""

    #: Seconds a test may run before netframe-trial fails it.
    timeout = 10

    def test_startLineAndBrokerPrefix(self) -> Deferred[None]:
        """'netframe.spread.pb.PBServerFactory starting on N', then '[Broker,0,127.0.0.1]'."""
        events = _capture(self)
        serverFactory = pb.PBServerFactory(BrokenRoot())
        brokers: list[tuple[pb.Broker, Deferred[None]]] = []
        build = serverFactory.buildProtocol

        def track(broker: pb.Broker) -> pb.Broker:
            lost: Deferred[None] = Deferred()
            broker.notifyOnDisconnect(lambda: lost.callback(None))
            brokers.append((broker, lost))
            return broker

        serverFactory.buildProtocol = lambda addr: track(build(addr))  # type: ignore[method-assign]
        port = reactor.listenTCP(0, serverFactory, interface="127.0.0.1")
        clientFactory = pb.PBClientFactory()
        clientBuild = clientFactory.buildProtocol
        clientFactory.buildProtocol = lambda addr: track(clientBuild(addr))  # type: ignore[method-assign]
        reactor.connectTCP("127.0.0.1", port.getHost().port, clientFactory)

        def close() -> Deferred[Any]:
            waits: list[Deferred[Any]] = []
            for broker, lost in brokers:
                if broker.transport is not None:
                    broker.transport.loseConnection()
                waits.append(lost)
            stopped = port.stopListening()
            if stopped is not None:
                waits.append(stopped)
            return gatherResults(waits)

        self.addCleanup(close)

        [start] = _named(events, "{factory} starting on {port}")
        assert formatEvent(start) == (
            f"netframe.spread.pb.PBServerFactory starting on {port.getHost().port}"
        )

        def check(reason: Any) -> None:
            assert reason.check(ValueError)
            self.flushLoggedErrors(ValueError)
            [event] = _named(events, "Peer Will Receive PB Traceback")
            server: Any
            [server] = [b.transport for b, _ in brokers if not b.isClient]
            # The port's first connection is session 0, as the seed shows (L12600).
            system = "Broker,0,127.0.0.1"
            assert server.sessionno == 0
            assert event["log_system"] == system
            text = eventAsText(event, includeTraceback=False, includeTimestamp=False)
            assert text == f"[{system}] Peer Will Receive PB Traceback"

        d = clientFactory.getRootObject()
        d.addCallback(lambda root: root.callRemote("broken"))
        d.addCallbacks(lambda _: self.fail("no error"), check)
        return d
