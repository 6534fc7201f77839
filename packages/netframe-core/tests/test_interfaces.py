"""Tests for netframe.core.interfaces: every interface, its names and its docs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from zope.interface import Interface, implementer
from zope.interface.interface import InterfaceClass, Method
from zope.interface.verify import verifyObject

from netframe.core import interfaces

# Interface name -> the names it must declare (its own and inherited).
EXPECTED: dict[str, set[str]] = {
    "IAddress": set(),
    "IResolverSimple": {"getHostByName"},
    "IReactorCore": {
        "running",
        "resolve",
        "run",
        "stop",
        "crash",
        "iterate",
        "fireSystemEvent",
        "addSystemEventTrigger",
        "removeSystemEventTrigger",
        "callWhenRunning",
    },
    "IDelayedCall": {"getTime", "cancel", "delay", "reset", "active"},
    "IReactorTime": {"seconds", "callLater", "getDelayedCalls"},
    "IReactorTCP": {"listenTCP", "connectTCP"},
    "IReactorSSL": {"listenSSL", "connectSSL"},
    "IReactorUNIX": {"listenUNIX", "connectUNIX"},
    "IReactorUNIXDatagram": {"listenUNIXDatagram", "connectUNIXDatagram"},
    "IReactorUDP": {"listenUDP"},
    "IFileDescriptorReceiver": {"fileDescriptorReceived"},
    "IReactorMulticast": {"listenMulticast"},
    "IReactorSocket": {"adoptStreamPort", "adoptStreamConnection", "adoptDatagramPort"},
    "IReactorProcess": {"spawnProcess"},
    "IReactorFromThreads": {"callFromThread"},
    "IReactorInThreads": {"callInThread"},
    "IReactorThreads": {
        "getThreadPool",
        "suggestThreadPoolSize",
        "callFromThread",
        "callInThread",
    },
    "IReactorPluggableResolver": {"installResolver"},
    "IReactorFDSet": {
        "addReader",
        "addWriter",
        "removeReader",
        "removeWriter",
        "removeAll",
        "getReaders",
        "getWriters",
    },
    "IListeningPort": {"startListening", "stopListening", "getHost"},
    "IConnector": {"stopConnecting", "disconnect", "connect", "getDestination"},
    "ILoggingContext": {"logPrefix"},
    "IFileDescriptor": {"fileno", "connectionLost", "logPrefix"},
    "IReadDescriptor": {"doRead", "fileno", "connectionLost", "logPrefix"},
    "IWriteDescriptor": {"doWrite", "fileno", "connectionLost", "logPrefix"},
    "IReadWriteDescriptor": {"doRead", "doWrite", "fileno", "connectionLost", "logPrefix"},
    "IHalfCloseableDescriptor": {"writeConnectionLost", "readConnectionLost"},
    "ISystemHandle": {"getHandle"},
    "IProducer": {"stopProducing"},
    "IPushProducer": {"pauseProducing", "resumeProducing", "stopProducing"},
    "IPullProducer": {"resumeProducing", "stopProducing"},
    "IConsumer": {"registerProducer", "unregisterProducer", "write"},
    "IProtocol": {"dataReceived", "connectionLost", "makeConnection", "connectionMade"},
    "IProtocolNegotiationFactory": {"acceptableProtocols"},
    "IHalfCloseableProtocol": {"readConnectionLost", "writeConnectionLost"},
    "IHandshakeListener": {"handshakeCompleted"},
    "IProtocolFactory": {"buildProtocol", "doStart", "doStop"},
    "ITransport": {"write", "writeSequence", "loseConnection", "getPeer", "getHost"},
    "ITCPTransport": {
        "write",
        "writeSequence",
        "loseConnection",
        "getPeer",
        "getHost",
        "loseWriteConnection",
        "abortConnection",
        "getTcpNoDelay",
        "setTcpNoDelay",
        "getTcpKeepAlive",
        "setTcpKeepAlive",
    },
    "IUNIXTransport": {"sendFileDescriptor", "write", "loseConnection"},
    "ITLSTransport": {"startTLS", "abortConnection", "write"},
    "ISSLTransport": {"getPeerCertificate", "abortConnection", "write"},
    "IProcessTransport": {
        "pid",
        "closeStdin",
        "closeStdout",
        "closeStderr",
        "closeChildFD",
        "writeToChild",
        "loseConnection",
        "signalProcess",
        "write",
    },
    "IProcessProtocol": {
        "makeConnection",
        "childDataReceived",
        "childConnectionLost",
        "processExited",
        "processEnded",
    },
    "IUDPTransport": {
        "write",
        "connect",
        "getHost",
        "stopListening",
        "setBroadcastAllowed",
        "getBroadcastAllowed",
    },
    "IMulticastTransport": {
        "getOutgoingInterface",
        "setOutgoingInterface",
        "getLoopbackMode",
        "setLoopbackMode",
        "getTTL",
        "setTTL",
        "joinGroup",
        "leaveGroup",
    },
    "IUNIXDatagramTransport": {"write", "getHost"},
    "IUNIXDatagramConnectedTransport": {"write", "getHost", "getPeer"},
    "IStreamServerEndpoint": {"listen"},
    "IStreamClientEndpoint": {"connect"},
    "IStreamServerEndpointStringParser": {"prefix", "parseStreamServer"},
    "IStreamClientEndpointStringParserWithReactor": {"prefix", "parseStreamClient"},
    "IOpenSSLClientConnectionCreator": {"clientConnectionForTLS"},
    "IOpenSSLServerConnectionCreator": {"serverConnectionForTLS"},
    "IOpenSSLTrustRoot": {"_addCACertsToContext"},
    "IAcceptableCiphers": {"selectCiphers"},
}

# Interface name -> interfaces it must extend.
EXTENDS: dict[str, tuple[str, ...]] = {
    "IReactorThreads": ("IReactorFromThreads", "IReactorInThreads"),
    "IFileDescriptor": ("ILoggingContext",),
    "IReadDescriptor": ("IFileDescriptor",),
    "IWriteDescriptor": ("IFileDescriptor",),
    "IReadWriteDescriptor": ("IReadDescriptor", "IWriteDescriptor"),
    "IPushProducer": ("IProducer",),
    "IPullProducer": ("IProducer",),
    "ITCPTransport": ("ITransport",),
    "IUNIXTransport": ("ITransport",),
    "ITLSTransport": ("ITCPTransport",),
    "ISSLTransport": ("ITCPTransport",),
    "IProcessTransport": ("ITransport",),
}


def _method(iface: InterfaceClass, name: str) -> Method:
    """Return the method ``name`` declared by ``iface``."""
    method = iface.get(name)
    assert isinstance(method, Method)
    return method


def _signature(method: Method) -> str:
    """Return the parameter list of ``method`` as zope.interface spells it."""
    signature: str = method.getSignatureString()  # type: ignore[no-untyped-call]
    return signature


def _iface(name: str) -> InterfaceClass:
    """Return the interface called ``name`` from the module."""
    return getattr(interfaces, name)  # type: ignore[no-any-return]


class InterfaceTableTests:
    """Every interface the reference names is declared, documented and complete."""

    def test_allMatchesTable(self) -> None:
        """__all__ lists exactly the interfaces of the table."""
        assert set(interfaces.__all__) == set(EXPECTED)

    @pytest.mark.parametrize("name", sorted(EXPECTED))
    def test_isInterface(self, name: str) -> None:
        """Each name is a zope Interface with that name."""
        iface = _iface(name)
        assert isinstance(iface, InterfaceClass)
        assert iface.extends(Interface)
        assert iface.__name__ == name
        assert iface.__module__ == "netframe.core.interfaces"

    @pytest.mark.parametrize("name", sorted(EXPECTED))
    def test_hasDocstring(self, name: str) -> None:
        """Each interface has a docstring of its own."""
        assert (_iface(name).__doc__ or "").strip()

    @pytest.mark.parametrize("name", sorted(EXPECTED))
    def test_namesPresent(self, name: str) -> None:
        """Each interface declares (or inherits) the names the reference describes."""
        iface = _iface(name)
        assert EXPECTED[name] <= set(iface.names(all=True))

    @pytest.mark.parametrize("name", sorted(EXPECTED))
    def test_everyNameDocumented(self, name: str) -> None:
        """Each method and attribute an interface declares has a docstring."""
        iface = _iface(name)
        for attribute in iface.names():
            assert iface[attribute].getDoc().strip(), f"{name}.{attribute}"

    @pytest.mark.parametrize("name", sorted(EXTENDS))
    def test_extends(self, name: str) -> None:
        """Interfaces extend their documented bases."""
        for base in EXTENDS[name]:
            assert _iface(name).extends(_iface(base))

    def test_methodSignatures(self) -> None:
        """Methods keep the reference's parameter names and defaults."""
        callLater = _method(interfaces.IReactorTime, "callLater")
        assert _signature(callLater) == "(delay, callable, *args, **kw)"
        listenTCP = _method(interfaces.IReactorTCP, "listenTCP")
        assert _signature(listenTCP) == "(port, factory, backlog=50, interface='')"
        connectTCP = _method(interfaces.IReactorTCP, "connectTCP")
        assert _signature(connectTCP) == "(host, port, factory, timeout=30, bindAddress=None)"
        register = _method(interfaces.IConsumer, "registerProducer")
        assert _signature(register) == "(producer, streaming)"


# -- small providers checked with verifyObject ---------------------------------------


@implementer(interfaces.IDelayedCall)
class _FakeDelayedCall:
    def __init__(self, time: float) -> None:
        self.time = time
        self.cancelled = False

    def getTime(self) -> float:
        return self.time

    def cancel(self) -> None:
        self.cancelled = True

    def delay(self, secondsLater: float) -> None:
        self.time += secondsLater

    def reset(self, secondsFromNow: float) -> None:
        self.time = secondsFromNow

    def active(self) -> bool:
        return not self.cancelled


@implementer(interfaces.IReactorTime)
class _FakeClock:
    def __init__(self) -> None:
        self.calls: list[_FakeDelayedCall] = []

    def seconds(self) -> float:
        return 0.0

    def callLater(
        self, delay: float, callable: Callable[..., Any], *args: Any, **kw: Any
    ) -> _FakeDelayedCall:
        call = _FakeDelayedCall(delay)
        self.calls.append(call)
        return call

    def getDelayedCalls(self) -> list[_FakeDelayedCall]:
        return list(self.calls)


@implementer(interfaces.IAddress)
class _FakeAddress:
    pass


@implementer(interfaces.ITransport, interfaces.IConsumer)
class _FakeTransport:
    def __init__(self) -> None:
        self.data: list[bytes] = []
        self.producer: Any = None

    def write(self, data: bytes) -> None:
        self.data.append(data)

    def writeSequence(self, data: Any) -> None:
        self.data.extend(data)

    def loseConnection(self) -> None:
        pass

    def getPeer(self) -> _FakeAddress:
        return _FakeAddress()

    def getHost(self) -> _FakeAddress:
        return _FakeAddress()

    def registerProducer(self, producer: Any, streaming: bool) -> None:
        self.producer = producer

    def unregisterProducer(self) -> None:
        self.producer = None


@implementer(interfaces.IProtocol)
class _FakeProtocol:
    transport: Any = None

    def dataReceived(self, data: bytes) -> None:
        pass

    def connectionLost(self, reason: Any) -> None:
        pass

    def makeConnection(self, transport: Any) -> None:
        self.transport = transport
        self.connectionMade()

    def connectionMade(self) -> None:
        pass


@implementer(interfaces.IProtocolFactory)
class _FakeFactory:
    def buildProtocol(self, addr: Any) -> _FakeProtocol:
        return _FakeProtocol()

    def doStart(self) -> None:
        pass

    def doStop(self) -> None:
        pass


@implementer(interfaces.IPushProducer)
class _FakePushProducer:
    def pauseProducing(self) -> None:
        pass

    def resumeProducing(self) -> None:
        pass

    def stopProducing(self) -> None:
        pass


@implementer(interfaces.IListeningPort)
class _FakePort:
    def startListening(self) -> None:
        pass

    def stopListening(self) -> None:
        return None

    def getHost(self) -> _FakeAddress:
        return _FakeAddress()


@implementer(interfaces.IStreamServerEndpointStringParser)
class _FakeParser:
    prefix = "fake"

    def parseStreamServer(self, reactor: Any, *args: str, **kwargs: str) -> Any:
        return None


@implementer(interfaces.IReadWriteDescriptor)
class _FakeDescriptor:
    def logPrefix(self) -> str:
        return "fake"

    def fileno(self) -> int:
        return -1

    def connectionLost(self, reason: Any) -> None:
        pass

    def doRead(self) -> None:
        return None

    def doWrite(self) -> None:
        return None


PROVIDERS: list[tuple[InterfaceClass, Callable[[], object]]] = [
    (interfaces.IDelayedCall, lambda: _FakeDelayedCall(1.0)),
    (interfaces.IReactorTime, _FakeClock),
    (interfaces.IAddress, _FakeAddress),
    (interfaces.ITransport, _FakeTransport),
    (interfaces.IConsumer, _FakeTransport),
    (interfaces.IProtocol, _FakeProtocol),
    (interfaces.IProtocolFactory, _FakeFactory),
    (interfaces.IPushProducer, _FakePushProducer),
    (interfaces.IProducer, _FakePushProducer),
    (interfaces.IListeningPort, _FakePort),
    (interfaces.IStreamServerEndpointStringParser, _FakeParser),
    (interfaces.IReadWriteDescriptor, _FakeDescriptor),
    (interfaces.IReadDescriptor, _FakeDescriptor),
    (interfaces.ILoggingContext, _FakeDescriptor),
]


class VerifyObjectTests:
    """Small providers written against the interfaces pass verifyObject."""

    @pytest.mark.parametrize(
        ("iface", "factory"), PROVIDERS, ids=[iface.__name__ for iface, _ in PROVIDERS]
    )
    def test_verifyObject(self, iface: InterfaceClass, factory: Callable[[], object]) -> None:
        """verifyObject accepts a provider with every method and attribute."""
        assert verifyObject(iface, factory())

    def test_incompleteProviderRejected(self) -> None:
        """verifyObject rejects a provider missing a method of the interface."""
        from zope.interface.exceptions import Invalid

        @implementer(interfaces.IDelayedCall)
        class Incomplete:  # type: ignore[misc]
            def getTime(self) -> float:
                return 0.0

        with pytest.raises(Invalid):
            verifyObject(interfaces.IDelayedCall, Incomplete())

    def test_clockSchedulesDelayedCalls(self) -> None:
        """The fake clock's callLater result provides IDelayedCall, as the contract says."""
        clock = _FakeClock()
        call = clock.callLater(3, print)
        assert interfaces.IDelayedCall.providedBy(call)
        call.cancel()
        assert not call.active()
