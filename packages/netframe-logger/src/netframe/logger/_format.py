"""
Rendering log events as text: L{formatEvent} and friends.

Format strings use PEP 3101 syntax with two changes: positional fields (C{{}},
C{{0}}) are refused, and a field name ending in C{()} calls the object it names
with no arguments and formats the result.  Formatting never raises: an event
that cannot be formatted renders as text starting with C{"Unable to format
event"}.

Private module; the public names are re-exported by C{netframe.logger}.
"""

from __future__ import annotations

import _string  # type: ignore[import-not-found]
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from netframe.logger._levels import LogLevel

__all__ = [
    "eventAsText",
    "extractField",
    "formatEvent",
    "formatEventAsClassicLogText",
    "formatTime",
    "formatUnformattableEvent",
    "formatWithCall",
    "safeRepr",
    "timeFormatRFC3339",
]

timeFormatRFC3339 = "%Y-%m-%dT%H:%M:%S%z"
"""The default C{strftime} format of log time stamps (RFC 3339 style)."""

FORMAT_CACHE_SIZE = 1024
"""How many distinct parsed format strings are kept (least recently used go first)."""

MAX_SPEC_NESTING = 2
"""How deeply format specs may nest fields (C{{x:{width}}} is one level), as in PEP 3101."""

_Part = tuple[str, str | None, str | None, str]


class PositionalFieldError(ValueError):
    """
    A format string used a positional field (C{{}} or C{{0}}); log format
    strings only accept named fields.
    """


def safeRepr(obj: object) -> str:
    """
    Return C{repr(obj)}, or a description of the failure if C{repr} raises.

    @param obj: any object.
    @return: text; never raises (except on C{KeyboardInterrupt}-like exits).
    """
    try:
        return repr(obj)
    except Exception as e:
        try:
            typeName = type(obj).__qualname__
        except Exception:
            typeName = "?"
        try:
            errorName = type(e).__qualname__
        except Exception:
            errorName = "?"
        return f"<{typeName} instance at 0x{id(obj):x} with repr error {errorName}>"


def _safeStr(obj: object) -> str:
    """
    Return C{str(obj)}, falling back to L{safeRepr} when C{str} raises.
    """
    try:
        return str(obj)
    except Exception:
        return safeRepr(obj)


@lru_cache(maxsize=FORMAT_CACHE_SIZE)
def _parse(formatString: str) -> tuple[_Part, ...]:
    """
    Parse C{formatString} into (literal, field, conversion, spec) parts.

    @raise ValueError: if the format string is malformed.
    """
    return tuple(
        (literal, field, conversion, spec or "")
        for literal, field, spec, conversion in _string.formatter_parser(formatString)
    )


def _resolve(fieldName: str, mapping: Mapping[str, Any]) -> Any:
    """
    Return the value that C{fieldName} (C{a.b[0]}, optionally ending in C{()})
    names in C{mapping}.

    @raise PositionalFieldError: for positional fields.
    @raise KeyError: if the first part of the field is not in C{mapping}.
    @raise Exception: whatever attribute access, indexing or the call raises.
    """
    call = fieldName.endswith("()")
    if call:
        fieldName = fieldName[:-2]
    first, rest = _string.formatter_field_name_split(fieldName)
    if first == "" or isinstance(first, int):
        raise PositionalFieldError(
            f"positional format field {{{fieldName}}} is not supported in log "
            "format strings; name the field, e.g. {value}"
        )
    value = mapping[first]
    for isAttribute, key in rest:
        value = getattr(value, key) if isAttribute else value[key]
    if call:
        value = value()
    return value


def _convert(value: Any, conversion: str | None) -> Any:
    """
    Apply a C{!r}, C{!s} or C{!a} conversion.

    @raise ValueError: for an unknown conversion character.
    """
    if conversion is None:
        return value
    if conversion == "r":
        return repr(value)
    if conversion == "s":
        return str(value)
    if conversion == "a":
        return ascii(value)
    raise ValueError(f"unknown conversion specifier {conversion!r}")


def _render(
    formatString: str,
    mapping: Mapping[str, Any],
    flattened: Mapping[str, Any] | None,
    depth: int,
) -> str:
    """
    Format C{formatString} against C{mapping}, using pre-rendered field text
    from C{flattened} when it holds the field.
    """
    if depth > MAX_SPEC_NESTING:
        raise ValueError("Max string recursion exceeded")
    out: list[str] = []
    for literal, field, conversion, spec in _parse(formatString):
        if literal:
            out.append(literal)
        if field is None:
            continue
        if flattened is not None:
            key = flatKey(field, conversion, spec)
            if key in flattened:
                out.append(_safeStr(flattened[key]))
                continue
        value = _convert(_resolve(field, mapping), conversion)
        if "{" in spec:
            spec = _render(spec, mapping, flattened, depth + 1)
        out.append(format(value, spec))
    return "".join(out)


def flatKey(field: str, conversion: str | None, spec: str) -> str:
    """
    Return the key under which a field's rendered text is kept in an event's
    C{log_flattened} mapping.

    @param field: the field name, e.g. C{log_source.a}.
    @param conversion: C{"r"}, C{"s"}, C{"a"} or C{None}.
    @param spec: the format spec (possibly empty).
    @return: C{"field!conversion:spec"}.
    """
    return f"{field}!{conversion or ''}:{spec}"


def formatWithCall(formatString: str, mapping: Mapping[str, Any]) -> str:
    """
    Format C{formatString} with the named fields of C{mapping}, calling fields
    whose names end in C{()}.

    @param formatString: a PEP 3101 format string with named fields only.
    @param mapping: the values of the fields.
    @return: the formatted text.
    @raise PositionalFieldError: if the string uses positional fields.
    @raise KeyError: if a field is missing from C{mapping}.
    @raise ValueError: if the format string is malformed.
    @raise Exception: whatever the field values raise while being formatted.
    """
    return _render(formatString, mapping, None, 0)


def _formatFailure(event: Mapping[str, Any]) -> str:
    """
    Return the traceback text of the event's C{log_failure}, never raising.
    """
    failure = event["log_failure"]
    try:
        return str(failure.getTraceback())
    except Exception:
        return "(UNABLE TO OBTAIN TRACEBACK FROM EVENT)\n"


def formatUnformattableEvent(event: Mapping[str, Any], error: BaseException) -> str:
    """
    Return text describing an event that could not be formatted.

    @param event: the event.
    @param error: why formatting failed.
    @return: C{"Unable to format event {...}: <error>"}, with every key and
        value represented safely (a raising C{__repr__} cannot break it).
    """
    try:
        items = ", ".join(f"{safeRepr(key)}: {safeRepr(value)}" for key, value in event.items())
        eventText = "{" + items + "}"
    except Exception:
        eventText = f"<event at 0x{id(event):x}>"
    return f"Unable to format event {eventText}: {safeRepr(error)}"


def formatEvent(event: Mapping[str, Any]) -> str:
    """
    Render the event's C{log_format} with the event's fields.

    @param event: a log event.
    @return: the text; C{""} when the event has no format.  If the format is
        bad or a field cannot be rendered, the text starts with C{"Unable to
        format event"}.  Never raises.
    """
    try:
        formatString = event.get("log_format", None)
        if formatString is None:
            return ""
        if isinstance(formatString, bytes):
            formatString = formatString.decode("utf-8")
        elif not isinstance(formatString, str):
            raise TypeError(f"log_format must be text, not {type(formatString).__name__}")
        flattened = event.get("log_flattened")
        if not isinstance(flattened, Mapping):
            flattened = None
        return _render(formatString, event, flattened, 0)
    except Exception as e:
        return formatUnformattableEvent(event, e)


def extractField(field: str, event: Mapping[str, Any]) -> Any:
    """
    Return the value a format field names in C{event}, such as
    C{"log_source.a"}; works on live events and on events loaded from JSON
    (whose C{log_flattened} mapping keeps field values).

    @param field: a field name as written in a format string, without braces
        or conversion (C{"request.uri"}, C{"values[0]"}, C{"count()"}).
    @param event: a log event.
    @return: the value.
    @raise KeyError: if the field cannot be found in the event.
    """
    flattened = event.get("log_flattened")
    if isinstance(flattened, Mapping) and field in flattened:
        return flattened[field]
    try:
        return _resolve(field, event)
    except Exception as e:
        raise KeyError(field) from e


def formatTime(
    when: float | None,
    timeFormat: str | None = timeFormatRFC3339,
    default: str = "-",
) -> str:
    """
    Format a POSIX time stamp as local time.

    @param when: seconds since the epoch, or C{None}.
    @param timeFormat: a C{strftime} format, or C{None} for C{default}.
    @param default: the text returned when C{when} or C{timeFormat} is C{None}
        or C{when} is not a usable time stamp.
    @return: the formatted time.
    """
    if when is None or timeFormat is None:
        return default
    try:
        moment = datetime.fromtimestamp(when, UTC).astimezone()
        return moment.strftime(timeFormat)
    except (TypeError, ValueError, OverflowError, OSError):
        return default


def _formatSystem(event: Mapping[str, Any]) -> str:
    """
    Return the system identifier of an event: C{log_system}, or
    C{namespace#level}, with C{-} for missing parts.
    """
    system = event.get("log_system", None)
    if system is not None:
        return _safeStr(system)
    namespace = event.get("log_namespace", None)
    level = event.get("log_level", None)
    namespaceText = "-" if namespace is None else _safeStr(namespace)
    if level is None:
        levelText = "-"
    elif isinstance(level, LogLevel._constantType) and level.name:
        levelText = level.name
    else:
        levelText = _safeStr(level)
    return f"{namespaceText}#{levelText}"


def eventAsText(
    event: Mapping[str, Any],
    includeTraceback: bool = True,
    includeTimestamp: bool = True,
    includeSystem: bool = True,
    formatTime: Callable[[float | None], str] = formatTime,
) -> str:
    """
    Render an event as one piece of text.

    @param event: a log event.
    @param includeTraceback: append the traceback of C{log_failure}, if any.
    @param includeTimestamp: prefix the C{log_time} formatted by C{formatTime}.
    @param includeSystem: prefix C{[system]} (C{log_system}, or
        C{namespace#level}).
    @param formatTime: turns C{log_time} into text.
    @return: the text, C{""} if the event has neither format nor failure.
        Never raises.
    """
    eventText = formatEvent(event)
    if includeTraceback and "log_failure" in event:
        tracebackText = _formatFailure(event)
        eventText = f"{eventText}\n{tracebackText}" if eventText else tracebackText
    if not eventText:
        return eventText
    prefix = ""
    if includeTimestamp:
        try:
            prefix = formatTime(event.get("log_time", None)) + " "
        except Exception:
            prefix = "- "
    if includeSystem:
        prefix += f"[{_formatSystem(event)}] "
    return prefix + eventText


def formatEventAsClassicLogText(
    event: Mapping[str, Any],
    formatTime: Callable[[float | None], str] = formatTime,
) -> str | None:
    """
    Render an event as a classic log line:
    C{2013-01-01T12:34:56-0800 [namespace#level] text}, continuation lines
    indented by a tab, ending in a newline.

    @param event: a log event.
    @param formatTime: turns C{log_time} into text.
    @return: the line(s), or C{None} if the event has no text at all.
        Never raises.
    """
    eventText = eventAsText(event, formatTime=formatTime)
    if not eventText:
        return None
    return eventText.rstrip("\n").replace("\n", "\n\t") + "\n"
