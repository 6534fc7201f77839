"""
The pytest plugin of netframe-trial (entry point C{pytest11}), loaded
automatically once netframe-trial is installed.

  - L{netframe.trial.unittest.TestCase} subclasses need nothing: they are
    C{unittest.TestCase}s, and their C{run()} waits for Deferreds and
    coroutines, checks the reactor, logged errors and warnings exactly as
    under C{netframe-trial}.
  - Plain test functions marked C{@pytest.mark.netframe} may be C{async
    def}, or return a Deferred (C{@inlineCallbacks} generators, for
    example): the global reactor is spun until the result arrives, within
    C{timeout} seconds (marker keyword, default 120); afterwards the
    reactor must be clean and no unflushed error may have been logged::

        @pytest.mark.netframe(timeout=5)
        async def test_echo():
            ...

  - C{--netframe-reactor NAME} (or the ini option C{netframe_reactor})
    installs that reactor (names as in L{netframe.core.reactors}) when
    pytest starts.

The plugin is inert for everything else: importing it imports nothing from
netframe and installs no reactor.
"""

from __future__ import annotations

import inspect

import pytest

__all__ = [
    "pytest_addoption",
    "pytest_configure",
    "pytest_pyfunc_call",
]

_MARKER = "netframe"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add C{--netframe-reactor} and the C{netframe_reactor} ini option."""
    group = parser.getgroup("netframe", "netframe-trial")
    group.addoption(
        "--netframe-reactor",
        action="store",
        dest="netframeReactor",
        default=None,
        help="install this netframe reactor (epoll, poll, select, asyncio, default, ...)",
    )
    parser.addini("netframe_reactor", "netframe reactor to install", default="")


def pytest_configure(config: pytest.Config) -> None:
    """
    Register the C{netframe} marker; install the reactor asked for.

    @raise pytest.UsageError: For an unknown reactor name or when another
        reactor is already installed.
    """
    config.addinivalue_line(
        "markers",
        "netframe(timeout=120): run an async def / Deferred-returning test on the "
        "netframe reactor and check the reactor is left clean",
    )
    name = config.getoption("netframeReactor", None) or config.getini("netframe_reactor")
    if not name:
        return
    from netframe.core.error import ReactorAlreadyInstalledError
    from netframe.core.reactors import NoSuchReactor, installReactorByName

    try:
        installReactorByName(str(name))
    except NoSuchReactor as e:
        raise pytest.UsageError(f"--netframe-reactor: {e}")
    except ReactorAlreadyInstalledError as e:
        raise pytest.UsageError(f"--netframe-reactor {name}: {e}")


def _runMarked(pyfuncitem: pytest.Function, timeout: float) -> None:
    """Run a marked function on the reactor with trial's checks."""
    from netframe.core.defer import Deferred, ensureDeferred
    from netframe.core.failure import Failure
    from netframe.logger import globalLogPublisher
    from netframe.trial import _testcase, _util

    testFunction = pyfuncitem.obj
    funcargs = pyfuncitem.funcargs
    argnames = pyfuncitem._fixtureinfo.argnames
    kwargs = {name: funcargs[name] for name in argnames}
    reactor = _util._getReactor()
    janitor = _util._Janitor(reactor)
    collector = _testcase._LoggedErrors()
    globalLogPublisher.addObserver(collector)
    try:
        result = testFunction(**kwargs)
        if inspect.iscoroutine(result) or inspect.isgenerator(result):
            result = ensureDeferred(result)
        if isinstance(result, Deferred):
            outcome = _util._Outcome()
            result.addBoth(outcome)
            if not outcome.fired and not _util.spinUntil(lambda: outcome.fired, timeout, reactor):
                result.cancel()
                raise _util.TestTimeoutError(timeout, pyfuncitem.nodeid, pyfuncitem.name)
            if isinstance(outcome.result, Failure):
                outcome.result.raiseException()
    finally:
        globalLogPublisher.removeObserver(collector)
        dirty = None if janitor.isClean() else janitor.clean()
    if dirty is not None:
        raise dirty
    if collector.failures:
        first = collector.failures[0]
        raise AssertionError(
            f"{len(collector.failures)} error(s) logged during the test and not flushed; "
            f"the first:\n{first.getTraceback()}"
        )


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run C{@pytest.mark.netframe} functions on the reactor; leave others alone."""
    marker = pyfuncitem.get_closest_marker(_MARKER)
    if marker is None:
        return None
    timeout = marker.kwargs.get("timeout")
    if timeout is None:
        from netframe.trial._util import DEFAULT_TIMEOUT_DURATION

        timeout = DEFAULT_TIMEOUT_DURATION
    _runMarked(pyfuncitem, float(timeout))
    return True
