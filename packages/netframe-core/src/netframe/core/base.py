"""
Building blocks shared by every reactor.

L{ReactorBase} implements timers, system events, thread calls and the
run/stop state machine; L{DelayedCall} is what C{callLater} returns.  A new
reactor subclasses L{ReactorBase} and supplies C{doIteration} and C{wakeUp}.
L{ThreadedResolver} is the default resolver of every reactor.
"""

from __future__ import annotations

from netframe.core._reactorbase import ReactorBase
from netframe.core._resolver import ThreadedResolver
from netframe.core.task import DelayedCall

__all__ = ["DelayedCall", "ReactorBase", "ThreadedResolver"]

ReactorBase.__module__ = __name__
ThreadedResolver.__module__ = __name__
