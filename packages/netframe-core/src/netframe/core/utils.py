"""
Run a program and get its output or exit code as a L{Deferred}.

The event-driven counterparts of C{subprocess.check_output} and friends:
each spawns the program with the reactor's C{spawnProcess} and fires when it
has ended.  C{args} does not include the program name (it is prepended);
C{env} is the child's complete environment (empty by default, C{None} for
ours); C{path} is its working directory.  When the program cannot be started
at all, the returned Deferred fails with the C{OSError}.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from io import BytesIO
from types import MappingProxyType
from typing import Any, TypeVar

from netframe.core import error
from netframe.core.defer import Deferred, fail
from netframe.core.failure import Failure
from netframe.core.protocol import ProcessProtocol

__all__ = [
    "ProcessSignalledError",
    "getProcessOutput",
    "getProcessOutputAndValue",
    "getProcessValue",
    "runWithWarningsSuppressed",
    "suppressWarnings",
]

_T = TypeVar("_T")

#: The default C{env}: an empty environment.
_EMPTY_ENV: Mapping[str, str] = MappingProxyType({})


class _UnexpectedErrorOutput(IOError):
    """
    The program wrote to standard error and C{errortoo} was false.

    @ivar processEnded: a L{Deferred} that fires (with the reason) once the
        program has ended; the L{getProcessOutput} Deferred has already
        failed by then.
    """

    def __init__(self, text: bytes, processEnded: Deferred[Any]) -> None:
        """
        @param text: the first standard error output received.
        @param processEnded: fires when the process has ended.
        """
        IOError.__init__(self, f"got stderr: {text!r}")
        self.processEnded = processEnded


class ProcessSignalledError(Exception):
    """
    The program of L{getProcessOutputAndValue} was killed by a signal.

    Unpacks like the tuple Twisted fails with: C{out, err, signalNum =
    failure.value}.

    @ivar out: everything it wrote to standard output.
    @ivar err: everything it wrote to standard error.
    @ivar signalNum: the number of the signal that killed it.
    """

    def __init__(self, out: bytes, err: bytes, signalNum: int) -> None:
        """
        @param out: the standard output collected.
        @param err: the standard error collected.
        @param signalNum: the signal number.
        """
        Exception.__init__(self, out, err, signalNum)
        self.out = out
        self.err = err
        self.signalNum = signalNum

    def __iter__(self) -> Any:
        """Iterate over C{(out, err, signalNum)}."""
        return iter((self.out, self.err, self.signalNum))

    def __getitem__(self, index: int) -> Any:
        """Return C{(out, err, signalNum)[index]}."""
        return (self.out, self.err, self.signalNum)[index]

    def __len__(self) -> int:
        """Return 3."""
        return 3

    def __str__(self) -> str:
        """Say which signal killed the program."""
        return f"process killed by signal {self.signalNum}"


def _getReactor(reactor: Any) -> Any:
    """Return C{reactor}, or the global reactor (installing the default) if None."""
    if reactor is None:
        from netframe.core import reactor as globalReactor

        return globalReactor
    return reactor


def _callProtocolWithDeferred(
    protocol: Callable[[Deferred[Any]], ProcessProtocol],
    executable: str | bytes,
    args: Sequence[str | bytes],
    env: Mapping[Any, Any] | None,
    path: str | bytes | None,
    reactor: Any,
) -> Deferred[Any]:
    """
    Spawn C{executable} with a protocol built around a new Deferred.

    @return: the Deferred (failed with the error if spawning raised).
    """
    reactor = _getReactor(reactor)
    d: Deferred[Any] = Deferred()
    p = protocol(d)
    try:
        reactor.spawnProcess(p, executable, (executable, *args), env, path)
    except Exception:
        return fail(Failure())
    return d


class _BackRelay(ProcessProtocol):
    """
    Collects standard output (and standard error with C{errortoo}).

    Without C{errortoo} the first standard error output fails the Deferred
    with L{_UnexpectedErrorOutput} and closes the pipes.
    """

    def __init__(self, deferred: Deferred[bytes], errortoo: bool = False) -> None:
        """
        @param deferred: fired with the output when the process ends.
        @param errortoo: True to collect standard error with the output.
        """
        self.deferred: Deferred[bytes] | None = deferred
        self.s = BytesIO()
        self.onProcessEnded: Deferred[Any] | None = None
        self.errortoo = errortoo

    def errReceived(self, text: bytes) -> None:
        """Collect standard error (C{errortoo}) or fail on it."""
        if self.errortoo:
            self.errReceivedIsGood(text)
        else:
            self.errReceivedIsBad(text)

    def errReceivedIsBad(self, text: bytes) -> None:
        """Fail the Deferred with the error output and close the pipes."""
        if self.deferred is not None:
            self.onProcessEnded = Deferred()
            err = _UnexpectedErrorOutput(text, self.onProcessEnded)
            d, self.deferred = self.deferred, None
            d.errback(Failure(err))
            self.transport.loseConnection()

    def errReceivedIsGood(self, text: bytes) -> None:
        """Collect standard error with the output."""
        self.s.write(text)

    def outReceived(self, text: bytes) -> None:
        """Collect standard output."""
        self.s.write(text)

    def processEnded(self, reason: Failure) -> None:
        """Fire the Deferred with the output (any exit code), or the error-output waiter."""
        if self.deferred is not None:
            d, self.deferred = self.deferred, None
            d.callback(self.s.getvalue())
        elif self.onProcessEnded is not None:
            self.onProcessEnded.errback(reason)


def getProcessOutput(
    executable: str | bytes,
    args: Sequence[str | bytes] = (),
    env: Mapping[Any, Any] | None = _EMPTY_ENV,
    path: str | bytes | None = None,
    reactor: Any = None,
    errortoo: bool = False,
) -> Deferred[bytes]:
    """
    Run C{executable} and return its standard output.

    @param executable: the program (searched in the child's C{PATH} when it
        has no C{/}).
    @param args: its arguments, without the program name.
    @param env: the child's environment (empty by default; None for ours).
    @param path: its working directory, or None for ours.
    @param reactor: the reactor to use; None for the global one.
    @param errortoo: True to collect standard error with standard output;
        otherwise any standard error output fails the Deferred.
    @return: a Deferred firing with everything written to standard output
        once the program ended (whatever its exit code).  It fails with an
        C{IOError} (whose C{processEnded} attribute is a Deferred of the
        process end) as soon as the program writes to standard error
        without C{errortoo}, and with C{OSError} if it cannot be started.
    """
    return _callProtocolWithDeferred(
        lambda d: _BackRelay(d, errortoo=errortoo), executable, args, env, path, reactor
    )


class _ValueGetter(ProcessProtocol):
    """Fires its Deferred with the exit code."""

    def __init__(self, deferred: Deferred[int | None]) -> None:
        """@param deferred: fired with the exit code."""
        self.deferred = deferred

    def processEnded(self, reason: Failure) -> None:
        """Fire with C{reason.value.exitCode} (None when a signal killed it)."""
        self.deferred.callback(getattr(reason.value, "exitCode", None))


def getProcessValue(
    executable: str | bytes,
    args: Sequence[str | bytes] = (),
    env: Mapping[Any, Any] | None = _EMPTY_ENV,
    path: str | bytes | None = None,
    reactor: Any = None,
) -> Deferred[int | None]:
    """
    Run C{executable} and return its exit code.

    Parameters as for L{getProcessOutput}; the output is discarded.

    @return: a Deferred firing with the exit code, or None if a signal
        killed the program; failing with C{OSError} if it cannot be started.
    """
    return _callProtocolWithDeferred(_ValueGetter, executable, args, env, path, reactor)


class _EverythingGetter(ProcessProtocol):
    """Collects both outputs and fires with them and the exit code."""

    def __init__(self, deferred: Deferred[tuple[bytes, bytes, int | None]]) -> None:
        """@param deferred: fired with C{(out, err, code)}."""
        self.deferred = deferred
        self.outBuf = BytesIO()
        self.errBuf = BytesIO()

    def outReceived(self, data: bytes) -> None:
        """Collect standard output."""
        self.outBuf.write(data)

    def errReceived(self, data: bytes) -> None:
        """Collect standard error."""
        self.errBuf.write(data)

    def processEnded(self, reason: Failure) -> None:
        """Fire with C{(out, err, code)}, or fail if a signal killed it."""
        out = self.outBuf.getvalue()
        err = self.errBuf.getvalue()
        value = reason.value
        if isinstance(value, error.ProcessTerminated) and value.signal:
            self.deferred.errback(Failure(ProcessSignalledError(out, err, value.signal)))
        else:
            self.deferred.callback((out, err, getattr(value, "exitCode", None)))


def getProcessOutputAndValue(
    executable: str | bytes,
    args: Sequence[str | bytes] = (),
    env: Mapping[Any, Any] | None = _EMPTY_ENV,
    path: str | bytes | None = None,
    reactor: Any = None,
) -> Deferred[tuple[bytes, bytes, int | None]]:
    """
    Run C{executable} and return its standard output, standard error and exit code.

    Parameters as for L{getProcessOutput}.

    @return: a Deferred firing with C{(out, err, exitCode)}; failing with
        L{ProcessSignalledError} (which unpacks as C{(out, err, signalNum)})
        if a signal killed the program, or C{OSError} if it cannot be started.
    """
    return _callProtocolWithDeferred(_EverythingGetter, executable, args, env, path, reactor)


def _resetWarningFilters(passthrough: _T, saved: warnings.catch_warnings) -> _T:
    """Put back the warning filters saved by L{runWithWarningsSuppressed}."""
    saved.__exit__(None, None, None)
    return passthrough


def runWithWarningsSuppressed(
    suppressedWarnings: Sequence[tuple[tuple[Any, ...], dict[str, Any]]],
    f: Callable[..., _T],
    *args: Any,
    **kwargs: Any,
) -> _T:
    """
    Call C{f(*args, **kwargs)} with some warnings suppressed.

    The warning filters in force before the call are put back when it
    returns, or, if it returns a L{Deferred}, when that fires (filter
    changes made by anyone in between are undone too).

    @param suppressedWarnings: C{(args, kwargs)} pairs for
        C{warnings.filterwarnings}, such as C{(("ignore",), {"category":
        DeprecationWarning})}.
    @return: what C{f} returned.
    @raise Exception: Whatever C{f} raises (the filters are put back first).
    """
    saved = warnings.catch_warnings()
    saved.__enter__()
    try:
        for a, kw in suppressedWarnings:
            warnings.filterwarnings(*a, **kw)
        result = f(*args, **kwargs)
    except BaseException:
        _resetWarningFilters(None, saved)
        raise
    if isinstance(result, Deferred):
        result.addBoth(_resetWarningFilters, saved)
    else:
        _resetWarningFilters(None, saved)
    return result


def suppressWarnings(
    f: Callable[..., _T], *suppressedWarnings: tuple[tuple[Any, ...], dict[str, Any]]
) -> Callable[..., _T]:
    """
    Wrap C{f} so that every call runs with C{suppressedWarnings} suppressed.

    @param f: the function to wrap.
    @param suppressedWarnings: as for L{runWithWarningsSuppressed}.
    @return: the wrapper.
    """

    def warningSuppressingWrapper(*a: Any, **kw: Any) -> _T:
        return runWithWarningsSuppressed(suppressedWarnings, f, *a, **kw)

    warningSuppressingWrapper.__name__ = getattr(f, "__name__", "wrapper")
    warningSuppressingWrapper.__doc__ = f.__doc__
    return warningSuppressingWrapper
