"""
Traffic-recording policies: L{SpewingFactory} and L{TrafficLoggingFactory}.

Implementation module of L{netframe.core.protocols.policies}; import the
names from there.
"""

from __future__ import annotations

from typing import IO, Any, Optional

from netframe.core._protocol import connectionDone
from netframe.core.failure import Failure
from netframe.core.protocols._policies import ProtocolWrapper, WrappingFactory
from netframe.logger import Logger

__all__ = [
    "SpewingFactory",
    "SpewingProtocol",
    "TrafficLoggingFactory",
    "TrafficLoggingProtocol",
]

_logger = Logger(namespace="netframe.core.protocols.policies")

#: What replaces the tail of data cut to a length limit.
_ELIDED = b"<... elided>"


class SpewingProtocol(ProtocolWrapper):
    """
    A wrapper that logs every chunk received and sent (at info level).

    Events have the format C{"Received: {data!r}"} and C{"Sending: {data!r}"}
    with the bytes in the C{data} field.
    """

    def dataReceived(self, data: bytes) -> None:
        """
        Log the bytes and pass them on.

        @param data: The bytes received.
        """
        _logger.info("Received: {data!r}", data=data)
        ProtocolWrapper.dataReceived(self, data)

    def write(self, data: bytes) -> None:
        """
        Log the bytes and write them.

        @param data: The bytes to send.
        """
        _logger.info("Sending: {data!r}", data=data)
        ProtocolWrapper.write(self, data)

    def writeSequence(self, data: Any) -> None:
        """
        Log the joined bytes and write them.

        @param data: The byte strings to send.
        """
        joined = b"".join(data)
        _logger.info("Sending: {data!r}", data=joined)
        ProtocolWrapper.write(self, joined)


class SpewingFactory(WrappingFactory):
    """
    Wraps a factory so that all traffic of its connections is logged.

    @cvar protocol: L{SpewingProtocol}.
    """

    protocol: Any = SpewingProtocol


class TrafficLoggingProtocol(ProtocolWrapper):
    """
    A wrapper that writes its connection's traffic to a log file.

    One line per event, C{n} being the connection number:

        - C{*}: connected;
        - C{C n: <bytes repr>}: received from the peer (the client);
        - C{S n: <bytes repr>}: written to the peer (the server's side);
        - C{SV n: [<bytes repr>, ...]}: written with C{writeSequence};
        - C{S n: *}: the protocol asked to close;
        - C{C n: <reason repr>}: the connection was lost (the file is then
          closed).

    @ivar logfile: The open text file written to.
    @ivar lengthLimit: Chunks longer than this are cut to this many bytes
        (ending in C{<... elided>}), or C{None} to log everything.
    """

    def __init__(
        self,
        factory: Any,
        wrappedProtocol: Any,
        logfile: IO[str],
        lengthLimit: Optional[int] = None,
        number: int = 0,
    ) -> None:
        """
        @param factory: The L{TrafficLoggingFactory}.
        @param wrappedProtocol: The protocol to wrap.
        @param logfile: The open text file to write to; closed with the
            connection.
        @param lengthLimit: Cut logged chunks to this many bytes, or C{None}.
        @param number: The connection number used in each line.
        """
        ProtocolWrapper.__init__(self, factory, wrappedProtocol)
        self.logfile = logfile
        self.lengthLimit = lengthLimit
        self._number = number

    def _log(self, line: str) -> None:
        """
        Write one line to the log file and flush it.

        @param line: The line, without its newline.
        """
        logfile = self.logfile
        if logfile.closed:
            return
        logfile.write(line + "\n")
        logfile.flush()

    def _mungeData(self, data: bytes) -> bytes:
        """
        @param data: A chunk of traffic.
        @return: C{data}, cut to C{lengthLimit} bytes when longer.
        """
        limit = self.lengthLimit
        if limit is not None and len(data) > limit:
            keep = max(0, limit - len(_ELIDED))
            return data[:keep] + _ELIDED
        return data

    def connectionMade(self) -> None:
        """
        Log C{*} and connect the wrapped protocol.
        """
        self._log("*")
        ProtocolWrapper.connectionMade(self)

    def dataReceived(self, data: bytes) -> None:
        """
        Log the received bytes and pass them on.

        @param data: The bytes received.
        """
        self._log(f"C {self._number}: {self._mungeData(data)!r}")
        ProtocolWrapper.dataReceived(self, data)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        """
        Log the reason, close the log file and pass the loss on.

        @param reason: Why the connection was lost.
        """
        self._log(f"C {self._number}: {reason!r}")
        self.logfile.close()
        ProtocolWrapper.connectionLost(self, reason)

    def write(self, data: bytes) -> None:
        """
        Log the bytes and write them.

        @param data: The bytes to send.
        """
        self._log(f"S {self._number}: {self._mungeData(data)!r}")
        ProtocolWrapper.write(self, data)

    def writeSequence(self, data: Any) -> None:
        """
        Log the byte strings and write them.

        @param data: The byte strings to send.
        """
        data = list(data)
        self._log(f"SV {self._number}: {[self._mungeData(d) for d in data]!r}")
        ProtocolWrapper.writeSequence(self, data)

    def loseConnection(self) -> None:
        """
        Log C{S n: *} and close the connection.
        """
        self._log(f"S {self._number}: *")
        ProtocolWrapper.loseConnection(self)


class TrafficLoggingFactory(WrappingFactory):
    """
    Wraps a factory so that each connection's traffic goes to its own file.

    Connection C{n} (counting from 1) writes to C{<logfilePrefix>-<n>}.

    @cvar protocol: L{TrafficLoggingProtocol}.
    @ivar logfilePrefix: The path prefix of the log files.
    @ivar lengthLimit: Passed to each L{TrafficLoggingProtocol}.
    """

    protocol: Any = TrafficLoggingProtocol
    _counter: int = 0

    def __init__(
        self, wrappedFactory: Any, logfilePrefix: str, lengthLimit: Optional[int] = None
    ) -> None:
        """
        @param wrappedFactory: The factory whose protocols are wrapped.
        @param logfilePrefix: The path prefix of the log files.
        @param lengthLimit: Cut logged chunks to this many bytes, or C{None}.
        """
        WrappingFactory.__init__(self, wrappedFactory)
        self.logfilePrefix = logfilePrefix
        self.lengthLimit = lengthLimit

    def open(self, name: str) -> IO[str]:
        """
        Open a log file for writing (truncating it).

        Override to log elsewhere, e.g. to an in-memory file in tests.

        @param name: The file name.
        @return: The open text file.
        @raise OSError: If the file cannot be opened.
        """
        return open(name, "w", encoding="utf-8")

    def buildProtocol(self, addr: Any) -> Optional[Any]:
        """
        Build and wrap the wrapped factory's protocol, with a new log file.

        @param addr: The peer address.
        @return: A L{TrafficLoggingProtocol}, or C{None} (no file is opened)
            when the wrapped factory refuses the connection.
        @raise OSError: If the log file cannot be opened.
        """
        wrapped = self.wrappedFactory.buildProtocol(addr)
        if wrapped is None:
            return None
        self._counter += 1
        logfile = self.open(f"{self.logfilePrefix}-{self._counter}")
        return self.protocol(self, wrapped, logfile, self.lengthLimit, self._counter)

    def resetCounter(self) -> None:
        """
        Number the next connection 1 again (its log file is overwritten).
        """
        self._counter = 0
