"""Tests for netframe.core.address."""

from __future__ import annotations

import dataclasses

import pytest

from netframe.core.address import HostnameAddress, IPv4Address, IPv6Address, UNIXAddress


class IPv4AddressTests:
    """IPv4Address is a frozen, hashable record with Twisted's repr."""

    def test_attributes(self) -> None:
        """type, host and port are kept."""
        address = IPv4Address("TCP", "127.0.0.1", 8080)
        assert (address.type, address.host, address.port) == ("TCP", "127.0.0.1", 8080)

    def test_repr(self) -> None:
        """The repr names every field."""
        assert repr(IPv4Address("TCP", "127.0.0.1", 8080)) == (
            "IPv4Address(type='TCP', host='127.0.0.1', port=8080)"
        )

    def test_equalityAndHash(self) -> None:
        """Equal fields make equal addresses with equal hashes."""
        first = IPv4Address("UDP", "10.0.0.1", 53)
        second = IPv4Address("UDP", "10.0.0.1", 53)
        assert first == second
        assert hash(first) == hash(second)
        assert first != IPv4Address("TCP", "10.0.0.1", 53)
        assert len({first, second}) == 1

    def test_frozen(self) -> None:
        """Fields cannot be reassigned."""
        address = IPv4Address("TCP", "127.0.0.1", 1)
        with pytest.raises(dataclasses.FrozenInstanceError):
            address.port = 2  # type: ignore[misc]

    def test_badType(self) -> None:
        """A type other than TCP or UDP is refused."""
        with pytest.raises(ValueError, match="'SCTP'"):
            IPv4Address("SCTP", "127.0.0.1", 1)  # type: ignore[arg-type]

    def test_badPort(self) -> None:
        """A non-integer port is refused."""
        with pytest.raises(TypeError, match="port must be an int"):
            IPv4Address("TCP", "127.0.0.1", "80")  # type: ignore[arg-type]

    def test_publicModule(self) -> None:
        """The class claims the public module."""
        assert IPv4Address.__module__ == "netframe.core.address"


class IPv6AddressTests:
    """IPv6Address adds flowInfo and scopeID, defaulting to 0."""

    def test_defaults(self) -> None:
        """flowInfo and scopeID default to 0 and show in the repr."""
        address = IPv6Address("TCP", "::1", 8080)
        assert (address.flowInfo, address.scopeID) == (0, 0)
        assert repr(address) == (
            "IPv6Address(type='TCP', host='::1', port=8080, flowInfo=0, scopeID=0)"
        )

    def test_equality(self) -> None:
        """A different scopeID makes a different address."""
        assert IPv6Address("UDP", "fe80::1", 1, 0, 2) != IPv6Address("UDP", "fe80::1", 1, 0, 3)
        assert IPv6Address("UDP", "fe80::1", 1, 0, 2) == IPv6Address("UDP", "fe80::1", 1, 0, 2)

    def test_notEqualToIPv4(self) -> None:
        """An IPv6Address never equals an IPv4Address."""
        other: object = IPv4Address("TCP", "127.0.0.1", 1)
        assert IPv6Address("TCP", "127.0.0.1", 1) != other


class UNIXAddressTests:
    """UNIXAddress holds a path, bytes abstract name or None."""

    def test_repr(self) -> None:
        """The repr shows the name."""
        assert repr(UNIXAddress("/tmp/sock")) == "UNIXAddress('/tmp/sock')"

    def test_abstract(self) -> None:
        """Names starting with a NUL byte are abstract."""
        assert UNIXAddress(b"\0netframe").isAbstract
        assert not UNIXAddress("/tmp/sock").isAbstract
        assert not UNIXAddress(None).isAbstract

    def test_hashable(self) -> None:
        """Equal names hash equal."""
        assert hash(UNIXAddress(b"\0a")) == hash(UNIXAddress(b"\0a"))
        assert UNIXAddress("/a") != UNIXAddress("/b")

    def test_badName(self) -> None:
        """A name that is not str, bytes or None is refused."""
        with pytest.raises(TypeError):
            UNIXAddress(3)  # type: ignore[arg-type]


class HostnameAddressTests:
    """HostnameAddress holds a bytes host name and a port."""

    def test_repr(self) -> None:
        """The repr shows both fields."""
        assert repr(HostnameAddress(b"example.com", 443)) == (
            "HostnameAddress(hostname=b'example.com', port=443)"
        )

    def test_textHostname(self) -> None:
        """A text host name is refused."""
        with pytest.raises(TypeError):
            HostnameAddress("example.com", 443)  # type: ignore[arg-type]


class InterfaceTests:
    """Every address class provides IAddress."""

    def test_verifyObject(self) -> None:
        """verifyObject(IAddress, ...) holds for each address class."""
        from zope.interface.verify import verifyObject

        from netframe.core.interfaces import IAddress

        for address in (
            IPv4Address("TCP", "127.0.0.1", 1),
            IPv6Address("TCP", "::1", 1),
            UNIXAddress("/tmp/sock"),
            HostnameAddress(b"example.com", 1),
        ):
            assert verifyObject(IAddress, address)
