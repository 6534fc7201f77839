"""Tests for FilteringLogObserver and LogLevelFilterPredicate."""

from __future__ import annotations

from typing import Any

import pytest
from zope.interface.verify import verifyObject

from netframe.logger import (
    FilteringLogObserver,
    ILogFilterPredicate,
    ILogObserver,
    InvalidLogLevelError,
    LogLevel,
    LogLevelFilterPredicate,
    LogPublisher,
    PredicateResult,
)
from netframe.logger._levels import NO_LEVEL
from netframe.logger._observer import minimumLevelOf


def _event(level: Any, namespace: str | None = "a.b.c") -> dict[str, Any]:
    return {"log_level": level, "log_namespace": namespace}


class FilteringLogObserverTests:
    def test_verifyObject(self) -> None:
        """FilteringLogObserver provides ILogObserver."""
        assert verifyObject(ILogObserver, FilteringLogObserver(print, []))

    def test_noPredicates(self) -> None:
        """With no predicates every event is forwarded."""
        seen: list[dict[str, Any]] = []
        FilteringLogObserver(seen.append, [])({"x": 1})
        assert seen == [{"x": 1}]

    def test_yesShortCircuits(self) -> None:
        """The first yes forwards the event without asking later predicates."""
        seen: list[dict[str, Any]] = []
        asked: list[str] = []

        def yes(event: dict[str, Any]) -> Any:
            asked.append("yes")
            return PredicateResult.yes

        def no(event: dict[str, Any]) -> Any:
            asked.append("no")
            return PredicateResult.no

        FilteringLogObserver(seen.append, [yes, no])({})
        assert asked == ["yes"]
        assert len(seen) == 1

    def test_noGoesToNegative(self) -> None:
        """A no sends the event to the negative observer only."""
        seen: list[dict[str, Any]] = []
        rejected: list[dict[str, Any]] = []
        observer = FilteringLogObserver(
            seen.append,
            [lambda e: PredicateResult.maybe, lambda e: PredicateResult.no],
            rejected.append,
        )
        observer({"x": 1})
        assert seen == []
        assert rejected == [{"x": 1}]

    def test_maybeForwards(self) -> None:
        """All-maybe forwards the event."""
        seen: list[dict[str, Any]] = []
        FilteringLogObserver(seen.append, [lambda e: PredicateResult.maybe])({})
        assert len(seen) == 1

    def test_minimumLevelLeadingPredicates(self) -> None:
        """Only leading level predicates bound the minimum level."""
        pred = LogLevelFilterPredicate(LogLevel.warn)
        assert minimumLevelOf(FilteringLogObserver(print, [pred]), set()) == 2
        other = FilteringLogObserver(print, [lambda e: PredicateResult.yes, pred])
        assert minimumLevelOf(other, set()) == 0

    def test_minimumLevelNegative(self) -> None:
        """A negative observer admits what the positive side refuses."""
        pred = LogLevelFilterPredicate(LogLevel.warn)
        assert minimumLevelOf(FilteringLogObserver(print, [pred], print), set()) == 0

    def test_minimumLevelEmptyPublisher(self) -> None:
        """A publisher with no observers admits nothing; cycles terminate."""
        publisher = LogPublisher()
        assert minimumLevelOf(publisher, set()) == NO_LEVEL
        publisher.addObserver(publisher)
        assert minimumLevelOf(publisher, set()) == NO_LEVEL


class LogLevelFilterPredicateTests:
    def test_verifyObject(self) -> None:
        """LogLevelFilterPredicate provides ILogFilterPredicate."""
        assert verifyObject(ILogFilterPredicate, LogLevelFilterPredicate())

    def test_default(self) -> None:
        """By default events below info are refused."""
        pred = LogLevelFilterPredicate()
        assert pred.defaultLogLevel is LogLevel.info
        assert pred(_event(LogLevel.debug)) is PredicateResult.no
        assert pred(_event(LogLevel.info)) is PredicateResult.maybe
        assert pred(_event(LogLevel.critical)) is PredicateResult.maybe

    def test_inheritByPrefix(self) -> None:
        """Namespaces inherit the level of their nearest dotted parent."""
        pred = LogLevelFilterPredicate()
        pred.setLogLevelForNamespace("a", LogLevel.error)
        pred.setLogLevelForNamespace("a.b.c", LogLevel.debug)
        assert pred.logLevelForNamespace("a") is LogLevel.error
        assert pred.logLevelForNamespace("a.b") is LogLevel.error
        assert pred.logLevelForNamespace("a.b.c.d") is LogLevel.debug
        assert pred.logLevelForNamespace("ab") is LogLevel.info
        assert pred.logLevelForNamespace(None) is LogLevel.info
        assert pred(_event(LogLevel.debug, "a.b.c.d")) is PredicateResult.maybe
        assert pred(_event(LogLevel.warn, "a.x")) is PredicateResult.no

    def test_clear(self) -> None:
        """clearLogLevels forgets namespace levels, keeps the default."""
        pred = LogLevelFilterPredicate(LogLevel.warn)
        pred.setLogLevelForNamespace("a", LogLevel.debug)
        assert pred(_event(LogLevel.debug, "a")) is PredicateResult.maybe
        pred.clearLogLevels()
        assert pred(_event(LogLevel.debug, "a")) is PredicateResult.no
        assert pred.logLevelForNamespace("a") is LogLevel.warn

    def test_setDefault(self) -> None:
        """The empty namespace or the attribute sets the default level."""
        pred = LogLevelFilterPredicate()
        pred(_event(LogLevel.debug, "z"))
        pred.setLogLevelForNamespace("", LogLevel.debug)
        assert pred(_event(LogLevel.debug, "z")) is PredicateResult.maybe
        pred.defaultLogLevel = LogLevel.error
        assert pred(_event(LogLevel.warn, "z")) is PredicateResult.no

    def test_invalidLevels(self) -> None:
        """Invalid levels are refused with InvalidLogLevelError."""
        with pytest.raises(InvalidLogLevelError):
            LogLevelFilterPredicate("info")  # type: ignore[arg-type]
        with pytest.raises(InvalidLogLevelError):
            LogLevelFilterPredicate().setLogLevelForNamespace("a", [])  # type: ignore[arg-type]

    @pytest.mark.parametrize("level", [None, "info", [1]])
    def test_eventWithoutValidLevel(self, level: Any) -> None:
        """Events without a valid level are refused."""
        assert LogLevelFilterPredicate()(_event(level)) is PredicateResult.no

    def test_unhashableNamespace(self) -> None:
        """An unhashable namespace uses the default level, without raising."""
        pred = LogLevelFilterPredicate()
        assert pred({"log_level": LogLevel.info, "log_namespace": ["x"]}) is PredicateResult.maybe

    def test_cacheLimit(self) -> None:
        """The namespace cache holds maxCachedNamespaces entries, then starts over."""
        pred = LogLevelFilterPredicate()
        pred.maxCachedNamespaces = 3
        for i in range(3):
            pred(_event(LogLevel.info, f"n{i}"))
        assert len(pred._cache) == 3
        pred(_event(LogLevel.info, "n3"))
        assert len(pred._cache) == 1
