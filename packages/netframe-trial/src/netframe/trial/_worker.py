"""
A C{netframe-trial -j} worker process: C{python -m netframe.trial._worker FD
[options]}, where FD is its end of a UNIX socket pair to the parent (see
L{netframe.trial._dist} for the protocol).  Its working directory is its
own C{_trial_temp/<n>}; its log goes to C{test.log} there.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from typing import Any

from netframe.core.defer import Deferred
from netframe.core.failure import Failure
from netframe.core.main import CONNECTION_DONE
from netframe.core.protocol import Factory
from netframe.core.protocols import amp
from netframe.trial import _dist, _runner, _testcase, _util
from netframe.trial._reporter import Reporter, formatFailure


class _WorkerReporter(Reporter):
    """Sends every outcome to the parent as an L{_dist.Outcome} command."""

    def __init__(self, protocol: _WorkerProtocol, tbformat: str) -> None:
        """@param protocol: the connection to the parent."""
        super().__init__(open(os.devnull, "w"), tbformat)  # noqa: SIM115
        self.protocol = protocol

    def _send(self, test: Any, kind: str, detail: str = "", errorType: str = "") -> None:
        """Send one outcome."""
        self.protocol.callRemote(
            _dist.Outcome,
            testName=test.id(),
            kind=kind,
            detail=_dist.truncate(detail),
            errorType=errorType,
        )

    def _sendFailure(self, test: Any, kind: str, failure: Any) -> None:
        """Send a failure's formatted traceback and class name."""
        cls = failure.type
        text = (
            self._formatFailure(failure) if self.tbformat != "default" else formatFailure(failure)
        )
        self._send(test, kind, text, f"{cls.__module__}.{cls.__qualname__}")

    def addSuccess(self, test: Any) -> None:
        """Send a success."""
        super().addSuccess(test)
        self._send(test, "success")

    def addFailure(self, test: Any, fail: Any) -> None:
        """Send a failure."""
        super().addFailure(test, fail)
        self._sendFailure(test, "failure", self.failures[-1][1])

    def addError(self, test: Any, error: Any) -> None:
        """Send an error."""
        super().addError(test, error)
        self._sendFailure(test, "error", self.errors[-1][1])

    def addSkip(self, test: Any, reason: Any) -> None:
        """Send a skip."""
        super().addSkip(test, reason)
        self._send(test, "skip", str(reason))

    def addExpectedFailure(self, test: Any, failure: Any, todo: Any = None) -> None:
        """Send an expected failure."""
        super().addExpectedFailure(test, failure, todo)
        self._sendFailure(test, "expectedFailure", self.expectedFailures[-1][1])

    def addUnexpectedSuccess(self, test: Any, todo: Any = None) -> None:
        """Send an unexpected success."""
        super().addUnexpectedSuccess(test, todo)
        self._send(test, "unexpectedSuccess", str(getattr(todo, "reason", "")))


class _WorkerProtocol(amp.AMP):
    """The worker's end: queues L{_dist.Run} requests for the main loop."""

    def __init__(self) -> None:
        """No work yet."""
        super().__init__()
        self.pending: list[tuple[str, Deferred[dict[str, Any]]]] = []
        self.closed = False

    @_dist.Run.responder
    def run(self, testName: str) -> Deferred[dict[str, Any]]:
        """Queue the test; the answer comes once it ran."""
        d: Deferred[dict[str, Any]] = Deferred()
        self.pending.append((testName, d))
        return d

    def connectionLost(self, reason: Failure = CONNECTION_DONE) -> None:
        """The parent went away: stop."""
        super().connectionLost(reason)
        self.closed = True


def main(argv: list[str] | None = None) -> int:
    """
    Serve tests to the parent until it closes the connection.

    @return: the exit status (0).
    """
    parser = argparse.ArgumentParser(prog="netframe.trial._worker")
    parser.add_argument("fd", type=int)
    parser.add_argument("--reactor")
    parser.add_argument("--tbformat", default="default")
    parser.add_argument("--logfile", default="test.log")
    parser.add_argument("--force-gc", action="store_true")
    parser.add_argument("--unclean-warnings", action="store_true")
    parser.add_argument("--coverage-data")
    args = parser.parse_args(argv)
    cov = None
    if args.coverage_data:
        import importlib

        coverage: Any = importlib.import_module("coverage")
        cov = coverage.Coverage(data_file=args.coverage_data, data_suffix=True)
        cov.start()
    if args.reactor:
        from netframe.core.reactors import installReactorByName

        installReactorByName(args.reactor)
    from netframe.logger import globalLogBeginner, textFileLogObserver

    logFile = open(args.logfile, "a", encoding="utf-8")  # noqa: SIM115
    globalLogBeginner.beginLoggingTo([textFileLogObserver(logFile)], redirectStandardIO=False)
    _testcase.SynchronousTestCase._cwdIsTemporary = True
    _testcase._uncleanWarnings[0] = args.unclean_warnings
    reactor = _util._getReactor()
    protocol = _WorkerProtocol()

    class _OneFactory(Factory):
        def buildProtocol(self, addr: Any) -> Any:
            return protocol

    sock = socket.socket(fileno=args.fd)
    sock.setblocking(False)
    reactor.adoptStreamConnection(sock.fileno(), socket.AF_UNIX, _OneFactory())
    sock.close()
    loader = _runner.TestLoader()
    reporter = _WorkerReporter(protocol, args.tbformat)
    reporter.forceGarbageCollection = args.force_gc
    while True:
        _util.spinUntil(lambda: bool(protocol.pending) or protocol.closed, None, reactor)
        if protocol.closed:
            break
        name, d = protocol.pending.pop(0)
        tests = loader.loadByName(name)
        _runner.runTests(tests, reporter)
        d.callback({"success": True})
    if cov is not None:
        cov.stop()
        cov.save()
    logFile.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
