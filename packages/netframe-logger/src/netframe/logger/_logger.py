"""
L{Logger}: the object applications emit log events with.

Private module; the public names are re-exported by C{netframe.logger}.
"""

from __future__ import annotations

import sys
from time import time as _time
from typing import TYPE_CHECKING, Any

from netframe.logger._levels import LEVEL_INDEX, InvalidLogLevelError, LogLevel
from netframe.logger._observer import Observer, gate, globalLogPublisher

if TYPE_CHECKING:
    from netframe.logger._constants import NamedConstant
    from netframe.logger._failure import Failure

__all__ = ["Logger"]

_debug = LogLevel.debug
_info = LogLevel.info
_warn = LogLevel.warn
_error = LogLevel.error
_critical = LogLevel.critical


def _callerNamespace(depth: int) -> str:
    """
    Return the C{__name__} of the module of the frame C{depth} levels above
    the caller, or C{"<unknown>"}.
    """
    try:
        frame = sys._getframe(depth + 1)
    except ValueError:
        return "<unknown>"
    name = frame.f_globals.get("__name__")
    return name if isinstance(name, str) else "<unknown>"


class Logger:
    """
    Emits structured log events (plain dictionaries) to an observer.

    Events get the keys C{log_logger}, C{log_source}, C{log_level},
    C{log_namespace}, C{log_format} and C{log_time} added to the caller's
    keyword arguments; nothing is formatted here (observers do that, if they
    want text).

    Used as a class attribute, a L{Logger} is a descriptor: C{Foo.log} and
    C{Foo().log} return loggers whose source is the class or the instance and
    whose namespace, unless one was given explicitly, is the class's fully
    qualified name (C{some.module.Foo}).

    A logger that sends to the global publisher checks, before doing any work,
    whether any observer may accept its level (see L{LogLevelFilterPredicate});
    a filtered-out call costs almost nothing.
    """

    __slots__ = ("_explicitNamespace", "namespace", "observer", "source")

    namespace: str
    source: object
    observer: Observer

    def __init__(
        self,
        namespace: str | None = None,
        source: object = None,
        observer: Observer | None = None,
    ) -> None:
        """
        @param namespace: the namespace of the events (C{log_namespace});
            defaults to the C{__name__} of the module that creates the logger.
        @param source: the object the events are about (C{log_source}).
        @param observer: where events go; defaults to C{globalLogPublisher}.
        """
        if namespace is None:
            self._explicitNamespace = False
            namespace = _callerNamespace(1)
        else:
            self._explicitNamespace = True
        self.namespace = namespace
        self.source = source
        self.observer = globalLogPublisher if observer is None else observer

    def __get__(self, instance: object, owner: type[Any] | None = None) -> Logger:
        """
        Return a logger bound to the instance (or the class) it is read from.

        @param instance: the instance the attribute is read from, or C{None}.
        @param owner: the class the attribute is read from.
        @return: a new L{Logger} with that source.
        """
        if owner is None:
            owner = type(instance)
        source: object = owner if instance is None else instance
        if self._explicitNamespace:
            namespace = self.namespace
        else:
            namespace = f"{owner.__module__}.{owner.__qualname__}"
        return Logger(namespace, source, self.observer)

    def __repr__(self) -> str:
        """
        Return C{<Logger 'namespace'>}.
        """
        return f"<Logger {self.namespace!r}>"

    def emit(self, level: NamedConstant, format: str | None = None, **kwargs: Any) -> None:
        """
        Emit an event at C{level}.

        @param level: a L{LogLevel} constant.  Any other object makes the
            logger emit an error-level event (with a L{InvalidLogLevelError}
            failure and the bad value as C{invalidLevel}) instead.
        @param format: a format string for observers that render text.
        @param kwargs: the fields of the event.
        """
        try:
            index = LEVEL_INDEX.get(level)
        except TypeError:  # unhashable: certainly not a level
            index = None
        if index is None:
            from netframe.logger._failure import Failure

            self.failure(
                "Got invalid log level {invalidLevel!r}.",
                Failure(InvalidLogLevelError(level)),
                level=_error,
                invalidLevel=level,
            )
            return
        observer = self.observer
        if observer is globalLogPublisher and gate.minimum > index:
            return
        kwargs["log_logger"] = self
        kwargs["log_level"] = level
        kwargs["log_namespace"] = self.namespace
        kwargs["log_source"] = self.source
        kwargs["log_format"] = format
        kwargs["log_time"] = _time()
        observer(kwargs)

    def failure(
        self,
        format: str,
        failure: Failure | None = None,
        level: NamedConstant = _critical,
        **kwargs: Any,
    ) -> None:
        """
        Emit an event carrying a failure as C{log_failure}; meant for
        unexpected errors (bugs), hence the critical default level.

        @param format: a format string for observers that render text.
        @param failure: the failure; C{None} captures the exception being
            handled (call it in an C{except} block).
        @param level: a L{LogLevel} constant.
        @param kwargs: the other fields of the event.
        @raise Exception: when C{failure} is C{None} and no exception is being
            handled (whatever L{Failure} raises then).
        """
        if failure is None:
            try:
                index = LEVEL_INDEX.get(level)
            except TypeError:
                index = None
            if index is not None and self.observer is globalLogPublisher and gate.minimum > index:
                return
            from netframe.logger._failure import Failure

            failure = Failure()
        self.emit(level, format, log_failure=failure, **kwargs)

    def debug(self, format: str | None = None, **kwargs: Any) -> None:
        """
        Emit a debug-level event.

        @param format: a format string for observers that render text.
        @param kwargs: the fields of the event.
        """
        observer = self.observer
        if observer is globalLogPublisher and gate.minimum > 0:
            return
        kwargs["log_logger"] = self
        kwargs["log_level"] = _debug
        kwargs["log_namespace"] = self.namespace
        kwargs["log_source"] = self.source
        kwargs["log_format"] = format
        kwargs["log_time"] = _time()
        observer(kwargs)

    def info(self, format: str | None = None, **kwargs: Any) -> None:
        """
        Emit an info-level event.

        @param format: a format string for observers that render text.
        @param kwargs: the fields of the event.
        """
        observer = self.observer
        if observer is globalLogPublisher and gate.minimum > 1:
            return
        kwargs["log_logger"] = self
        kwargs["log_level"] = _info
        kwargs["log_namespace"] = self.namespace
        kwargs["log_source"] = self.source
        kwargs["log_format"] = format
        kwargs["log_time"] = _time()
        observer(kwargs)

    def warn(self, format: str | None = None, **kwargs: Any) -> None:
        """
        Emit a warn-level event.

        @param format: a format string for observers that render text.
        @param kwargs: the fields of the event.
        """
        observer = self.observer
        if observer is globalLogPublisher and gate.minimum > 2:
            return
        kwargs["log_logger"] = self
        kwargs["log_level"] = _warn
        kwargs["log_namespace"] = self.namespace
        kwargs["log_source"] = self.source
        kwargs["log_format"] = format
        kwargs["log_time"] = _time()
        observer(kwargs)

    def error(self, format: str | None = None, **kwargs: Any) -> None:
        """
        Emit an error-level event.

        @param format: a format string for observers that render text.
        @param kwargs: the fields of the event.
        """
        observer = self.observer
        if observer is globalLogPublisher and gate.minimum > 3:
            return
        kwargs["log_logger"] = self
        kwargs["log_level"] = _error
        kwargs["log_namespace"] = self.namespace
        kwargs["log_source"] = self.source
        kwargs["log_format"] = format
        kwargs["log_time"] = _time()
        observer(kwargs)

    def critical(self, format: str | None = None, **kwargs: Any) -> None:
        """
        Emit a critical-level event.

        @param format: a format string for observers that render text.
        @param kwargs: the fields of the event.
        """
        observer = self.observer
        if observer is globalLogPublisher and gate.minimum > 4:
            return
        kwargs["log_logger"] = self
        kwargs["log_level"] = _critical
        kwargs["log_namespace"] = self.namespace
        kwargs["log_source"] = self.source
        kwargs["log_format"] = format
        kwargs["log_time"] = _time()
        observer(kwargs)
