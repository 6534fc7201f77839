"""
Address objects returned by C{getHost()} and C{getPeer()}.

Implementation module of L{netframe.core.address}; import the names from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from zope.interface import implementer

from netframe.core.interfaces import IAddress

__all__ = ["HostnameAddress", "IPv4Address", "IPv6Address", "UNIXAddress"]

_SOCKET_TYPES = ("TCP", "UDP")


def _checkType(owner: str, kind: str) -> None:
    """
    Check that an address type is C{"TCP"} or C{"UDP"}.

    @param owner: The address class name, for the message.
    @param kind: The type given.
    @raise ValueError: If C{kind} is anything else.
    """
    if kind not in _SOCKET_TYPES:
        raise ValueError(f"{owner} type must be 'TCP' or 'UDP', not {kind!r}")


def _checkPort(owner: str, port: int) -> None:
    """
    Check that a port is an C{int} (C{bool} excluded).

    @param owner: The address class name, for the message.
    @param port: The port given.
    @raise TypeError: If C{port} is not an integer.
    """
    if not isinstance(port, int) or isinstance(port, bool):
        raise TypeError(f"{owner} port must be an int, not {type(port).__name__}")


@implementer(IAddress)
@dataclass(frozen=True, slots=True)
class IPv4Address:
    """
    An IPv4 socket endpoint: a TCP or UDP host and port.

    Instances are immutable, hashable and compare equal when all fields match.

    @ivar type: C{"TCP"} or C{"UDP"}.
    @ivar host: The dotted-quad IPv4 address as text.
    @ivar port: The port number.
    """

    type: Literal["TCP", "UDP"]
    host: str
    port: int

    def __post_init__(self) -> None:
        """
        Validate the fields.

        @raise ValueError: If C{type} is not C{"TCP"} or C{"UDP"}.
        @raise TypeError: If C{port} is not an integer.
        """
        _checkType("IPv4Address", self.type)
        _checkPort("IPv4Address", self.port)


@implementer(IAddress)
@dataclass(frozen=True, slots=True)
class IPv6Address:
    """
    An IPv6 socket endpoint: a TCP or UDP host, port, flow info and scope ID.

    Instances are immutable, hashable and compare equal when all fields match.

    @ivar type: C{"TCP"} or C{"UDP"}.
    @ivar host: The IPv6 address as text (possibly with a C{%scope} suffix).
    @ivar port: The port number.
    @ivar flowInfo: The IPv6 flow information.
    @ivar scopeID: The IPv6 scope identifier.
    """

    type: Literal["TCP", "UDP"]
    host: str
    port: int
    flowInfo: int = 0
    scopeID: int | str = 0

    def __post_init__(self) -> None:
        """
        Validate the fields.

        @raise ValueError: If C{type} is not C{"TCP"} or C{"UDP"}.
        @raise TypeError: If C{port} is not an integer.
        """
        _checkType("IPv6Address", self.type)
        _checkPort("IPv6Address", self.port)


@implementer(IAddress)
@dataclass(frozen=True, slots=True)
class UNIXAddress:
    """
    A UNIX domain socket address.

    @ivar name: The socket path, or C{None} for an unnamed socket. A name in
        the Linux abstract namespace is C{bytes} starting with C{b"\\0"}.
    """

    name: str | bytes | None

    def __post_init__(self) -> None:
        """
        Validate the name.

        @raise TypeError: If C{name} is not C{str}, C{bytes} or C{None}.
        """
        if self.name is not None and not isinstance(self.name, str | bytes):
            raise TypeError(f"UNIXAddress name must be str, bytes or None, not {self.name!r}")

    @property
    def isAbstract(self) -> bool:
        """
        Whether this names a socket in the Linux abstract namespace.
        """
        name = self.name
        if isinstance(name, bytes):
            return name.startswith(b"\0")
        return isinstance(name, str) and name.startswith("\0")

    def __repr__(self) -> str:
        """
        @return: C{"UNIXAddress('/path')"}.
        """
        return f"UNIXAddress({self.name!r})"


@implementer(IAddress)
@dataclass(frozen=True, slots=True)
class HostnameAddress:
    """
    A host name and port, as given to a name-based client endpoint.

    @ivar hostname: The host name, as bytes.
    @ivar port: The port number.
    """

    hostname: bytes
    port: int

    def __post_init__(self) -> None:
        """
        Validate the fields.

        @raise TypeError: If C{hostname} is not bytes or C{port} not an int.
        """
        if not isinstance(self.hostname, bytes):
            raise TypeError(f"HostnameAddress hostname must be bytes, not {self.hostname!r}")
        _checkPort("HostnameAddress", self.port)
