"""
Name resolution for the reactor: the pluggable resolver (IReactorPluggableResolver)
and the default L{ThreadedResolver}, which runs the system's blocking lookup on the
reactor's thread pool.

Implementation module; L{ThreadedResolver} is public in L{netframe.core.base}.
"""

from __future__ import annotations

import math
import socket
from collections.abc import Callable, Sequence
from typing import Any

from zope.interface import implementer

from netframe.core import error
from netframe.core.defer import Deferred, succeed
from netframe.core.failure import Failure
from netframe.core.interfaces import IReactorPluggableResolver, IResolverSimple

#: The default lookup timeouts (seconds per retry); a lookup gets their sum.
_DEFAULT_TIMEOUT = (1, 3, 11, 45)


def _totalTimeout(timeout: Sequence[float]) -> float:
    """
    Return the time a lookup may take: the sum of the retry timeouts.

    @raise ValueError: If C{timeout} is empty, or its sum is not a positive
        finite number.
    @raise TypeError: If C{timeout} is not a sequence of numbers.
    """
    try:
        total = float(sum(timeout))
    except TypeError:
        raise TypeError(f"timeout must be a sequence of numbers, not {timeout!r}") from None
    if not timeout or not total > 0 or math.isinf(total):
        raise ValueError(f"timeout must be a non-empty sequence with a positive sum: {timeout!r}")
    return total


@implementer(IResolverSimple)
class ThreadedResolver:
    """
    Resolve names with the system's blocking C{gethostbyname}, run on the
    reactor's thread pool so the reactor never blocks.

    A lookup that takes longer than the sum of its C{timeout} values fails
    with L{DNSLookupError} at that point; the thread finishes in the
    background and its late answer is discarded.

    @ivar reactor: the reactor whose thread pool and clock are used (an
        L{IReactorThreads} and L{IReactorTime} provider).
    @ivar lookup: the blocking lookup function (C{socket.gethostbyname} by
        default; replaceable, for tests).
    """

    lookup: Callable[[str], str] = staticmethod(socket.gethostbyname)

    def __init__(self, reactor: Any) -> None:
        """
        @param reactor: the reactor to resolve for.
        """
        self.reactor = reactor

    def getHostByName(
        self, name: str, timeout: Sequence[float] = _DEFAULT_TIMEOUT
    ) -> Deferred[str]:
        """
        Look up one IPv4 address of C{name}.

        @param name: the host name (an IPv4 literal resolves to itself).
        @param timeout: retry timeouts; the lookup may take their sum.
        @return: a Deferred firing with the dotted-quad address, or failing
            with L{DNSLookupError} if the name does not resolve or the time
            runs out.
        @raise ValueError: If C{timeout} is empty or does not sum to a
            positive finite number.
        @raise TypeError: If C{name} is not a string.
        """
        if not isinstance(name, str):
            raise TypeError(f"host name must be str, not {type(name).__name__}")
        total = _totalTimeout(timeout)
        reactor = self.reactor
        result: Deferred[str] = Deferred()
        lookup = self.lookup

        def onTimeout() -> None:
            if not result.called:
                result.errback(
                    Failure(error.DNSLookupError(f"address {name!r} not found: timeout error"))
                )

        timer = reactor.callLater(total, onTimeout)

        def deliver(success: bool, value: Any) -> None:
            # In the reactor thread.
            if result.called:
                return
            if timer.active():
                timer.cancel()
            if success:
                result.callback(value)
            else:
                assert isinstance(value, Failure)
                reason = value.value
                result.errback(
                    Failure(error.DNSLookupError(f"address {name!r} not found: {reason}"))
                )

        def onResult(success: bool, value: Any) -> None:
            # In the worker thread.
            reactor.callFromThread(deliver, success, value)

        reactor.getThreadPool().callInThreadWithCallback(onResult, lookup, name)
        return result

    def __repr__(self) -> str:
        """Return a description naming the reactor."""
        return f"<ThreadedResolver for {self.reactor!r}>"


@implementer(IReactorPluggableResolver)
class _ResolverReactorMixin:
    """
    Give a reactor a replaceable resolver used by C{resolve} and C{connectTCP}.

    The default resolver, a L{ThreadedResolver}, is created on first use.
    """

    _resolver: Any = None

    @property
    def resolver(self) -> Any:
        """The installed L{IResolverSimple} (a L{ThreadedResolver} by default)."""
        resolver = self._resolver
        if resolver is None:
            resolver = self._resolver = ThreadedResolver(self)
        return resolver

    def installResolver(self, resolver: Any) -> Any:
        """
        Use C{resolver} for every later name lookup of this reactor.

        @param resolver: an L{IResolverSimple} provider.
        @return: the resolver it replaces.
        @raise TypeError: If C{resolver} does not provide L{IResolverSimple}.
        """
        if not IResolverSimple.providedBy(resolver):
            raise TypeError(f"{resolver!r} does not provide IResolverSimple")
        old = self.resolver
        self._resolver = resolver
        return old

    def resolve(self, name: str, timeout: Sequence[float] = _DEFAULT_TIMEOUT) -> Deferred[str]:
        """
        Resolve C{name} to an IPv4 address with the installed resolver.

        Address literals (IPv4 or IPv6) and the empty name (C{"0.0.0.0"})
        are answered at once without asking the resolver.

        @param name: the host name.
        @param timeout: retry timeouts, passed to the resolver.
        @return: a Deferred firing with the address text, or failing with
            L{DNSLookupError}.
        """
        if not name:
            return succeed("0.0.0.0")
        from netframe.core._reactorbase import _isIPAddress

        if _isIPAddress(name):
            return succeed(name)
        d: Deferred[str] = self.resolver.getHostByName(name, timeout)
        return d
