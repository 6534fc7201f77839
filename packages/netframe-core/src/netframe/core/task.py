"""
Scheduling utilities: fake time, repeated calls, delayed results, cooperative tasks.

  - L{Clock}: a deterministic L{IReactorTime<netframe.core.interfaces.IReactorTime>}
    for tests; time moves only with C{advance}.
  - L{DelayedCall}: what C{callLater} returns (shared with the real reactors).
  - L{LoopingCall}: call a function every N seconds.
  - L{deferLater}: a Deferred of a call made after a delay.
  - L{react}: run a main function in the reactor and exit with its outcome.
  - L{Cooperator}, L{cooperate}, L{coiterate}: run iterators a few steps at a
    time without starving the reactor.
"""

from __future__ import annotations

from netframe.core._task import LoopingCall, deferLater, react
from netframe.core._taskclock import Clock, DelayedCall
from netframe.core._taskcoop import (
    CooperativeTask,
    Cooperator,
    NotPaused,
    SchedulerError,
    SchedulerStopped,
    TaskDone,
    TaskFailed,
    TaskFinished,
    TaskStopped,
    coiterate,
    cooperate,
)

__all__ = [
    "Clock",
    "CooperativeTask",
    "Cooperator",
    "DelayedCall",
    "LoopingCall",
    "NotPaused",
    "SchedulerError",
    "SchedulerStopped",
    "TaskDone",
    "TaskFailed",
    "TaskFinished",
    "TaskStopped",
    "coiterate",
    "cooperate",
    "deferLater",
    "react",
]

for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
