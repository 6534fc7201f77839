"""
netframe-twistd C{--workers N}: one application served by N processes that
share its listening sockets.

How it works
============

The parent process (the one started by the user or by systemd) loads the
application like any run, finds its I{stream server services} (L{TCPServer},
L{SSLServer}, L{UNIXServer} and L{StreamServerEndpointService} on a C{tcp:},
C{tcp6:}, C{unix:} or C{systemd:} endpoint, which includes
L{netframe.app.strports.service}), and binds their sockets once, after
daemonizing and before dropping privileges, exactly where a single process
would call C{privilegedStartService}. It does not start the application and
never accepts a connection itself.

It then starts N workers: each is the same program with the same arguments
(C{python -m netframe.app ARGS}), started from the parent's original working
directory, with the listening sockets as descriptors 3, 4, ... and this
environment:

  - C{NETFRAME_TWISTD_WORKER_FDS}: the listening descriptors, comma
    separated, in the order the stream server services appear in the
    application's service tree (depth first). Its presence makes the process
    a worker: it neither daemonizes nor writes the pidfile, and each stream
    server service adopts its descriptor (C{reactor.adoptStreamPort})
    instead of listening. Everything else in the application runs in every
    worker.
  - C{NETFRAME_TWISTD_WORKER_PIPE}: a descriptor that reaches end of file
    when the parent exits; the worker then shuts down gracefully, so workers
    never outlive a parent that was killed.

C{NOTIFY_SOCKET}, C{WATCHDOG_USEC}, C{WATCHDOG_PID} and C{LISTEN_PID} are
removed from the workers' environment: the parent talks to systemd. A
worker that finds C{LISTEN_FDS} sets C{LISTEN_PID} to its own pid so that a
C{systemd:} description in the application still parses; its endpoint is
replaced by the shared descriptor before anything listens.

The parent logs each worker's pid, restarts a worker that exits (at most
L{WorkerPool.restartLimit} restarts within L{WorkerPool.restartWindow}
seconds; one more death makes the server give up and exit with status 1),
forwards SIGHUP to the workers, and on SIGTERM or SIGINT sends SIGTERM to
every worker, waits for them (C{--shutdown-timeout} plus
L{WorkerPool.exitGrace}), kills those left with SIGKILL, and closes the
sockets.

Private module of netframe-app (used by L{netframe.app.twistd}).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from netframe.app._internet import StreamServerEndpointService, _StreamServer
from netframe.app._service import IService, IServiceCollection, Service
from netframe.core import error
from netframe.core.defer import Deferred, succeed
from netframe.core.endpoints import (
    AdoptedStreamServerEndpoint,
    TCP4ServerEndpoint,
    TCP6ServerEndpoint,
    UNIXServerEndpoint,
)
from netframe.core.failure import Failure
from netframe.core.protocol import Factory, ProcessProtocol
from netframe.logger import Logger

__all__ = [
    "WORKER_FDS_ENV",
    "WORKER_PIPE_ENV",
    "WorkerError",
    "WorkerPool",
    "adoptSharedSockets",
    "bindSharedSockets",
    "streamServers",
    "workerDescriptors",
]

_log = Logger(namespace="netframe.app.twistd")

WORKER_FDS_ENV = "NETFRAME_TWISTD_WORKER_FDS"
"""The environment variable listing a worker's inherited listening descriptors."""

WORKER_PIPE_ENV = "NETFRAME_TWISTD_WORKER_PIPE"
"""The environment variable naming the descriptor that closes when the parent exits."""

#: The first descriptor number of the shared sockets in a worker.
_FIRST_FD = 3

#: Environment variables the parent keeps to itself.
_PARENT_ONLY = ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_PID")

#: Endpoint types whose listening socket can be bound once and adopted.
_SHAREABLE_ENDPOINTS = (
    TCP4ServerEndpoint,
    TCP6ServerEndpoint,
    UNIXServerEndpoint,
    AdoptedStreamServerEndpoint,
)


class WorkerError(Exception):
    """
    The application cannot run with C{--workers}, or a worker's environment
    does not match it; the message says why.
    """


def _walk(service: Any) -> Iterator[Any]:
    """Yield C{service} and every service below it, depth first, in order."""
    yield service
    collection: Any = IServiceCollection(service, None)
    if collection is None:
        return
    for child in collection:
        yield from _walk(child)


def streamServers(application: Any) -> list[Any]:
    """
    Find the stream server services of C{application} whose socket the
    parent binds for the workers, in service-tree order.

    @param application: the application (or any service).
    @return: the services.
    @raise WorkerError: If a L{StreamServerEndpointService} listens on an
        endpoint whose socket cannot be shared (a TLS endpoint, say).
    """
    found: list[Any] = []
    for service in _walk(IService(application)):
        if isinstance(service, _StreamServer):
            found.append(service)
        elif isinstance(service, StreamServerEndpointService):
            if not isinstance(service.endpoint, _SHAREABLE_ENDPOINTS):
                raise WorkerError(
                    f"--workers cannot share the listening socket of {service.endpoint!r}: "
                    "use tcp:, tcp6:, unix: or systemd: descriptions, or TCPServer, "
                    "SSLServer or UNIXServer"
                )
            found.append(service)
    return found


class _SharedPortFactory(Factory):
    """
    The factory of a socket the parent binds for its workers. The parent
    never accepts on it; should a connection reach it, it is closed.
    """

    noisy = False

    def buildProtocol(self, addr: Any) -> None:
        """Refuse the connection."""
        return None


def _fired(d: Deferred[Any]) -> Any:
    """
    Return the result of an already fired Deferred.

    @raise Exception: Its failure.
    """
    box: list[Any] = []
    d.addBoth(box.append)
    if not box:
        raise WorkerError("the endpoint did not listen at once")
    result = box[0]
    if isinstance(result, Failure):
        result.raiseException()
    return result


def bindSharedSockets(services: Sequence[Any], reactor: Any) -> list[Any]:
    """
    Bind the listening sockets of C{services} in this (the parent) process,
    without ever accepting on them.

    @param services: from L{streamServers}.
    @param reactor: the reactor.
    @return: the listening ports, in order; their C{fileno()} are the
        descriptors to pass to workers; C{stopListening} closes them (and
        removes a UNIX socket's file).
    @raise CannotListenError: If a socket cannot be bound.
    """
    ports: list[Any] = []
    try:
        for service in services:
            placeholder = _SharedPortFactory()
            if isinstance(service, StreamServerEndpointService):
                port = _fired(service.endpoint.listen(placeholder))
            else:
                arguments = service._listenArguments()
                if service.method == "UNIX":
                    port = reactor.listenUNIX(
                        arguments["address"],
                        placeholder,
                        arguments["backlog"],
                        arguments["mode"],
                        arguments["wantPID"],
                    )
                else:
                    port = reactor.listenTCP(
                        arguments["port"], placeholder, arguments["backlog"], arguments["interface"]
                    )
            reactor.removeReader(port)
            ports.append(port)
    except BaseException:
        for port in ports:
            port.stopListening()
        raise
    return ports


def workerDescriptors(environ: Mapping[str, str]) -> list[int] | None:
    """
    Read the shared descriptors of a worker from C{environ}.

    @return: the descriptors, or None when this process is not a worker.
    @raise WorkerError: If the variable is malformed.
    """
    raw = environ.get(WORKER_FDS_ENV)
    if raw is None:
        return None
    if not raw:
        return []
    fds: list[int] = []
    for part in raw.split(","):
        if not part.isascii() or not part.isdigit() or int(part) < _FIRST_FD:
            raise WorkerError(f"bad {WORKER_FDS_ENV}={raw!r}: expected descriptors >= 3")
        fds.append(int(part))
    return fds


def adoptSharedSockets(services: Sequence[Any], fds: Sequence[int], reactor: Any) -> None:
    """
    Make each of C{services} listen on its inherited descriptor (in a
    worker) instead of binding.

    @param services: from L{streamServers}.
    @param fds: from L{workerDescriptors}, in the same order.
    @param reactor: the reactor endpoints adopt with.
    @raise WorkerError: If the counts differ (the application the worker
        loaded is not the one the parent loaded).
    """
    if len(services) != len(fds):
        raise WorkerError(
            f"the parent passed {len(fds)} listening socket(s) but the application has "
            f"{len(services)} stream server service(s): it must build the same services "
            "in every process"
        )
    for service, fd in zip(services, fds, strict=True):
        if isinstance(service, StreamServerEndpointService):
            family = _familyOf(fd)
            service.endpoint = AdoptedStreamServerEndpoint(reactor, fd, family)
        else:
            service._adoptDescriptor(fd)


def _familyOf(fd: int) -> int:
    """
    Return the address family of descriptor C{fd}.

    @raise WorkerError: If it is not an open socket.
    """
    from netframe.app._internet import _socketFamily

    try:
        return _socketFamily(fd)
    except OSError as e:
        raise WorkerError(
            f"inherited descriptor {fd} is not an open socket: {e.strerror}"
        ) from None


class _WorkerProtocol(ProcessProtocol):
    """Tells the pool when its worker has ended."""

    def __init__(self, pool: WorkerPool, slot: int) -> None:
        """Watch the worker in C{slot} of C{pool}."""
        self.pool = pool
        self.slot = slot
        self.pid: int | None = None

    def processEnded(self, reason: Failure) -> None:
        """The worker exited and was reaped."""
        self.pool._workerEnded(self, reason)


def _describeExit(reason: Failure) -> str:
    """Say how a process ended: C{status 1} or C{signal SIGKILL}."""
    value = reason.value
    sig = getattr(value, "signal", None)
    if sig is not None:
        try:
            return f"signal {signal.Signals(sig).name}"
        except ValueError:
            return f"signal {sig}"
    code = getattr(value, "exitCode", None)
    return f"status {code}" if code is not None else str(value)


class WorkerPool(Service):
    """
    Runs and supervises the worker processes (a service of the parent).

    @cvar restartLimit: restarts allowed within L{restartWindow} seconds; a
        worker death needing one more makes the pool give up (the server
        exits with status 1), so a crashing application does not spin.
    @cvar restartWindow: the window of L{restartLimit}, in seconds.
    @cvar exitGrace: seconds a stopping worker gets beyond the shutdown
        timeout (its own drain is bounded by the same timeout) before SIGKILL.
    @cvar killWait: seconds to wait for killed workers to be reaped before
        the pool reports stopped anyway.
    @ivar workers: the running workers' process transports by slot (1..N).
    """

    restartLimit = 5
    restartWindow = 60.0
    exitGrace = 2.0
    killWait = 5.0

    def __init__(
        self,
        count: int,
        arguments: Sequence[str],
        directory: str,
        environ: Mapping[str, str],
        ports: Sequence[Any],
        reactor: Any,
        shutdownTimeout: float,
        giveUp: Callable[[], None],
        executable: str = sys.executable,
    ) -> None:
        """
        @param count: how many workers to run.
        @param arguments: the command-line arguments (without the program).
        @param directory: the directory workers start in.
        @param environ: the environment to start workers with (the
            parent-only variables are removed).
        @param ports: the shared listening ports (from L{bindSharedSockets}).
        @param reactor: the reactor (L{IReactorProcess}, L{IReactorTime}).
        @param shutdownTimeout: the C{--shutdown-timeout}.
        @param giveUp: called when the restart limit is exceeded.
        @param executable: the Python interpreter.
        """
        self.count = count
        self.arguments = list(arguments)
        self.directory = directory
        self.environ = {k: v for k, v in environ.items() if k not in _PARENT_ONLY}
        self.ports = list(ports)
        self.reactor = reactor
        self.shutdownTimeout = shutdownTimeout
        self.giveUp = giveUp
        self.executable = executable
        self.workers: dict[int, Any] = {}
        self._restarts: list[float] = []
        self._stopping = False
        self._stopWaiters: list[Deferred[None]] = []
        self._killCall: Any = None
        self._abandonCall: Any = None

    @property
    def stopBound(self) -> float:
        """The longest L{stopService} can take, in seconds."""
        return self.shutdownTimeout + self.exitGrace + self.killWait

    def startService(self) -> None:
        """
        Start every worker.

        @raise OSError: If a worker cannot be started.
        """
        Service.startService(self)
        for slot in range(1, self.count + 1):
            self._spawn(slot)

    def _spawn(self, slot: int) -> None:
        """
        Start the worker for C{slot}.

        @raise OSError: If it cannot be started.
        """
        fds = [port.fileno() for port in self.ports]
        childFDs: dict[int, int | str] = {0: 0, 1: 1, 2: 2}
        for index, fd in enumerate(fds):
            childFDs[_FIRST_FD + index] = fd
        pipeFd = _FIRST_FD + len(fds)
        childFDs[pipeFd] = "w"
        env = dict(self.environ)
        env[WORKER_FDS_ENV] = ",".join(str(_FIRST_FD + i) for i in range(len(fds)))
        env[WORKER_PIPE_ENV] = str(pipeFd)
        protocol = _WorkerProtocol(self, slot)
        transport = self.reactor.spawnProcess(
            protocol,
            self.executable,
            [self.executable, "-m", "netframe.app", *self.arguments],
            env=env,
            path=self.directory,
            childFDs=childFDs,
        )
        protocol.pid = transport.pid
        self.workers[slot] = transport
        _log.info("Worker {slot} started (PID {pid}).", slot=slot, pid=transport.pid)

    def _workerEnded(self, protocol: _WorkerProtocol, reason: Failure) -> None:
        """A worker was reaped: restart it, or finish stopping."""
        slot = protocol.slot
        self.workers.pop(slot, None)
        pid = protocol.pid
        how = _describeExit(reason)
        if self._stopping:
            _log.info("Worker {slot} (PID {pid}) stopped ({how}).", slot=slot, pid=pid, how=how)
            if not self.workers:
                self._stopped()
            return
        now = self.reactor.seconds()
        self._restarts = [t for t in self._restarts if now - t < self.restartWindow]
        if len(self._restarts) >= self.restartLimit:
            _log.critical(
                "Worker {slot} (PID {pid}) exited ({how}); workers were restarted "
                "{limit} times within {window} seconds: giving up.",
                slot=slot,
                pid=pid,
                how=how,
                limit=self.restartLimit,
                window=self.restartWindow,
            )
            self.giveUp()
            return
        self._restarts.append(now)
        _log.warn(
            "Worker {slot} (PID {pid}) exited ({how}); restarting it.", slot=slot, pid=pid, how=how
        )
        try:
            self._spawn(slot)
        except OSError as e:
            _log.critical("Cannot restart worker {slot}: {error}", slot=slot, error=e)
            self.giveUp()

    def signalAll(self, signalID: str) -> None:
        """Send signal C{signalID} (C{"HUP"}, say) to every worker."""
        for transport in list(self.workers.values()):
            try:
                transport.signalProcess(signalID)
            except error.ProcessExitedAlready:
                pass

    def stopService(self) -> Deferred[None]:
        """
        Stop the workers: SIGTERM, then SIGKILL for those still running
        after the shutdown timeout plus L{exitGrace}; then close the sockets.

        @return: a Deferred firing once every worker was reaped (or
            L{killWait} seconds after SIGKILL, whichever is first).
        """
        Service.stopService(self)
        self._stopping = True
        if not self.workers:
            self._closePorts()
            return succeed(None)
        d: Deferred[None] = Deferred()
        self._stopWaiters.append(d)
        self.signalAll("TERM")
        self._killCall = self.reactor.callLater(
            self.shutdownTimeout + self.exitGrace, self._killRemaining
        )
        return d

    def _killRemaining(self) -> None:
        """Kill the workers that did not stop in time."""
        self._killCall = None
        _log.warn(
            "Workers {pids} did not stop within {timeout} seconds; killing them.",
            pids=sorted(t.pid for t in self.workers.values() if t.pid is not None),
            timeout=self.shutdownTimeout + self.exitGrace,
        )
        self.signalAll("KILL")
        self._abandonCall = self.reactor.callLater(self.killWait, self._stopped)

    def _stopped(self) -> None:
        """Every worker is gone (or abandoned): close the sockets, report."""
        for call in (self._killCall, self._abandonCall):
            if call is not None and call.active():
                call.cancel()
        self._killCall = self._abandonCall = None
        self._closePorts()
        waiters, self._stopWaiters = self._stopWaiters, []
        for d in waiters:
            d.callback(None)

    def _closePorts(self) -> None:
        """Close the shared listening sockets."""
        ports, self.ports = self.ports, []
        for port in ports:
            port.stopListening()


class ParentWatch:
    """
    In a worker: reads the pipe from the parent and calls C{parentGone}
    when it reaches end of file (the parent exited).
    """

    def __init__(self, fd: int, parentGone: Callable[[], None]) -> None:
        """
        @param fd: the pipe's read end (made non-blocking).
        @param parentGone: called once, when the parent is gone.
        """
        os.set_blocking(fd, False)
        self.fd = fd
        self.parentGone = parentGone

    def fileno(self) -> int:
        """Return the pipe's descriptor."""
        return self.fd

    def doRead(self) -> Any:
        """Read; end of file means the parent exited."""
        try:
            data = os.read(self.fd, 64)
        except BlockingIOError:
            return None
        except OSError as e:
            return error.ConnectionLost(str(e))
        if not data:
            return error.ConnectionDone("the parent process exited")
        return None

    def connectionLost(self, reason: Any) -> None:
        """The pipe closed: the parent is gone."""
        try:
            os.close(self.fd)
        except OSError:
            pass
        self.parentGone()

    def logPrefix(self) -> str:
        """Return the log prefix."""
        return "ParentWatch"
