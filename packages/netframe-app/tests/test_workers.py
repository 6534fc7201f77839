"""
Tests for netframe-twistd's --workers machinery (netframe.app._workers)
with fake reactors and processes: finding and sharing the stream servers,
the worker environment, the pool's restarts, limits and shutdown, the
parent watch, and the option.
"""

from __future__ import annotations

import io
import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from zope.interface import implementer
from zope.interface.verify import verifyObject

from netframe.app import internet, strports
from netframe.app._runner import TwistdRunner
from netframe.app._workers import (
    WORKER_FDS_ENV,
    WORKER_PIPE_ENV,
    ParentWatch,
    WorkerError,
    WorkerPool,
    adoptSharedSockets,
    bindSharedSockets,
    streamServers,
    workerDescriptors,
)
from netframe.app.service import Application, IService, MultiService
from netframe.app.twistd import ServerOptions
from netframe.core import error
from netframe.core.endpoints import AdoptedStreamServerEndpoint, TCP4ServerEndpoint
from netframe.core.failure import Failure
from netframe.core.interfaces import IStreamServerEndpoint
from netframe.core.protocol import DatagramProtocol, ServerFactory
from netframe.core.testing import MemoryReactorClock
from netframe.core.usage import UsageError


class FakeProcess:
    """A worker process transport: records signals."""

    def __init__(self, pid: int) -> None:
        self.pid: int | None = pid
        self.signals: list[str] = []

    def signalProcess(self, signalID: str) -> None:
        if self.pid is None:
            raise error.ProcessExitedAlready()
        self.signals.append(signalID)


class ProcessReactor(MemoryReactorClock):
    """A MemoryReactorClock whose spawnProcess records and returns L{FakeProcess}es."""

    def __init__(self) -> None:
        super().__init__()
        self.spawned: list[tuple[Any, FakeProcess, dict[str, Any]]] = []
        self.nextPid = 100
        self.failSpawn = False

    def spawnProcess(self, protocol: Any, executable: str, args: Any, **kw: Any) -> FakeProcess:
        if self.failSpawn:
            raise OSError(11, "Resource temporarily unavailable")
        self.nextPid += 1
        process = FakeProcess(self.nextPid)
        protocol.transport = process
        self.spawned.append((protocol, process, dict(kw, executable=executable, args=args)))
        return process

    def end(self, index: int, reason: Exception | None = None) -> None:
        """Make the spawned process number C{index} exit."""
        protocol, process, _ = self.spawned[index]
        process.pid = None
        protocol.processEnded(Failure(reason or error.ProcessDone(0)))


class FakeListeningPort:
    """A shared port with a descriptor."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.stopped = False

    def fileno(self) -> int:
        return self.fd

    def stopListening(self) -> None:
        self.stopped = True


def makePool(reactor: ProcessReactor, count: int = 2, **kw: Any) -> tuple[WorkerPool, list[int]]:
    """A pool of C{count} workers over two fake ports; returns it and its giveUp calls."""
    gaveUp: list[int] = []
    pool = WorkerPool(
        count,
        ["-n", "-y", "app.tac"],
        "/srv",
        kw.pop(
            "environ",
            {"PATH": "/bin", "NOTIFY_SOCKET": "/run/n", "LISTEN_PID": "1", "LISTEN_FDS": "1"},
        ),
        [FakeListeningPort(7), FakeListeningPort(9)],
        reactor,
        kw.pop("shutdownTimeout", 10.0),
        lambda: gaveUp.append(1),
        executable="/usr/bin/python3",
    )
    return pool, gaveUp


def echoFactory() -> ServerFactory:
    return ServerFactory()


@implementer(IStreamServerEndpoint)
class OpaqueEndpoint:
    """An endpoint type --workers does not know how to share."""

    def listen(self, factory: Any) -> Any:
        raise AssertionError("not called")


class StreamServersTests:
    """Which services the parent binds for the workers, in which order."""

    def test_depthFirstOrder(self) -> None:
        """Stream servers are found depth first, in service order; others are skipped."""
        reactor = MemoryReactorClock()
        application = Application("app")
        tcp = internet.TCPServer(80, echoFactory(), reactor=reactor)
        tcp.setServiceParent(application)
        inner = MultiService()
        inner.setServiceParent(application)
        udp = internet.UDPServer(53, DatagramProtocol(), reactor=reactor)
        udp.setServiceParent(inner)
        unix = internet.UNIXServer("/tmp/s", echoFactory(), reactor=reactor)
        unix.setServiceParent(inner)
        client = internet.TCPClient("h", 1, echoFactory(), reactor=reactor)
        client.setServiceParent(application)
        ssl = internet.SSLServer(443, echoFactory(), object(), reactor=reactor)
        ssl.setServiceParent(application)
        endpoint = strports.service("tcp:8080", echoFactory(), reactor=reactor)
        endpoint.setServiceParent(application)
        assert streamServers(application) == [tcp, unix, ssl, endpoint]

    def test_unshareableEndpointRefused(self) -> None:
        """An endpoint service on an unknown endpoint type is a clear error."""
        application = Application("app")
        internet.StreamServerEndpointService(OpaqueEndpoint(), echoFactory()).setServiceParent(
            application
        )
        with pytest.raises(WorkerError, match="cannot share the listening socket of"):
            streamServers(application)

    def test_noStreamServers(self) -> None:
        """An application without stream servers shares nothing."""
        assert streamServers(Application("app")) == []


class BindTests:
    """The parent binds with the services' arguments and a placeholder factory."""

    def test_bindsWithServiceArguments(self) -> None:
        """listenTCP/listenUNIX get the services' arguments; ports are not read from."""
        reactor = MemoryReactorClock()
        factory = echoFactory()
        services = [
            internet.TCPServer(8080, factory, 10, interface="127.0.0.1", reactor=reactor),
            internet.UNIXServer("/tmp/u", factory, mode=0o600, wantPID=1, reactor=reactor),
            internet.SSLServer(8443, factory, object(), reactor=reactor),
            internet.StreamServerEndpointService(TCP4ServerEndpoint(reactor, 9000), factory),
        ]
        ports = bindSharedSockets(services, reactor)
        assert len(ports) == 4
        tcp = [(p, b, i) for p, f, b, i in reactor.tcpServers]
        assert tcp == [(8080, 10, "127.0.0.1"), (8443, 50, ""), (9000, 50, "")]
        assert [(a, b, m, w) for a, f, b, m, w in reactor.unixServers] == [("/tmp/u", 50, 0o600, 1)]
        placeholders = [f for _, f, _, _ in reactor.tcpServers]
        assert factory not in placeholders
        assert all(f.buildProtocol(None) is None for f in placeholders)
        assert not reactor.readers

    def test_failureClosesBoundPorts(self) -> None:
        """A bind failure closes the ports bound before it and propagates."""
        reactor = MemoryReactorClock()
        bound: list[Any] = []

        class Failing(MemoryReactorClock):
            def listenTCP(self, *args: Any, **kw: Any) -> Any:
                if bound:
                    raise error.CannotListenError("", 81, OSError("in use"))
                port = reactor.listenTCP(*args, **kw)
                bound.append(port)
                return port

        failing = Failing()
        services = [
            internet.TCPServer(80, echoFactory(), reactor=failing),
            internet.TCPServer(81, echoFactory(), reactor=failing),
        ]
        with pytest.raises(error.CannotListenError):
            bindSharedSockets(services, failing)
        assert bound and not bound[0].listening


class AdoptTests:
    """Workers adopt the inherited descriptors."""

    @pytest.fixture
    def listening(self) -> Iterator[socket.socket]:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        s.setblocking(False)
        yield s
        s.close()

    def test_tcpServerAdopts(self, listening: socket.socket) -> None:
        """A TCPServer adopts its descriptor (closing it) instead of listening."""
        reactor = MemoryReactorClock()
        factory = echoFactory()
        service = internet.TCPServer(80, factory, reactor=reactor)
        fd = os.dup(listening.fileno())
        adoptSharedSockets([service], [fd], reactor)
        service.privilegedStartService()
        assert reactor.adoptedPorts == [(fd, socket.AF_INET, factory)]
        assert reactor.tcpServers == []
        with pytest.raises(OSError):
            os.fstat(fd)

    def test_sslServerAdoptsWithTLS(self, listening: socket.socket) -> None:
        """An SSLServer's adopted port accepts with TLS over the user's factory."""
        from OpenSSL import crypto

        from netframe.core import ssl

        certificate = ssl.KeyPair.generate(crypto.TYPE_EC, 256).selfSignedCert(1, commonName="x")
        reactor = MemoryReactorClock()
        factory = echoFactory()
        service = internet.SSLServer(443, factory, certificate.options(), reactor=reactor)
        adoptSharedSockets([service], [os.dup(listening.fileno())], reactor)
        service.privilegedStartService()
        adopted = reactor.adoptedPorts[0][2]
        assert isinstance(adopted, ssl.TLSMemoryBIOFactory)
        assert adopted.wrappedFactory is factory

    def test_endpointServiceAdopts(self, listening: socket.socket) -> None:
        """A StreamServerEndpointService gets an adopted endpoint on its descriptor."""
        reactor = MemoryReactorClock()
        service = strports.service("tcp:80", echoFactory(), reactor=reactor)
        fd = os.dup(listening.fileno())
        adoptSharedSockets([service], [fd], reactor)
        assert isinstance(service.endpoint, AdoptedStreamServerEndpoint)
        assert (service.endpoint.fileno, service.endpoint.addressFamily) == (fd, socket.AF_INET)
        os.close(fd)

    def test_countMismatch(self) -> None:
        """A different number of descriptors than services is a clear error."""
        service = internet.TCPServer(80, echoFactory(), reactor=MemoryReactorClock())
        with pytest.raises(WorkerError, match="passed 2 listening socket"):
            adoptSharedSockets([service], [3, 4], MemoryReactorClock())

    def test_notASocket(self) -> None:
        """A descriptor that is not a socket is a clear error."""
        r, w = os.pipe()
        try:
            service = strports.service("tcp:80", echoFactory(), reactor=MemoryReactorClock())
            with pytest.raises(
                WorkerError, match=f"inherited descriptor {r} is not an open socket"
            ):
                adoptSharedSockets([service], [r], MemoryReactorClock())
        finally:
            os.close(r)
            os.close(w)


class WorkerDescriptorsTests:
    """Reading NETFRAME_TWISTD_WORKER_FDS."""

    def test_notAWorker(self) -> None:
        """Without the variable, the process is not a worker."""
        assert workerDescriptors({}) is None

    def test_values(self) -> None:
        """Comma-separated descriptors; empty means a worker without sockets."""
        assert workerDescriptors({WORKER_FDS_ENV: "3,4"}) == [3, 4]
        assert workerDescriptors({WORKER_FDS_ENV: ""}) == []

    @pytest.mark.parametrize("raw", ["2", "x", "3,,4", "-3", "٣"])
    def test_malformed(self, raw: str) -> None:
        """Anything but descriptors >= 3 is refused."""
        with pytest.raises(WorkerError, match=WORKER_FDS_ENV):
            workerDescriptors({WORKER_FDS_ENV: raw})


class WorkerPoolTests:
    """Starting, restarting and stopping workers."""

    def test_providesIService(self) -> None:
        """WorkerPool is an IService."""
        pool, _ = makePool(ProcessReactor())
        assert verifyObject(IService, pool)

    def test_startSpawnsWorkers(self) -> None:
        """Each worker runs the same arguments with the sockets at 3, 4 and a pipe at 5."""
        reactor = ProcessReactor()
        pool, _ = makePool(reactor)
        pool.startService()
        assert [p.slot for p, _, _ in reactor.spawned] == [1, 2]
        kw = reactor.spawned[0][2]
        assert kw["args"] == ["/usr/bin/python3", "-m", "netframe.app", "-n", "-y", "app.tac"]
        assert kw["path"] == "/srv"
        assert kw["childFDs"] == {0: 0, 1: 1, 2: 2, 3: 7, 4: 9, 5: "w"}
        env = kw["env"]
        assert env[WORKER_FDS_ENV] == "3,4" and env[WORKER_PIPE_ENV] == "5"
        assert "NOTIFY_SOCKET" not in env and "LISTEN_PID" not in env
        assert env["LISTEN_FDS"] == "1" and env["PATH"] == "/bin"
        assert sorted(pool.workers) == [1, 2]

    def test_logsPids(self, capturedEvents: list[dict[str, Any]]) -> None:
        """Each worker's start is logged with its pid."""
        reactor = ProcessReactor()
        pool, _ = makePool(reactor)
        pool.startService()
        started = [(e["slot"], e["pid"]) for e in capturedEvents if "started" in e["log_format"]]
        assert started == [(1, 101), (2, 102)]

    def test_restartDeadWorker(self) -> None:
        """A worker that exits is started again in its slot."""
        reactor = ProcessReactor()
        pool, gaveUp = makePool(reactor)
        pool.startService()
        reactor.end(0, error.ProcessTerminated(None, 9))
        assert len(reactor.spawned) == 3
        assert reactor.spawned[2][0].slot == 1
        assert pool.workers[1].pid == 103
        assert not gaveUp

    def test_restartLimitReached(self) -> None:
        """restartLimit deaths within restartWindow are all restarted."""
        reactor = ProcessReactor()
        pool, gaveUp = makePool(reactor, count=1)
        pool.startService()
        for i in range(pool.restartLimit):
            reactor.end(i, error.ProcessTerminated(1))
        assert len(reactor.spawned) == pool.restartLimit + 1
        assert not gaveUp

    def test_restartLimitExceeded(self) -> None:
        """One death more than restartLimit within restartWindow gives up."""
        reactor = ProcessReactor()
        pool, gaveUp = makePool(reactor, count=1)
        pool.startService()
        for i in range(pool.restartLimit + 1):
            reactor.end(i, error.ProcessTerminated(1))
        assert len(reactor.spawned) == pool.restartLimit + 1
        assert gaveUp == [1]

    def test_restartWindowSlides(self) -> None:
        """Deaths older than restartWindow no longer count."""
        reactor = ProcessReactor()
        pool, gaveUp = makePool(reactor, count=1)
        pool.restartLimit = 2
        pool.restartWindow = 10.0
        pool.startService()
        reactor.end(0)
        reactor.end(1)
        reactor.advance(10.0)
        reactor.end(2)
        assert not gaveUp and len(reactor.spawned) == 4

    def test_restartSpawnFailureGivesUp(self) -> None:
        """A worker that cannot be restarted makes the pool give up."""
        reactor = ProcessReactor()
        pool, gaveUp = makePool(reactor)
        pool.startService()
        reactor.failSpawn = True
        reactor.end(0)
        assert gaveUp == [1]

    def test_stopSignalsAndWaits(self) -> None:
        """stopService sends SIGTERM to all and fires once all exited; ports close."""
        reactor = ProcessReactor()
        pool, _ = makePool(reactor)
        pool.startService()
        fired: list[object] = []
        pool.stopService().addCallback(fired.append)
        assert [p.signals for _, p, _ in reactor.spawned] == [["TERM"], ["TERM"]]
        reactor.end(0)
        assert not fired and not pool.ports[0].stopped
        ports = list(pool.ports)
        reactor.end(1)
        assert fired == [None]
        assert all(port.stopped for port in ports)
        assert len(reactor.spawned) == 2
        assert not reactor.getDelayedCalls()

    def test_stopKillsAfterTimeout(self) -> None:
        """Workers still running after the timeout plus exitGrace get SIGKILL."""
        reactor = ProcessReactor()
        pool, _ = makePool(reactor, shutdownTimeout=3.0)
        pool.startService()
        fired: list[object] = []
        pool.stopService().addCallback(fired.append)
        reactor.end(0)
        reactor.advance(3.0 + pool.exitGrace - 0.01)
        assert reactor.spawned[1][1].signals == ["TERM"]
        reactor.advance(0.01)
        assert reactor.spawned[1][1].signals == ["TERM", "KILL"]
        reactor.end(1, error.ProcessTerminated(None, 9))
        assert fired == [None]

    def test_stopAbandonsUnreapedWorkers(self) -> None:
        """killWait seconds after SIGKILL the pool reports stopped anyway."""
        reactor = ProcessReactor()
        pool, _ = makePool(reactor, shutdownTimeout=1.0)
        pool.startService()
        fired: list[object] = []
        pool.stopService().addCallback(fired.append)
        reactor.advance(1.0 + pool.exitGrace)
        reactor.advance(pool.killWait)
        assert fired == [None]
        assert pool.stopBound == 1.0 + pool.exitGrace + pool.killWait

    def test_stopWithoutWorkers(self) -> None:
        """A pool that never started stops at once and closes its ports."""
        pool, _ = makePool(ProcessReactor())
        ports = list(pool.ports)
        fired: list[object] = []
        pool.stopService().addCallback(fired.append)
        assert fired == [None] and all(p.stopped for p in ports)

    def test_signalAllSkipsExited(self) -> None:
        """signalAll reaches running workers and ignores those already gone."""
        reactor = ProcessReactor()
        pool, _ = makePool(reactor)
        pool.startService()
        reactor.spawned[0][1].pid = None
        pool.signalAll("HUP")
        assert [p.signals for _, p, _ in reactor.spawned] == [[], ["HUP"]]


class ParentWatchTests:
    """Workers notice when the parent's pipe closes."""

    def test_endOfFile(self) -> None:
        """EOF on the pipe ends the watch and calls parentGone once."""
        r, w = os.pipe()
        gone: list[int] = []
        watch = ParentWatch(r, lambda: gone.append(1))
        assert watch.fileno() == r and watch.logPrefix() == "ParentWatch"
        assert watch.doRead() is None
        os.write(w, b"x")
        assert watch.doRead() is None
        os.close(w)
        reason = watch.doRead()
        assert isinstance(reason, error.ConnectionDone)
        watch.connectionLost(Failure(reason))
        assert gone == [1]
        with pytest.raises(OSError):
            os.fstat(r)


class WorkersOptionTests:
    """--workers on the command line."""

    def test_default(self) -> None:
        """Without --workers there are none; argv is remembered."""
        config = ServerOptions()
        config.parseOptions(["-n", "-y", "x.tac"])
        assert config["workers"] == 0
        assert config.argv == ["-n", "-y", "x.tac"]

    def test_atLimit(self) -> None:
        """maxWorkers workers are accepted."""
        config = ServerOptions()
        config.parseOptions(["--workers", str(ServerOptions.maxWorkers), "-y", "x.tac"])
        assert config["workers"] == ServerOptions.maxWorkers

    def test_pastLimit(self) -> None:
        """maxWorkers + 1 workers are refused."""
        with pytest.raises(UsageError, match="at most"):
            ServerOptions().parseOptions(
                ["--workers", str(ServerOptions.maxWorkers + 1), "-y", "x.tac"]
            )

    @pytest.mark.parametrize("value", ["-1", "two", "1.5", ""])
    def test_notANumber(self, value: str) -> None:
        """A count that is not a whole number is refused."""
        with pytest.raises(UsageError):
            ServerOptions().parseOptions(["--workers", value, "-y", "x.tac"])

    @pytest.mark.parametrize(
        ("option", "name"), [("--chroot=/", "chroot"), ("-b", "debug"), ("--profile=p", "profile")]
    )
    def test_incompatible(self, option: str, name: str) -> None:
        """--workers cannot be combined with --chroot, --debug or --profile."""
        with pytest.raises(UsageError, match=f"--workers cannot be combined with --{name}"):
            ServerOptions().parseOptions(["--workers", "2", option, "-y", "x.tac"])


class WorkerRunnerTests:
    """TwistdRunner as a worker or a --workers parent (fakes)."""

    def runner(self, argv: list[str], environ: dict[str, str], fakeSystem: Any, **kw: Any) -> Any:
        config = ServerOptions()
        config.parseOptions(argv)
        stderr = io.StringIO()
        runner = TwistdRunner(config, environ=environ, system=fakeSystem, stderr=stderr, **kw)
        return runner, stderr

    def test_malformedWorkerEnvironment(self, fakeSystem: Any, tmp_path: Any) -> None:
        """A malformed NETFRAME_TWISTD_WORKER_FDS is a one-line error, exit 1."""
        runner, stderr = self.runner(
            ["-n", "-y", str(tmp_path / "x.tac")], {WORKER_FDS_ENV: "1"}, fakeSystem
        )
        assert runner.run() == 1
        assert f"bad {WORKER_FDS_ENV}='1'" in stderr.getvalue()

    def test_workerSkipsPidfileAndDaemon(
        self, fakeSystem: Any, tmp_path: Any, logBeginner: Any, shutdownReactor: Any
    ) -> None:
        """A worker neither checks nor writes the pidfile nor daemonizes; LISTEN_PID is its own."""
        tac = tmp_path / "x.tac"
        tac.write_text("from netframe.app import service\napplication = service.Application('x')\n")
        pidfile = tmp_path / "twistd.pid"
        pidfile.write_text(f"{os.getpid()}\n")
        environ = {WORKER_FDS_ENV: "", "LISTEN_FDS": "1"}
        runner, _ = self.runner(
            [
                "--pidfile",
                str(pidfile),
                "-l",
                str(tmp_path / "log"),
                "--workers",
                "2",
                "-y",
                str(tac),
            ],
            environ,
            fakeSystem,
            reactor=shutdownReactor,
            logBeginner=logBeginner,
        )
        runner._readWorkerEnvironment()
        assert runner.isWorker and environ["LISTEN_PID"] == str(fakeSystem.pid)
        runner.checkPidfile()
        runner.loadApplication()
        runner.setupEnvironment()
        assert "fork" not in fakeSystem.names() and "setsid" not in fakeSystem.names()
        assert pidfile.read_text() == f"{os.getpid()}\n"
        runner.privilegedStart()
        assert runner.pool is None

    def test_parentBindsAndSupervises(
        self, fakeSystem: Any, tmp_path: Any, logBeginner: Any, shutdownReactor: Any
    ) -> None:
        """The parent binds the stream servers, does not start the application, runs a pool."""
        tac = tmp_path / "x.tac"
        tac.write_text(
            "from netframe.app import service, internet\n"
            "from netframe.core.protocol import ServerFactory\n"
            "application = service.Application('x')\n"
            "internet.TCPServer(8080, ServerFactory()).setServiceParent(application)\n"
        )
        argv = ["-n", "--pidfile=", "--workers", "3", "-y", str(tac)]
        runner, _ = self.runner(
            argv, {}, fakeSystem, reactor=shutdownReactor, logBeginner=logBeginner
        )
        runner._readWorkerEnvironment()
        runner.loadApplication()
        runner.privilegedStart()
        pool = runner.pool
        assert pool is not None and runner._topService() is pool
        assert (pool.count, pool.arguments) == (3, argv)
        assert [p for p, _, _, _ in shutdownReactor.tcpServers] == [8080]
        assert not IService(runner.application).running
        runner._giveUp()
        assert runner.exitCode == 1 and shutdownReactor.hasStopped

    def test_parentRefusesUnshareable(self, fakeSystem: Any, tmp_path: Any) -> None:
        """An application whose socket cannot be shared: exit 1, one line."""
        tac = tmp_path / "x.tac"
        tac.write_text(
            "from zope.interface import implementer\n"
            "from netframe.app import service, internet\n"
            "from netframe.core.interfaces import IStreamServerEndpoint\n"
            "from netframe.core.protocol import ServerFactory\n"
            "@implementer(IStreamServerEndpoint)\n"
            "class E:\n"
            "    def listen(self, f): pass\n"
            "application = service.Application('x')\n"
            "internet.StreamServerEndpointService(E(), ServerFactory()).setServiceParent(application)\n"
        )
        runner, stderr = self.runner(
            ["-n", "--pidfile=", "-l", "-", "--workers", "2", "-y", str(tac)],
            {},
            fakeSystem,
            reactor=MemoryReactorClock(),
            logBeginner=_NullBeginner(),
            stdout=io.StringIO(),
        )
        assert runner.run() == 1
        assert "--workers cannot share the listening socket of" in stderr.getvalue()


class _NullBeginner:
    """A log beginner that starts nothing."""

    def beginLoggingTo(self, observers: Any, redirectStandardIO: bool = True) -> None:
        pass
