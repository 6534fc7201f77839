"""
The command-line renderer of JSON log files: C{python -m netframe.logger}.

Private module; run it with C{python -m netframe.logger FILE [FILE...]}.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import IO, Any

from netframe.logger._format import formatEvent, formatEventAsClassicLogText, formatTime, safeRepr
from netframe.logger._json import eventAsJSON, eventsFromJSONLogFile
from netframe.logger._levels import LEVEL_INDEX, LogLevel, levelIndex
from netframe.logger._observer import LogEvent, globalLogPublisher

__all__ = ["main"]

_LEVEL_NAMES = [level.name for level in LogLevel.iterconstants()]


def _logfmtValue(value: str) -> str:
    """
    Quote a logfmt value when it needs it.
    """
    if value and not any(c in value for c in ' ="\\\n\t\r'):
        return value
    escaped = (
        value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    )
    return f'"{escaped}"'


def _formatLogfmt(event: Mapping[str, Any]) -> str:
    """
    Render an event as one logfmt line: time, level, namespace, msg, then
    the failure (if any) and the event's own scalar fields.
    """
    level = event.get("log_level")
    fields = [
        ("time", formatTime(event.get("log_time"))),
        ("level", level.name if levelIndex(level) is not None else "-"),  # type: ignore[union-attr]
        ("namespace", str(event.get("log_namespace", "-"))),
        ("msg", formatEvent(event)),
    ]
    failure = event.get("log_failure")
    if failure is not None:
        try:
            fields.append(("error", str(failure.getErrorMessage())))
        except Exception:
            fields.append(("error", safeRepr(failure)))
    for key, value in event.items():
        if key.startswith("log_") or not isinstance(value, (str, int, float, bool)):
            continue
        fields.append((key, str(value)))
    return " ".join(f"{key}={_logfmtValue(value)}" for key, value in fields) + "\n"


def _formatText(event: Mapping[str, Any]) -> str | None:
    """
    Render an event as classic log text.
    """
    return formatEventAsClassicLogText(event)


def _formatJSON(event: Mapping[str, Any]) -> str:
    """
    Render an event as one line of JSON.
    """
    return eventAsJSON(dict(event)) + "\n"


_FORMATTERS: dict[str, Callable[[Mapping[str, Any]], str | None]] = {
    "text": _formatText,
    "json": _formatJSON,
    "logfmt": _formatLogfmt,
}


def _parser() -> argparse.ArgumentParser:
    """
    Return the argument parser of the renderer.
    """
    parser = argparse.ArgumentParser(
        prog="python -m netframe.logger",
        description="Render netframe JSON log files (jsonFileLogObserver output) as text.",
    )
    parser.add_argument(
        "files", nargs="+", metavar="FILE", help='a JSON log file, or "-" for stdin'
    )
    parser.add_argument(
        "--namespace",
        metavar="PREFIX",
        help="only events whose namespace is PREFIX or starts with PREFIX.",
    )
    parser.add_argument(
        "--level",
        choices=_LEVEL_NAMES,
        help="only events at this level or more severe",
    )
    parser.add_argument(
        "--format",
        choices=sorted(_FORMATTERS),
        default="text",
        help="output format (default: text)",
    )
    return parser


def _selected(event: LogEvent, namespace: str | None, minimum: int) -> bool:
    """
    Return whether an event passes the namespace and level filters.
    """
    if namespace is not None:
        eventNamespace = event.get("log_namespace")
        if not isinstance(eventNamespace, str):
            return False
        if eventNamespace != namespace and not eventNamespace.startswith(namespace + "."):
            return False
    if minimum:
        index = levelIndex(event.get("log_level"))
        if index is None or index < minimum:
            return False
    return True


def _renderFile(
    inFile: IO[Any],
    namespace: str | None,
    minimum: int,
    render: Callable[[Mapping[str, Any]], str | None],
    stdout: IO[str],
) -> None:
    """
    Write the selected events of one JSON log file to C{stdout}.

    @raise OSError: if reading fails.
    """
    for event in eventsFromJSONLogFile(inFile):
        if _selected(event, namespace, minimum):
            text = render(event)
            if text:
                stdout.write(text)


def main(
    argv: Sequence[str] | None = None,
    stdin: IO[Any] | None = None,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
) -> int:
    """
    Render JSON log files.

    @param argv: the arguments (default C{sys.argv[1:]}).
    @param stdin: read for the file C{-} (default C{sys.stdin}).
    @param stdout: where rendered events go (default C{sys.stdout}).
    @param stderr: where errors and warnings about malformed records go
        (default C{sys.stderr}).
    @return: C{0} on success, C{1} if a file could not be read, C{2} for bad
        arguments.
    """
    stdin = sys.stdin if stdin is None else stdin
    stdout = sys.stdout if stdout is None else stdout
    stderr = sys.stderr if stderr is None else stderr
    try:
        options = _parser().parse_args(argv)
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else 2
    render = _FORMATTERS[options.format]
    minimum = LEVEL_INDEX[LogLevel.lookupByName(options.level)] if options.level else 0

    def reportMalformed(event: LogEvent) -> None:
        if event.get("log_namespace") == "netframe.logger.json":
            stderr.write(f"warning: {currentName[0]}: {formatEvent(event)}\n")

    currentName = [""]
    status = 0
    globalLogPublisher.addObserver(reportMalformed)
    try:
        for name in options.files:
            currentName[0] = name
            try:
                if name == "-":
                    _renderFile(stdin, options.namespace, minimum, render, stdout)
                else:
                    with open(name, encoding="utf-8", errors="replace") as inFile:
                        _renderFile(inFile, options.namespace, minimum, render, stdout)
            except OSError as e:
                stderr.write(f"error: cannot read {name}: {e.strerror or e}\n")
                status = 1
        stdout.flush()
    finally:
        globalLogPublisher.removeObserver(reportMalformed)
    return status
