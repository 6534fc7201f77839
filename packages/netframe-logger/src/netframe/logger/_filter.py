"""
Filtering observers: L{FilteringLogObserver}, L{ILogFilterPredicate},
L{PredicateResult} and L{LogLevelFilterPredicate}.

Private module; the public names are re-exported by C{netframe.logger}.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from zope.interface import Interface, implementer

from netframe.logger._constants import NamedConstant, Names
from netframe.logger._levels import LEVEL_INDEX, InvalidLogLevelError, LogLevel, levelIndex
from netframe.logger._observer import (
    ILogObserver,
    LogEvent,
    Observer,
    minimumLevelOf,
    refreshGate,
)

__all__ = [
    "FilteringLogObserver",
    "ILogFilterPredicate",
    "LogLevelFilterPredicate",
    "PredicateResult",
]


class PredicateResult(Names):
    """
    What a filter predicate says about an event: C{yes} (forward it now),
    C{no} (drop it) or C{maybe} (let the next predicate decide).
    """

    yes = NamedConstant()
    no = NamedConstant()
    maybe = NamedConstant()


class ILogFilterPredicate(Interface):
    """
    A predicate that decides whether an event should be observed.
    """

    __module__ = "netframe.logger"

    def __call__(event: LogEvent) -> NamedConstant:
        """
        Judge an event.

        @param event: the event.
        @return: a L{PredicateResult} constant.
        """


def _noop(event: LogEvent) -> None:
    """
    Ignore an event (the default negative observer).
    """


@implementer(ILogObserver)
class FilteringLogObserver:
    """
    Forwards events to an observer if the predicates allow it.

    The predicates are asked in order: the first C{yes} forwards the event,
    the first C{no} sends it to the negative observer instead, and if all say
    C{maybe} the event is forwarded.
    """

    __slots__ = ("_negativeObserver", "_observer", "_predicates")

    def __init__(
        self,
        observer: Observer,
        predicates: Iterable[ILogFilterPredicate | Callable[[LogEvent], NamedConstant]],
        negativeObserver: Observer | None = None,
    ) -> None:
        """
        @param observer: receives the events the predicates accept.
        @param predicates: providers of L{ILogFilterPredicate}, or plain
            callables taking an event and returning a L{PredicateResult}
            constant.
        @param negativeObserver: receives the events a predicate refused;
            by default they are dropped.
        """
        self._observer = observer
        self._predicates = tuple(predicates)
        self._negativeObserver = negativeObserver
        refreshGate()

    def __call__(self, event: LogEvent) -> None:
        """
        Forward C{event} according to the predicates.

        @param event: the event.
        """
        yes = PredicateResult.yes
        no = PredicateResult.no
        for predicate in self._predicates:
            result = predicate(event)
            if result is yes:
                break
            if result is no:
                negative = self._negativeObserver
                if negative is not None:
                    negative(event)
                return
        self._observer(event)

    def _netframeMinimumLevel(self, visited: set[int]) -> int:
        """
        Return the least severe level this observer may forward anywhere.

        Only leading L{LogLevelFilterPredicate}s are taken into account (a
        predicate before them could say C{yes} to anything).

        @param visited: ids of publishers already walked.
        """
        threshold = 0
        for predicate in self._predicates:
            if type(predicate) is not LogLevelFilterPredicate:
                break
            threshold = max(threshold, predicate._minimumIndex())
        positive = max(threshold, minimumLevelOf(self._observer, visited))
        if self._negativeObserver is None:
            return positive
        return min(positive, minimumLevelOf(self._negativeObserver, visited))


@implementer(ILogFilterPredicate)
class LogLevelFilterPredicate:
    """
    Refuses events below the minimum level set for their namespace.

    Levels are inherited by dotted prefix: the level for C{"a.b"} applies to
    C{"a.b.c"} unless C{"a.b.c"} has its own.  Events without a level are
    refused; namespaces without a level of their own or of a parent use
    C{defaultLogLevel}.

    @ivar defaultLogLevel: the level for namespaces with none of their own.
    @ivar maxCachedNamespaces: how many namespace lookups are cached before the
        cache is cleared (bounds memory when namespaces come from outside).
    """

    maxCachedNamespaces = 4096

    def __init__(self, defaultLogLevel: NamedConstant = LogLevel.info) -> None:
        """
        @param defaultLogLevel: the level for namespaces with none of their own.
        @raise InvalidLogLevelError: if it is not a L{LogLevel} constant.
        """
        if levelIndex(defaultLogLevel) is None:
            raise InvalidLogLevelError(defaultLogLevel)
        self._default = defaultLogLevel
        self._levels: dict[str, NamedConstant] = {}
        self._cache: dict[str | None, int] = {}
        self._lock = threading.Lock()

    @property
    def defaultLogLevel(self) -> NamedConstant:
        """
        The minimum level for namespaces that have none of their own.
        """
        return self._default

    @defaultLogLevel.setter
    def defaultLogLevel(self, level: NamedConstant) -> None:
        """
        Change the default minimum level.

        @raise InvalidLogLevelError: if C{level} is not a L{LogLevel} constant.
        """
        self.setLogLevelForNamespace("", level)

    def _indexFor(self, namespace: str | None) -> int:
        """
        Return the minimum level index for C{namespace}.
        """
        if namespace:
            levels = self._levels
            name = namespace
            while True:
                level = levels.get(name)
                if level is not None:
                    return LEVEL_INDEX[level]
                dot = name.rfind(".")
                if dot < 0:
                    break
                name = name[:dot]
        return LEVEL_INDEX[self._default]

    def logLevelForNamespace(self, namespace: str | None) -> NamedConstant:
        """
        Return the minimum level for events in C{namespace}.

        @param namespace: a dotted namespace, or C{None}/C{""} for the default.
        @return: a L{LogLevel} constant.
        """
        levels = list(LogLevel.iterconstants())
        return levels[self._indexFor(namespace)]

    def setLogLevelForNamespace(self, namespace: str, level: NamedConstant) -> None:
        """
        Set the minimum level for C{namespace} and the namespaces under it.

        @param namespace: a dotted namespace; C{""} sets C{defaultLogLevel}.
        @param level: a L{LogLevel} constant.
        @raise InvalidLogLevelError: if C{level} is not a L{LogLevel} constant.
        """
        if levelIndex(level) is None:
            raise InvalidLogLevelError(level)
        with self._lock:
            if namespace:
                self._levels[namespace] = level
            else:
                self._default = level
            self._cache = {}
        refreshGate()

    def clearLogLevels(self) -> None:
        """
        Forget the levels of every namespace (C{defaultLogLevel} stays).
        """
        with self._lock:
            self._levels = {}
            self._cache = {}
        refreshGate()

    def _minimumIndex(self) -> int:
        """
        Return the least severe level index this predicate lets through for
        any namespace.
        """
        indices = [LEVEL_INDEX[level] for level in tuple(self._levels.values())]
        indices.append(LEVEL_INDEX[self._default])
        return min(indices)

    def __call__(self, event: LogEvent) -> NamedConstant:
        """
        Refuse events below their namespace's level.

        @param event: the event.
        @return: C{PredicateResult.no} if the event has no (valid) level or a
            level below its namespace's minimum, else C{PredicateResult.maybe}.
        """
        try:
            eventIndex = LEVEL_INDEX.get(event.get("log_level"))  # type: ignore[arg-type]
        except TypeError:
            eventIndex = None
        if eventIndex is None:
            return PredicateResult.no
        namespace = event.get("log_namespace")
        cache = self._cache
        try:
            minimum = cache.get(namespace)
        except TypeError:  # unhashable namespace
            namespace = None
            minimum = None
        if minimum is None:
            minimum = self._indexFor(namespace if isinstance(namespace, str) else None)
            if len(cache) >= self.maxCachedNamespaces:
                cache.clear()
            cache[namespace] = minimum
        if eventIndex < minimum:
            return PredicateResult.no
        return PredicateResult.maybe
