"""
Running tests in parallel worker processes (C{netframe-trial -j N}).

The parent loads the tests (load errors are reported by the parent), then
starts N workers (C{python -m netframe.trial._worker}), each in its own
C{_trial_temp/<n>} directory with its own C{test.log}, connected over a UNIX
socket pair speaking AMP (L{netframe.core.protocols.amp}):

  - parent -> worker L{Run}C{(testName)}: load and run one test by id; the
    answer comes after the test finished;
  - worker -> parent L{Outcome}C{(testName, kind, detail, errorType)}: one
    per reported outcome (success, failure, error, skip, expectedFailure,
    unexpectedSuccess), sent before the L{Run} answer.

A worker that dies (crash, C{os._exit}, signal) or does not answer within
C{--worker-timeout} seconds (killed) is reported as an error of the test it
was running; a new worker takes its place and the run goes on.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from typing import IO, Any

from netframe.core.failure import Failure
from netframe.core.protocol import Factory
from netframe.core.protocols import amp
from netframe.trial import _runner, _util

#: Longest traceback text (utf-8 bytes) sent in one L{Outcome}; longer text
#: is cut (AMP values hold at most 65535 bytes).
WORKER_MAX_DETAIL = 60000

#: Seconds a worker may take for one test before it is killed as hung
#: (default of C{--worker-timeout}: the per-test timeout plus a margin).
WORKER_HANG_TIMEOUT = _util.DEFAULT_TIMEOUT_DURATION + 30.0

#: How many times a dead worker is replaced before the run gives up on the
#: remaining tests (each then reported as an error).
MAX_WORKER_RESTARTS = 50


class Run(amp.Command):
    """Run one test by id (parent -> worker)."""

    arguments = [(b"testName", amp.Unicode())]
    response = [(b"success", amp.Boolean())]


class Outcome(amp.Command):
    """One reported outcome of a test (worker -> parent)."""

    arguments = [
        (b"testName", amp.Unicode()),
        (b"kind", amp.Unicode()),
        (b"detail", amp.Unicode()),
        (b"errorType", amp.Unicode()),
    ]
    requiresAnswer = False


def truncate(text: str, limit: int = WORKER_MAX_DETAIL) -> str:
    """
    Cut C{text} so its utf-8 form fits in C{limit} bytes (marking the cut).

    @return: C{text} or a shorter version ending in C{"... [truncated]"}.
    """
    raw = text.encode("utf-8", "replace")
    if len(raw) <= limit:
        return text
    marker = "\n... [truncated]"
    return raw[: limit - len(marker.encode())].decode("utf-8", "ignore") + marker


class RemoteTest:
    """Stands for a test run in a worker: what reporters need (its id)."""

    def __init__(self, name: str) -> None:
        """@param name: the test id."""
        self.name = name

    def id(self) -> str:
        """Return the test id."""
        return self.name

    def __repr__(self) -> str:
        """Return C{<RemoteTest id>}."""
        return f"<RemoteTest {self.name}>"


class RemoteError(Exception):
    """An error or failure that happened in a worker, with its formatted traceback."""

    def __init__(self, errorType: str, detail: str) -> None:
        """
        @param errorType: the qualified name of the original exception class.
        @param detail: the formatted traceback.
        """
        super().__init__(detail)
        self.errorType = errorType
        self.detail = detail

    def __str__(self) -> str:
        """Return the worker's traceback text."""
        return self.detail


class WorkerCrashed(Exception):
    """A worker process died or hung while running a test."""


class _ParentProtocol(amp.AMP):
    """The parent's end of one worker's connection."""

    def __init__(self, manager: _Manager, worker: _Worker) -> None:
        """Remember who to tell about outcomes and disconnection."""
        super().__init__()
        self.manager = manager
        self.worker = worker

    @Outcome.responder
    def outcome(self, testName: str, kind: str, detail: str, errorType: str) -> dict[str, Any]:
        """Buffer an outcome until the test's L{Run} answer arrives."""
        self.worker.outcomes.append((kind, detail, errorType))
        return {}

    def connectionLost(self, reason: Failure) -> None:  # type: ignore[override]
        """Tell the manager the worker is gone."""
        super().connectionLost(reason)
        self.manager.workerLost(self.worker)


class _Worker:
    """One worker process and its connection."""

    def __init__(self, index: int, process: subprocess.Popen[bytes]) -> None:
        """
        @param index: its number (also its directory name).
        @param process: the process.
        """
        self.index = index
        self.process = process
        self.protocol: _ParentProtocol | None = None
        self.current: str | None = None
        self.outcomes: list[tuple[str, str, str]] = []
        self.watchdog: Any = None
        self.hung = False
        self.lost = False


class _Manager:
    """Hands tests to workers and reports their outcomes."""

    def __init__(
        self,
        reactor: Any,
        result: Any,
        names: list[str],
        jobs: int,
        workerArgs: list[str],
        root: str,
        hangTimeout: float,
        exitFirst: bool,
    ) -> None:
        """Prepare; L{start} launches the workers."""
        self.reactor = reactor
        self.result = result
        self.queue = list(reversed(names))
        self.jobs = jobs
        self.workerArgs = workerArgs
        self.root = root
        self.hangTimeout = hangTimeout
        self.exitFirst = exitFirst
        self.workers: list[_Worker] = []
        self.restarts = 0
        self.nextIndex = 0

    @property
    def finished(self) -> bool:
        """True once no test is queued or running."""
        return not self.queue and not any(w.current for w in self.workers if not w.lost)

    def start(self) -> None:
        """Launch the workers."""
        for _ in range(min(self.jobs, len(self.queue))):
            self._spawn()

    def _spawn(self) -> None:
        """Start one worker and give it a test."""
        index = self.nextIndex
        self.nextIndex += 1
        directory = os.path.join(self.root, str(index))
        os.makedirs(directory, exist_ok=True)
        parentSock, childSock = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "netframe.trial._worker",
                str(childSock.fileno()),
                *self.workerArgs,
            ],
            cwd=directory,
            pass_fds=(childSock.fileno(),),
            env=env,
        )
        childSock.close()
        worker = _Worker(index, process)
        self.workers.append(worker)

        manager = self

        class _OneFactory(Factory):
            def buildProtocol(self, addr: Any) -> Any:
                proto = _ParentProtocol(manager, worker)
                worker.protocol = proto
                return proto

        parentSock.setblocking(False)
        self.reactor.adoptStreamConnection(parentSock.fileno(), socket.AF_UNIX, _OneFactory())
        parentSock.close()
        self._feed(worker)

    def _feed(self, worker: _Worker) -> None:
        """Give C{worker} the next test, if any."""
        if worker.lost or worker.protocol is None:
            return
        if getattr(self.result, "shouldStop", False):
            self.queue.clear()
        if not self.queue:
            worker.current = None
            transport = worker.protocol.transport
            if transport is not None:
                transport.loseConnection()
            return
        name = self.queue.pop()
        worker.current = name
        worker.outcomes = []
        worker.watchdog = self.reactor.callLater(self.hangTimeout, self._hung, worker)
        d = worker.protocol.callRemote(Run, testName=name)
        assert d is not None  # Run requires an answer
        d.addCallbacks(lambda _: self._testDone(worker), lambda f: None)

    def _hung(self, worker: _Worker) -> None:
        """A worker took too long: kill it (L{workerLost} reports it)."""
        worker.watchdog = None
        worker.hung = True
        try:
            worker.process.kill()
        except OSError:
            pass

    def _cancelWatchdog(self, worker: _Worker) -> None:
        """Stop C{worker}'s hang timer."""
        if worker.watchdog is not None and worker.watchdog.active():
            worker.watchdog.cancel()
        worker.watchdog = None

    def _report(self, name: str, outcomes: list[tuple[str, str, str]]) -> None:
        """Replay a finished test's outcomes into the result."""
        test = RemoteTest(name)
        result = self.result
        result.startTest(test)
        for kind, detail, errorType in outcomes:
            if kind == "success":
                result.addSuccess(test)
            elif kind == "skip":
                result.addSkip(test, detail)
            elif kind == "unexpectedSuccess":
                result.addUnexpectedSuccess(test, _Reason(detail))
            else:
                failure = Failure(RemoteError(errorType, detail))
                if kind == "failure":
                    result.addFailure(test, failure)
                elif kind == "expectedFailure":
                    result.addExpectedFailure(test, failure, _Reason(errorType))
                else:
                    result.addError(test, failure)
        result.stopTest(test)
        if self.exitFirst and not result.wasSuccessful():
            result.stop()

    def _testDone(self, worker: _Worker) -> None:
        """A test finished in C{worker}: report it and feed the next one."""
        self._cancelWatchdog(worker)
        name, outcomes = worker.current, worker.outcomes
        worker.current, worker.outcomes = None, []
        if name is not None:
            self._report(name, outcomes)
        self._feed(worker)

    def workerLost(self, worker: _Worker) -> None:
        """A worker's connection closed: report its test if it was running one."""
        if worker.lost:
            return
        worker.lost = True
        self._cancelWatchdog(worker)
        name = worker.current
        worker.current = None
        if name is None:
            return
        status = worker.process.poll()
        if status is None:
            try:
                status = worker.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                status = worker.process.wait()
        why = (
            f"hung: no answer within {self.hangTimeout} seconds, killed"
            if worker.hung
            else f"died with exit status {status}"
        )
        message = f"worker {worker.index} (pid {worker.process.pid}) {why} while running {name}"
        self._report(name, [*worker.outcomes, ("error", message, "WorkerCrashed")])
        if self.queue and self.restarts < MAX_WORKER_RESTARTS:
            self.restarts += 1
            self._spawn()
        elif self.queue:
            for left in reversed(self.queue):
                self._report(left, [("error", "not run: too many workers died", "WorkerCrashed")])
            self.queue.clear()

    def killAll(self) -> None:
        """Stop every worker process at once."""
        for worker in self.workers:
            if worker.process.poll() is None:
                try:
                    worker.process.send_signal(signal.SIGKILL)
                except OSError:
                    pass

    def waitAll(self) -> None:
        """Reap every worker process."""
        for worker in self.workers:
            try:
                worker.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()


class _Reason:
    """A stand-in for a L{Todo} carrying its reason across the process boundary."""

    def __init__(self, reason: str) -> None:
        """@param reason: the todo's reason."""
        self.reason = reason


def runDistributed(config: Any, tests: list[Any], stream: IO[str]) -> Any:
    """
    Run C{tests} in C{config["jobs"]} worker processes and print the report.

    @param config: the parsed L{netframe.trial.script.Options}.
    @param tests: the loaded tests (error holders are reported here).
    @param stream: where the reporter writes.
    @return: the result.
    """
    from netframe.trial import _script

    trialRunner = _script._makeRunner(config, stream)
    result = trialRunner._makeResult()
    local = [t for t in tests if isinstance(t, _runner.ErrorHolder)]
    names = [t.id() for t in tests if not isinstance(t, _runner.ErrorHolder)]
    if getattr(result, "expectedTests", "missing") != "missing":
        result.expectedTests = len(tests)
    workerArgs = [
        "--tbformat",
        config["tbformat"],
        "--logfile",
        config["logfile"],
    ]
    if config["reactor"]:
        workerArgs += ["--reactor", config["reactor"]]
    if config["force-gc"]:
        workerArgs.append("--force-gc")
    if config["unclean-warnings"]:
        workerArgs.append("--unclean-warnings")
    if config["coverage"]:
        data = os.path.abspath(os.path.join(config["temp-directory"], "coverage", ".coverage"))
        workerArgs += ["--coverage-data", data]
    hangTimeout = float(config.get("worker-timeout") or WORKER_HANG_TIMEOUT)
    with trialRunner._setUpEnvironment():
        for holder in local:
            holder.run(result)
        reactor = _util._getReactor()
        manager = _Manager(
            reactor,
            result,
            names,
            int(config["jobs"]),
            workerArgs,
            os.getcwd(),
            hangTimeout,
            bool(config["exitfirst"]),
        )
        try:
            manager.start()
            _util.spinUntil(lambda: manager.finished, None, reactor)
            # Let the workers see their connections close and exit.
            _util.spinUntil(
                lambda: all(w.process.poll() is not None for w in manager.workers), 10, reactor
            )
        except KeyboardInterrupt:
            result.stop()
            stream.write("\n[interrupted]\n")
        finally:
            manager.killAll()
            manager.waitAll()
            for worker in manager.workers:
                transport: Any = None if worker.protocol is None else worker.protocol.transport
                if transport is not None:
                    transport.abortConnection()
            reactor.iterate(0)
    result.done()
    return result
