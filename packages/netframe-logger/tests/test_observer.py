"""Tests for LogPublisher, ILogObserver and LimitedHistoryLogObserver (L5, L7)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from zope.interface import provider
from zope.interface.verify import verifyObject

from netframe.logger import (
    ILogObserver,
    LimitedHistoryLogObserver,
    Logger,
    LogLevel,
    LogPublisher,
    formatEvent,
    globalLogPublisher,
)
from netframe.logger._buffer import DEFAULT_HISTORY_SIZE


class PrintingObserver:
    """An observer that collects the text of events (the seed's PrintingObserver)."""

    def __init__(self) -> None:
        self.printed: list[str] = []

    def __call__(self, event: dict[str, Any]) -> None:
        self.printed.append(formatEvent(event))


class LogPublisherTests:
    def test_verifyObject(self) -> None:
        """LogPublisher provides ILogObserver."""
        assert verifyObject(ILogObserver, LogPublisher())

    def test_forwards(self) -> None:
        """Events reach every registered observer."""
        a: list[dict[str, Any]] = []
        b: list[dict[str, Any]] = []
        publisher = LogPublisher(a.append)
        publisher.addObserver(b.append)
        publisher({"x": 1})
        assert a == b == [{"x": 1}]

    def test_addTwice(self) -> None:
        """An observer added twice still gets each event once."""
        seen: list[dict[str, Any]] = []
        publisher = LogPublisher()
        publisher.addObserver(seen.append)
        publisher.addObserver(seen.append)
        publisher({})
        assert len(seen) == 1

    def test_remove(self) -> None:
        """A removed observer gets nothing; removing an unknown one is harmless."""
        seen: list[dict[str, Any]] = []
        publisher = LogPublisher(seen.append)
        publisher.removeObserver(seen.append)
        publisher.removeObserver(print)
        publisher({})
        assert seen == []

    def test_notCallable(self) -> None:
        """Adding something that is not callable raises TypeError."""
        with pytest.raises(TypeError, match="not callable"):
            LogPublisher().addObserver(42)  # type: ignore[arg-type]

    def test_loggerWithObserver(self) -> None:
        """L7: Logger(observer=PrintingObserver()) delivers 'Hello'."""
        printer = PrintingObserver()
        Logger(observer=printer).info("Hello")
        assert printer.printed == ["Hello"]

    def test_graph(self) -> None:
        """Publishers can observe publishers."""
        seen: list[dict[str, Any]] = []
        Logger(observer=LogPublisher(LogPublisher(seen.append))).info("deep")
        assert formatEvent(seen[0]) == "deep"


class RaisingObserverTests:
    def _publisher(self) -> tuple[LogPublisher, list[dict[str, Any]], list[int]]:
        seen: list[dict[str, Any]] = []
        calls: list[int] = []

        def broken(event: dict[str, Any]) -> None:
            calls.append(1)
            raise RuntimeError("observer bug")

        publisher = LogPublisher(seen.append, broken)
        return publisher, seen, calls

    def test_raisingObserverMidStream(self) -> None:
        """An observer raising mid-stream: others get every event, it is removed,
        and the error is reported once as a critical event with the failure."""
        publisher, seen, calls = self._publisher()
        log = Logger(namespace="app", observer=publisher)
        log.info("one")
        log.info("two")
        log.info("three")
        assert calls == [1]
        texts = [formatEvent(e) for e in seen]
        assert texts[0] == "one"
        assert texts[1].startswith("Observer <function ")
        assert texts[1].endswith("raised an exception and was removed.")
        assert texts[2:] == ["two", "three"]
        report = seen[1]
        assert report["log_level"] is LogLevel.critical
        assert report["log_failure"].type is RuntimeError

    def test_reportingFailureGivesUp(self) -> None:
        """If an observer also fails on the report, nothing recurses or escapes."""
        calls: list[str] = []

        def flaky(event: dict[str, Any]) -> None:
            calls.append("flaky")
            if "observer" in event:
                raise RuntimeError("cannot report either")

        def broken(event: dict[str, Any]) -> None:
            raise RuntimeError("bug")

        publisher = LogPublisher(broken, flaky)
        publisher({"log_format": "x"})
        publisher({"log_format": "y"})
        assert calls == ["flaky", "flaky", "flaky"]

    def test_baseExceptionPropagates(self) -> None:
        """KeyboardInterrupt in an observer is not swallowed."""

        def interrupt(event: dict[str, Any]) -> None:
            raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            LogPublisher(interrupt)({})

    def test_concurrentRegistration(self) -> None:
        """Adding and removing observers from threads while publishing loses nothing."""
        seen: list[dict[str, Any]] = []
        publisher = LogPublisher(seen.append)
        stop = threading.Event()

        def churn() -> None:
            extra: list[dict[str, Any]] = []
            while not stop.is_set():
                publisher.addObserver(extra.append)
                publisher.removeObserver(extra.append)

        thread = threading.Thread(target=churn)
        thread.start()
        try:
            for i in range(2000):
                publisher({"i": i})
        finally:
            stop.set()
            thread.join()
        assert [e["i"] for e in seen] == list(range(2000))


class ProviderTests:
    def test_simpleObserver(self, capsys: pytest.CaptureFixture[str]) -> None:
        """L5: a function providing ILogObserver prints formatted text."""

        @provider(ILogObserver)
        def simpleObserver(event: dict[str, Any]) -> None:
            print(formatEvent(event))

        assert verifyObject(ILogObserver, simpleObserver)
        Logger(observer=simpleObserver).info("hi {name}", name="there")
        assert capsys.readouterr().out == "hi there\n"

    def test_listAppend(self) -> None:
        """Plain callables such as list.append are observers."""
        events: list[dict[str, Any]] = []
        globalLogPublisher.addObserver(events.append)
        try:
            Logger(namespace="x").info("Hello")
        finally:
            globalLogPublisher.removeObserver(events.append)
        assert formatEvent(events[0]) == "Hello"


class LimitedHistoryTests:
    def test_verifyObject(self) -> None:
        """LimitedHistoryLogObserver provides ILogObserver."""
        assert verifyObject(ILogObserver, LimitedHistoryLogObserver())

    def test_defaultSize(self) -> None:
        """The default size is 65536 events."""
        assert DEFAULT_HISTORY_SIZE == 65536
        assert LimitedHistoryLogObserver().size == DEFAULT_HISTORY_SIZE

    def test_atLimit(self) -> None:
        """Exactly size events are all kept."""
        history = LimitedHistoryLogObserver(3)
        for i in range(3):
            history({"i": i})
        seen: list[dict[str, Any]] = []
        history.replayTo(seen.append)
        assert [e["i"] for e in seen] == [0, 1, 2]

    def test_pastLimit(self) -> None:
        """One event past the size drops the oldest."""
        history = LimitedHistoryLogObserver(3)
        for i in range(4):
            history({"i": i})
        seen: list[dict[str, Any]] = []
        history.replayTo(seen.append)
        assert [e["i"] for e in seen] == [1, 2, 3]

    def test_negativeSize(self) -> None:
        """A negative size is refused."""
        with pytest.raises(ValueError):
            LimitedHistoryLogObserver(-1)
