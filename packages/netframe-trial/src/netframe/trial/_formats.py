"""
Machine-readable reporters: subunit v2 byte streams and JUnit XML.

Subunit v2 packet (all integers big-endian)::

    0xB3                      signature
    flags (16 bits)           0x2000 (version 2) | field bits | status
    length (1-4 bytes)        whole packet length, a "number" (below)
    [timestamp]               flag 0x0200: uint32 seconds, number nanoseconds
    [test id]                 flag 0x0800: utf-8 string
    [tags]                    flag 0x0080: number count, then strings
    [mime type]               flag 0x0040: string
    [file content]            flag 0x0010: string name, number length, bytes
    [route code]              flag 0x0400: string
    CRC32                     4 bytes, over everything before it

Other flag bits: 0x0100 runnable, 0x0020 end of file.  Status (low 3 bits):
0 none, 1 exists, 2 inprogress, 3 success, 4 uxsuccess, 5 skip, 6 fail,
7 xfail.  A I{number} takes 1 to 4 bytes: the top two bits of the first byte
give how many bytes follow (values below 2**6, 2**14, 2**22, 2**30).  A
I{string} is a number (its utf-8 length) then the bytes.
"""

from __future__ import annotations

import datetime
import io
import socket
import struct
import sys
import time
import zlib
from typing import IO, Any
from xml.etree import ElementTree

from netframe.core.failure import Failure
from netframe.trial._reporter import Reporter, formatFailure

#: Largest value a subunit v2 number can hold.
SUBUNIT_MAX_NUMBER = 2**30 - 1

#: Largest subunit packet (the format's limit on the length field).
SUBUNIT_MAX_PACKET = 4 * 1024 * 1024 - 1

_SIGNATURE = 0xB3
_VERSION = 0x2000
FLAG_TEST_ID = 0x0800
FLAG_ROUTE_CODE = 0x0400
FLAG_TIMESTAMP = 0x0200
FLAG_RUNNABLE = 0x0100
FLAG_TAGS = 0x0080
FLAG_MIME_TYPE = 0x0040
FLAG_EOF = 0x0020
FLAG_FILE_CONTENT = 0x0010

STATUS_NONE = 0
STATUS_EXISTS = 1
STATUS_INPROGRESS = 2
STATUS_SUCCESS = 3
STATUS_UXSUCCESS = 4
STATUS_SKIP = 5
STATUS_FAIL = 6
STATUS_XFAIL = 7


def encodeNumber(value: int) -> bytes:
    """
    Encode a subunit v2 variable-length number.

    @param value: 0 to L{SUBUNIT_MAX_NUMBER}.
    @return: 1 to 4 bytes.
    @raise ValueError: If C{value} is negative or too large.
    """
    if value < 0 or value > SUBUNIT_MAX_NUMBER:
        raise ValueError(f"subunit number out of range 0..{SUBUNIT_MAX_NUMBER}: {value}")
    if value < 2**6:
        return bytes([value])
    if value < 2**14:
        return struct.pack(">H", value | 0x4000)
    if value < 2**22:
        return struct.pack(">I", value | 0x800000)[1:]
    return struct.pack(">I", value | 0xC0000000)


def decodeNumber(data: bytes, offset: int) -> tuple[int, int]:
    """
    Decode a subunit v2 number at C{data[offset:]}.

    @return: the value and the offset after it.
    @raise ValueError: If the data is truncated.
    """
    if offset >= len(data):
        raise ValueError("truncated subunit number")
    first = data[offset]
    size = (first >> 6) + 1
    if offset + size > len(data):
        raise ValueError("truncated subunit number")
    value = first & 0x3F
    for b in data[offset + 1 : offset + size]:
        value = (value << 8) | b
    return value, offset + size


def _string(text: str) -> bytes:
    """Encode a subunit string (number length + utf-8)."""
    raw = text.encode("utf-8")
    return encodeNumber(len(raw)) + raw


def encodePacket(
    status: int = STATUS_NONE,
    testId: str | None = None,
    timestamp: float | None = None,
    tags: list[str] | None = None,
    mimeType: str | None = None,
    fileName: str | None = None,
    fileContent: bytes | None = None,
    routeCode: str | None = None,
    runnable: bool = True,
    eof: bool = False,
) -> bytes:
    """
    Build one subunit v2 packet.

    @param status: one of the C{STATUS_*} values.
    @param testId: the test id, or None.
    @param timestamp: seconds since the epoch, or None.
    @param tags: tags, or None.
    @param mimeType: the attachment's MIME type, or None.
    @param fileName: the attachment's name (with C{fileContent}).
    @param fileContent: the attachment's bytes, or None.
    @param routeCode: the route code, or None.
    @param runnable: set the runnable flag.
    @param eof: set the end-of-file flag (last packet of an attachment).
    @return: the packet bytes.
    @raise ValueError: If the packet would exceed L{SUBUNIT_MAX_PACKET}.
    """
    if not 0 <= status <= 7:
        raise ValueError(f"subunit status must be 0..7, not {status}")
    flags = _VERSION | status
    body = bytearray()
    if timestamp is not None:
        flags |= FLAG_TIMESTAMP
        seconds = int(timestamp)
        nanos = int((timestamp - seconds) * 1e9)
        body += struct.pack(">I", seconds) + encodeNumber(min(nanos, SUBUNIT_MAX_NUMBER))
    if testId is not None:
        flags |= FLAG_TEST_ID
        body += _string(testId)
    if tags is not None:
        flags |= FLAG_TAGS
        body += encodeNumber(len(tags))
        for tag in tags:
            body += _string(tag)
    if mimeType is not None:
        flags |= FLAG_MIME_TYPE
        body += _string(mimeType)
    if fileContent is not None:
        flags |= FLAG_FILE_CONTENT
        body += _string(fileName or "")
        body += encodeNumber(len(fileContent)) + fileContent
    if routeCode is not None:
        flags |= FLAG_ROUTE_CODE
        body += _string(routeCode)
    if runnable:
        flags |= FLAG_RUNNABLE
    if eof:
        flags |= FLAG_EOF
    # signature + flags + length + body + crc; the length counts itself.
    base = 1 + 2 + len(body) + 4
    total = base + 1
    while len(encodeNumber(total)) != total - base:
        total = base + len(encodeNumber(total))
    if total > SUBUNIT_MAX_PACKET:
        raise ValueError(f"subunit packet too large: {total} > {SUBUNIT_MAX_PACKET}")
    head = bytes([_SIGNATURE]) + struct.pack(">H", flags) + encodeNumber(total)
    packet = head + bytes(body)
    return packet + struct.pack(">I", zlib.crc32(packet) & 0xFFFFFFFF)


def decodePacket(data: bytes, offset: int = 0) -> tuple[dict[str, Any], int]:
    """
    Parse one subunit v2 packet (for tests and tools).

    @return: a dict with C{status}, C{flags}, and the present fields
        (C{testId}, C{timestamp}, C{tags}, C{mimeType}, C{fileName},
        C{fileContent}, C{routeCode}), and the offset after the packet.
    @raise ValueError: On a bad signature, version, CRC or truncation.
    """
    if offset + 3 > len(data) or data[offset] != _SIGNATURE:
        raise ValueError("not a subunit v2 packet")
    (flags,) = struct.unpack(">H", data[offset + 1 : offset + 3])
    if flags & 0xF000 != _VERSION:
        raise ValueError(f"unsupported subunit version in flags {flags:#06x}")
    length, pos = decodeNumber(data, offset + 3)
    end = offset + length
    if end > len(data) or length < 8:
        raise ValueError("truncated subunit packet")
    (crc,) = struct.unpack(">I", data[end - 4 : end])
    if zlib.crc32(data[offset : end - 4]) & 0xFFFFFFFF != crc:
        raise ValueError("subunit packet CRC mismatch")

    def string(p: int) -> tuple[str, int]:
        n, p = decodeNumber(data, p)
        return data[p : p + n].decode("utf-8"), p + n

    out: dict[str, Any] = {"status": flags & 0x7, "flags": flags}
    if flags & FLAG_TIMESTAMP:
        (seconds,) = struct.unpack(">I", data[pos : pos + 4])
        nanos, pos = decodeNumber(data, pos + 4)
        out["timestamp"] = seconds + nanos / 1e9
    if flags & FLAG_TEST_ID:
        out["testId"], pos = string(pos)
    if flags & FLAG_TAGS:
        count, pos = decodeNumber(data, pos)
        tags = []
        for _ in range(count):
            tag, pos = string(pos)
            tags.append(tag)
        out["tags"] = tags
    if flags & FLAG_MIME_TYPE:
        out["mimeType"], pos = string(pos)
    if flags & FLAG_FILE_CONTENT:
        out["fileName"], pos = string(pos)
        n, pos = decodeNumber(data, pos)
        out["fileContent"] = data[pos : pos + n]
        pos += n
    if flags & FLAG_ROUTE_CODE:
        out["routeCode"], pos = string(pos)
    return out, end


def _binaryStream(stream: Any) -> IO[bytes]:
    """Return the binary side of a text stream (or the stream itself)."""
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        return buffer  # type: ignore[no-any-return]
    if isinstance(stream, io.TextIOBase):
        raise TypeError("the subunit reporter needs a binary stream")
    return stream  # type: ignore[no-any-return]


#: Largest attachment chunk per packet (keeps packets under the limit).
SUBUNIT_CHUNK = 65536


class SubunitReporter(Reporter):
    """
    Writes a subunit v2 stream (see the module documentation): an
    C{inprogress} packet when a test starts, its traceback or skip reason as
    a C{text/plain} attachment, and its final status.  Nothing is printed
    at the end.
    """

    def __init__(self, stream: Any = None, *args: Any, **kwargs: Any) -> None:
        """Take the L{Reporter} arguments; C{stream} may be text (its buffer is used)."""
        super().__init__(stream if stream is not None else sys.stdout, *args, **kwargs)
        self._out = _binaryStream(self.stream)
        self._outcome: dict[Any, tuple[int, str | None]] = {}

    def _emit(self, packet: bytes) -> None:
        """Write one packet."""
        self._out.write(packet)

    def _attach(self, testId: str, name: str, text: str) -> None:
        """Write C{text} as an attachment of C{testId}, in chunks."""
        raw = text.encode("utf-8", "replace")
        chunks = [raw[i : i + SUBUNIT_CHUNK] for i in range(0, len(raw), SUBUNIT_CHUNK)] or [b""]
        for index, chunk in enumerate(chunks):
            self._emit(
                encodePacket(
                    testId=testId,
                    mimeType="text/plain;charset=utf8",
                    fileName=name,
                    fileContent=chunk,
                    eof=index == len(chunks) - 1,
                )
            )

    def startTest(self, test: Any) -> None:
        """Emit the C{inprogress} packet."""
        super().startTest(test)
        self._emit(encodePacket(STATUS_INPROGRESS, test.id(), time.time()))

    def _set(self, test: Any, status: int, detail: str | None) -> None:
        """Remember the first non-success outcome of C{test}."""
        current = self._outcome.get(test)
        if current is None or current[0] == STATUS_SUCCESS:
            self._outcome[test] = (status, detail)

    def addSuccess(self, test: Any) -> None:
        """Record success."""
        super().addSuccess(test)
        self._set(test, STATUS_SUCCESS, None)

    def addFailure(self, test: Any, fail: Any) -> None:
        """Record a failure with its traceback."""
        super().addFailure(test, fail)
        self._set(test, STATUS_FAIL, formatFailure(self.failures[-1][1]))

    def addError(self, test: Any, error: Any) -> None:
        """Record an error with its traceback."""
        super().addError(test, error)
        self._set(test, STATUS_FAIL, formatFailure(self.errors[-1][1]))

    def addSkip(self, test: Any, reason: Any) -> None:
        """Record a skip with its reason."""
        super().addSkip(test, reason)
        self._set(test, STATUS_SKIP, str(reason))

    def addExpectedFailure(self, test: Any, failure: Any, todo: Any = None) -> None:
        """Record an expected failure."""
        super().addExpectedFailure(test, failure, todo)
        self._set(test, STATUS_XFAIL, formatFailure(self.expectedFailures[-1][1]))

    def addUnexpectedSuccess(self, test: Any, todo: Any = None) -> None:
        """Record an unexpected success."""
        super().addUnexpectedSuccess(test, todo)
        self._set(test, STATUS_UXSUCCESS, None)

    def stopTest(self, test: Any) -> None:
        """Emit the attachment (if any) and the final status packet."""
        status, detail = self._outcome.pop(test, (STATUS_SUCCESS, None))
        testId = test.id()
        if detail:
            self._attach(testId, "reason" if status == STATUS_SKIP else "traceback", detail)
        self._emit(encodePacket(status, testId, time.time()))

    def done(self) -> None:
        """Flush the stream (subunit has no summary)."""
        self._out.flush()


def _escapeXML(text: str) -> str:
    """
    Replace characters XML 1.0 cannot carry (control characters other than
    tab, newline and carriage return; U+FFFE, U+FFFF; lone surrogates) with
    C{\\xNN} / C{\\uNNNN} escapes.
    """
    out = []
    for ch in text:
        code = ord(ch)
        if (
            (code < 0x20 and ch not in "\t\n\r")
            or 0xD800 <= code <= 0xDFFF
            or code in (0xFFFE, 0xFFFF)
        ):
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


class JUnitXMLReporter(Reporter):
    """
    Writes a JUnit XML report in pytest's C{xunit2} flavour: one
    C{<testsuites>} holding one C{<testsuite>} with C{name}, C{tests},
    C{failures}, C{errors}, C{skipped}, C{time}, C{timestamp} and
    C{hostname}, and one C{<testcase classname name time>} per test with
    C{<failure>}, C{<error>} or C{<skipped>} children (C{message} and
    C{type} attributes, the traceback as text).  Expected failures are
    C{<skipped>}; unexpected successes are C{<failure>}.  Characters XML
    cannot carry are escaped.

    @ivar suiteName: the C{name} of the C{<testsuite>}.
    """

    suiteName = "netframe-trial"

    def __init__(self, stream: Any = None, *args: Any, **kwargs: Any) -> None:
        """
        Take the L{Reporter} arguments; C{path} (keyword) names a file to
        write instead of the stream.
        """
        self.path: str | None = kwargs.pop("path", None)
        super().__init__(stream, *args, **kwargs)
        self._cases: list[tuple[Any, float, list[tuple[str, str, str, str]]]] = []
        self._current: dict[Any, list[tuple[str, str, str, str]]] = {}
        self._started: dict[Any, float] = {}
        self._timestamp = datetime.datetime.now().isoformat(timespec="seconds")

    def startTest(self, test: Any) -> None:
        """Start timing C{test}."""
        super().startTest(test)
        self._started[test] = time.perf_counter()
        self._current[test] = []

    def _add(self, test: Any, tag: str, failure: Failure | None, message: str) -> None:
        """Remember a child element for C{test}."""
        kind = ""
        text = message
        if failure is not None:
            kind = f"{failure.type.__module__}.{failure.type.__qualname__}"
            text = formatFailure(failure)
            try:
                message = str(failure.value)
            except BaseException:
                message = "<str() failed>"
        self._current.setdefault(test, []).append((tag, message, kind, text))

    def addFailure(self, test: Any, fail: Any) -> None:
        """Record a C{<failure>}."""
        super().addFailure(test, fail)
        self._add(test, "failure", self.failures[-1][1], "")

    def addError(self, test: Any, error: Any) -> None:
        """Record an C{<error>}."""
        super().addError(test, error)
        self._add(test, "error", self.errors[-1][1], "")

    def addSkip(self, test: Any, reason: Any) -> None:
        """Record a C{<skipped>}."""
        super().addSkip(test, reason)
        self._add(test, "skipped", None, str(reason))

    def addExpectedFailure(self, test: Any, failure: Any, todo: Any = None) -> None:
        """Record an expected failure as C{<skipped>}."""
        super().addExpectedFailure(test, failure, todo)
        self._add(test, "skipped", None, f"expected failure: {getattr(todo, 'reason', '')}")

    def addUnexpectedSuccess(self, test: Any, todo: Any = None) -> None:
        """Record an unexpected success as C{<failure>}."""
        super().addUnexpectedSuccess(test, todo)
        self._add(test, "failure", None, f"unexpected success: {getattr(todo, 'reason', '')}")

    def stopTest(self, test: Any) -> None:
        """Close C{test}'s record."""
        took = time.perf_counter() - self._started.pop(test, time.perf_counter())
        self._cases.append((test, took, self._current.pop(test, [])))

    def toElement(self) -> ElementTree.Element:
        """Return the report as an element tree (C{<testsuites>})."""
        total = sum(t for _, t, _ in self._cases)
        root = ElementTree.Element("testsuites")
        counts = {"failure": 0, "error": 0, "skipped": 0}
        for _, _, children in self._cases:
            tags = {c[0] for c in children}
            if "error" in tags:
                counts["error"] += 1
            elif "failure" in tags:
                counts["failure"] += 1
            elif "skipped" in tags:
                counts["skipped"] += 1
        suite = ElementTree.SubElement(
            root,
            "testsuite",
            {
                "name": self.suiteName,
                "errors": str(counts["error"]),
                "failures": str(counts["failure"]),
                "skipped": str(counts["skipped"]),
                "tests": str(len(self._cases)),
                "time": f"{total:.3f}",
                "timestamp": self._timestamp,
                "hostname": _escapeXML(socket.gethostname()),
            },
        )
        for test, took, children in self._cases:
            testId = test.id()
            classname, _, name = testId.rpartition(".")
            case = ElementTree.SubElement(
                suite,
                "testcase",
                {
                    "classname": _escapeXML(classname),
                    "name": _escapeXML(name),
                    "time": f"{took:.3f}",
                },
            )
            for tag, message, kind, text in children:
                attrs = {"message": _escapeXML(message)}
                if kind:
                    attrs["type"] = _escapeXML(kind)
                element = ElementTree.SubElement(case, tag, attrs)
                if tag != "skipped" or text != message:
                    element.text = _escapeXML(text)
        return root

    def done(self) -> None:
        """Write the XML document to C{path} or the stream."""
        data = ElementTree.tostring(self.toElement(), encoding="unicode")
        document = '<?xml version="1.0" encoding="utf-8"?>\n' + data + "\n"
        if self.path is not None:
            with open(self.path, "w", encoding="utf-8") as f:
                f.write(document)
        else:
            self.stream.write(document)
            self.stream.flush()
