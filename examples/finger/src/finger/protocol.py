"""
The finger protocol (RFC 1288): one query line in, one answer out, then the
server closes the connection.

Answers, each line ending in CRLF:

  - C{alice} -> alice's status, or C{No such user};
  - an empty line -> the user names, one a line;
  - C{user@host} -> C{Finger forwarding service denied};
  - a line that is not a query -> C{Invalid query};
  - a line longer than L{FingerProtocol.MAX_LENGTH} bytes (counting
    everything before the line feed) -> C{Query too long};
  - a store failure -> C{Internal error in server} (and the failure is
    logged).

Queries may end in CRLF (as the RFC says) or in a bare LF (as C{echo}
sends).  A client that sends no complete line within
L{FingerProtocol.timeOut} seconds is disconnected.
"""

from __future__ import annotations

from typing import Any

from finger.query import Forward, Invalid, ListUsers, LookUp, parseQuery
from finger.store import IFingerService
from netframe.core.defer import Deferred, maybeDeferred, succeed
from netframe.core.failure import Failure
from netframe.core.protocol import ServerFactory
from netframe.core.protocols.basic import LineReceiver
from netframe.core.protocols.policies import TimeoutMixin
from netframe.logger import Logger

__all__ = [
    "FORWARDING_DENIED",
    "INTERNAL_ERROR",
    "INVALID_QUERY",
    "NO_SUCH_USER",
    "QUERY_TOO_LONG",
    "FingerFactory",
    "FingerProtocol",
]

_log = Logger(namespace="finger.protocol")

NO_SUCH_USER = b"No such user"
"""The answer for an unknown user."""

FORWARDING_DENIED = b"Finger forwarding service denied"
"""The answer to a C{user@host} query."""

INVALID_QUERY = b"Invalid query"
"""The answer to a line that is not a query."""

QUERY_TOO_LONG = b"Query too long"
"""The answer to a line longer than L{FingerProtocol.MAX_LENGTH}."""

INTERNAL_ERROR = b"Internal error in server"
"""The answer when the store fails."""


def _statusLine(status: str | None) -> bytes:
    """
    @param status: a user's status, or C{None} for an unknown user.
    @return: the answer line (without its line end).
    """
    return NO_SUCH_USER if status is None else status.encode("utf-8")


def _userLines(names: list[str]) -> bytes:
    """
    @param names: the user names.
    @return: the answer: one name a line (without the last line end).
    """
    return b"\r\n".join(name.encode("utf-8") for name in names)


class FingerProtocol(LineReceiver, TimeoutMixin):
    """
    One finger connection: reads one query, writes the answer, closes.

    @cvar MAX_LENGTH: the longest query line: the bytes before its line
        feed, a carriage return included.
    @cvar timeOut: seconds a client may take to send its query.
    @ivar factory: the L{FingerFactory}.
    """

    delimiter = b"\n"
    MAX_LENGTH = 512
    timeOut: float | None = 30.0
    factory: FingerFactory

    _answered = False

    def connectionMade(self) -> None:
        """
        Arm the timeout.
        """
        self.setTimeout(self.timeOut)

    def connectionLost(self, reason: Failure | None = None) -> None:
        """
        Disarm the timeout.

        @param reason: why the connection ended.
        """
        self.setTimeout(None)

    def lineReceived(self, line: bytes) -> None:
        """
        Answer the first query; later lines are ignored.

        @param line: the query, without its line feed.
        """
        if self._answered:
            return
        self._answered = True
        self.setTimeout(None)
        query = parseQuery(line)
        d: Deferred[bytes]
        if isinstance(query, LookUp):
            d = maybeDeferred(self.factory.getUser, query.user).addCallback(_statusLine)
        elif isinstance(query, ListUsers):
            d = maybeDeferred(self.factory.getUsers).addCallback(_userLines)
        elif isinstance(query, Forward):
            d = succeed(FORWARDING_DENIED)
        else:
            assert isinstance(query, Invalid)
            d = succeed(INVALID_QUERY)
        d.addErrback(self._internalError)
        d.addCallback(self._answer)

    def lineLengthExceeded(self, line: bytes) -> None:
        """
        Refuse an over-long query.

        @param line: the (partial) line.
        """
        if self._answered:
            return
        self._answered = True
        self._answer(QUERY_TOO_LONG)

    def timeoutConnection(self) -> None:
        """
        Drop a client that sent no query in time.
        """
        _log.info("finger client sent no query within {timeOut}s", timeOut=self.timeOut)
        assert self.transport is not None
        self.transport.loseConnection()

    def _internalError(self, failure: Failure) -> bytes:
        """
        Log a store failure and answer L{INTERNAL_ERROR}.

        @param failure: the failure.
        @return: L{INTERNAL_ERROR}.
        """
        _log.failure("finger query failed", failure)
        return INTERNAL_ERROR

    def _answer(self, answer: bytes) -> None:
        """
        Write the answer (an empty answer writes nothing) and close.

        @param answer: the answer, without its final line end.
        """
        transport = self.transport
        if transport is None:
            return
        if answer:
            transport.write(answer + b"\r\n")
        transport.loseConnection()


class FingerFactory(ServerFactory):
    """
    Makes L{FingerProtocol}s answering from a store.

    @ivar service: the L{IFingerService} provider.
    """

    protocol = FingerProtocol

    def __init__(self, service: Any) -> None:
        """
        @param service: an L{IFingerService} provider.
        @raise TypeError: if it does not provide L{IFingerService}.
        """
        self.service = IFingerService(service)

    def getUser(self, user: str) -> Deferred[str | None]:
        """
        @param user: the user name.
        @return: the service's answer (see L{IFingerService.getUser}).
        """
        return self.service.getUser(user)

    def getUsers(self) -> Deferred[list[str]]:
        """
        @return: the service's user list (see L{IFingerService.getUsers}).
        """
        return self.service.getUsers()
