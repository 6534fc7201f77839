"""
Building blocks shared by every reactor.

L{ReactorBase} implements timers, system events, thread calls and the
run/stop state machine; L{DelayedCall} is what C{callLater} returns.  A new
reactor subclasses L{ReactorBase} and supplies C{doIteration} and C{wakeUp}.
"""

from __future__ import annotations

from netframe.core._reactorbase import ReactorBase
from netframe.core.task import DelayedCall

__all__ = ["DelayedCall", "ReactorBase"]

ReactorBase.__module__ = __name__
