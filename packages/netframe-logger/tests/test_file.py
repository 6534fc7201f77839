"""Tests for FileLogObserver and textFileLogObserver."""

from __future__ import annotations

import io
import sys
import threading
from typing import Any

from zope.interface.verify import verifyObject

from netframe.logger import (
    FileLogObserver,
    ILogObserver,
    Logger,
    LogLevel,
    textFileLogObserver,
)


class ChoppyFile:
    """A text file whose write stores its text in two pieces, so that a thread
    switch in the middle of a write would interleave lines if writes were not
    serialized."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.flushes = 0

    def write(self, text: str) -> int:
        half = len(text) // 2
        self.pieces.append(text[:half])
        self.pieces.append(text[half:])
        return len(text)

    def flush(self) -> None:
        self.flushes += 1


class FileLogObserverTests:
    def test_verifyObject(self) -> None:
        """FileLogObserver provides ILogObserver."""
        assert verifyObject(ILogObserver, FileLogObserver(io.StringIO(), str))

    def test_writesAndFlushes(self) -> None:
        """Each event's text is written with one write and flushed."""
        out = ChoppyFile()
        observer = FileLogObserver(out, lambda e: f"{e['n']}\n")  # type: ignore[arg-type]
        observer({"n": 1})
        assert "".join(out.pieces) == "1\n"
        assert len(out.pieces) == 2
        assert out.flushes == 1

    def test_skipsEmpty(self) -> None:
        """Events formatted as None or "" are not written."""
        out = io.StringIO()
        observer = FileLogObserver(out, lambda e: e.get("text"))
        observer({})
        observer({"text": ""})
        assert out.getvalue() == ""

    def test_binaryFile(self) -> None:
        """Binary files get UTF-8 bytes."""
        out = io.BytesIO()
        FileLogObserver(out, lambda e: "caf\xe9\n")({})
        assert out.getvalue() == "caf\xe9\n".encode()

    def test_noFlushMethod(self) -> None:
        """Files without flush are written to."""

        class Minimal:
            def __init__(self) -> None:
                self.data: list[str] = []

            def write(self, text: str) -> None:
                self.data.append(text)

        out = Minimal()
        FileLogObserver(out, lambda e: "x")({})  # type: ignore[arg-type]
        assert out.data == ["x"]

    def test_threadsDoNotInterleave(self) -> None:
        """4 threads x 10k events: no lost and no interleaved lines."""
        out = ChoppyFile()
        observer = FileLogObserver(out, lambda e: f"{e['t']}:{e['n']}\n")  # type: ignore[arg-type]
        previous = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)
        try:

            def work(t: int) -> None:
                for n in range(10_000):
                    observer({"t": t, "n": n})

            threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            sys.setswitchinterval(previous)
        lines = "".join(out.pieces).splitlines()
        assert len(lines) == 40_000
        assert sorted(lines) == sorted(f"{t}:{n}" for t in range(4) for n in range(10_000))
        perThread: dict[str, list[int]] = {}
        for line in lines:
            t, n = line.split(":")
            perThread.setdefault(t, []).append(int(n))
        assert all(numbers == list(range(10_000)) for numbers in perThread.values())


class TextFileLogObserverTests:
    def test_classicText(self) -> None:
        """textFileLogObserver writes classic log lines."""
        out = io.StringIO()
        Logger(namespace="saver", observer=textFileLogObserver(out, timeFormat=None)).info(
            "Some values: {values!r}", values=[1234, 5678]
        )
        assert out.getvalue() == "- [saver#info] Some values: [1234, 5678]\n"

    def test_timeFormat(self) -> None:
        """The time format is applied to log_time."""
        out = io.StringIO()
        textFileLogObserver(out, timeFormat="%Y")(
            {"log_format": "x", "log_time": 86400.0 * 365 * 20, "log_level": LogLevel.info}
        )
        assert out.getvalue().startswith("1989 [-#info] x") or out.getvalue().startswith("1990 ")

    def test_failureAppendsTraceback(self) -> None:
        """L3: the observer appends the traceback to 'Math is hard!'."""
        out = io.StringIO()
        log = Logger(observer=textFileLogObserver(out))
        try:
            1 / 0
        except ZeroDivisionError:
            log.failure("Math is hard!")
        text = out.getvalue()
        assert "#critical] Math is hard!\n\tTraceback (most recent call last):\n" in text
        assert "\t--- <exception caught here> ---\n" in text
        assert "ZeroDivisionError: division by zero" in text

    def test_observerErrorsReported(self) -> None:
        """A file that fails to write makes the publisher drop the observer."""

        class Closed:
            def write(self, text: str) -> Any:
                raise ValueError("I/O operation on closed file")

        from netframe.logger import LogPublisher

        seen: list[dict[str, Any]] = []
        publisher = LogPublisher(textFileLogObserver(Closed()), seen.append)  # type: ignore[arg-type]
        Logger(observer=publisher).info("a")
        Logger(observer=publisher).info("b")
        assert len(seen) == 3
