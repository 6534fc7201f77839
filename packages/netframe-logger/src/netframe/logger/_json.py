"""
Saving and loading events as JSON: L{eventAsJSON}, L{eventFromJSON},
L{jsonFileLogObserver} and L{eventsFromJSONLogFile}.

Events are written as JSON objects.  Values JSON cannot hold are replaced by
placeholders (their C{repr}, made safely); bytes are decoded as UTF-8 (bad
bytes escaped); non-finite floats become their C{repr} text so the output is
strict JSON.  Two kinds of objects are tagged so they can be restored:
L{LogLevel} constants (by name) and failures (type, message and traceback
text, restored as an object with C{getTraceback()} and C{getErrorMessage()}).

The values named by the event's format fields are saved in C{log_flattened},
so that a loaded event can still be rendered by L{formatEvent} and queried by
L{extractField}.  The C{log_logger} key is not saved.

Private module; the public names are re-exported by C{netframe.logger}.
"""

from __future__ import annotations

import codecs
import itertools
import json
import math
from collections.abc import Iterable, Iterator
from typing import IO, Any

from netframe.logger._file import FileLogObserver
from netframe.logger._format import (
    _convert,
    _parse,
    _render,
    _resolve,
    flatKey,
    safeRepr,
)
from netframe.logger._levels import LogLevel, levelIndex
from netframe.logger._logger import Logger
from netframe.logger._observer import LogEvent

__all__ = [
    "DEFAULT_MAX_RECORD_SIZE",
    "MAX_NESTING_DEPTH",
    "RECORD_SEPARATOR",
    "eventAsJSON",
    "eventFromJSON",
    "eventsFromJSONLogFile",
    "jsonFileLogObserver",
]

RECORD_SEPARATOR = "\x1e"
"""The RFC 7464 record separator (ASCII RS) that starts every record."""

DEFAULT_MAX_RECORD_SIZE = 16 * 1024 * 1024
"""The longest record, in characters, L{eventsFromJSONLogFile} reads by default."""

MAX_NESTING_DEPTH = 64
"""Containers nested deeper than this in an event are saved as a placeholder."""

_TAG = "__netframe_type__"

# JSON whitespace (RS is whitespace to str.strip, so it is spelled out).
_JSON_WHITESPACE = " \t\r\n"

_log = Logger(namespace="netframe.logger.json")


class _LoadedFailure:
    """
    A failure read back from JSON: its traceback and message as text.

    @ivar type: the qualified name of the exception type.
    @ivar value: the error message.
    """

    def __init__(self, typeName: str, message: str, traceback: str) -> None:
        self.type = typeName
        self.value = message
        self._traceback = traceback

    def getTraceback(self, elideFrameworkCode: int = 0, detail: str = "default") -> str:
        """
        Return the traceback text saved with the failure.
        """
        return self._traceback

    def getBriefTraceback(self) -> str:
        """
        Return the traceback text saved with the failure.
        """
        return self._traceback

    def getErrorMessage(self) -> str:
        """
        Return the error message saved with the failure.
        """
        return self.value

    def __repr__(self) -> str:
        """
        Return a description naming the exception type and message.
        """
        return f"<LoadedFailure {self.type}: {self.value}>"


def _typeName(failure: Any) -> str:
    """
    Return the qualified name of a failure's exception type.
    """
    kind = getattr(failure, "type", None)
    if isinstance(kind, str):
        return kind
    if isinstance(kind, type):
        module = kind.__module__
        return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"
    return safeRepr(kind)


def _safeCall(method: Any) -> str:
    """
    Call a text-returning method, returning a placeholder if it fails.
    """
    try:
        return str(method())
    except Exception as e:
        return f"<unavailable: {safeRepr(e)}>"


def _default(value: Any) -> Any:
    """
    Return a JSON-compatible stand-in for C{value} (the C{default} hook of
    C{json.dumps}).
    """
    if levelIndex(value) is not None:
        return {_TAG: "LogLevel", "name": value.name}
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "backslashreplace")
    if isinstance(value, (set, frozenset)):
        return list(value)
    getTraceback = getattr(value, "getTraceback", None)
    getErrorMessage = getattr(value, "getErrorMessage", None)
    if callable(getTraceback) and callable(getErrorMessage):
        return {
            _TAG: "Failure",
            "type": _typeName(value),
            "message": _safeCall(getErrorMessage),
            "traceback": _safeCall(getTraceback),
        }
    return safeRepr(value)


def _sanitize(value: Any, depth: int, active: set[int]) -> Any:
    """
    Return a copy of C{value} that C{json.dumps} accepts in strict mode:
    string keys, finite floats, bounded nesting, no cycles.
    """
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, int):
        try:
            int.__repr__(value)
        except ValueError:
            return f"<int with {value.bit_length()} bits>"
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(float(value))
    if depth > MAX_NESTING_DEPTH:
        return "<nested too deeply>"
    if isinstance(value, (dict, list, tuple)):
        if id(value) in active:
            return "<circular reference>"
        active.add(id(value))
        try:
            if isinstance(value, dict):
                result: dict[str, Any] = {}
                for key, item in value.items():
                    if isinstance(key, str):
                        textKey = key
                    elif key is None or isinstance(key, (int, float)):
                        textKey = json.dumps(_sanitize(key, depth + 1, active))
                    else:
                        textKey = safeRepr(key)
                    result[textKey] = _sanitize(item, depth + 1, active)
                return result
            return [_sanitize(item, depth + 1, active) for item in value]
        finally:
            active.discard(id(value))
    return _sanitize(_default(value), depth + 1, active)


def _flatten(event: LogEvent) -> dict[str, Any]:
    """
    Return the values and rendered texts of the event's format fields.

    Raw values are kept under the field name (unless the field is a plain key
    of the event, which is saved anyway); rendered text under L{flatKey}.
    Fields that cannot be resolved or rendered are left out.
    """
    formatString = event.get("log_format")
    if isinstance(formatString, bytes):
        formatString = formatString.decode("utf-8", "replace")
    if not isinstance(formatString, str):
        return {}
    try:
        parts = _parse(formatString)
    except Exception:
        return {}
    flattened: dict[str, Any] = {}
    for _, field, conversion, spec in parts:
        if field is None:
            continue
        try:
            value = _resolve(field, event)
        except Exception:
            continue
        if field not in event:
            flattened[field] = value
        try:
            converted = _convert(value, conversion)
            if "{" in spec:
                spec = _render(spec, event, None, 1)
            flattened[flatKey(field, conversion, spec)] = format(converted, spec)
        except Exception:
            continue
    return flattened


def eventAsJSON(event: LogEvent) -> str:
    """
    Serialize an event as one line of JSON text.

    @param event: the event.
    @return: a JSON object (no newline); never raises: values JSON cannot
        hold are replaced by placeholders.
    """
    saved = {key: value for key, value in event.items() if key != "log_logger"}
    flattened = _flatten(event)
    if flattened:
        saved["log_flattened"] = flattened
    try:
        return json.dumps(saved, default=_default, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        pass
    try:
        return json.dumps(_sanitize(saved, 0, set()), allow_nan=False)
    except Exception as e:
        return json.dumps(
            {
                "log_format": "Unable to serialize event: {error}",
                "error": safeRepr(e),
                "log_level": {_TAG: "LogLevel", "name": "error"},
            }
        )


def _restore(obj: dict[str, Any]) -> Any:
    """
    Turn tagged JSON objects back into L{LogLevel}s and failures (the
    C{object_hook} of C{json.loads}).
    """
    tag = obj.get(_TAG)
    if tag is None:
        return obj
    if tag == "LogLevel" and len(obj) == 2:
        name = obj.get("name")
        if isinstance(name, str):
            try:
                return LogLevel.lookupByName(name)
            except ValueError:
                return obj
    if tag == "Failure" and len(obj) == 4:
        typeName, message, traceback = obj.get("type"), obj.get("message"), obj.get("traceback")
        if isinstance(typeName, str) and isinstance(message, str) and isinstance(traceback, str):
            return _LoadedFailure(typeName, message, traceback)
    return obj


def eventFromJSON(eventText: str) -> LogEvent:
    """
    Load an event saved by L{eventAsJSON}.

    @param eventText: a JSON object.
    @return: the event, with log levels and failures restored.
    @raise ValueError: if the text is not valid JSON, is nested too deeply to
        load, or is not a JSON object.
    """
    try:
        loaded = json.loads(eventText, object_hook=_restore)
    except RecursionError:
        raise ValueError("JSON record nested too deeply") from None
    if not isinstance(loaded, dict):
        raise ValueError(f"JSON record is a {type(loaded).__name__}, not an object")
    return loaded


def jsonFileLogObserver(
    outFile: IO[Any], recordSeparator: str = RECORD_SEPARATOR
) -> FileLogObserver:
    """
    Create an observer that writes events to C{outFile} as JSON text
    sequences (RFC 7464): each record is the separator, the JSON object and
    a newline.

    @param outFile: a file opened for writing.
    @param recordSeparator: the text that starts each record (C{""} writes
        newline-delimited JSON).
    @return: the observer.
    """

    def formatRecord(event: LogEvent) -> str:
        return f"{recordSeparator}{eventAsJSON(event)}\n"

    return FileLogObserver(outFile, formatRecord)


def _chunks(inFile: IO[Any], bufferSize: int) -> Iterator[str]:
    """
    Read C{inFile} as text in chunks (bytes are decoded as UTF-8, bad bytes
    replaced).
    """
    decoder = None
    while True:
        chunk = inFile.read(bufferSize)
        if not chunk:
            break
        if isinstance(chunk, (bytes, bytearray)):
            if decoder is None:
                decoder = codecs.getincrementaldecoder("utf-8")("replace")
            chunk = decoder.decode(bytes(chunk))
        yield chunk
    if decoder is not None:
        tail = decoder.decode(b"", final=True)
        if tail:
            yield tail


def _preview(record: str) -> str:
    """
    Return the start of a record, for warnings.
    """
    return record if len(record) <= 200 else record[:200] + "..."


def _splitRecords(
    chunks: Iterable[str], separator: str, maxRecordSize: int
) -> Iterator[str | None]:
    """
    Split text into the pieces between separators; a record longer than
    C{maxRecordSize} is dropped (with a warning) and yields C{None}.
    """
    parts: list[str] = []
    size = 0
    discarding = False
    for chunk in chunks:
        pieces = chunk.split(separator)
        if len(pieces) == 1:
            if not discarding:
                parts.append(chunk)
                size += len(chunk)
                if size > maxRecordSize:
                    _log.warn(
                        "Skipping a JSON record longer than {maxRecordSize} characters.",
                        maxRecordSize=maxRecordSize,
                    )
                    parts = []
                    size = 0
                    discarding = True
            continue
        if discarding:
            discarding = False
        else:
            parts.append(pieces[0])
            yield "".join(parts)
        yield from pieces[1:-1]
        parts = [pieces[-1]]
        size = len(pieces[-1])
    if not discarding:
        yield "".join(parts)


def eventsFromJSONLogFile(
    inFile: IO[Any],
    recordSeparator: str | None = None,
    bufferSize: int = 4096,
    maxRecordSize: int = DEFAULT_MAX_RECORD_SIZE,
) -> Iterator[LogEvent]:
    """
    Load the events of a JSON log file written by L{jsonFileLogObserver}.

    Malformed records are skipped: a warning event is logged (namespace
    C{netframe.logger.json}) and reading goes on; this never raises for bad
    content.

    @param inFile: a file opened for reading (text, or bytes in UTF-8).
    @param recordSeparator: the separator that starts records; C{None}
        detects it: RFC 7464 (RS-separated) if the file starts with RS, else
        one JSON object per line.
    @param bufferSize: how many characters to read at a time.
    @param maxRecordSize: records longer than this many characters are
        skipped with a warning.
    @return: an iterator of events.
    @raise OSError: if reading the file fails.
    """
    chunks: Iterator[str] = _chunks(inFile, bufferSize)
    if recordSeparator is None:
        head: list[str] = []
        seen = 0
        firstCharacter = ""
        for chunk in chunks:
            head.append(chunk)
            seen += len(chunk)
            content = chunk.lstrip(_JSON_WHITESPACE)
            if content:
                firstCharacter = content[0]
                break
            if seen > maxRecordSize:
                break
        recordSeparator = RECORD_SEPARATOR if firstCharacter == RECORD_SEPARATOR else ""
        chunks = itertools.chain(head, chunks)
    rfc7464 = bool(recordSeparator) and recordSeparator != "\n"
    separator = recordSeparator if rfc7464 else "\n"
    leading = rfc7464
    for record in _splitRecords(chunks, separator, maxRecordSize):
        if record is None:
            continue
        if leading:
            leading = False
            if record.strip(_JSON_WHITESPACE):
                _log.warn(
                    "Skipping text before the first JSON record: {record!r}",
                    record=_preview(record),
                )
            continue
        if not record.strip(_JSON_WHITESPACE):
            continue
        if len(record) > maxRecordSize:
            _log.warn(
                "Skipping a JSON record longer than {maxRecordSize} characters.",
                maxRecordSize=maxRecordSize,
            )
            continue
        if rfc7464 and not record.endswith("\n"):
            _log.warn("Unable to read truncated JSON record: {record!r}", record=_preview(record))
            continue
        try:
            event = eventFromJSON(record)
        except ValueError as e:
            _log.warn(
                "Unable to read JSON record: {record!r} ({error})",
                record=_preview(record),
                error=str(e),
            )
            continue
        yield event
