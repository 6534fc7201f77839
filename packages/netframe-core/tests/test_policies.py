"""
Tests for L{netframe.core.protocols.policies}: L{ProtocolWrapper} and
L{WrappingFactory}.
"""

from __future__ import annotations

from typing import Any, Optional, cast

import pytest
from zope.interface import implementer
from zope.interface.verify import verifyObject

from netframe.core import error
from netframe.core.failure import Failure
from netframe.core.interfaces import (
    IConsumer,
    IHalfCloseableProtocol,
    ILoggingContext,
    IProtocol,
    IProtocolFactory,
    IPushProducer,
    ITCPTransport,
    ITransport,
)
from netframe.core.protocol import ClientFactory, Factory, Protocol
from netframe.core.protocols import policies
from netframe.core.protocols.policies import ProtocolWrapper, WrappingFactory
from netframe.core.testing import (
    AccumulatingProtocol,
    StringTransport,
    connectedServerAndClient,
)
from netframe.logger import capturedLogs


class _Recorder(Protocol):
    """A protocol that records every event it gets."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    def connectionMade(self) -> None:
        self.events.append(("made", self.transport))

    def dataReceived(self, data: bytes) -> None:
        self.events.append(("data", data))

    def connectionLost(self, reason: Failure = Failure(error.ConnectionDone())) -> None:  # noqa: B008
        self.events.append(("lost", reason))


@implementer(IHalfCloseableProtocol)
class _HalfCloser(_Recorder):
    """A recorder that also takes half-close events."""

    def readConnectionLost(self) -> None:
        self.events.append(("readLost", None))

    def writeConnectionLost(self) -> None:
        self.events.append(("writeLost", None))


class _RecordingClientFactory(ClientFactory):
    """A client factory recording the connection events it is given."""

    protocol = _Recorder

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def startedConnecting(self, connector: Any) -> None:
        self.calls.append(("started", connector))

    def clientConnectionFailed(self, connector: Any, reason: Failure) -> None:
        self.calls.append(("failed", connector, reason))

    def clientConnectionLost(self, connector: Any, reason: Failure) -> None:
        self.calls.append(("lost", connector, reason))

    def startFactory(self) -> None:
        self.calls.append(("startFactory",))

    def stopFactory(self) -> None:
        self.calls.append(("stopFactory",))


def _wrapped(
    factory: Optional[WrappingFactory] = None,
) -> tuple[WrappingFactory, ProtocolWrapper, _Recorder, StringTransport]:
    """Build, connect and return a wrapper over a L{_Recorder}."""
    if factory is None:
        factory = WrappingFactory(Factory.forProtocol(_Recorder))
    wrapper = factory.buildProtocol(None)
    assert isinstance(wrapper, ProtocolWrapper)
    transport = StringTransport()
    wrapper.makeConnection(transport)
    inner = wrapper.wrappedProtocol
    assert isinstance(inner, _Recorder)
    return factory, wrapper, inner, transport


class ProtocolWrapperTests:
    """ProtocolWrapper forwards between a transport and a wrapped protocol."""

    def test_verifyObject(self) -> None:
        """A connected wrapper provides IProtocol, ILoggingContext and the transport's interfaces."""
        _, wrapper, _, _ = _wrapped()
        verifyObject(IProtocol, wrapper)
        verifyObject(ILoggingContext, wrapper)
        verifyObject(ITCPTransport, wrapper)
        verifyObject(IConsumer, wrapper)
        verifyObject(IPushProducer, wrapper)

    def test_providesTransportInterfaces(self) -> None:
        """After makeConnection the wrapper provides what the transport provides."""
        wrapper = ProtocolWrapper(WrappingFactory(Factory()), Protocol())
        assert not ITransport.providedBy(wrapper)
        wrapper.makeConnection(StringTransport())
        assert ITCPTransport.providedBy(wrapper)
        assert IProtocol.providedBy(wrapper)

    def test_wrappedProtocolSeesWrapperAsTransport(self) -> None:
        """The wrapped protocol's transport is the wrapper, and connectionMade ran."""
        _, wrapper, inner, _ = _wrapped()
        assert cast(object, inner.transport) is wrapper
        assert inner.events == [("made", wrapper)]

    def test_dataReceivedForwarded(self) -> None:
        """Bytes received by the wrapper reach the wrapped protocol."""
        _, wrapper, inner, _ = _wrapped()
        wrapper.dataReceived(b"abc")
        assert inner.events[-1] == ("data", b"abc")

    def test_writeForwarded(self) -> None:
        """write and writeSequence go to the real transport."""
        _, _wrapper, inner, transport = _wrapped()
        assert inner.transport is not None
        inner.transport.write(b"ab")
        inner.transport.writeSequence([b"c", b"d"])
        assert transport.value() == b"abcd"

    def test_loseConnectionForwarded(self) -> None:
        """loseConnection sets disconnecting and closes the real transport."""
        _, wrapper, _, transport = _wrapped()
        wrapper.loseConnection()
        assert wrapper.disconnecting
        assert transport.disconnecting
        assert not transport.aborted

    def test_abortConnectionForwarded(self) -> None:
        """abortConnection aborts the real transport."""
        _, wrapper, _, transport = _wrapped()
        wrapper.abortConnection()
        assert wrapper.disconnecting
        assert transport.aborted

    def test_addressesForwarded(self) -> None:
        """getHost and getPeer return the real transport's addresses."""
        _, wrapper, _, transport = _wrapped()
        assert wrapper.getHost() == transport.getHost()
        assert wrapper.getPeer() == transport.getPeer()

    def test_producerForwarded(self) -> None:
        """registerProducer and unregisterProducer reach the real transport."""
        _, wrapper, _, transport = _wrapped()
        producer = object()
        wrapper.registerProducer(producer, True)
        assert transport.producer is producer
        assert transport.streaming is True
        wrapper.unregisterProducer()
        assert transport.producer is None

    def test_stopConsumingForwarded(self) -> None:
        """stopConsuming is passed to the real transport."""
        calls: list[str] = []

        class Consuming(StringTransport):
            def stopConsuming(self) -> None:
                calls.append("stop")

        wrapper = ProtocolWrapper(WrappingFactory(Factory()), Protocol())
        wrapper.makeConnection(Consuming())
        wrapper.stopConsuming()
        assert calls == ["stop"]

    def test_otherAttributesForwarded(self) -> None:
        """Any other attribute is looked up on the real transport."""
        _, wrapper, _, transport = _wrapped()
        wrapper.setTcpNoDelay(True)
        assert transport.tcpNoDelay
        assert wrapper.getTcpNoDelay() is True
        wrapper.pauseProducing()
        assert transport.producerState == "paused"

    def test_missingAttributeRaises(self) -> None:
        """An attribute neither the wrapper nor the transport has raises AttributeError."""
        _, wrapper, _, _ = _wrapped()
        with pytest.raises(AttributeError):
            wrapper.noSuchAttribute

    def test_missingAttributeBeforeConnection(self) -> None:
        """Before a transport is attached, forwarded attributes raise AttributeError."""
        wrapper = ProtocolWrapper(WrappingFactory(Factory()), Protocol())
        with pytest.raises(AttributeError):
            wrapper.setTcpNoDelay

    def test_connectionLostForwardedAndUnregisters(self) -> None:
        """connectionLost unregisters the wrapper and reaches the wrapped protocol."""
        factory, wrapper, inner, _ = _wrapped()
        assert wrapper in factory.protocols
        reason = Failure(error.ConnectionLost())
        wrapper.connectionLost(reason)
        assert wrapper not in factory.protocols
        assert inner.events[-1] == ("lost", reason)

    def test_logPrefix(self) -> None:
        """logPrefix names the wrapped protocol's prefix and the wrapper class."""
        _, wrapper, _, _ = _wrapped()
        assert wrapper.logPrefix() == "_Recorder (ProtocolWrapper)"

    def test_logPrefixWithoutWrappedLogPrefix(self) -> None:
        """A wrapped object without logPrefix is named by its class."""

        class Bare:
            pass

        wrapper = ProtocolWrapper(WrappingFactory(Factory()), Bare())
        assert wrapper.logPrefix() == "Bare (ProtocolWrapper)"

    def test_notHalfCloseableByDefault(self) -> None:
        """A wrapper of a plain protocol does not provide IHalfCloseableProtocol."""
        _, wrapper, _, _ = _wrapped()
        assert not IHalfCloseableProtocol.providedBy(wrapper)

    def test_halfCloseForwarded(self) -> None:
        """A half-closeable wrapped protocol makes the wrapper half-closeable, before and after connecting."""
        factory = WrappingFactory(Factory.forProtocol(_HalfCloser))
        wrapper = factory.buildProtocol(None)
        assert wrapper is not None
        # cast: providedBy would narrow wrapper to the interface for the rest of the test
        assert IHalfCloseableProtocol.providedBy(cast(object, wrapper))
        wrapper.makeConnection(StringTransport())
        assert IHalfCloseableProtocol.providedBy(cast(object, wrapper))
        verifyObject(IHalfCloseableProtocol, wrapper)
        wrapper.readConnectionLost()
        wrapper.writeConnectionLost()
        assert wrapper.wrappedProtocol.events[-2:] == [("readLost", None), ("writeLost", None)]

    def test_halfCloseOverMemoryConnection(self) -> None:
        """Over an in-memory pair, a peer's half-close reaches a wrapped half-closeable protocol."""
        factory = WrappingFactory(Factory.forProtocol(_HalfCloser))

        def server() -> Any:
            return factory.buildProtocol(None)

        client, server_, pump = connectedServerAndClient(server, AccumulatingProtocol)
        client.transport.loseWriteConnection()
        pump.flush()
        assert ("readLost", None) in server_.wrappedProtocol.events
        assert not any(e[0] == "lost" for e in server_.wrappedProtocol.events)

    def test_echoThroughMemoryConnection(self) -> None:
        """A wrapped echo server echoes over an in-memory connection."""

        class Echo(Protocol):
            def dataReceived(self, data: bytes) -> None:
                assert self.transport is not None
                self.transport.write(data)

        factory = WrappingFactory(Factory.forProtocol(Echo))
        client, _server, pump = connectedServerAndClient(
            lambda: factory.buildProtocol(None), AccumulatingProtocol
        )
        client.transport.write(b"hello")
        pump.flush()
        assert client.data == b"hello"
        assert len(factory.protocols) == 1
        client.transport.loseConnection()
        pump.flush()
        assert factory.protocols == {}


class WrappingFactoryTests:
    """WrappingFactory wraps protocols and forwards factory events."""

    def test_verifyObject(self) -> None:
        """WrappingFactory provides IProtocolFactory and ILoggingContext."""
        factory = WrappingFactory(Factory())
        verifyObject(IProtocolFactory, factory)
        verifyObject(ILoggingContext, factory)

    def test_defaultProtocol(self) -> None:
        """The default wrapper class is ProtocolWrapper."""
        assert WrappingFactory.protocol is ProtocolWrapper

    def test_buildProtocolWraps(self) -> None:
        """buildProtocol wraps the wrapped factory's protocol and names this factory."""
        inner = Factory.forProtocol(_Recorder)
        factory = WrappingFactory(inner)
        wrapper = factory.buildProtocol(None)
        assert isinstance(wrapper, ProtocolWrapper)
        assert wrapper.factory is factory
        assert isinstance(wrapper.wrappedProtocol, _Recorder)
        assert wrapper.wrappedProtocol.factory is inner

    def test_buildProtocolNone(self) -> None:
        """buildProtocol returns None when the wrapped factory refuses."""

        class Refusing(Factory):
            def buildProtocol(self, addr: Any) -> None:
                return None

        assert WrappingFactory(Refusing()).buildProtocol(None) is None

    def test_registerUnregister(self) -> None:
        """registerProtocol records, unregisterProtocol forgets (twice is harmless)."""
        factory = WrappingFactory(Factory())
        p = object()
        factory.registerProtocol(p)
        assert factory.protocols == {p: 1}
        factory.unregisterProtocol(p)
        factory.unregisterProtocol(p)
        assert factory.protocols == {}

    def test_doStartDoStopForwarded(self) -> None:
        """doStart and doStop start and stop the wrapped factory too."""
        inner = _RecordingClientFactory()
        factory = WrappingFactory(inner)
        factory.doStart()
        assert inner.calls == [("startFactory",)]
        assert inner.numPorts == factory.numPorts == 1
        factory.doStop()
        assert inner.calls[-1] == ("stopFactory",)
        assert inner.numPorts == factory.numPorts == 0

    def test_clientEventsForwarded(self) -> None:
        """startedConnecting, clientConnectionFailed and clientConnectionLost reach the wrapped factory."""
        inner = _RecordingClientFactory()
        factory = WrappingFactory(inner)
        connector = object()
        reason = Failure(error.ConnectionRefusedError())
        factory.startedConnecting(connector)  # type: ignore[arg-type]
        factory.clientConnectionFailed(connector, reason)  # type: ignore[arg-type]
        factory.clientConnectionLost(connector, reason)  # type: ignore[arg-type]
        assert inner.calls == [
            ("started", connector),
            ("failed", connector, reason),
            ("lost", connector, reason),
        ]

    def test_logPrefix(self) -> None:
        """logPrefix names the wrapped factory and this factory's class."""
        assert WrappingFactory(_RecordingClientFactory()).logPrefix() == (
            "_RecordingClientFactory (WrappingFactory)"
        )

    def test_startLogged(self) -> None:
        """Starting logs the wrapping factory like any factory."""
        factory = WrappingFactory(Factory())
        with capturedLogs() as events:
            factory.doStart()
        assert any(e.get("factory") is factory for e in events)

    def test_publicModuleNames(self) -> None:
        """Every public name reports the public module."""
        for name in policies.__all__:
            assert getattr(policies, name).__module__ == "netframe.core.protocols.policies"
