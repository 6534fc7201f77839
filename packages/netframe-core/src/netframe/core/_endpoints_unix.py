"""
UNIX and adopted-socket endpoints, systemd socket activation, and the
C{unix:} and C{systemd:} endpoint description parsers.

Implementation module of L{netframe.core.endpoints}.

systemd socket activation
=========================

A service manager that passes listening sockets sets, in the environment of
the process it starts:

  - C{LISTEN_PID}: the process ID the sockets are meant for;
  - C{LISTEN_FDS}: how many descriptors were passed; they are numbered from
    3 (C{SD_LISTEN_FDS_START}) up;
  - C{LISTEN_FDNAMES} (optional): their names, separated by colons.

C{systemd:domain=INET:index=0} adopts descriptor C{3 + index} as an IPv4
listening stream socket (C{domain=INET6} for IPv6); C{name=NAME} instead of
C{index} picks the descriptor by its C{LISTEN_FDNAMES} name.  The
environment is read when the description is parsed and is left unchanged
(not unset): a child process inheriting it is protected by the
C{LISTEN_PID} check, which fails for any process but the intended one.

Each inherited descriptor can be adopted once per process: the endpoint
hands the reactor a duplicate and closes the inherited descriptor, and a
second C{listen} for the same descriptor fails with L{AlreadyListened}.
Only IPv4 and IPv6 stream sockets are accepted (no UNIX or datagram
sockets), and they must be non-blocking (C{NonBlocking=true} in the unit).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Mapping
from typing import Any

from zope.interface import implementer

from netframe.core import error
from netframe.core._endpoints import _WrappingFactory
from netframe.core.defer import Deferred, fail, succeed
from netframe.core.failure import Failure
from netframe.core.interfaces import IStreamClientEndpoint, IStreamServerEndpoint

#: The first descriptor number a service manager passes (SD_LISTEN_FDS_START).
SD_LISTEN_FDS_START = 3

#: The largest C{LISTEN_FDS} count accepted; more is a corrupt environment.
MAX_LISTEN_FDS = 4096


@implementer(IStreamServerEndpoint)
class UNIXServerEndpoint:
    """A UNIX stream socket server endpoint (C{reactor.listenUNIX})."""

    def __init__(
        self,
        reactor: Any,
        address: str | bytes,
        backlog: int = 50,
        mode: int = 0o666,
        wantPID: int = 0,
    ) -> None:
        """
        @param reactor: an L{IReactorUNIX} provider.
        @param address: the socket path, or an abstract name starting with NUL.
        @param backlog: the listen queue length.
        @param mode: the socket file's permissions.
        @param wantPID: keep a lock file C{<address>.lock} holding our process ID.
        """
        self._reactor = reactor
        self._address = address
        self._backlog = backlog
        self._mode = mode
        self._wantPID = wantPID

    def listen(self, protocolFactory: Any) -> Deferred[Any]:
        """
        Listen with C{protocolFactory}.

        @return: a Deferred firing with the L{IListeningPort}, or failing with
            L{CannotListenError} (address in use, lock held by a live process...).
        """
        try:
            port = self._reactor.listenUNIX(
                self._address,
                protocolFactory,
                backlog=self._backlog,
                mode=self._mode,
                wantPID=self._wantPID,
            )
        except BaseException:
            return fail(Failure())
        return succeed(port)

    def __repr__(self) -> str:
        """Return a description naming the address."""
        return f"<UNIXServerEndpoint {self._address!r}>"


@implementer(IStreamClientEndpoint)
class UNIXClientEndpoint:
    """A UNIX stream socket client endpoint (C{reactor.connectUNIX})."""

    def __init__(
        self, reactor: Any, path: str | bytes, timeout: float = 30, checkPID: int = 0
    ) -> None:
        """
        @param reactor: an L{IReactorUNIX} provider.
        @param path: the server's socket path or abstract name.
        @param timeout: seconds before the attempt fails with L{TimeoutError<netframe.core.error.TimeoutError>}.
        @param checkPID: fail unless the server's lock file names a live process.
        """
        self._reactor = reactor
        self._path = path
        self._timeout = timeout
        self._checkPID = checkPID

    def connect(self, protocolFactory: Any) -> Deferred[Any]:
        """
        Make one connection attempt (no retry); cancel the Deferred to give up
        (L{ConnectingCancelledError}).

        @return: a Deferred firing with the connected protocol, or failing
            with the connection error.
        """
        wf = _WrappingFactory(protocolFactory)
        try:
            self._reactor.connectUNIX(
                self._path, wf, timeout=self._timeout, checkPID=self._checkPID
            )
        except BaseException:
            return fail(Failure())
        return wf._onConnection

    def __repr__(self) -> str:
        """Return a description naming the path."""
        return f"<UNIXClientEndpoint {self._path!r}>"


@implementer(IStreamServerEndpoint)
class AdoptedStreamServerEndpoint:
    """
    A server endpoint over a listening socket created elsewhere, given as a
    descriptor (C{reactor.adoptStreamPort}).

    The endpoint owns the descriptor: once the reactor holds its duplicate,
    L{listen} closes the original.  It listens once; a second C{listen}
    fails with L{AlreadyListened}.
    """

    #: Closes the original descriptor after adoption (replaceable in tests).
    _close: Callable[[int], None] = staticmethod(os.close)

    def __init__(self, reactor: Any, fileno: int, addressFamily: int) -> None:
        """
        @param reactor: an L{IReactorSocket} provider.
        @param fileno: the listening, non-blocking socket's descriptor.
        @param addressFamily: C{socket.AF_INET} or C{socket.AF_INET6}
            (or C{AF_UNIX}).
        """
        self.reactor = reactor
        self.fileno = fileno
        self.addressFamily = addressFamily
        self._used = False

    def listen(self, factory: Any) -> Deferred[Any]:
        """
        Adopt the descriptor and accept connections with C{factory}.

        @return: a Deferred firing with the L{IListeningPort}, or failing with
            L{AlreadyListened} (second call) or the adoption error
            (L{UnsupportedAddressFamily}, L{UnsupportedSocketType},
            C{ValueError} for a blocking or non-listening socket).
        """
        if self._used:
            return fail(error.AlreadyListened(f"descriptor {self.fileno} was already adopted"))
        self._used = True
        try:
            port = self.reactor.adoptStreamPort(self.fileno, self.addressFamily, factory)
            self._close(self.fileno)
        except BaseException:
            return fail(Failure())
        return succeed(port)

    def __repr__(self) -> str:
        """Return a description naming the descriptor."""
        return f"<AdoptedStreamServerEndpoint fd={self.fileno} family={self.addressFamily!r}>"


def _strictInt(value: str, what: str) -> int:
    """
    Parse a decimal number without sign, spaces or leading zeros.

    @raise ValueError: Naming C{what} and C{value} otherwise.
    """
    if not value.isascii() or not value.isdigit() or (len(value) > 1 and value[0] == "0"):
        raise ValueError(f"bad {what} {value!r}: expected a decimal number")
    return int(value)


def listenFDs(
    environ: Mapping[str, str] | None = None, getpid: Callable[[], int] | None = None
) -> tuple[list[int], list[str]]:
    """
    Return the descriptors (and names) a service manager passed to this process.

    @param environ: the environment (default C{os.environ}).
    @param getpid: returns this process's ID (default C{os.getpid}).
    @return: C{(descriptors, names)}; C{names} is empty without C{LISTEN_FDNAMES}.
    @raise ValueError: If C{LISTEN_FDS}/C{LISTEN_PID} are missing or malformed,
        C{LISTEN_PID} is another process, the count exceeds
        L{MAX_LISTEN_FDS}, or C{LISTEN_FDNAMES} has the wrong number of names.
    """
    env = os.environ if environ is None else environ
    if getpid is None:
        getpid = os.getpid
    pid = env.get("LISTEN_PID")
    count = env.get("LISTEN_FDS")
    if pid is None or count is None:
        raise ValueError(
            "no sockets were passed to this process: LISTEN_FDS and LISTEN_PID "
            "are not set (systemd socket activation)"
        )
    if _strictInt(pid, "LISTEN_PID") != getpid():
        raise ValueError(
            f"LISTEN_PID={pid} is not this process ({getpid()}): "
            "the sockets were passed to another process"
        )
    number = _strictInt(count, "LISTEN_FDS")
    if number > MAX_LISTEN_FDS:
        raise ValueError(f"LISTEN_FDS={count} exceeds the limit of {MAX_LISTEN_FDS}")
    fds = list(range(SD_LISTEN_FDS_START, SD_LISTEN_FDS_START + number))
    rawNames = env.get("LISTEN_FDNAMES")
    names: list[str] = []
    if rawNames is not None:
        names = rawNames.split(":") if number else []
        if len(names) != number:
            raise ValueError(f"LISTEN_FDNAMES names {len(names)} sockets but LISTEN_FDS={number}")
    return fds, names


#: Inherited descriptors already adopted by a systemd endpoint in this process.
_adoptedSystemdFds: set[int] = set()


class _SystemdEndpoint(AdoptedStreamServerEndpoint):
    """An adopted endpoint over a descriptor inherited through socket activation."""

    def listen(self, factory: Any) -> Deferred[Any]:
        """
        Adopt the inherited descriptor (once per process) and listen.

        @return: as L{AdoptedStreamServerEndpoint.listen}; also fails with
            L{AlreadyListened} if another endpoint adopted it already and
            with C{ValueError} if the service manager passed it blocking.
        """
        fd = self.fileno
        if fd in _adoptedSystemdFds:
            return fail(error.AlreadyListened(f"inherited descriptor {fd} was already adopted"))
        try:
            blocking = os.get_blocking(fd)
        except OSError as e:
            return fail(ValueError(f"inherited descriptor {fd} is not open: {e.strerror}"))
        if blocking:
            return fail(
                ValueError(
                    f"inherited descriptor {fd} is blocking: "
                    "set NonBlocking=true in the systemd socket unit"
                )
            )
        d = super().listen(factory)
        if not self._failed(d):
            _adoptedSystemdFds.add(fd)
        return d

    @staticmethod
    def _failed(d: Deferred[Any]) -> bool:
        """Return True if the (already fired) Deferred C{d} failed."""
        return d.called and isinstance(d.result, Failure)


_DOMAINS = {"INET": socket.AF_INET, "INET6": socket.AF_INET6}


def _octal(value: str, description: str) -> int:
    """Parse a file mode in octal ('666', '0666' or '0o666') within 0..0o7777."""
    text = value[2:] if value[:2] in ("0o", "0O") else value
    if not text or not text.isascii() or any(c not in "01234567" for c in text):
        raise ValueError(f"bad mode {value!r} in {description!r}: expected an octal number")
    mode = int(text, 8)
    if mode > 0o7777:
        raise ValueError(f"bad mode {value!r} in {description!r}: must be at most 7777")
    return mode


def _flag(value: str, name: str, description: str) -> int:
    """Parse a 0/1 flag."""
    if value not in ("0", "1"):
        raise ValueError(f"bad {name} {value!r} in {description!r}: expected 0 or 1")
    return int(value)


#: Parameter names of the server types this module parses, in positional order.
SERVER_TYPES: dict[str, tuple[str, ...]] = {
    "unix": ("address", "mode", "backlog", "lockfile", "wantPID"),
    "systemd": ("domain", "index", "name"),
}
#: Parameter names of the client types this module parses, in positional order.
CLIENT_TYPES: dict[str, tuple[str, ...]] = {
    "unix": ("path", "timeout", "checkPID"),
}


def serverFromArgs(
    reactor: Any, typeName: str, args: dict[str, str], description: str
) -> IStreamServerEndpoint:
    """
    Build a C{unix:} or C{systemd:} server endpoint from parsed arguments.

    C{unix:ADDRESS[:mode=OCTAL][:backlog=N][:lockfile=0|1]} (C{wantPID} is
    the older name of C{lockfile}); C{systemd:domain=INET|INET6:index=N} or
    C{systemd:domain=...:name=NAME}.

    @raise ValueError: Naming the bad part of C{description}.
    """
    if typeName == "unix":
        address = args.get("address")
        if not address:
            raise ValueError(f"missing address in {description!r}")
        mode = _octal(args["mode"], description) if "mode" in args else 0o666
        backlog = 50
        if "backlog" in args:
            backlog = _strictInt(args["backlog"], f"backlog in {description!r}")
            if backlog < 1:
                raise ValueError(f"bad backlog {args['backlog']!r} in {description!r}")
        if "lockfile" in args and "wantPID" in args:
            raise ValueError(f"give lockfile or wantPID, not both, in {description!r}")
        lock = args.get("lockfile", args.get("wantPID"))
        wantPID = _flag(lock, "lockfile", description) if lock is not None else 0
        return UNIXServerEndpoint(reactor, address, backlog=backlog, mode=mode, wantPID=wantPID)
    return _systemdFromArgs(reactor, args, description)


def _systemdFromArgs(
    reactor: Any, args: dict[str, str], description: str, environ: Mapping[str, str] | None = None
) -> _SystemdEndpoint:
    """Build the C{systemd:} endpoint (see the module docstring)."""
    domain = args.get("domain")
    if domain is None:
        raise ValueError(f"missing domain (INET or INET6) in {description!r}")
    if domain not in _DOMAINS:
        raise ValueError(
            f"bad domain {domain!r} in {description!r}: only INET and INET6 stream "
            "sockets can be inherited"
        )
    if ("index" in args) == ("name" in args):
        raise ValueError(f"give exactly one of index or name in {description!r}")
    try:
        fds, names = listenFDs(environ)
    except ValueError as e:
        raise ValueError(f"{description!r}: {e}") from None
    if "index" in args:
        index = _strictInt(args["index"], f"index in {description!r}")
        if index >= len(fds):
            raise ValueError(
                f"index {index} in {description!r} is out of range: "
                f"{len(fds)} descriptor(s) were passed"
            )
    else:
        if args["name"] not in names:
            raise ValueError(
                f"no passed socket is named {args['name']!r} in {description!r}; "
                f"LISTEN_FDNAMES has {names!r}"
            )
        index = names.index(args["name"])
    return _SystemdEndpoint(reactor, fds[index], _DOMAINS[domain])


def clientFromArgs(
    reactor: Any, typeName: str, args: dict[str, str], description: str
) -> IStreamClientEndpoint:
    """
    Build a C{unix:} client endpoint: C{unix:PATH[:timeout=S][:checkPID=0|1]}.

    @raise ValueError: Naming the bad part of C{description}.
    """
    path = args.get("path")
    if not path:
        raise ValueError(f"missing path in {description!r}")
    timeout: float = 30
    if "timeout" in args:
        try:
            timeout = float(args["timeout"])
        except ValueError:
            timeout = -1
        if not timeout >= 0 or timeout == float("inf"):
            raise ValueError(f"bad timeout {args['timeout']!r} in {description!r}")
    checkPID = _flag(args["checkPID"], "checkPID", description) if "checkPID" in args else 0
    return UNIXClientEndpoint(reactor, path, timeout=timeout, checkPID=checkPID)


__all__ = [
    "MAX_LISTEN_FDS",
    "SD_LISTEN_FDS_START",
    "AdoptedStreamServerEndpoint",
    "UNIXClientEndpoint",
    "UNIXServerEndpoint",
    "listenFDs",
]
