"""
TCP stream endpoints and the endpoint description parser.

Implementation module of L{netframe.core.endpoints}.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Mapping
from typing import Any

from zope.interface import implementer

from netframe.core import error
from netframe.core.defer import Deferred, fail, succeed
from netframe.core.failure import Failure
from netframe.core.interfaces import (
    IStreamClientEndpoint,
    IStreamClientEndpointStringParserWithReactor,
    IStreamServerEndpoint,
    IStreamServerEndpointStringParser,
)
from netframe.core.protocol import ClientFactory, Factory


@implementer(IStreamServerEndpoint)
class _TCPServerEndpoint:
    """Shared implementation of the TCP server endpoints."""

    _defaultInterface = ""

    def __init__(
        self, reactor: Any, port: int, backlog: int = 50, interface: str | None = None
    ) -> None:
        """
        @param reactor: an L{IReactorTCP} provider.
        @param port: the port to listen on (0: the system chooses).
        @param backlog: the listen queue length.
        @param interface: the local address to bind (default: all addresses
            of the endpoint's family).
        """
        self._reactor = reactor
        self._port = port
        self._backlog = backlog
        self._interface = self._defaultInterface if interface is None else interface

    def listen(self, protocolFactory: Any) -> Deferred[Any]:
        """
        Start listening with C{protocolFactory}.

        @return: a Deferred firing with the L{IListeningPort}, or failing with
            L{CannotListenError} (for example when the port is in use).
        """
        try:
            port = self._reactor.listenTCP(
                self._port, protocolFactory, backlog=self._backlog, interface=self._interface
            )
        except BaseException:
            return fail(Failure())
        return succeed(port)

    def __repr__(self) -> str:
        """Return a description naming the port and interface."""
        return f"<{type(self).__name__} port={self._port} interface={self._interface!r}>"


class TCP4ServerEndpoint(_TCPServerEndpoint):
    """A TCP server endpoint on IPv4 (interface '' = all IPv4 addresses)."""

    _defaultInterface = ""


class TCP6ServerEndpoint(_TCPServerEndpoint):
    """A TCP server endpoint on IPv6 (interface '::' = all IPv6 addresses)."""

    _defaultInterface = "::"


class _WrappingProtocol:
    """
    Forwards every call to the wrapped protocol; used only for protocols that
    cannot take an instance attribute (C{__slots__}).
    """

    def __init__(self, factory: _WrappingFactory, wrapped: Any) -> None:
        """Wrap C{wrapped}; fire C{factory}'s Deferred on connect."""
        self._factory = factory
        self._wrapped = wrapped

    def makeConnection(self, transport: Any) -> None:
        """Connect the wrapped protocol, then fire the connect Deferred."""
        self._wrapped.makeConnection(transport)
        self._factory._connected(self._wrapped)

    def dataReceived(self, data: bytes) -> None:
        """Forward received data."""
        self._wrapped.dataReceived(data)

    def connectionLost(self, reason: Failure) -> None:
        """Forward the end of the connection."""
        self._wrapped.connectionLost(reason)

    def __getattr__(self, name: str) -> Any:
        """Forward anything else (half-close callbacks, logPrefix ...)."""
        return getattr(self._wrapped, name)


class _WrappingFactory(ClientFactory):
    """
    Bridges a plain L{Factory} to C{connectTCP}: fires a Deferred with the
    built protocol once it is connected, or fails it.
    """

    def __init__(self, wrappedFactory: Any) -> None:
        """@param wrappedFactory: the user's factory."""
        self._wrappedFactory = wrappedFactory
        self._onConnection: Deferred[Any] = Deferred(self._cancel)
        self._connector: Any = None

    def _cancel(self, d: Deferred[Any]) -> None:
        """Cancel the attempt: fail with ConnectingCancelledError, stop connecting."""
        connector = self._connector
        d.errback(error.ConnectingCancelledError(connector.getDestination()))
        try:
            connector.stopConnecting()
        except error.NotConnectingError:
            pass

    def startedConnecting(self, connector: Any) -> None:
        """Remember the connector (for cancellation)."""
        self._connector = connector

    def doStart(self) -> None:
        """Start the wrapped factory."""
        self._wrappedFactory.doStart()

    def doStop(self) -> None:
        """Stop the wrapped factory."""
        self._wrappedFactory.doStop()

    def buildProtocol(self, addr: Any) -> Any:
        """Build with the wrapped factory and hook its C{makeConnection}."""
        try:
            protocol = self._wrappedFactory.buildProtocol(addr)
        except BaseException:
            self._onConnection.errback(Failure())
            return None
        if protocol is None:
            self._onConnection.errback(
                Failure(error.NoProtocol(f"{self._wrappedFactory!r} returned no protocol"))
            )
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
            return _WrappingProtocol(self, protocol)
        return protocol

    def _connected(self, protocol: Any) -> None:
        """The protocol is connected: fire the Deferred."""
        if not self._onConnection.called:
            self._onConnection.callback(protocol)

    def clientConnectionFailed(self, connector: Any, reason: Failure) -> None:
        """Fail the Deferred (unless cancelled already)."""
        if not self._onConnection.called:
            self._onConnection.errback(reason)

    def clientConnectionLost(self, connector: Any, reason: Failure) -> None:
        """Nothing: the protocol itself hears about it."""


@implementer(IStreamClientEndpoint)
class _TCPClientEndpoint:
    """Shared implementation of the TCP client endpoints."""

    def __init__(
        self,
        reactor: Any,
        host: str,
        port: int,
        timeout: float = 30,
        bindAddress: tuple[str, int] | None = None,
    ) -> None:
        """
        @param reactor: an L{IReactorTCP} provider.
        @param host: the host name or address to connect to.
        @param port: the port to connect to.
        @param timeout: seconds before the attempt fails with L{TimeoutError<netframe.core.error.TimeoutError>}.
        @param bindAddress: C{(host, port)} for the local end, or None.
        """
        self._reactor = reactor
        self._host = host
        self._port = port
        self._timeout = timeout
        self._bindAddress = bindAddress

    def connect(self, protocolFactory: Any) -> Deferred[Any]:
        """
        Make one connection attempt (no retry).

        The factory's C{clientConnectionFailed}/C{clientConnectionLost} are
        not called.  Cancelling the Deferred abandons the attempt with
        L{ConnectingCancelledError}.

        @return: a Deferred firing with the connected protocol, or failing with
            the connection error.
        """
        wf = _WrappingFactory(protocolFactory)
        try:
            self._reactor.connectTCP(
                self._host,
                self._port,
                wf,
                timeout=self._timeout,
                bindAddress=self._bindAddress,
            )
        except BaseException:
            return fail(Failure())
        return wf._onConnection

    def __repr__(self) -> str:
        """Return a description naming the destination."""
        return f"<{type(self).__name__} {self._host}:{self._port}>"


class TCP4ClientEndpoint(_TCPClientEndpoint):
    """A TCP client endpoint for an IPv4 address or a host name."""


class TCP6ClientEndpoint(_TCPClientEndpoint):
    """A TCP client endpoint for an IPv6 address literal."""


def connectProtocol(endpoint: Any, protocol: Any) -> Deferred[Any]:
    """
    Connect C{protocol} (an instance) through C{endpoint}.

    @param endpoint: an L{IStreamClientEndpoint}.
    @param protocol: the protocol instance to connect.
    @return: a Deferred firing with C{protocol} once connected.
    """

    class OneShotFactory(Factory):
        def buildProtocol(self, addr: Any) -> Any:
            return protocol

    result: Deferred[Any] = endpoint.connect(OneShotFactory())
    return result


# -- description strings ---------------------------------------------------


def _tokenize(description: str) -> list[tuple[str | None, str]]:
    """
    Split an endpoint description into C{(key, value)} pairs.

    Fields are separated by unescaped C{:}; a field with an unescaped C{=} is
    C{key=value} (split at the first one), otherwise positional (key None).
    A backslash makes the next character literal.

    @raise ValueError: If the description ends with a lone backslash.
    """
    fields: list[tuple[str | None, str]] = []
    current: list[str] = []
    key: str | None = None
    chars = iter(description)
    for ch in chars:
        if ch == "\\":
            nxt = next(chars, None)
            if nxt is None:
                raise ValueError(f"endpoint description {description!r} ends with a lone backslash")
            current.append(nxt)
        elif ch == ":":
            fields.append((key, "".join(current)))
            current = []
            key = None
        elif ch == "=" and key is None:
            key = "".join(current)
            current = []
        else:
            current.append(ch)
    fields.append((key, "".join(current)))
    return fields


def _parse(
    description: str, allowed: Mapping[str, tuple[str, ...]], kind: str
) -> tuple[str, dict[str, str]]:
    """
    Tokenize and bind positional and keyword fields to parameter names.

    @return: the endpoint type and its arguments by name.
    @raise ValueError: On an empty, unknown or malformed description, naming
        the bad part.
    """
    if not isinstance(description, str):
        raise TypeError(f"endpoint description must be str, not {type(description).__name__}")
    if not description:
        raise ValueError("empty endpoint description")
    fields = _tokenize(description)
    typeKey, typeName = fields[0]
    if typeKey is not None:
        raise ValueError(
            f"endpoint description {description!r} must start with a type such as 'tcp:', "
            f"not {typeKey}={typeName}"
        )
    if typeName not in allowed:
        raise ValueError(
            f"unknown {kind} endpoint type {typeName!r} in {description!r}; "
            f"available: {', '.join(sorted(allowed))}"
        )
    params = allowed[typeName]
    args: dict[str, str] = {}
    position = 0
    for key, value in fields[1:]:
        if key is None:
            if position >= len(params):
                raise ValueError(
                    f"too many positional arguments for {typeName!r} in {description!r}: "
                    f"unexpected {value!r}"
                )
            name = params[position]
            position += 1
        else:
            if key not in params:
                raise ValueError(
                    f"unknown argument {key!r} for {typeName!r} endpoint in {description!r}; "
                    f"expected one of {', '.join(params)}"
                )
            name = key
        if name in args:
            raise ValueError(f"argument {name!r} given twice in {description!r}")
        args[name] = value
    return typeName, args


def _int(args: dict[str, str], name: str, description: str, low: int, high: int) -> int:
    """Parse the integer argument C{name} within [low, high]."""
    value = args[name]
    if not value.isascii() or not value.isdigit():
        raise ValueError(f"bad {name} {value!r} in {description!r}: expected an integer")
    number = int(value)
    if not low <= number <= high:
        raise ValueError(f"bad {name} {value!r} in {description!r}: must be in {low}..{high}")
    return number


_SERVER_TYPES: dict[str, tuple[str, ...]] = {
    "tcp": ("port", "interface", "backlog"),
    "tcp6": ("port", "interface", "backlog"),
}
_CLIENT_TYPES: dict[str, tuple[str, ...]] = {
    "tcp": ("host", "port", "timeout", "bindAddress"),
    "tcp6": ("host", "port", "timeout", "bindAddress"),
}


#: The entry-point group searched for third-party endpoint string parsers.
#: An entry point's name is the description prefix it handles; its object
#: provides L{IStreamServerEndpointStringParser} (for C{serverFromString}),
#: L{IStreamClientEndpointStringParserWithReactor} (for C{clientFromString}),
#: or both, and its C{prefix} attribute equals the entry point's name.
_PLUGIN_GROUP = "netframe.endpoints"

#: (interface, method name, kind) for server and client plugin lookups.
_SERVER_PLUGIN = (IStreamServerEndpointStringParser, "parseStreamServer", "server")
_CLIENT_PLUGIN = (IStreamClientEndpointStringParserWithReactor, "parseStreamClient", "client")


def _pluginEndpoint(
    reactor: Any,
    description: str,
    builtins: Mapping[str, tuple[str, ...]],
    lookup: tuple[Any, str, str],
) -> Any:
    """
    Build an endpoint with a third-party parser if the description's prefix
    is not built in and an entry point of L{_PLUGIN_GROUP} has it.

    @param reactor: passed to the parser.
    @param description: the whole description string.
    @param builtins: the built-in prefixes (which always win).
    @param lookup: the interface the parser must provide, the method to call
        and the kind of endpoint (C{"server"} or C{"client"}).
    @return: the plugin's endpoint, or None if no plugin applies (the caller
        then reports the unknown prefix).
    @raise ValueError: If the plugin cannot be loaded, does not provide the
        interface, or declares another prefix (naming the plugin and prefix).
    """
    if not isinstance(description, str) or not description:
        return None
    fields = _tokenize(description)
    typeKey, prefix = fields[0]
    if typeKey is not None or prefix in builtins:
        return None
    interface, methodName, kind = lookup
    candidates = [
        ep for ep in importlib.metadata.entry_points(group=_PLUGIN_GROUP) if ep.name == prefix
    ]
    if not candidates:
        return None
    problems: list[str] = []
    for ep in candidates:
        where = f"endpoint plugin {ep.value!r}"
        if ep.dist is not None:
            where += f" from {ep.dist.name}"
        try:
            parser = ep.load()
        except Exception as e:
            problems.append(f"{where} for prefix {prefix!r} failed to load: {e!r}")
            continue
        if not interface.providedBy(parser):
            problems.append(f"{where} for prefix {prefix!r} does not provide {interface.__name__}")
            continue
        declared = getattr(parser, "prefix", None)
        if declared != prefix:
            problems.append(
                f"{where} is registered for prefix {prefix!r} but declares prefix {declared!r}"
            )
            continue
        args = [value for key, value in fields[1:] if key is None]
        kwargs = {key: value for key, value in fields[1:] if key is not None}
        return getattr(parser, methodName)(reactor, *args, **kwargs)
    raise ValueError(
        f"cannot parse {kind} endpoint description {description!r}: " + "; ".join(problems)
    )


def serverFromString(reactor: Any, description: str) -> Any:
    """
    Build a server endpoint from a description string.

    Supported: C{tcp:PORT[:interface=ADDR][:backlog=N]} and C{tcp6:...}
    (arguments by position: port, interface, backlog).  A backslash escapes
    C{:} and C{=} (C{tcp6:80:interface=\\:\\:1}).  Also C{unix:} and
    C{systemd:} (see L{netframe.core._endpoints_unix.serverFromArgs}) and
    C{ssl:} (see L{netframe.core._endpoints_tls}).

    Any other prefix is looked up in the entry-point group
    C{netframe.endpoints}: the entry point
    named like the prefix must load an L{IStreamServerEndpointStringParser}
    whose C{parseStreamServer(reactor, *args, **kwargs)} builds the endpoint.
    The built-in prefixes always win over plugins.

    @return: an L{IStreamServerEndpoint}.
    @raise ValueError: If the description is malformed, naming the bad part.
    """
    from netframe.core import _endpoints_tls as tls
    from netframe.core import _endpoints_unix as unix

    allowed = {**_SERVER_TYPES, **unix.SERVER_TYPES, **tls.SERVER_TYPES}
    plugin = _pluginEndpoint(reactor, description, allowed, _SERVER_PLUGIN)
    if plugin is not None:
        return plugin
    typeName, args = _parse(description, allowed, "server")
    if typeName in unix.SERVER_TYPES:
        return unix.serverFromArgs(reactor, typeName, args, description)
    if typeName in tls.SERVER_TYPES:
        return tls.serverFromArgs(reactor, typeName, args, description)
    if "port" not in args:
        raise ValueError(f"missing port in {description!r}")
    port = _int(args, "port", description, 0, 65535)
    backlog = _int(args, "backlog", description, 1, 1 << 20) if "backlog" in args else 50
    endpointClass = TCP6ServerEndpoint if typeName == "tcp6" else TCP4ServerEndpoint
    return endpointClass(reactor, port, backlog=backlog, interface=args.get("interface"))


def clientFromString(reactor: Any, description: str) -> Any:
    """
    Build a client endpoint from a description string.

    Supported: C{tcp:host=HOST:port=PORT[:timeout=SECONDS][:bindAddress=ADDR]}
    (or positionally C{tcp:HOST:PORT}) and C{tcp6:...}; C{unix:PATH
    [:timeout=S][:checkPID=0|1]}; C{tls:} and C{ssl:} (see
    L{netframe.core._endpoints_tls}).

    Any other prefix is looked up in the entry-point group
    C{netframe.endpoints}: the entry point
    named like the prefix must load an
    L{IStreamClientEndpointStringParserWithReactor} whose
    C{parseStreamClient(reactor, *args, **kwargs)} builds the endpoint.  The
    built-in prefixes always win over plugins.

    @return: an L{IStreamClientEndpoint}.
    @raise ValueError: If the description is malformed, naming the bad part.
    """
    from netframe.core import _endpoints_tls as tls
    from netframe.core import _endpoints_unix as unix

    allowed = {**_CLIENT_TYPES, **unix.CLIENT_TYPES, **tls.CLIENT_TYPES}
    plugin = _pluginEndpoint(reactor, description, allowed, _CLIENT_PLUGIN)
    if plugin is not None:
        return plugin
    typeName, args = _parse(description, allowed, "client")
    if typeName in unix.CLIENT_TYPES:
        return unix.clientFromArgs(reactor, typeName, args, description)
    if typeName in tls.CLIENT_TYPES:
        return tls.clientFromArgs(reactor, typeName, args, description)
    for required in ("host", "port"):
        if not args.get(required):
            raise ValueError(f"missing {required} in {description!r}")
    port = _int(args, "port", description, 1, 65535)
    timeout: float = 30
    if "timeout" in args:
        try:
            timeout = float(args["timeout"])
        except ValueError:
            timeout = -1
        if not timeout >= 0 or timeout == float("inf"):
            raise ValueError(f"bad timeout {args['timeout']!r} in {description!r}")
    bindAddress = (args["bindAddress"], 0) if args.get("bindAddress") else None
    endpointClass = TCP6ClientEndpoint if typeName == "tcp6" else TCP4ClientEndpoint
    return endpointClass(reactor, args["host"], port, timeout=timeout, bindAddress=bindAddress)
