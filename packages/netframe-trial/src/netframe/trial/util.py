"""
Reactor helpers for tests (Twisted's C{twisted.trial.util}).

L{spinUntil} and L{waitForDeferred} drive the global reactor one pass at a
time without C{reactor.run()}: the first call moves the reactor to the
running state (firing 'startup', no signal handlers) and each pass is an
C{iterate()}.  They are what L{netframe.trial.unittest.TestCase} uses to wait
for a test's Deferred; they refuse to run inside another spin
(L{ReactorReentryError}).  L{DirtyReactorAggregateError} is what a test that
leaves delayed calls, open descriptors or threads behind fails with.
"""

from netframe.trial._util import (
    DEFAULT_TIMEOUT_DURATION,
    JANITOR_PASS_WAIT,
    JANITOR_SETTLE_PASSES,
    JANITOR_STABLE_PASSES,
    MAX_SPIN_WAIT,
    REACTOR_POOL_THREAD_PREFIX,
    DirtyReactorAggregateError,
    ReactorReentryError,
    TestTimeoutError,
    spinUntil,
    waitForDeferred,
)

__all__ = [
    "DEFAULT_TIMEOUT_DURATION",
    "JANITOR_PASS_WAIT",
    "JANITOR_SETTLE_PASSES",
    "JANITOR_STABLE_PASSES",
    "MAX_SPIN_WAIT",
    "REACTOR_POOL_THREAD_PREFIX",
    "DirtyReactorAggregateError",
    "ReactorReentryError",
    "TestTimeoutError",
    "spinUntil",
    "waitForDeferred",
]

for _obj in (
    DirtyReactorAggregateError,
    ReactorReentryError,
    TestTimeoutError,
    spinUntil,
    waitForDeferred,
):
    _obj.__module__ = __name__
del _obj
