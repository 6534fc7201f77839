"""
Exceptions raised by reactors, transports, connectors and child processes.

The names and attributes are those of Twisted's C{twisted.internet.error}; most
of them render as C{"<what went wrong>: <detail>."}::

    >>> str(ConnectionRefusedError(111, "refused"))
    'Connection was refused by other side: 111: refused.'
"""

from __future__ import annotations

from netframe.core._error import (
    AlreadyCalled,
    AlreadyCancelled,
    AlreadyListened,
    BadFileError,
    BindError,
    CannotListenError,
    CertificateError,
    ConnectBindError,
    ConnectError,
    ConnectingCancelledError,
    ConnectInProgressError,
    ConnectionAborted,
    ConnectionClosed,
    ConnectionDone,
    ConnectionFdescWentAway,
    ConnectionLost,
    ConnectionRefusedError,
    DNSLookupError,
    FileDescriptorOverrun,
    InvalidAddressError,
    MessageLengthError,
    MultipleBindError,
    NoProtocol,
    NoRouteError,
    NotConnectingError,
    NotListeningError,
    PeerVerifyError,
    ProcessDone,
    ProcessExitedAlready,
    ProcessTerminated,
    ReactorAlreadyInstalledError,
    ReactorAlreadyRunning,
    ReactorNotRestartable,
    ReactorNotRunning,
    ServiceNameUnknownError,
    SSLError,
    TCPTimedOutError,
    TimeoutError,
    UnknownHostError,
    UnsupportedAddressFamily,
    UnsupportedSocketType,
    UserError,
    VerifyError,
    getConnectError,
)

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
    "FileDescriptorOverrun",
    "InvalidAddressError",
    "MessageLengthError",
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

for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
