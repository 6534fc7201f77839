"""Tests for netframe.logger.Logger and LogLevel (SCOPE.md §3.9 L1-L3, L7)."""

from __future__ import annotations

import types
from typing import Any

import pytest

from netframe.logger import (
    FilteringLogObserver,
    InvalidLogLevelError,
    Logger,
    LogLevel,
    LogLevelFilterPredicate,
    LogPublisher,
    formatEvent,
    formatEventAsClassicLogText,
    globalLogPublisher,
)
from netframe.logger._observer import gate, refreshGate


def _moduleWith(name: str, source: str, **names: Any) -> types.ModuleType:
    """Execute source as a module called name (with extra globals) and return it."""
    module = types.ModuleType(name)
    module.__dict__.update(names)
    exec(compile(source, f"<{name}>", "exec"), module.__dict__)
    return module


class LevelTests:
    def test_levelsOrdered(self) -> None:
        """Levels are ordered by severity, debug lowest."""
        levels = list(LogLevel.iterconstants())
        assert [level.name for level in levels] == ["debug", "info", "warn", "error", "critical"]
        assert LogLevel.debug < LogLevel.info < LogLevel.warn < LogLevel.error < LogLevel.critical

    def test_lookupByName(self) -> None:
        """lookupByName finds a level; unknown names raise ValueError."""
        assert LogLevel.lookupByName("warn") is LogLevel.warn
        with pytest.raises(ValueError):
            LogLevel.lookupByName("warning")

    def test_levelWithName(self) -> None:
        """levelWithName raises InvalidLogLevelError for unknown names."""
        assert LogLevel.levelWithName("error") is LogLevel.error
        with pytest.raises(InvalidLogLevelError):
            LogLevel.levelWithName("loud")

    def test_publicModule(self) -> None:
        """Public names report netframe.logger as their module."""
        assert Logger.__module__ == "netframe.logger"
        assert LogLevel.__module__ == "netframe.logger"
        assert formatEvent.__module__ == "netframe.logger"


class NamespaceTests:
    def test_moduleLoggerNamespace(self) -> None:
        """L1: a module-level Logger is named after the module that creates it."""
        module = _moduleWith("some.module", "from netframe.logger import Logger\nlog = Logger()\n")
        assert module.log.namespace == "some.module"

    def test_classLoggerNamespace(self) -> None:
        """L1: a Logger class attribute is named module.Class."""
        module = _moduleWith(
            "some.module",
            "from netframe.logger import Logger\nclass Foo:\n    log = Logger()\n",
        )
        assert module.Foo.log.namespace == "some.module.Foo"
        assert module.Foo().log.namespace == "some.module.Foo"

    def test_classLoggerEmitsNamespace(self) -> None:
        """L1: events from Foo().log.error carry log_namespace some.module.Foo."""
        events: list[dict[str, Any]] = []
        module = _moduleWith(
            "some.module",
            "from netframe.logger import Logger\n"
            "class Foo:\n"
            "    log = Logger(observer=events.append)\n"
            "    def oops(self, data):\n"
            "        self.log.error('Oops! Invalid data from server: {data!r}', data=data)\n",
            events=events,
        )
        module.Foo().oops(b"x")
        assert events[0]["log_namespace"] == "some.module.Foo"
        assert events[0]["log_level"] is LogLevel.error
        assert formatEvent(events[0]) == "Oops! Invalid data from server: b'x'"

    def test_explicitNamespaceKept(self) -> None:
        """A class attribute Logger with an explicit namespace keeps it."""

        class AdHoc:
            log = Logger(namespace="ad_hoc")

        assert AdHoc().log.namespace == "ad_hoc"

    def test_subclassNamespace(self) -> None:
        """Read through a subclass, the namespace names the subclass."""

        class Base:
            log = Logger()

        class Derived(Base):
            pass

        assert Derived.log.namespace == f"{__name__}.{Derived.__qualname__}"

    def test_repr(self) -> None:
        """A Logger's repr names its namespace."""
        assert repr(Logger(namespace="x.y")) == "<Logger 'x.y'>"


class SourceTests:
    def test_logSourceInstance(self) -> None:
        """L2: read from an instance, log_source is the instance."""
        events: list[dict[str, Any]] = []

        class MyObject:
            log = Logger(observer=events.append)

            def __init__(self, value: int) -> None:
                self.value = value

            def doSomething(self, something: str) -> None:
                self.log.info(
                    "Object with value {log_source.value!r} doing {something}.",
                    something=something,
                )

        obj = MyObject(7)
        obj.doSomething("a task")
        assert events[0]["log_source"] is obj
        assert formatEvent(events[0]) == "Object with value 7 doing a task."

    def test_logSourceClass(self) -> None:
        """Read from the class, log_source is the class."""

        class Thing:
            log = Logger()

        assert Thing.log.source is Thing

    def test_logSourceNoneForModuleLogger(self) -> None:
        """A plain Logger has no source."""
        assert Logger().source is None


class EmitTests:
    @pytest.mark.parametrize("name", ["debug", "info", "warn", "error", "critical"])
    def test_emitterLevels(self, name: str) -> None:
        """Each emitter sets the matching log_level and the system keys."""
        events: list[dict[str, Any]] = []
        log = Logger(namespace="ns", source="src", observer=events.append)
        getattr(log, name)("hello {who}", who="world")
        (event,) = events
        assert event["log_level"] is LogLevel.lookupByName(name)
        assert event["log_logger"] is log
        assert event["log_namespace"] == "ns"
        assert event["log_source"] == "src"
        assert event["log_format"] == "hello {who}"
        assert isinstance(event["log_time"], float)
        assert event["who"] == "world"

    def test_emitWithLevel(self) -> None:
        """emit takes the level first."""
        events: list[dict[str, Any]] = []
        Logger(observer=events.append).emit(LogLevel.warn, "x", a=1)
        assert events[0]["log_level"] is LogLevel.warn
        assert events[0]["a"] == 1

    def test_noFormat(self) -> None:
        """An emitter without a format sets log_format to None."""
        events: list[dict[str, Any]] = []
        Logger(observer=events.append).info(request=1)
        assert events[0]["log_format"] is None
        assert formatEvent(events[0]) == ""

    @pytest.mark.parametrize("bad", ["info", 3, None, [1]])
    def test_invalidLevel(self, bad: Any) -> None:
        """An invalid level logs an error event about it with a failure."""
        events: list[dict[str, Any]] = []
        Logger(observer=events.append).emit(bad, "never")
        (event,) = events
        assert event["log_level"] is LogLevel.error
        assert event["invalidLevel"] == bad
        assert isinstance(event["log_failure"].value, InvalidLogLevelError)
        assert formatEvent(event) == f"Got invalid log level {bad!r}."

    def test_formattingIsLazy(self) -> None:
        """Emitting never formats: callable fields are not called."""
        calls: list[int] = []
        events: list[dict[str, Any]] = []
        Logger(observer=events.append).info("{x()}", x=lambda: calls.append(1))
        assert calls == []


class FailureTests:
    def test_failureCapturesCurrentException(self) -> None:
        """L3: log.failure in except logs at critical with log_failure."""
        events: list[dict[str, Any]] = []
        log = Logger(observer=events.append)
        try:
            1 / 0
        except ZeroDivisionError:
            log.failure("Math is hard!")
        (event,) = events
        assert event["log_level"] is LogLevel.critical
        assert event["log_failure"].type is ZeroDivisionError

    def test_failureTextHasTraceback(self) -> None:
        """L3: the file observer's text has the message and the traceback."""
        events: list[dict[str, Any]] = []
        log = Logger(observer=events.append)
        try:
            1 / 0
        except ZeroDivisionError:
            log.failure("Math is hard!")
        text = formatEventAsClassicLogText(events[0], formatTime=lambda t: "T")
        assert text is not None
        assert text.startswith("T [")
        assert "] Math is hard!\n" in text
        assert "--- <exception caught here> ---" in text
        assert "ZeroDivisionError" in text

    def test_failureExplicit(self) -> None:
        """An explicit failure and level are used as given."""
        from netframe.logger._failure import Failure

        events: list[dict[str, Any]] = []
        failure = Failure(ValueError("v"))
        Logger(observer=events.append).failure("f", failure, level=LogLevel.warn, k=1)
        assert events[0]["log_failure"] is failure
        assert events[0]["log_level"] is LogLevel.warn
        assert events[0]["k"] == 1


@pytest.fixture
def gatedGlobal() -> Any:
    """Make the global publisher admit only info and above, then restore it."""
    seen: list[dict[str, Any]] = []
    predicate = LogLevelFilterPredicate(LogLevel.info)
    observer = FilteringLogObserver(seen.append, [predicate])
    saved = globalLogPublisher._observers
    globalLogPublisher._observers = (observer,)
    refreshGate()
    try:
        yield seen, predicate
    finally:
        globalLogPublisher._observers = saved
        refreshGate()


class FastPathTests:
    def test_gateSkipsFilteredLevels(self, gatedGlobal: Any) -> None:
        """With only an info filter installed, debug events are never built."""
        seen, _ = gatedGlobal
        assert gate.minimum == 1
        calls: list[int] = []

        class Probe:
            def __getattr__(self, name: str) -> Any:
                calls.append(1)
                raise AttributeError(name)

        log = Logger(namespace="fast")
        log.debug("x {p}", p=Probe())
        log.info("y")
        assert [formatEvent(e) for e in seen] == ["y"]
        assert calls == []

    def test_gateFollowsNamespaceLevels(self, gatedGlobal: Any) -> None:
        """Lowering one namespace's level opens the gate for it."""
        seen, predicate = gatedGlobal
        predicate.setLogLevelForNamespace("fast.debugged", LogLevel.debug)
        assert gate.minimum == 0
        Logger(namespace="fast.debugged.sub").debug("in")
        Logger(namespace="fast.other").debug("out")
        assert [formatEvent(e) for e in seen] == ["in"]
        predicate.clearLogLevels()
        assert gate.minimum == 1

    def test_gateOpensForPlainObserver(self, gatedGlobal: Any) -> None:
        """An unfiltered observer on the global publisher admits every level."""
        other: list[dict[str, Any]] = []
        globalLogPublisher.addObserver(other.append)
        assert gate.minimum == 0
        Logger().debug("seen")
        assert len(other) == 1
        globalLogPublisher.removeObserver(other.append)
        assert gate.minimum == 1

    def test_failureSkippedWhenGated(self, gatedGlobal: Any) -> None:
        """A filtered-out failure() does not even capture the exception."""
        seen, _ = gatedGlobal
        Logger().failure("nothing", level=LogLevel.debug)  # no exception: not captured
        assert seen == []

    def test_gateOnlyForGlobalPublisher(self, gatedGlobal: Any) -> None:
        """Loggers with their own observer are not gated."""
        events: list[dict[str, Any]] = []
        Logger(observer=events.append).debug("mine")
        assert len(events) == 1

    def test_otherPublisherNotGated(self) -> None:
        """A private LogPublisher delivers every level."""
        events: list[dict[str, Any]] = []
        Logger(observer=LogPublisher(events.append)).debug("d")
        assert len(events) == 1


def test_callerNamespaceUnknown() -> None:
    """A Logger made where no module name is known uses "<unknown>"."""
    namespace: dict[str, Any] = {"Logger": Logger}
    exec("log = Logger()\n", namespace)
    assert namespace["log"].namespace == "<unknown>"
