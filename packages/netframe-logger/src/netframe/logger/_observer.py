"""
Observers and publishers: L{ILogObserver}, L{LogPublisher}, the global
publisher, and the level gate that lets loggers skip events nobody wants.

Private module; the public names are re-exported by C{netframe.logger}.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from time import time
from typing import TYPE_CHECKING, Any

from zope.interface import Interface, implementer

from netframe.logger._levels import NO_LEVEL, LogLevel

if TYPE_CHECKING:
    from netframe.logger._failure import Failure

__all__ = [
    "ILogObserver",
    "LogEvent",
    "LogPublisher",
    "Observer",
    "globalLogPublisher",
    "minimumLevelOf",
    "refreshGate",
]

LogEvent = dict[str, Any]
"""The type of log events: plain dictionaries."""

Observer = Callable[[LogEvent], None]
"""The type of log observers: callables taking one event."""


class ILogObserver(Interface):
    """
    An observer of log events: a callable taking one event (a C{dict}).

    Observers may be called from any thread, concurrently, and must not mutate
    the events they receive.
    """

    __module__ = "netframe.logger"

    def __call__(event: LogEvent) -> None:
        """
        Observe a log event.

        @param event: the event; its C{log_}-prefixed keys are set by the
            logging system.
        """


class _Gate:
    """
    The least severe level that any observer reachable from the global
    publisher may accept, as an index (C{0} = debug, L{NO_LEVEL} = none).

    Loggers that send to the global publisher compare their level with
    C{minimum} before building an event: below it, nobody would see the event.
    """

    __slots__ = ("lock", "minimum")

    def __init__(self) -> None:
        self.minimum = 0
        self.lock = threading.Lock()


gate = _Gate()


def minimumLevelOf(observer: object, visited: set[int]) -> int:
    """
    Return the least severe level index that C{observer} may do anything with.

    Observers that know (publishers, level filters) say so with a
    C{_netframeMinimumLevel(visited)} method; any other observer is assumed to
    want every level (C{0}).

    @param observer: an observer.
    @param visited: ids of publishers already walked (cycle protection).
    @return: an index from C{0} to L{NO_LEVEL}.
    """
    hook = getattr(type(observer), "_netframeMinimumLevel", None)
    if hook is None:
        return 0
    try:
        result = hook(observer, visited)
    except Exception:
        return 0
    return result if isinstance(result, int) else 0


def refreshGate() -> None:
    """
    Recompute the global level gate; called whenever a publisher or a level
    filter changes.
    """
    with gate.lock:
        gate.minimum = minimumLevelOf(globalLogPublisher, set())


def _captureFailure() -> Failure:
    """
    Capture the exception being handled as a L{Failure}.
    """
    from netframe.logger._failure import Failure

    return Failure()


@implementer(ILogObserver)
class LogPublisher:
    """
    An observer that forwards each event to the observers registered with it.

    Registration is thread-safe; forwarding takes no lock (it iterates over an
    immutable snapshot).  An observer that raises is removed, and the error is
    reported once, as a critical event carrying C{log_failure}, to the
    remaining observers; those still receive the original event.
    """

    __slots__ = ("__weakref__", "_lock", "_observers")

    def __init__(self, *observers: Observer) -> None:
        """
        @param observers: the initial observers.
        """
        self._observers: tuple[Observer, ...] = tuple(observers)
        self._lock = threading.Lock()

    def addObserver(self, observer: Observer) -> None:
        """
        Register C{observer}; registering it twice has no further effect.

        @param observer: a callable taking one event.
        @raise TypeError: if C{observer} is not callable.
        """
        if not callable(observer):
            raise TypeError(f"Observer is not callable: {observer!r}")
        with self._lock:
            if observer not in self._observers:
                self._observers = (*self._observers, observer)
        refreshGate()

    def removeObserver(self, observer: Observer) -> None:
        """
        Unregister C{observer}; unregistering an unknown observer does nothing.

        @param observer: a previously registered observer.
        """
        with self._lock:
            self._observers = tuple(o for o in self._observers if o != observer)
        refreshGate()

    def __call__(self, event: LogEvent) -> None:
        """
        Forward C{event} to every registered observer.

        @param event: the event.
        """
        broken: list[tuple[Observer, Failure]] | None = None
        for observer in self._observers:
            try:
                observer(event)
            except Exception:
                if broken is None:
                    broken = []
                broken.append((observer, _captureFailure()))
        if broken is not None:
            self._reportBroken(broken)

    def _reportBroken(self, broken: list[tuple[Observer, Failure]]) -> None:
        """
        Remove the observers that raised and tell the others, giving up
        silently where telling them fails too.

        @param broken: (observer, failure) pairs.
        """
        brokenObservers = [observer for observer, _ in broken]
        with self._lock:
            self._observers = tuple(o for o in self._observers if o not in brokenObservers)
        refreshGate()
        for observer, failure in broken:
            errorEvent: LogEvent = {
                "log_logger": None,
                "log_source": self,
                "log_level": LogLevel.critical,
                "log_namespace": "netframe.logger",
                "log_format": "Observer {observer!r} raised an exception and was removed.",
                "log_time": time(),
                "log_failure": failure,
                "observer": observer,
            }
            for other in self._observers:
                try:
                    other(errorEvent)
                except Exception:
                    pass

    def _netframeMinimumLevel(self, visited: set[int]) -> int:
        """
        Return the least severe level any of the observers may accept.

        @param visited: ids of publishers already walked.
        """
        if id(self) in visited:
            return NO_LEVEL
        visited.add(id(self))
        return min((minimumLevelOf(o, visited) for o in self._observers), default=NO_LEVEL)


globalLogPublisher = LogPublisher()
"""The publisher that loggers send to unless they are given another observer."""
