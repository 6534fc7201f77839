"""
Unit tests of the process machinery: exit reasons, signal names, argument
checks, the SIGCHLD watcher (with a fake reactor), reaping corner cases and
error handling in protocol callbacks.  Tests that need a child spawn real
/bin/sh processes on a private EPollReactor, bounded by a watchdog.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from typing import Any, cast

import pytest
from zope.interface.verify import verifyObject

from netframe.core import error
from netframe.core._process import (
    _checkChildFDs,
    _ProcessAddress,
    _ProcessReader,
    _ProcessWriter,
    _reasonFor,
    _signalNumber,
)
from netframe.core._sigchld import _ChildSignalWatcher
from netframe.core.epollreactor import EPollReactor
from netframe.core.failure import Failure
from netframe.core.interfaces import IAddress, IConsumer, IReadDescriptor, IWriteDescriptor
from netframe.core.protocol import ProcessProtocol
from netframe.logger import capturedLogs

SH = "/bin/sh"

#: Seconds a test running a reactor may take before it fails.
WATCHDOG = 10.0


def openFds() -> int:
    """Return how many descriptors this process has open."""
    return len(os.listdir("/proc/self/fd"))


@pytest.fixture
def reactor() -> Iterator[EPollReactor]:
    """A private EPollReactor, closed after the test."""
    r = EPollReactor()
    yield r
    r.disconnectAll()
    r._close()


def runUntil(reactor: Any, done: Any, handlers: bool = True) -> None:
    """Run C{reactor} until C{done()} is true, failing after L{WATCHDOG} seconds."""
    timedOut = []

    def check() -> None:
        if done():
            reactor.stop()
        else:
            reactor.callLater(0.005, check)

    def watchdog() -> None:
        timedOut.append(True)
        reactor.stop()

    reactor.callLater(0, check)
    call = reactor.callLater(WATCHDOG, watchdog)
    reactor.run(installSignalHandlers=handlers)
    if call.active():
        call.cancel()
    assert not timedOut, "reactor test timed out"


class Ended(ProcessProtocol):
    """Remembers the exit and end reasons."""

    def __init__(self) -> None:
        self.exited: Failure | None = None
        self.ended: Failure | None = None

    def processExited(self, reason: Failure) -> None:
        self.exited = reason

    def processEnded(self, reason: Failure) -> None:
        self.ended = reason


class ReasonTests:
    """_reasonFor turns wait statuses into ProcessDone / ProcessTerminated."""

    def test_exitZero(self) -> None:
        """Status 0 is ProcessDone with exitCode 0 and the raw status."""
        value = _reasonFor(0).value
        assert isinstance(value, error.ProcessDone)
        assert (value.exitCode, value.signal, value.status) == (0, None, 0)

    def test_exitCode(self) -> None:
        """A non-zero exit status is ProcessTerminated with that exitCode."""
        value = _reasonFor(3 << 8).value
        assert isinstance(value, error.ProcessTerminated)
        assert (value.exitCode, value.signal, value.status) == (3, None, 3 << 8)

    def test_signal(self) -> None:
        """Death by signal is ProcessTerminated with signal set and no exitCode."""
        value = _reasonFor(int(signal.SIGTERM)).value
        assert isinstance(value, error.ProcessTerminated)
        assert (value.exitCode, value.signal) == (None, signal.SIGTERM)

    def test_lostStatus(self) -> None:
        """An unknown status (reaped elsewhere) is ProcessTerminated with nothing set."""
        value = _reasonFor(None).value
        assert isinstance(value, error.ProcessTerminated)
        assert (value.exitCode, value.signal, value.status) == (None, None, None)


class SignalNumberTests:
    """_signalNumber accepts the documented names and numbers only."""

    def test_names(self) -> None:
        """KILL, TERM, INT and HUP map to their numbers, with or without SIG, any case."""
        assert _signalNumber("KILL") == signal.SIGKILL
        assert _signalNumber("TERM") == signal.SIGTERM
        assert _signalNumber("INT") == signal.SIGINT
        assert _signalNumber("HUP") == signal.SIGHUP
        assert _signalNumber("SIGUSR1") == signal.SIGUSR1
        assert _signalNumber("term") == signal.SIGTERM

    def test_numbers(self) -> None:
        """Valid signal numbers pass through."""
        assert _signalNumber(9) == 9

    def test_badNames(self) -> None:
        """Unknown names and the SIG_DFL/SIG_IGN constants are refused with ValueError."""
        for name in ("NOPE", "SIG_DFL", "_IGN", ""):
            with pytest.raises(ValueError):
                _signalNumber(name)

    def test_badNumbers(self) -> None:
        """Numbers that are no signal are refused with ValueError."""
        with pytest.raises(ValueError):
            _signalNumber(99999)
        with pytest.raises(ValueError):
            _signalNumber(-1)

    def test_badTypes(self) -> None:
        """bool, float and None are refused with TypeError."""
        for value in (True, 1.5, None):
            with pytest.raises(TypeError):
                _signalNumber(value)  # type: ignore[arg-type]


class ChildFDsTests:
    """_checkChildFDs validates the map."""

    def test_default(self) -> None:
        """None means the stdin/stdout/stderr pipes."""
        assert _checkChildFDs(None) == {0: "w", 1: "r", 2: "r"}

    def test_valid(self) -> None:
        """'r', 'w' and descriptor numbers are accepted."""
        fds: dict[int, int | str] = {0: 0, 1: "r", 4: "w"}
        assert _checkChildFDs(fds) == fds

    def test_invalid(self) -> None:
        """Bad keys and values raise TypeError or ValueError."""
        for bad, exc in (
            ({0: "rw"}, ValueError),
            ({0: -2}, ValueError),
            ({-1: "r"}, ValueError),
            ({"1": "r"}, TypeError),
            ({True: "r"}, TypeError),
            ({1: 2.0}, TypeError),
            ({1: False}, TypeError),
            ([(1, "r")], TypeError),
        ):
            with pytest.raises(exc):
                _checkChildFDs(bad)  # type: ignore[arg-type]


class ArgumentTests:
    """spawnProcess refuses bad arguments before starting anything."""

    def test_badArguments(self, reactor: EPollReactor) -> None:
        """Wrong types and values raise, leak no descriptor and call nothing."""
        before = openFds()
        proto = Ended()
        cases: list[tuple[dict[str, Any], type[Exception]]] = [
            ({"args": "sh"}, TypeError),
            ({"args": [SH, 3]}, TypeError),
            ({"args": [SH, "a\0b"]}, ValueError),
            ({"env": {"A=B": "c"}}, ValueError),
            ({"env": {"": "c"}}, ValueError),
            ({"env": {"A": 1}}, TypeError),
            ({"env": [("A", "B")]}, TypeError),
            ({"uid": "0"}, TypeError),
            ({"gid": 1.0}, TypeError),
            ({"path": 7}, TypeError),
            ({"usePTY": (1, 2)}, ValueError),
        ]
        for kw, exc in cases:
            kw.setdefault("args", [SH])
            with pytest.raises(exc):
                reactor.spawnProcess(proto, SH, **kw)
        with pytest.raises(TypeError):
            reactor.spawnProcess(proto, 12, [SH])  # type: ignore[arg-type]
        assert proto.transport is None
        assert openFds() == before

    def test_reapIntervalLimit(self, reactor: EPollReactor) -> None:
        """processReapInterval must be > 0: 0 and negatives are refused at spawn time."""
        for bad in (0, -1.0):
            reactor.processReapInterval = bad
            with pytest.raises(ValueError):
                reactor.spawnProcess(Ended(), SH, [SH, "-c", "exit 0"])
        assert reactor._processes is None

    def test_reapIntervalSmallestPositive(self, reactor: EPollReactor) -> None:
        """A tiny positive processReapInterval is accepted and polling reaps the child."""
        reactor.processReapInterval = 1e-6
        proto = Ended()
        reactor.spawnProcess(proto, SH, [SH, "-c", "exit 2"], childFDs={})
        runUntil(reactor, lambda: proto.ended is not None, handlers=False)
        assert proto.ended is not None
        assert cast(error.ProcessTerminated, proto.ended.value).exitCode == 2

    def test_emptyArgs(self, reactor: EPollReactor) -> None:
        """Empty args run the executable with itself as argv[0]."""
        out: list[bytes] = []

        class Echo(Ended):
            def outReceived(self, data: bytes) -> None:
                out.append(data)

        proto = Echo()
        reactor.spawnProcess(proto, "/bin/echo")
        runUntil(reactor, lambda: proto.ended is not None)
        assert out == [b"\n"]


class AddressTests:
    """The process transport's addresses."""

    def test_processAddress(self) -> None:
        """Process addresses provide IAddress, are all equal and hash alike."""
        a, b = _ProcessAddress(), _ProcessAddress()
        assert verifyObject(IAddress, a)
        assert a == b and hash(a) == hash(b)
        assert a != object()
        assert repr(a) == "_ProcessAddress()"


class FakeReactor:
    """Records the watcher's calls into the reactor."""

    def __init__(self) -> None:
        self.readers: list[Any] = []
        self.calls: list[Any] = []

    def addReader(self, reader: Any) -> None:
        self.readers.append(reader)

    def removeReader(self, reader: Any) -> None:
        self.readers.remove(reader)

    def callFromThread(self, f: Any, *args: Any) -> None:
        self.calls.append((f, args))


class WatcherTests:
    """_ChildSignalWatcher installs a waking SIGCHLD handler and removes it cleanly."""

    def test_installAndUninstall(self) -> None:
        """Install sets the handler, wake-up pipe and a reader; uninstall restores all."""
        fake = FakeReactor()
        reaps: list[int] = []
        watcher = _ChildSignalWatcher(fake, lambda: reaps.append(1))
        before = signal.getsignal(signal.SIGCHLD)
        fds = openFds()
        watcher.install()
        try:
            assert signal.getsignal(signal.SIGCHLD) == watcher._handler
            assert watcher.usesWakeupFd
            [pipe] = fake.readers
            assert verifyObject(IReadDescriptor, pipe)
            assert pipe.logPrefix() == "SIGCHLD"
            # install() nudged: the first read asks for a reap pass.
            pipe.doRead()
            assert reaps == [1]
            pipe.doRead()
            assert reaps == [1]
            # The C-level handler writes the signal number into the pipe.
            os.kill(os.getpid(), signal.SIGCHLD)
            pipe.doRead()
            assert reaps == [1, 1]
            assert fake.calls == []
        finally:
            watcher.uninstall()
        assert signal.getsignal(signal.SIGCHLD) == before
        assert fake.readers == []
        assert signal.set_wakeup_fd(-1) == -1
        assert openFds() == fds
        watcher.uninstall()

    def test_wakeupFdOwnedElsewhere(self) -> None:
        """If another wake-up fd is set it is kept; the Python handler queues one reap."""
        r, w = os.pipe()
        os.set_blocking(w, False)
        signal.set_wakeup_fd(w)
        fake = FakeReactor()
        reaps: list[int] = []
        watcher = _ChildSignalWatcher(fake, lambda: reaps.append(1))
        try:
            watcher.install()
            assert not watcher.usesWakeupFd
            assert signal.set_wakeup_fd(w) == w
            watcher._handler(signal.SIGCHLD, None)
            watcher._handler(signal.SIGCHLD, None)
            assert len(fake.calls) == 1
            f, args = fake.calls[0]
            f(*args)
            assert reaps == [1]
            watcher._handler(signal.SIGCHLD, None)
            assert len(fake.calls) == 2
            watcher.uninstall()
            assert signal.set_wakeup_fd(-1) == w
        finally:
            signal.set_wakeup_fd(-1)
            os.close(r)
            os.close(w)

    def test_previousHandlerChained(self) -> None:
        """A previous Python SIGCHLD handler is still called."""
        seen: list[int] = []
        old = signal.signal(signal.SIGCHLD, lambda s, f: seen.append(s))
        try:
            watcher = _ChildSignalWatcher(FakeReactor(), lambda: None)
            watcher.install()
            watcher._handler(signal.SIGCHLD, None)
            watcher.uninstall()
            assert seen == [signal.SIGCHLD]
        finally:
            signal.signal(signal.SIGCHLD, old)

    def test_fallbackEndToEnd(self, reactor: EPollReactor) -> None:
        """With the wake-up fd owned elsewhere, children are still reaped through SIGCHLD."""
        r, w = os.pipe()
        os.set_blocking(w, False)
        os.set_blocking(r, False)
        signal.set_wakeup_fd(w)
        try:
            reactor.processReapInterval = 3600.0
            protos = [Ended() for _ in range(10)]
            for i, p in enumerate(protos):
                reactor.spawnProcess(p, SH, [SH, "-c", f"exit {i}"], childFDs={})
            runUntil(reactor, lambda: all(p.ended for p in protos))
            assert [p.ended.value.exitCode for p in protos] == list(range(10))  # type: ignore[union-attr]
        finally:
            signal.set_wakeup_fd(-1)
            os.close(r)
            os.close(w)


class ReapTests:
    """Reaping corner cases."""

    def test_reapedElsewhere(self, reactor: EPollReactor) -> None:
        """A child someone else collected is reported with an unknown status, and logged."""
        proto = Ended()
        transport = reactor.spawnProcess(proto, SH, [SH, "-c", "exit 0"], childFDs={})
        assert transport.pid is not None
        os.waitpid(transport.pid, 0)
        with capturedLogs() as events:
            reactor._reapAllProcesses()
        assert proto.ended is not None
        assert isinstance(proto.ended.value, error.ProcessTerminated)
        assert proto.ended.value.status is None
        assert any("reaped by someone else" in e.get("log_format", "") for e in events)
        assert transport.pid is None

    def test_offMainThread(self) -> None:
        """A reactor run off the main thread finds exits by polling."""
        reactor = EPollReactor()
        reactor.processReapInterval = 0.01
        proto = Ended()
        failures: list[BaseException] = []

        def run() -> None:
            try:
                reactor.spawnProcess(proto, SH, [SH, "-c", "exit 6"], childFDs={})
                runUntil(reactor, lambda: proto.ended is not None)
            except BaseException as e:
                failures.append(e)

        thread = threading.Thread(target=run)
        thread.start()
        thread.join(WATCHDOG * 2)
        reactor._close()
        assert not thread.is_alive()
        assert failures == []
        assert proto.ended is not None
        assert cast(error.ProcessTerminated, proto.ended.value).exitCode == 6
        assert reactor._childWatcher is None


class CallbackErrorTests:
    """Exceptions in protocol callbacks are logged; the process still ends."""

    def test_errorsLogged(self, reactor: EPollReactor) -> None:
        """connectionMade, childConnectionLost and processExited errors are logged."""

        class Broken(Ended):
            def connectionMade(self) -> None:
                raise RuntimeError("made")

            def childConnectionLost(self, childFD: int) -> None:
                raise RuntimeError("lost")

            def processExited(self, reason: Failure) -> None:
                raise RuntimeError("exited")

        proto = Broken()
        with capturedLogs() as events:
            reactor.spawnProcess(proto, SH, [SH, "-c", "echo hi"])
            runUntil(reactor, lambda: proto.ended is not None)
        failures = [e["log_failure"].value.args[0] for e in events if "log_failure" in e]
        assert failures.count("made") == 1
        assert failures.count("exited") == 1
        assert failures.count("lost") == 3
        assert isinstance(proto.ended.value, error.ProcessDone)  # type: ignore[union-attr]


class PipeTests:
    """The pipe descriptors and the transport's producer side."""

    def test_descriptorInterfaces(self, reactor: EPollReactor) -> None:
        """Readers provide IReadDescriptor; writers IWriteDescriptor and IConsumer."""
        proto = Ended()
        transport = reactor.spawnProcess(proto, "/bin/cat", ["cat"])
        reader = transport.pipes[1]
        writer = transport.pipes[0]
        assert isinstance(reader, _ProcessReader) and isinstance(writer, _ProcessWriter)
        assert verifyObject(IReadDescriptor, reader)
        assert verifyObject(IWriteDescriptor, writer)
        assert verifyObject(IConsumer, writer)
        assert "childFD=1" in repr(reader) and "childFD=0" in repr(writer)
        assert f"pid={transport.pid}" in repr(transport)
        transport.loseConnection()
        runUntil(reactor, lambda: proto.ended is not None)
        assert reader.fileno() == -1 and writer.fileno() == -1

    def test_pauseAndResumeOutput(self, reactor: EPollReactor) -> None:
        """pauseProducing stops delivering output until resumeProducing."""
        out: list[bytes] = []

        class Collect(Ended):
            def outReceived(self, data: bytes) -> None:
                out.append(data)

        proto = Collect()
        transport = reactor.spawnProcess(proto, SH, [SH, "-c", "echo one"])
        transport.pauseProducing()
        assert reactor.getReaders() == [transport.pipes[0]]
        transport.resumeProducing()
        runUntil(reactor, lambda: proto.ended is not None)
        assert b"".join(out) == b"one\n"

    def test_producerOnClosedStdin(self, reactor: EPollReactor) -> None:
        """Registering a producer when stdin is gone stops the producer at once."""
        stopped: list[bool] = []

        class Producer:
            def stopProducing(self) -> None:
                stopped.append(True)

        proto = Ended()
        transport = reactor.spawnProcess(proto, SH, [SH, "-c", "exit 0"], childFDs={1: "r"})
        transport.registerProducer(Producer(), True)
        transport.unregisterProducer()
        assert stopped == [True]
        runUntil(reactor, lambda: proto.ended is not None)

    def test_secondProducerRefused(self, reactor: EPollReactor) -> None:
        """A second producer on stdin raises RuntimeError."""

        class Producer:
            def pauseProducing(self) -> None:
                pass

            def resumeProducing(self) -> None:
                pass

            def stopProducing(self) -> None:
                pass

        proto = Ended()
        transport = reactor.spawnProcess(proto, "/bin/cat", ["cat"])
        transport.registerProducer(Producer(), True)
        with pytest.raises(RuntimeError):
            transport.registerProducer(Producer(), True)
        transport.unregisterProducer()
        transport.stopProducing()
        runUntil(reactor, lambda: proto.ended is not None)
        assert transport.getHost() == transport.getPeer() == _ProcessAddress()
