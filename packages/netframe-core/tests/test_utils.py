"""
Unit tests of netframe.core.utils with fake reactors and transports (no
child processes): the output collectors, the Deferred plumbing and
runWithWarningsSuppressed.
"""

from __future__ import annotations

import signal
import warnings
from typing import Any, cast

import pytest

from netframe.core import error, utils
from netframe.core.defer import Deferred, succeed
from netframe.core.failure import Failure


class FakeTransport:
    """Counts loseConnection calls."""

    def __init__(self) -> None:
        self.lost = 0

    def loseConnection(self) -> None:
        self.lost += 1


class FakeReactor:
    """Records spawnProcess calls and connects the protocol to a fake transport."""

    def __init__(self, fail: BaseException | None = None) -> None:
        self.spawned: list[tuple[Any, ...]] = []
        self.fail = fail

    def spawnProcess(self, proto: Any, executable: Any, args: Any, env: Any, path: Any) -> Any:
        if self.fail is not None:
            raise self.fail
        self.spawned.append((proto, executable, args, env, path))
        transport = FakeTransport()
        proto.makeConnection(transport)
        return transport


def done() -> Failure:
    """A ProcessDone reason."""
    return Failure(error.ProcessDone(0))


def terminated(exitCode: int | None = None, sig: int | None = None) -> Failure:
    """A ProcessTerminated reason."""
    return Failure(error.ProcessTerminated(exitCode, sig, None))


def result(d: Deferred[Any]) -> Any:
    """Return the (already available) result of C{d}; failures come back as Failures."""
    out: list[Any] = []
    d.addBoth(out.append)
    assert out, "Deferred has not fired"
    return out[0]


class GetProcessOutputTests:
    """getProcessOutput."""

    def test_spawnArguments(self) -> None:
        """The program name is prepended to args; env and path are passed on."""
        fake = FakeReactor()
        utils.getProcessOutput("prog", ["a", "b"], env={"X": "1"}, path="/tmp", reactor=fake)
        _, executable, args, env, path = fake.spawned[0]
        assert (executable, args, env, path) == ("prog", ("prog", "a", "b"), {"X": "1"}, "/tmp")

    def test_defaultEnvironmentIsEmpty(self) -> None:
        """Without env the child environment is empty."""
        fake = FakeReactor()
        utils.getProcessOutput("prog", reactor=fake)
        assert dict(fake.spawned[0][3]) == {}

    def test_collectsOutputWhateverTheExitCode(self) -> None:
        """The Deferred fires with all standard output, even after a non-zero exit."""
        fake = FakeReactor()
        d = utils.getProcessOutput("prog", reactor=fake)
        proto = fake.spawned[0][0]
        proto.childDataReceived(1, b"ab")
        proto.childDataReceived(1, b"cd")
        proto.processEnded(terminated(3))
        assert result(d) == b"abcd"

    def test_stderrFails(self) -> None:
        """Standard error output fails at once with IOError and closes the pipes."""
        fake = FakeReactor()
        d = utils.getProcessOutput("prog", reactor=fake)
        proto = fake.spawned[0][0]
        proto.childDataReceived(2, b"oops")
        f = result(d)
        assert isinstance(f, Failure) and isinstance(f.value, IOError)
        assert "oops" in str(f.value)
        assert proto.transport.lost == 1
        proto.childDataReceived(2, b"more")
        assert proto.transport.lost == 1
        ended = cast(Any, f.value).processEnded
        proto.processEnded(done())
        assert isinstance(result(ended).value, error.ProcessDone)

    def test_errortoo(self) -> None:
        """With errortoo, standard error is collected with the output."""
        fake = FakeReactor()
        d = utils.getProcessOutput("prog", reactor=fake, errortoo=True)
        proto = fake.spawned[0][0]
        proto.childDataReceived(1, b"out ")
        proto.childDataReceived(2, b"err")
        proto.processEnded(done())
        assert result(d) == b"out err"

    def test_cannotStart(self) -> None:
        """An OSError from spawnProcess becomes a failed Deferred."""
        fake = FakeReactor(FileNotFoundError(2, "missing"))
        f = result(utils.getProcessOutput("prog", reactor=fake))
        assert f.check(FileNotFoundError)


class GetProcessValueTests:
    """getProcessValue."""

    def test_exitCode(self) -> None:
        """The Deferred fires with the exit code."""
        fake = FakeReactor()
        d = utils.getProcessValue("prog", reactor=fake)
        fake.spawned[0][0].processEnded(terminated(7))
        assert result(d) == 7

    def test_zero(self) -> None:
        """A clean exit gives 0."""
        fake = FakeReactor()
        d = utils.getProcessValue("prog", reactor=fake)
        fake.spawned[0][0].processEnded(done())
        assert result(d) == 0

    def test_signal(self) -> None:
        """A child killed by a signal gives None."""
        fake = FakeReactor()
        d = utils.getProcessValue("prog", reactor=fake)
        fake.spawned[0][0].processEnded(terminated(None, 9))
        assert result(d) is None


class GetProcessOutputAndValueTests:
    """getProcessOutputAndValue."""

    def test_everything(self) -> None:
        """The Deferred fires with (out, err, exitCode)."""
        fake = FakeReactor()
        d = utils.getProcessOutputAndValue("prog", reactor=fake)
        proto = fake.spawned[0][0]
        proto.childDataReceived(1, b"o")
        proto.childDataReceived(2, b"e")
        proto.processEnded(terminated(2))
        assert result(d) == (b"o", b"e", 2)

    def test_signal(self) -> None:
        """Death by signal fails with ProcessSignalledError unpacking as (out, err, sig)."""
        fake = FakeReactor()
        d = utils.getProcessOutputAndValue("prog", reactor=fake)
        proto = fake.spawned[0][0]
        proto.childDataReceived(1, b"o")
        proto.processEnded(terminated(None, int(signal.SIGTERM)))
        f = result(d)
        assert f.check(utils.ProcessSignalledError)
        out, err, sig = f.value
        assert (out, err, sig) == (b"o", b"", signal.SIGTERM)
        assert len(f.value) == 3 and f.value[2] == signal.SIGTERM
        assert (f.value.out, f.value.err, f.value.signalNum) == (b"o", b"", signal.SIGTERM)
        assert str(f.value) == f"process killed by signal {int(signal.SIGTERM)}"


class WarningSuppressionTests:
    """runWithWarningsSuppressed and suppressWarnings."""

    SUPPRESS = [(("ignore",), {"category": DeprecationWarning})]

    def test_suppressedDuringCall(self) -> None:
        """Matching warnings are ignored inside the call; filters are removed after."""
        before = list(warnings.filters)

        def f(x: int) -> int:
            warnings.warn("old", DeprecationWarning, stacklevel=1)
            return x + 1

        assert utils.runWithWarningsSuppressed(self.SUPPRESS, f, 1) == 2
        assert warnings.filters == before

    def test_exceptionRemovesFilters(self) -> None:
        """If the call raises, the filters are removed and the exception propagates."""
        before = list(warnings.filters)

        def f() -> None:
            raise ZeroDivisionError()

        with pytest.raises(ZeroDivisionError):
            utils.runWithWarningsSuppressed(self.SUPPRESS, f)
        assert warnings.filters == before

    def test_deferredKeepsFiltersUntilFired(self) -> None:
        """A returned Deferred keeps the suppression until it fires."""
        before = list(warnings.filters)
        d: Deferred[int] = Deferred()
        returned = utils.runWithWarningsSuppressed(self.SUPPRESS, lambda: d)
        assert returned is d
        assert warnings.filters != before
        d.callback(5)
        assert warnings.filters == before
        assert result(d) == 5

    def test_firedDeferred(self) -> None:
        """An already fired Deferred removes the filters at once."""
        before = list(warnings.filters)
        d = utils.runWithWarningsSuppressed(self.SUPPRESS, succeed, 3)
        assert result(d) == 3
        assert warnings.filters == before

    def test_suppressWarningsWrapper(self) -> None:
        """suppressWarnings wraps a function, keeping its name and docstring."""

        def noisy() -> str:
            """Doc."""
            warnings.warn("old", DeprecationWarning, stacklevel=1)
            return "ok"

        wrapped = utils.suppressWarnings(noisy, *self.SUPPRESS)
        assert wrapped() == "ok"
        assert wrapped.__name__ == "noisy" and wrapped.__doc__ == "Doc."
