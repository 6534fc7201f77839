"""
Exceptions raised by reactors, transports, connectors and processes.

Implementation module of L{netframe.core.error}; import the names from there.

Most exception classes render as C{"<description>: <detail>."}: the class's
C{_description} (a short sentence saying what went wrong) followed by whatever
detail strings were passed to the constructor.
"""

from __future__ import annotations

import errno
import socket
from typing import Any

__all__ = [
    "AlreadyCalled",
    "AlreadyCancelled",
    "AlreadyListened",
    "BadFileError",
    "BindError",
    "CannotListenError",
    "CertificateError",
    "ConnectBindError",
    "ConnectError",
    "ConnectInProgressError",
    "ConnectingCancelledError",
    "ConnectionAborted",
    "ConnectionClosed",
    "ConnectionDone",
    "ConnectionFdescWentAway",
    "ConnectionLost",
    "ConnectionRefusedError",
    "DNSLookupError",
    "InvalidAddressError",
    "MessageLengthError",
    "MulticastJoinError",
    "MultipleBindError",
    "NoProtocol",
    "NoRouteError",
    "NotConnectingError",
    "NotListeningError",
    "PeerVerifyError",
    "ProcessDone",
    "ProcessExitedAlready",
    "ProcessTerminated",
    "ReactorAlreadyInstalledError",
    "ReactorAlreadyRunning",
    "ReactorNotRestartable",
    "ReactorNotRunning",
    "SSLError",
    "ServiceNameUnknownError",
    "TCPTimedOutError",
    "TimeoutError",
    "UnknownHostError",
    "UnsupportedAddressFamily",
    "UnsupportedSocketType",
    "UserError",
    "VerifyError",
    "getConnectError",
]


def _describe(description: str, args: tuple[Any, ...]) -> str:
    """
    Render C{description} followed by the detail C{args}.

    @param description: The sentence saying what went wrong.
    @param args: Detail values; joined with spaces after a colon.
    @return: C{"description: a b."} or C{"description."} without details.
    """
    details = " ".join(str(arg) for arg in args)
    if details:
        return f"{description}: {details}."
    return f"{description}."


class _DescribedError(Exception):
    """
    Mixin for exceptions whose C{str} is C{"<_description>: <args>."}.
    """

    _description = "An error occurred"

    def __str__(self) -> str:
        """
        @return: The description, the constructor arguments, a full stop.
        """
        return _describe(self._description, self.args)


class BindError(_DescribedError):
    """
    Binding a socket to a local address failed.
    """

    _description = "An error occurred binding to an interface"


class CannotListenError(BindError):
    """
    A port could not be opened for listening.

    @ivar interface: The interface the listen was attempted on (C{""} for all).
    @ivar port: The port number that was asked for.
    @ivar socketError: The exception the operating system raised.
    """

    def __init__(self, interface: str | bytes | None, port: int | str, socketError: object) -> None:
        """
        @param interface: The interface, C{""} or C{None} meaning all interfaces.
        @param port: The port that could not be listened on.
        @param socketError: The underlying error (usually an C{OSError}).
        """
        BindError.__init__(self, interface, port, socketError)
        self.interface = interface
        self.port = port
        self.socketError = socketError

    def __str__(self) -> str:
        """
        @return: C{"Couldn't listen on <interface>:<port>: <error>."}, with
            C{any} standing for the empty interface.
        """
        interface = self.interface or "any"
        if isinstance(interface, bytes):
            interface = interface.decode("ascii", "backslashreplace")
        return f"Couldn't listen on {interface}:{self.port}: {self.socketError}."


class MultipleBindError(_DescribedError):
    """
    A socket was asked to bind to more than one address.
    """

    _description = "Bind to multiple interfaces was attempted"


class MessageLengthError(_DescribedError):
    """
    A datagram was too long to send.
    """

    _description = "Message is too long to send"


class MulticastJoinError(_DescribedError):
    """
    Joining (or leaving) a multicast group failed; the arguments are the
    group, the interface and the operating system's error number and message.
    """

    _description = "Joining or leaving the multicast group failed"


class DNSLookupError(_DescribedError, IOError):
    """
    A host name could not be resolved to an address.
    """

    _description = "DNS lookup failed"


class ConnectInProgressError(Exception):
    """
    A non-blocking connect is still underway; internal to connectors.
    """


class ConnectError(Exception):
    """
    An outgoing connection could not be made.

    @ivar osError: The C{errno} value (or other OS detail), or C{None}.
    """

    _description = "An error occurred while connecting"

    def __init__(self, osError: object = None, string: str = "") -> None:
        """
        @param osError: The operating system's error number or detail.
        @param string: A human readable explanation.
        """
        self.osError = osError
        Exception.__init__(self, string)

    def __str__(self) -> str:
        """
        @return: C{"<description>: <osError>: <string>."}, leaving out the
            parts that are empty.
        """
        text = self._description
        if self.osError:
            text = f"{text}: {self.osError}"
        if self.args and self.args[0]:
            text = f"{text}: {self.args[0]}"
        return f"{text}."


class ConnectBindError(ConnectError):
    """
    The local address for an outgoing connection could not be bound.
    """

    _description = "Couldn't bind"


class UnknownHostError(ConnectError):
    """
    The host to connect to could not be looked up.
    """

    _description = "Hostname couldn't be looked up"


class NoRouteError(ConnectError):
    """
    The network has no route to the host.
    """

    _description = "No route to host"


class ConnectionRefusedError(ConnectError):
    """
    The peer refused the connection (nothing listening there).
    """

    _description = "Connection was refused by other side"


class TCPTimedOutError(ConnectError):
    """
    The operating system's TCP connect timeout expired.
    """

    _description = "TCP connection timed out"


class BadFileError(ConnectError):
    """
    The path given for a UNIX socket is not usable.
    """

    _description = "File used for UNIX socket is no good"


class ServiceNameUnknownError(ConnectError):
    """
    A service name given instead of a port number is not known.
    """

    _description = "Service name given as port is unknown"


class UserError(ConnectError):
    """
    The connection attempt was stopped by the user (C{stopConnecting}).
    """

    _description = "User aborted connection"


class TimeoutError(UserError):
    """
    The connection attempt was abandoned because the caller's timeout expired.
    """

    _description = "User timeout caused connection failure"


class SSLError(ConnectError):
    """
    TLS negotiation failed while connecting.
    """

    _description = "An SSL error occurred"


class VerifyError(Exception):
    """
    A signature or certificate could not be verified.
    """

    def __str__(self) -> str:
        """
        @return: A description of the verification failure and its details.
        """
        return _describe("Could not verify something that was supposed to be signed", self.args)


class PeerVerifyError(VerifyError):
    """
    The peer rejected our certificate or signature.
    """

    def __str__(self) -> str:
        """
        @return: A description of the rejection and its details.
        """
        return _describe("The peer rejected our verify error", self.args)


class CertificateError(Exception):
    """
    A certificate was missing where one was required.
    """

    def __str__(self) -> str:
        """
        @return: A description of the missing certificate and its details.
        """
        return _describe("We did not find a certificate where we expected to find one", self.args)


_ERRNO_CLASSES: dict[int, type[ConnectError]] = {
    errno.ENETUNREACH: NoRouteError,
    errno.ECONNREFUSED: ConnectionRefusedError,
    errno.ETIMEDOUT: TCPTimedOutError,
}
for _errnoName, _errnoClass in (
    ("WSAECONNREFUSED", ConnectionRefusedError),
    ("WSAENETUNREACH", NoRouteError),
):  # Windows spellings, when the platform has them
    if hasattr(errno, _errnoName):  # pragma: no cover - Windows only
        _ERRNO_CLASSES[getattr(errno, _errnoName)] = _errnoClass


def getConnectError(e: BaseException | tuple[Any, ...]) -> ConnectError:
    """
    Turn a socket-level error into the matching L{ConnectError} subclass.

    C{ECONNREFUSED} becomes L{ConnectionRefusedError}, C{ENETUNREACH}
    L{NoRouteError}, C{ETIMEDOUT} L{TCPTimedOutError}, any C{socket.gaierror}
    L{UnknownHostError}, everything else a plain L{ConnectError}.

    @param e: An exception whose C{args} are C{(errno, message)}, or such a tuple.
    @return: A new, not yet raised, exception instance.
    """
    args: tuple[Any, ...] = e.args if isinstance(e, BaseException) else tuple(e)
    if len(args) != 2:
        return ConnectError(string=str(e))
    number, string = args
    klass: type[ConnectError]
    if isinstance(e, socket.gaierror):
        klass = UnknownHostError
    else:
        klass = _ERRNO_CLASSES.get(number, ConnectError)
    return klass(number, string)


class ConnectionClosed(Exception):
    """
    A connection was closed, cleanly or not.
    """


class ConnectionLost(_DescribedError, ConnectionClosed):
    """
    The connection to the other side was lost in a non-clean way.
    """

    _description = "Connection to the other side was lost in a non-clean fashion"


class ConnectionAborted(ConnectionLost):
    """
    The connection was aborted locally with C{abortConnection()}.
    """

    _description = "Connection was aborted locally using ITCPTransport.abortConnection"


class ConnectionDone(_DescribedError, ConnectionClosed):
    """
    The connection was closed cleanly.
    """

    _description = "Connection was closed cleanly"


class FileDescriptorOverrun(ConnectionLost):
    """
    More file descriptors were received over a UNIX socket than could be kept.
    """

    _description = "Too many file descriptors were received"


class ConnectionFdescWentAway(ConnectionLost):
    """
    The file descriptor backing a connection was closed underneath it.
    """

    _description = "The connection's file descriptor went away"


class AlreadyCalled(_DescribedError, ValueError):
    """
    A delayed call that already ran was cancelled, reset or delayed.
    """

    _description = "Tried to cancel an already-called event"


class AlreadyCancelled(_DescribedError, ValueError):
    """
    A delayed call that was already cancelled was cancelled, reset or delayed.
    """

    _description = "Tried to cancel an already-cancelled event"


class ProcessDone(ConnectionDone):
    """
    A child process exited with status 0 and no signal.

    @ivar exitCode: Always C{0}.
    @ivar signal: Always C{None}.
    @ivar status: The raw wait status from the operating system.
    """

    _description = "A process has ended without apparent errors"

    def __init__(self, status: int | None) -> None:
        """
        @param status: The raw wait status.
        """
        ConnectionDone.__init__(self, "process finished with exit code 0")
        self.exitCode = 0
        self.signal: int | None = None
        self.status = status


class ProcessTerminated(ConnectionLost):
    """
    A child process exited with a non-zero status or was killed by a signal.

    @ivar exitCode: The exit code, or C{None} if killed by a signal.
    @ivar signal: The signal number that killed it, or C{None}.
    @ivar status: The raw wait status from the operating system.
    """

    _description = "A process has ended with a probable error condition"

    def __init__(
        self, exitCode: int | None = None, signal: int | None = None, status: int | None = None
    ) -> None:
        """
        @param exitCode: The exit code, or C{None}.
        @param signal: The terminating signal number, or C{None}.
        @param status: The raw wait status, or C{None}.
        """
        self.exitCode = exitCode
        self.signal = signal
        self.status = status
        text = "process ended"
        if exitCode is not None:
            text += f" with exit code {exitCode}"
        if signal is not None:
            text += f" by signal {signal}"
        ConnectionLost.__init__(self, text)


class ProcessExitedAlready(Exception):
    """
    An operation needed a running process but the process has already exited.
    """


class NotConnectingError(_DescribedError, RuntimeError):
    """
    C{stopConnecting} was called on a connector that was not connecting.
    """

    _description = "The Connector was not connecting when it was asked to stop connecting"


class NotListeningError(_DescribedError, RuntimeError):
    """
    C{stopListening} was called on a port that was not listening.
    """

    _description = "The Port was not listening when it was asked to stop listening"


class ReactorNotRunning(RuntimeError):
    """
    The reactor was asked to stop but it is not running.
    """


class ReactorNotRestartable(RuntimeError):
    """
    A reactor that has been stopped was asked to run again.
    """


class ReactorAlreadyRunning(RuntimeError):
    """
    The reactor was asked to run while it is already running.
    """


class ReactorAlreadyInstalledError(AssertionError):
    """
    A reactor was installed while another one is already installed.
    """


class ConnectingCancelledError(Exception):
    """
    A connection attempt was cancelled before it completed.

    @ivar address: The address the attempt was connecting to.
    """

    def __init__(self, address: object) -> None:
        """
        @param address: The address whose connection attempt was cancelled.
        """
        Exception.__init__(self, address)
        self.address = address


class NoProtocol(Exception):
    """
    A factory's C{buildProtocol} returned C{None}; the connection is dropped.
    """


class UnsupportedAddressFamily(Exception):
    """
    An address family the operation cannot handle was given.
    """


class UnsupportedSocketType(Exception):
    """
    A socket type the operation cannot handle was given.
    """


class AlreadyListened(Exception):
    """
    An adopted port was already listened on once.
    """


class InvalidAddressError(ValueError):
    """
    An address string could not be parsed.

    @ivar address: The offending address.
    @ivar message: Why it is not acceptable.
    """

    def __init__(self, address: str, message: str) -> None:
        """
        @param address: The offending address.
        @param message: Why it is not acceptable.
        """
        ValueError.__init__(self, address, message)
        self.address = address
        self.message = message

    def __str__(self) -> str:
        """
        @return: C{"Invalid address <address>: <message>."}
        """
        return f"Invalid address {self.address!r}: {self.message}."
