"""Tests for the stdlib logging bridges: STDLibLogObserver and STDLibLogHandler."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from zope.interface.verify import verifyObject

from netframe.logger import (
    ILogObserver,
    Logger,
    LogLevel,
    LogPublisher,
    STDLibLogHandler,
    STDLibLogObserver,
    formatEvent,
)
from netframe.logger._stdlib import fromStdlibLogLevel, toStdlibLogLevel


class ListHandler(logging.Handler):
    """Collects records."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def stdlibLogger() -> Iterator[tuple[logging.Logger, ListHandler]]:
    """A stdlib logger tree 'bridgetest' with a collecting handler."""
    logger = logging.getLogger("bridgetest")
    handler = ListHandler()
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, handler
    logger.removeHandler(handler)
    for h in list(logger.handlers):
        logger.removeHandler(h)
    logger.setLevel(logging.NOTSET)
    logger.propagate = True


class LevelMappingTests:
    def test_toStdlib(self) -> None:
        """Each LogLevel maps to the matching stdlib level; others map to INFO."""
        assert [toStdlibLogLevel(level) for level in LogLevel.iterconstants()] == [
            logging.DEBUG,
            logging.INFO,
            logging.WARNING,
            logging.ERROR,
            logging.CRITICAL,
        ]
        assert toStdlibLogLevel("x") == logging.INFO
        assert toStdlibLogLevel([]) == logging.INFO

    def test_fromStdlib(self) -> None:
        """stdlib numbers map to the nearest level at or below them."""
        assert fromStdlibLogLevel(5) is LogLevel.debug
        assert fromStdlibLogLevel(logging.INFO) is LogLevel.info
        assert fromStdlibLogLevel(25) is LogLevel.info
        assert fromStdlibLogLevel(logging.WARNING) is LogLevel.warn
        assert fromStdlibLogLevel(logging.ERROR) is LogLevel.error
        assert fromStdlibLogLevel(100) is LogLevel.critical


class STDLibLogObserverTests:
    def test_verifyObject(self) -> None:
        """STDLibLogObserver provides ILogObserver."""
        assert verifyObject(ILogObserver, STDLibLogObserver())

    def test_record(self, stdlibLogger: Any) -> None:
        """Events become records named by namespace with mapped level and text."""
        _, handler = stdlibLogger
        log = Logger(namespace="bridgetest.sub", observer=STDLibLogObserver())
        log.warn("disk {pct}% full", pct=93)
        (record,) = handler.records
        assert record.name == "bridgetest.sub"
        assert record.levelno == logging.WARNING
        assert record.getMessage() == "disk 93% full"
        assert record.pathname == __file__
        assert record.funcName == "test_record"
        assert record.netframe_event["pct"] == 93

    def test_defaultName(self, stdlibLogger: Any) -> None:
        """Events without a namespace use the observer's name."""
        _, handler = stdlibLogger
        STDLibLogObserver(name="bridgetest")({"log_format": "x", "log_level": LogLevel.info})
        assert handler.records[0].name == "bridgetest"

    def test_belowLevelSkipped(self, stdlibLogger: Any) -> None:
        """Events below the stdlib logger's level make no record."""
        logger, handler = stdlibLogger
        logger.setLevel(logging.ERROR)
        Logger(namespace="bridgetest", observer=STDLibLogObserver()).warn("quiet")
        assert handler.records == []

    def test_failureExcInfo(self, stdlibLogger: Any) -> None:
        """log_failure becomes exc_info."""
        _, handler = stdlibLogger
        log = Logger(namespace="bridgetest", observer=STDLibLogObserver())
        try:
            1 / 0
        except ZeroDivisionError:
            log.failure("Math is hard!")
        (record,) = handler.records
        assert record.levelno == logging.CRITICAL
        assert record.exc_info is not None
        assert record.exc_info[0] is ZeroDivisionError
        text = logging.Formatter().format(record)
        assert "ZeroDivisionError" in text

    def test_textOnlyFailure(self, stdlibLogger: Any) -> None:
        """A failure without a live exception contributes its traceback text."""
        _, handler = stdlibLogger

        class TextFailure:
            value = "msg"

            def getTraceback(self) -> str:
                return "Traceback: saved\n"

        STDLibLogObserver()(
            {"log_namespace": "bridgetest", "log_format": "f", "log_failure": TextFailure()}
        )
        assert logging.Formatter().format(handler.records[0]) == "f\nTraceback: saved"

    def test_stackDepth(self, stdlibLogger: Any) -> None:
        """stackDepth skips further frames when locating the caller."""
        _, handler = stdlibLogger
        log = Logger(namespace="bridgetest", observer=STDLibLogObserver(stackDepth=1))

        def helper() -> None:
            log.info("via helper")

        helper()
        assert handler.records[0].funcName == "test_stackDepth"


class STDLibLogHandlerTests:
    def test_recordBecomesEvent(self, stdlibLogger: Any) -> None:
        """stdlib records become netframe events in the publisher."""
        logger, _ = stdlibLogger
        events: list[dict[str, Any]] = []
        logger.addHandler(STDLibLogHandler(publisher=LogPublisher(events.append)))
        logger.warning("100%% {not a field} %s", "done")
        (event,) = events
        assert event["log_namespace"] == "bridgetest"
        assert event["log_level"] is LogLevel.warn
        assert formatEvent(event) == "100% {not a field} done"
        assert event["log_from_stdlib"] is True
        assert event["log_stdlib_funcName"] == "test_recordBecomesEvent"

    def test_excInfo(self, stdlibLogger: Any) -> None:
        """exc_info becomes log_failure."""
        logger, _ = stdlibLogger
        events: list[dict[str, Any]] = []
        logger.addHandler(STDLibLogHandler(publisher=LogPublisher(events.append)))
        try:
            raise KeyError("k")
        except KeyError:
            logger.exception("failed")
        assert events[0]["log_failure"].type is KeyError
        assert events[0]["log_level"] is LogLevel.error

    def test_defaultPublisher(self) -> None:
        """The default publisher is the global one."""
        from netframe.logger import globalLogPublisher

        assert STDLibLogHandler().publisher is globalLogPublisher

    def test_noLoop(self, stdlibLogger: Any) -> None:
        """With both bridges installed, each message is delivered once each way."""
        logger, handler = stdlibLogger
        events: list[dict[str, Any]] = []
        publisher = LogPublisher(events.append)
        publisher.addObserver(STDLibLogObserver())
        logger.addHandler(STDLibLogHandler(publisher=publisher))
        Logger(namespace="bridgetest", observer=publisher).info("from netframe")
        logger.info("from stdlib")
        assert [formatEvent(e) for e in events] == ["from netframe", "from stdlib"]
        assert [r.getMessage() for r in handler.records] == ["from netframe", "from stdlib"]

    def test_brokenPublisherHandled(
        self, stdlibLogger: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A publisher that raises goes through logging's handleError."""
        logger, _ = stdlibLogger
        errors: list[logging.LogRecord] = []

        def broken(event: dict[str, Any]) -> None:
            raise RuntimeError

        handler = STDLibLogHandler(publisher=broken)
        monkeypatch.setattr(handler, "handleError", errors.append)
        logger.addHandler(handler)
        logger.info("x")
        assert len(errors) == 1
