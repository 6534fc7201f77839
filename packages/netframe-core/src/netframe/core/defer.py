"""
Deferreds: results that are not available yet (Twisted's
C{twisted.internet.defer}).

A L{Deferred} holds a chain of callbacks and errbacks that run, in order,
once the result (L{Deferred.callback}) or a failure (L{Deferred.errback})
arrives.  L{inlineCallbacks} and C{async def} coroutines (through
L{ensureDeferred}) let code wait on Deferreds with C{yield}/C{await}.
L{DeferredList} and L{gatherResults} combine Deferreds; L{DeferredLock},
L{DeferredSemaphore} and L{DeferredQueue} coordinate code using them.

Choices where Twisted's documentation leaves room:

  - A callback that returns the Deferred it was added to makes the chain
    continue with a L{Failure} of C{TypeError} (Twisted documents the case as
    undefined, warns, and announces an error in the future).
  - L{TimeoutError} (what L{Deferred.addTimeout} fails with) subclasses both
    L{netframe.core.error.TimeoutError} and the builtin C{TimeoutError}.
  - L{returnValue} works but emits a C{DeprecationWarning}; use C{return}.
  - A Deferred waiting on itself indirectly (A waits on B waits on A) is not
    detected; neither ever fires.
  - After a Deferred's result was taken by another one (a callback returned
    it, or it was yielded/awaited and failed), its result is C{None}.
  - C{Deferred.fromFuture} maps a cancelled asyncio Future to
    L{CancelledError}, and C{Deferred.asFuture} cancels the Future when the
    Deferred fails with L{CancelledError}.

Unhandled errors
================
When a Deferred's chain ends with a L{Failure} and nothing handles it, the
failure is logged (namespace C{"netframe.core.defer"}, level critical, with
C{log_failure}) as C{"Unhandled error in Deferred:"} when the Deferred is
garbage collected: immediately when the last reference goes away, or at the
next cycle collection if the Deferred is part of a reference cycle.  Adding
an errback (even later) handles it.  Each failure is logged at most once.

Context variables
=================
A callback runs with the context variables that were current when it was
added: if the code firing the Deferred runs in a different context, the
callback runs in a copy of the context captured by C{addCallback} (this is
what makes tracing spans follow callbacks).  Callbacks added to a Deferred
that already has a result run at once, in the caller's context.  When the
two contexts are equal the callback runs directly in the firing context (so
values it sets are seen by the code that fired the Deferred and by later
callbacks run the same way); do not rely on C{ContextVar.set} inside a
callback being visible elsewhere.  Cost: one C{copy_context()} (about 20ns)
per callback added before the result, one per run of the callback chain and
one context comparison per callback.

Generators decorated with L{inlineCallbacks} and coroutines run by
L{ensureDeferred} / L{Deferred.fromCoroutine} run in a copy of the context
current when they were started, kept across every C{yield}/C{await}: what
they set stays theirs.
"""

from netframe.core._defer import (
    FAILURE,
    SUCCESS,
    AlreadyCalledError,
    CancelledError,
    Deferred,
    NotACoroutineError,
    TimeoutError,
    ensureDeferred,
    fail,
    inlineCallbacks,
    maybeDeferred,
    returnValue,
    succeed,
)
from netframe.core._deferutil import (
    DeferredList,
    DeferredLock,
    DeferredQueue,
    DeferredSemaphore,
    FirstError,
    QueueOverflow,
    QueueUnderflow,
    gatherResults,
)

__all__ = [
    "FAILURE",
    "SUCCESS",
    "AlreadyCalledError",
    "CancelledError",
    "Deferred",
    "DeferredList",
    "DeferredLock",
    "DeferredQueue",
    "DeferredSemaphore",
    "FirstError",
    "NotACoroutineError",
    "QueueOverflow",
    "QueueUnderflow",
    "TimeoutError",
    "ensureDeferred",
    "fail",
    "gatherResults",
    "inlineCallbacks",
    "maybeDeferred",
    "returnValue",
    "succeed",
]

for _name in __all__:
    _obj = globals()[_name]
    if hasattr(_obj, "__module__") and not isinstance(_obj, bool):
        _obj.__module__ = __name__
del _name, _obj
