"""
Child-process conformance, run against every reactor with real subprocesses:
callback order, exit codes and signals, environment and working directory,
descriptor maps, pseudo-terminals, stdin flow control, reaping under load
(with the SIGCHLD handler and by polling), and the utils helpers.

Children are /bin/sh one-liners or ``python -c`` scripts; every test is bounded
by the runner's watchdog.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
from zope.interface.verify import verifyObject

from netframe.core import error, utils
from netframe.core.failure import Failure
from netframe.core.interfaces import IProcessTransport, IReactorProcess
from netframe.core.protocol import ProcessProtocol

PY = sys.executable
SH = "/bin/sh"


class Recorder(ProcessProtocol):
    """Records every callback in order; stops the runner when the process ends."""

    def __init__(self, runner: Any = None, stdin: bytes | None = None) -> None:
        self.runner = runner
        self.stdin = stdin
        self.events: list[Any] = []
        self.data: dict[int, bytes] = {}
        self.exited: Failure | None = None
        self.ended: Failure | None = None

    def connectionMade(self) -> None:
        self.events.append("connectionMade")
        if self.stdin is not None:
            self.transport.write(self.stdin)
            self.transport.closeStdin()

    def childDataReceived(self, childFD: int, data: bytes) -> None:
        self.data[childFD] = self.data.get(childFD, b"") + data
        if not self.events or self.events[-1] != ("data", childFD):
            self.events.append(("data", childFD))

    def childConnectionLost(self, childFD: int) -> None:
        self.events.append(("lost", childFD))

    def processExited(self, reason: Failure) -> None:
        self.events.append("processExited")
        self.exited = reason

    def processEnded(self, reason: Failure) -> None:
        self.events.append("processEnded")
        self.ended = reason
        if self.runner is not None:
            self.runner.stopSoon()


def runAll(runner: Any, protocols: list[Recorder], handlers: bool = True) -> None:
    """Run the reactor until every protocol's process has ended."""
    remaining = [len(protocols)]

    def ended(reason: Failure, original: Callable[[Failure], None]) -> None:
        original(reason)
        remaining[0] -= 1
        if remaining[0] == 0:
            runner.stopSoon()

    for p in protocols:
        p.runner = None
        original = p.processEnded

        def processEnded(reason: Failure, original: Callable[[Failure], None] = original) -> None:
            ended(reason, original)

        p.processEnded = processEnded  # type: ignore[method-assign]
    runner.run(installSignalHandlers=handlers)


def spawnAndRun(
    reactor: Any, runner: Any, args: list[str], handlers: bool = True, **kw: Any
) -> Recorder:
    """Spawn C{args} with a L{Recorder}, run until it ended and return it."""
    proto = Recorder(runner, kw.pop("stdin", None))
    reactor.spawnProcess(proto, args[0], args, **kw)
    runner.run(installSignalHandlers=handlers)
    assert proto.ended is not None
    return proto


class SpawnTests:
    """spawnProcess basics: interfaces, callback order, output and exit status."""

    def test_providesInterfaces(self, reactor: Any, runner: Any) -> None:
        """The reactor provides IReactorProcess; the transport IProcessTransport."""
        assert verifyObject(IReactorProcess, reactor)
        proto = Recorder(runner)
        transport = reactor.spawnProcess(proto, SH, [SH, "-c", "exit 0"])
        assert verifyObject(IProcessTransport, transport)
        assert isinstance(transport.pid, int)
        assert proto.transport is transport
        runner.run()

    def test_callbackOrder(self, reactor: Any, runner: Any) -> None:
        """connectionMade first, data before its pipe closes, processEnded last."""
        proto = spawnAndRun(reactor, runner, [SH, "-c", "cat; echo oops >&2"], stdin=b"hello\n")
        events = proto.events
        assert events[0] == "connectionMade"
        assert events[-1] == "processEnded"
        assert "processExited" in events
        assert events.index(("data", 1)) < events.index(("lost", 1))
        assert events.index(("data", 2)) < events.index(("lost", 2))
        assert {("lost", 0), ("lost", 1), ("lost", 2)} <= set(events)
        assert proto.data == {1: b"hello\n", 2: b"oops\n"}

    def test_exitZeroIsProcessDone(self, reactor: Any, runner: Any) -> None:
        """Exit status 0 ends with ProcessDone (exitCode 0, no signal)."""
        proto = spawnAndRun(reactor, runner, [SH, "-c", "exit 0"])
        assert proto.ended is not None and proto.exited is not None
        assert isinstance(proto.ended.value, error.ProcessDone)
        assert proto.ended.value.exitCode == 0
        assert proto.ended.value.signal is None
        assert isinstance(proto.exited.value, error.ProcessDone)

    def test_exitCodeIsProcessTerminated(self, reactor: Any, runner: Any) -> None:
        """A non-zero exit ends with ProcessTerminated carrying the code and status."""
        proto = spawnAndRun(reactor, runner, [SH, "-c", "exit 42"])
        assert proto.ended is not None
        value = proto.ended.value
        assert isinstance(value, error.ProcessTerminated)
        assert (value.exitCode, value.signal) == (42, None)
        assert value.status is not None and os.waitstatus_to_exitcode(value.status) == 42

    def test_signalTerm(self, reactor: Any, runner: Any) -> None:
        """TERM sent to a sleeping child ends it with ProcessTerminated(signal=15)."""
        proto = Recorder(runner)
        transport = reactor.spawnProcess(proto, SH, [SH, "-c", "exec sleep 30"])
        transport.signalProcess("TERM")
        runner.run(installSignalHandlers=True)
        assert proto.ended is not None
        value = proto.ended.value
        assert isinstance(value, error.ProcessTerminated)
        assert value.signal == signal.SIGTERM
        assert value.exitCode is None

    def test_signalByNumberAndKill(self, reactor: Any, runner: Any) -> None:
        """signalProcess accepts numbers; KILL ends the child."""
        proto = Recorder(runner)
        transport = reactor.spawnProcess(proto, SH, [SH, "-c", "exec sleep 30"])
        transport.signalProcess(int(signal.SIGKILL))
        runner.run()
        assert proto.ended is not None
        assert cast(error.ProcessTerminated, proto.ended.value).signal == signal.SIGKILL

    def test_signalAfterExit(self, reactor: Any, runner: Any) -> None:
        """signalProcess after the child was reaped raises ProcessExitedAlready; pid is None."""
        proto = Recorder(runner)
        transport = reactor.spawnProcess(proto, SH, [SH, "-c", "exit 0"])
        runner.run()
        assert transport.pid is None
        with pytest.raises(error.ProcessExitedAlready):
            transport.signalProcess("KILL")

    def test_pathSearchWithEmptyEnvironment(self, reactor: Any, runner: Any) -> None:
        """A bare program name is searched in os.defpath when env has no PATH."""
        proto = spawnAndRun(reactor, runner, ["echo", "found"])
        assert proto.data[1] == b"found\n"

    def test_missingExecutableRaises(self, reactor: Any) -> None:
        """An executable that does not exist makes spawnProcess raise; no callbacks."""
        proto = Recorder()
        with pytest.raises(FileNotFoundError):
            reactor.spawnProcess(proto, "/nonexistent/program", ["program"])
        with pytest.raises(FileNotFoundError):
            reactor.spawnProcess(proto, "no-such-program-netframe", ["x"])
        assert proto.events == []

    def test_noDescriptorLeaks(self, reactor: Any, runner: Any, fdCount: Any) -> None:
        """After processEnded every pipe of the child is closed."""
        before = fdCount()
        spawnAndRun(reactor, runner, [SH, "-c", "echo out; echo err >&2"])
        assert fdCount() == before


class EnvironmentTests:
    """env, path (working directory) and uid/gid."""

    def test_emptyEnvironmentByDefault(self, reactor: Any, runner: Any) -> None:
        """Without env the child gets an empty environment."""
        proto = spawnAndRun(
            reactor, runner, [PY, "-c", "import os,sys; sys.stdout.write(repr(sorted(os.environ)))"]
        )
        # The interpreter may add LC_CTYPE (PEP 538 locale coercion) and nothing else.
        assert set(eval(proto.data[1])) <= {"LC_CTYPE"}

    def test_explicitEnvironment(self, reactor: Any, runner: Any) -> None:
        """An env mapping is the child's complete environment (str or bytes)."""
        proto = spawnAndRun(
            reactor, runner, [SH, "-c", 'echo "$A:$B:$HOME"'], env={"A": "1", b"B": b"two"}
        )
        assert proto.data[1] == b"1:two:\n"

    def test_noneInheritsEnvironment(self, reactor: Any, runner: Any, monkeypatch: Any) -> None:
        """env=None passes our own environment."""
        monkeypatch.setenv("NETFRAME_PROCESS_TEST", "inherited")
        proto = spawnAndRun(reactor, runner, [SH, "-c", 'echo "$NETFRAME_PROCESS_TEST"'], env=None)
        assert proto.data[1] == b"inherited\n"

    def test_workingDirectory(self, reactor: Any, runner: Any, tmp_path: Path) -> None:
        """path is the child's working directory; relative programs resolve there."""
        script = tmp_path / "hello.sh"
        script.write_text("#!/bin/sh\npwd\n")
        script.chmod(0o755)
        proto = spawnAndRun(reactor, runner, ["./hello.sh"], path=str(tmp_path))
        assert proto.data[1] == os.fsencode(str(tmp_path.resolve())) + b"\n"

    def test_badWorkingDirectoryRaises(self, reactor: Any, tmp_path: Path) -> None:
        """A path that does not exist makes spawnProcess raise FileNotFoundError."""
        with pytest.raises(FileNotFoundError):
            reactor.spawnProcess(Recorder(), SH, [SH], path=str(tmp_path / "missing"))

    def test_missingExecutableWithPathRaises(self, reactor: Any, tmp_path: Path) -> None:
        """With path given, an unknown program still raises FileNotFoundError."""
        with pytest.raises(FileNotFoundError):
            reactor.spawnProcess(Recorder(), "./nothing", ["nothing"], path=str(tmp_path))

    def test_uidAndGid(self, reactor: Any, runner: Any) -> None:
        """uid/gid switch the child's identity (root), or raise PermissionError if not allowed."""
        args = [SH, "-c", "echo $(id -u) $(id -g) $(id -G)"]
        if os.geteuid() == 0:
            proto = spawnAndRun(reactor, runner, args, uid=65534, gid=65534)
            uid, gid, *groups = proto.data[1].decode().split()
            assert (uid, gid) == ("65534", "65534")
            assert "0" not in groups
        else:
            with pytest.raises(PermissionError):
                reactor.spawnProcess(Recorder(), PY, args, uid=0)

    def test_ownUidNeedsNoPrivilege(self, reactor: Any, runner: Any) -> None:
        """Asking for our own uid and gid always works."""
        args = [SH, "-c", "echo $(id -u) $(id -g)"]
        proto = spawnAndRun(reactor, runner, args, uid=os.getuid(), gid=os.getgid())
        assert proto.data[1] == f"{os.getuid()} {os.getgid()}\n".encode()


class ChildFDsTests:
    """childFDs maps: extra pipes, inherited descriptors, closing."""

    def test_extraDescriptors(self, reactor: Any, runner: Any) -> None:
        """Descriptors 3 ('w') and 4 ('r') reach the child; writeToChild/closeChildFD work."""
        script = (
            "import os\n"
            "secret = b''\n"
            "while True:\n"
            "    chunk = os.read(3, 100)\n"
            "    if not chunk: break\n"
            "    secret += chunk\n"
            "os.write(4, b'STATUS ' + secret)\n"
            "os.write(1, b'plain:' + os.read(0, 100))\n"
        )
        proto = Recorder(runner)
        transport = reactor.spawnProcess(
            proto, PY, [PY, "-c", script], childFDs={0: "w", 1: "r", 2: 2, 3: "w", 4: "r"}
        )
        transport.writeToChild(3, b"passphrase")
        transport.closeChildFD(3)
        transport.writeToChild(0, b"crypttext")
        transport.closeChildFD(0)
        runner.run()
        assert proto.data == {1: b"plain:crypttext", 4: b"STATUS passphrase"}
        assert isinstance(proto.ended.value, error.ProcessDone)  # type: ignore[union-attr]
        assert {("lost", 0), ("lost", 1), ("lost", 3), ("lost", 4)} <= set(proto.events)
        assert ("lost", 2) not in proto.events

    def test_writeToChildUnknownDescriptor(self, reactor: Any, runner: Any) -> None:
        """writeToChild to a descriptor that is not a 'w' pipe raises KeyError."""
        proto = Recorder(runner)
        transport = reactor.spawnProcess(proto, SH, [SH, "-c", "exit 0"])
        with pytest.raises(KeyError):
            transport.writeToChild(1, b"x")
        with pytest.raises(KeyError):
            transport.writeToChild(7, b"x")
        runner.run()

    def test_inheritedDescriptor(self, reactor: Any, runner: Any, tmp_path: Path) -> None:
        """An int value shares one of our descriptors with the child."""
        target = tmp_path / "out.txt"
        fd = os.open(target, os.O_WRONLY | os.O_CREAT)
        try:
            spawnAndRun(reactor, runner, [SH, "-c", "echo shared >&5"], childFDs={5: fd})
        finally:
            os.close(fd)
        assert target.read_bytes() == b"shared\n"

    def test_unmappedDescriptorsAreClosed(self, reactor: Any, runner: Any) -> None:
        """Descriptors not in childFDs are closed in the child, even our inheritable ones."""
        r, w = os.pipe()
        os.set_inheritable(w, True)
        try:
            script = f"import os\ntry:\n    os.fstat({w}); print('open')\nexcept OSError: print('closed')\n"
            proto = spawnAndRun(reactor, runner, [PY, "-c", script], childFDs={1: "r"})
        finally:
            os.close(r)
            os.close(w)
        assert proto.data[1] == b"closed\n"

    def test_badChildFDs(self, reactor: Any) -> None:
        """Bad childFDs entries raise before anything is spawned."""
        with pytest.raises(ValueError):
            reactor.spawnProcess(Recorder(), SH, [SH], childFDs={0: "x"})
        with pytest.raises(TypeError):
            reactor.spawnProcess(Recorder(), SH, [SH], childFDs={"0": "r"})
        with pytest.raises(ValueError):
            reactor.spawnProcess(Recorder(), SH, [SH], childFDs={-1: "r"})
        with pytest.raises(OSError):
            reactor.spawnProcess(Recorder(), SH, [SH], childFDs={0: 987654})

    def test_closeStdoutAndLoseConnection(self, reactor: Any, runner: Any) -> None:
        """loseConnection closes stdin, stdout and stderr; the child still ends."""
        proto = Recorder(runner)
        transport = reactor.spawnProcess(proto, SH, [SH, "-c", "cat >/dev/null; exit 3"])
        transport.loseConnection()
        runner.run()
        assert {("lost", 0), ("lost", 1), ("lost", 2)} <= set(proto.events)
        assert proto.ended is not None
        assert cast(error.ProcessTerminated, proto.ended.value).exitCode == 3


class StdinTests:
    """Writing to the child: closeStdin, buffering, producers."""

    def test_closeStdinEndsCat(self, reactor: Any, runner: Any) -> None:
        """Closing stdin makes cat see end of file and exit 0 with everything echoed."""
        proto = spawnAndRun(reactor, runner, ["/bin/cat"], stdin=b"a" * 1000)
        assert proto.data[1] == b"a" * 1000
        assert isinstance(proto.ended.value, error.ProcessDone)  # type: ignore[union-attr]

    def test_writeSequenceAndBuffering(self, reactor: Any, runner: Any) -> None:
        """Writes larger than the pipe buffer are queued and all delivered in order."""
        payload = [bytes([65 + i % 26]) * 100_000 for i in range(20)]
        proto = Recorder(runner)
        transport = reactor.spawnProcess(proto, "/bin/cat", ["cat"])
        transport.writeSequence(payload[:10])
        for chunk in payload[10:]:
            transport.write(chunk)
        transport.closeStdin()
        runner.run()
        assert proto.data[1] == b"".join(payload)

    def test_pushProducer(self, reactor: Any, runner: Any) -> None:
        """A push producer on stdin is paused above the high-water mark and resumed."""
        total = 4 * 1024 * 1024
        chunk = b"x" * 16384

        class Producer:
            def __init__(self) -> None:
                self.sent = 0
                self.paused = False
                self.pauses = 0

            def pauseProducing(self) -> None:
                self.paused = True
                self.pauses += 1

            def resumeProducing(self) -> None:
                self.paused = False
                reactor.callLater(0, self.produce)

            def stopProducing(self) -> None:
                pass

            def produce(self) -> None:
                while not self.paused and self.sent < total:
                    transport.write(chunk)
                    self.sent += len(chunk)
                if self.sent >= total:
                    transport.unregisterProducer()
                    transport.closeStdin()

        class Counter(Recorder):
            def childDataReceived(self, childFD: int, data: bytes) -> None:
                self.count = getattr(self, "count", 0) + len(data)

        proto = Counter(runner)
        transport = reactor.spawnProcess(proto, "/bin/cat", ["cat"])
        producer = Producer()
        transport.registerProducer(producer, True)
        reactor.callLater(0, producer.produce)
        runner.run()
        assert producer.sent == total
        assert producer.pauses > 0
        assert proto.count == total

    def test_pullProducer(self, reactor: Any, runner: Any) -> None:
        """A pull producer on stdin is asked for data whenever the buffer drains."""
        chunks = [bytes([48 + i % 10]) * 50_000 for i in range(40)]

        class Pull:
            def resumeProducing(self) -> None:
                if chunks:
                    transport.write(chunks.pop(0))
                else:
                    transport.unregisterProducer()
                    transport.closeStdin()

            def stopProducing(self) -> None:
                pass

        expected = b"".join(chunks)
        proto = Recorder(runner)
        transport = reactor.spawnProcess(proto, "/bin/cat", ["cat"])
        transport.registerProducer(Pull(), False)
        runner.run()
        assert proto.data[1] == expected

    def test_writeAfterCloseStdinIsDiscarded(self, reactor: Any, runner: Any) -> None:
        """write() once stdin is closed is silently discarded; str is refused."""
        proto = Recorder(runner)
        transport = reactor.spawnProcess(proto, "/bin/cat", ["cat"])
        with pytest.raises(TypeError):
            transport.write("text")
        transport.write(b"kept")
        transport.closeStdin()
        transport.write(b"dropped")
        runner.run()
        transport.write(b"after end")
        assert proto.data[1] == b"kept"


class PTYTests:
    """usePTY: the child runs on a pseudo-terminal."""

    def test_childSeesTerminal(self, reactor: Any, runner: Any) -> None:
        """On a PTY, descriptors 0-2 are ttys and it is the controlling terminal."""
        script = (
            "import os\n"
            "os.close(os.open('/dev/tty', os.O_RDWR))\n"
            "print(os.isatty(0), os.isatty(1), os.isatty(2), os.getsid(0) == os.getpid())\n"
        )
        proto = spawnAndRun(reactor, runner, [PY, "-c", script], usePTY=True)
        assert proto.data[1].replace(b"\r\n", b"\n") == b"True True True True\n"
        assert isinstance(proto.ended.value, error.ProcessDone)  # type: ignore[union-attr]

    def test_inputEchoedThroughTerminal(self, reactor: Any, runner: Any) -> None:
        """Data written to a PTY child reaches its stdin; EOF is the ^D character."""
        proto = Recorder(runner)
        transport = reactor.spawnProcess(
            proto,
            PY,
            [PY, "-c", "import sys; print('got', sys.stdin.readline().strip())"],
            usePTY=True,
        )
        transport.write(b"hello\n")
        runner.run()
        assert b"got hello" in proto.data[1]

    def test_ptyTuple(self, reactor: Any, runner: Any, fdCount: Any) -> None:
        """A (master, slave, ttyname) tuple is used and both descriptors are closed after."""
        before = fdCount()
        master, slave = os.openpty()
        name = os.ttyname(slave)
        proto = spawnAndRun(reactor, runner, [SH, "-c", "tty"], usePTY=(master, slave, name))
        assert proto.data[1].strip() == name.encode()
        assert fdCount() == before


class ReapingTests:
    """Reaping: SIGCHLD or polling, under load, and only our own children."""

    def test_manyConcurrentProcesses(self, reactor: Any, runner: Any) -> None:
        """200 concurrent short processes are all reaped with their exit codes."""
        # Only SIGCHLD can find these exits: no pipes, and polling is off.
        reactor.processReapInterval = 3600.0
        protocols = [Recorder() for _ in range(200)]
        for i, p in enumerate(protocols):
            reactor.spawnProcess(p, SH, [SH, "-c", f"exit {i % 7}"], childFDs={})
        runAll(runner, protocols, handlers=True)
        codes = [p.ended.value.exitCode for p in protocols]  # type: ignore[union-attr]
        assert codes == [i % 7 for i in range(200)]

    def test_pollingWithoutSignalHandlers(self, reactor: Any, runner: Any) -> None:
        """Without signal handlers exits are found by polling every processReapInterval."""
        reactor.processReapInterval = 0.01
        protocols = [Recorder() for _ in range(20)]
        for i, p in enumerate(protocols):
            reactor.spawnProcess(p, SH, [SH, "-c", f"exit {i}"], childFDs={})
        runAll(runner, protocols, handlers=False)
        assert [p.ended.value.exitCode for p in protocols] == list(range(20))  # type: ignore[union-attr]

    def test_spawnedBeforeRun(self, reactor: Any, runner: Any) -> None:
        """A child that exited before run() is reaped when the reactor starts."""
        proto = Recorder()
        transport = reactor.spawnProcess(proto, SH, [SH, "-c", "exit 5"], childFDs={})
        os.waitid(os.P_PID, transport.pid, os.WEXITED | os.WNOWAIT)
        reactor.processReapInterval = 3600.0
        runAll(runner, [proto], handlers=True)
        assert proto.ended is not None
        assert cast(error.ProcessTerminated, proto.ended.value).exitCode == 5

    def test_otherChildrenLeftAlone(self, reactor: Any, runner: Any) -> None:
        """The reaper never collects children it did not spawn."""
        other = os.posix_spawn("/bin/sh", ["sh", "-c", "exit 9"], {})
        spawnAndRun(reactor, runner, [SH, "-c", "exit 0"])
        pid, status = os.waitpid(other, 0)
        assert pid == other and os.waitstatus_to_exitcode(status) == 9

    def test_handlersRestored(self, reactor: Any, runner: Any) -> None:
        """After run() the previous SIGCHLD handler and wake-up descriptor are back."""
        before = signal.getsignal(signal.SIGCHLD)
        spawnAndRun(reactor, runner, [SH, "-c", "exit 0"], handlers=True)
        assert signal.getsignal(signal.SIGCHLD) == before
        assert signal.set_wakeup_fd(-1) == -1


class UtilsTests:
    """netframe.core.utils over every reactor."""

    def test_getProcessOutput(self, reactor: Any, runner: Any) -> None:
        """getProcessOutput fires with standard output, args without the program name."""
        results: list[Any] = []
        d = utils.getProcessOutput(SH, ["-c", "echo out; exit 3"], reactor=reactor)
        d.addBoth(results.append).addBoth(lambda _: runner.stopSoon())
        runner.run()
        assert results == [b"out\n"]

    def test_getProcessOutputStderrFails(self, reactor: Any, runner: Any) -> None:
        """Standard error output fails getProcessOutput with an IOError unless errortoo."""
        results: list[Any] = []
        ended: list[Any] = []

        def processEnded(reason: Failure) -> None:
            ended.append(reason)
            runner.stopSoon()

        def failed(f: Failure) -> None:
            results.append(f)
            cast(Any, f.value).processEnded.addErrback(processEnded)

        d = utils.getProcessOutput(SH, ["-c", "echo bad >&2; echo out"], reactor=reactor)
        d.addErrback(failed)
        runner.run(installSignalHandlers=True)
        assert isinstance(results[0].value, IOError)
        assert "bad" in str(results[0].value)
        assert ended

    def test_getProcessOutputErrortoo(self, reactor: Any, runner: Any) -> None:
        """With errortoo, standard error is collected with the output."""
        results: list[Any] = []
        d = utils.getProcessOutput(SH, ["-c", "echo a; echo b >&2"], reactor=reactor, errortoo=True)
        d.addBoth(results.append).addBoth(lambda _: runner.stopSoon())
        runner.run()
        assert sorted(results[0].splitlines()) == [b"a", b"b"]

    def test_getProcessValue(self, reactor: Any, runner: Any) -> None:
        """getProcessValue fires with the exit code (P4: true 0, false 1)."""
        results: list[Any] = []
        d1 = utils.getProcessValue("true", reactor=reactor)
        d1.addCallback(results.append)
        d2 = utils.getProcessValue("false", reactor=reactor)
        d2.addCallback(results.append)
        d2.addBoth(lambda _: runner.stopSoon())
        runner.run()
        assert sorted(results) == [0, 1]

    def test_getProcessOutputAndValue(self, reactor: Any, runner: Any) -> None:
        """getProcessOutputAndValue fires with (out, err, code)."""
        results: list[Any] = []
        d = utils.getProcessOutputAndValue(
            SH, ["-c", 'echo o; echo e >&2; echo "$X"; exit 4'], env={"X": "x"}, reactor=reactor
        )
        d.addBoth(results.append).addBoth(lambda _: runner.stopSoon())
        runner.run()
        assert results == [(b"o\nx\n", b"e\n", 4)]

    def test_getProcessOutputAndValueSignal(self, reactor: Any, runner: Any) -> None:
        """A child killed by a signal fails with (out, err, signalNum)."""
        results: list[Any] = []
        d = utils.getProcessOutputAndValue(SH, ["-c", "echo o; kill -9 $$"], reactor=reactor)
        d.addErrback(results.append).addBoth(lambda _: runner.stopSoon())
        runner.run()
        out, err, sig = results[0].value
        assert (out, err, sig) == (b"o\n", b"", signal.SIGKILL)
        assert isinstance(results[0].value, utils.ProcessSignalledError)

    def test_cannotStart(self, reactor: Any) -> None:
        """A program that cannot be started gives a failed Deferred, not an exception."""
        results: list[Any] = []
        utils.getProcessValue("/nonexistent/x", reactor=reactor).addErrback(results.append)
        assert results[0].check(FileNotFoundError)

    def test_workingDirectory(self, reactor: Any, runner: Any, tmp_path: Path) -> None:
        """path runs the program in that directory."""
        results: list[Any] = []
        d = utils.getProcessOutput("/bin/pwd", path=str(tmp_path), reactor=reactor)
        d.addBoth(results.append).addBoth(lambda _: runner.stopSoon())
        runner.run()
        assert results == [os.fsencode(str(tmp_path.resolve())) + b"\n"]
