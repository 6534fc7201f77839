"""
Cooperative multitasking over iterators: L{Cooperator}, L{cooperate}, L{coiterate}.

Implementation module of L{netframe.core.task}; import the names from there.

A task is an iterator; each C{next()} is one unit of work. A L{Cooperator}
runs units of all its tasks in round-robin until its termination predicate
says the time slice is used up, then yields to the reactor through its
scheduler. A task that yields a Deferred is paused until the Deferred fires.
"""

from __future__ import annotations

import importlib
import time as _time
from collections.abc import Callable, Iterator
from typing import Any, Optional

from netframe.core.defer import Deferred
from netframe.core.failure import Failure
from netframe.core.interfaces import IDelayedCall

__all__ = [
    "CooperativeTask",
    "Cooperator",
    "NotPaused",
    "SchedulerError",
    "SchedulerStopped",
    "TaskDone",
    "TaskFailed",
    "TaskFinished",
    "TaskStopped",
    "coiterate",
    "cooperate",
]


class SchedulerError(Exception):
    """
    A cooperative task or its scheduler was used in a way its state forbids.
    """


class SchedulerStopped(SchedulerError):
    """
    The L{Cooperator} running the task was stopped.
    """


class TaskFinished(SchedulerError):
    """
    The task already finished (done, stopped or failed).
    """


class TaskDone(TaskFinished):
    """
    The task's iterator is exhausted.
    """


class TaskStopped(TaskFinished):
    """
    The task was stopped with L{CooperativeTask.stop}.
    """


class TaskFailed(TaskFinished):
    """
    The task's iterator raised, or a Deferred it yielded failed.
    """


class NotPaused(SchedulerError):
    """
    L{CooperativeTask.resume} was called on a task that is not paused.
    """


class CooperativeTask:
    """
    One iterator being run by a L{Cooperator}; returned by C{cooperate}.

    The task finishes exactly once: done (iterator exhausted), stopped, or
    failed. L{whenDone} Deferreds then fire with the iterator, or fail with
    L{TaskStopped}/L{SchedulerStopped} or the iterator's error.
    """

    def __init__(self, iterator: Iterator[Any], cooperator: Cooperator) -> None:
        """
        Start running C{iterator} on C{cooperator}.

        @param iterator: The units of work.
        @param cooperator: The scheduler that runs it.
        """
        self._iterator = iterator
        self._cooperator = cooperator
        self._deferreds: list[Deferred[Any]] = []
        self._pauseCount = 0
        self._completionState: Optional[SchedulerError] = None
        self._completionResult: Any = None
        cooperator._addTask(self)

    def whenDone(self) -> Deferred[Iterator[Any]]:
        """
        @return: A Deferred firing with the iterator when it is exhausted,
            or failing with L{TaskStopped}, L{SchedulerStopped} or the
            iterator's error. Each call gives a new Deferred.
        """
        deferred: Deferred[Iterator[Any]] = Deferred()
        if self._completionState is None:
            self._deferreds.append(deferred)
        else:
            self._deliver(deferred, self._completionResult)
        return deferred

    @staticmethod
    def _deliver(deferred: Deferred[Any], result: Any) -> None:
        """
        Fire C{deferred} with C{result}, errbacking for a L{Failure}.

        @param deferred: The Deferred to fire.
        @param result: The iterator or a failure.
        """
        if isinstance(result, Failure):
            deferred.errback(result)
        else:
            deferred.callback(result)

    def pause(self) -> None:
        """
        Stop running units until a matching L{resume} (pauses nest).

        @raise TaskFinished: If the task already finished.
        """
        self._checkFinish()
        self._pauseCount += 1
        if self._pauseCount == 1:
            self._cooperator._removeTask(self)

    def resume(self) -> None:
        """
        Undo one L{pause}; the task runs again when no pause remains.

        @raise NotPaused: If the task is not paused.
        """
        if self._pauseCount == 0:
            raise NotPaused()
        self._pauseCount -= 1
        if self._pauseCount == 0 and self._completionState is None:
            self._cooperator._addTask(self)

    def stop(self) -> None:
        """
        Finish the task now; L{whenDone} Deferreds fail with L{TaskStopped}.

        @raise TaskFinished: If the task already finished.
        """
        self._checkFinish()
        self._completeWith(TaskStopped(), Failure(TaskStopped()))

    def _checkFinish(self) -> None:
        """
        @raise TaskFinished: The reason the task finished, if it did.
        """
        if self._completionState is not None:
            raise self._completionState

    def _completeWith(self, completionState: SchedulerError, result: Any) -> None:
        """
        Record how the task finished and fire the L{whenDone} Deferreds.

        @param completionState: The exception later operations raise.
        @param result: The iterator, or a L{Failure}.
        """
        self._completionState = completionState
        self._completionResult = result
        if not self._pauseCount:
            self._cooperator._removeTask(self)
        deferreds, self._deferreds = self._deferreds, []
        for deferred in deferreds:
            self._deliver(deferred, result)

    def _oneWorkUnit(self) -> None:
        """
        Run one C{next()} of the iterator and handle its outcome.
        """
        try:
            result = next(self._iterator)
        except StopIteration:
            self._completeWith(TaskDone(), self._iterator)
        except Exception:
            self._completeWith(TaskFailed(), Failure())
        else:
            if isinstance(result, Deferred):
                self.pause()

                def failLater(failure: Failure) -> None:
                    self._completeWith(TaskFailed(), failure)

                def resumeLater(ignored: object) -> None:
                    self.resume()

                result.addCallbacks(resumeLater, failLater)


class _Timer:
    """
    The default termination predicate: true once a time slice is used up.

    @cvar MAX_SLICE: The length of a slice, in seconds (0.01); a predicate
        made at time t returns true from t + MAX_SLICE on.
    @cvar now: The time source.
    """

    MAX_SLICE: float = 0.01
    now: Callable[[], float] = staticmethod(_time.monotonic)

    def __init__(self) -> None:
        """
        Start a slice now.
        """
        self.end = self.now() + self.MAX_SLICE

    def __call__(self) -> bool:
        """
        @return: Whether the slice is used up.
        """
        return self.now() >= self.end


_EPSILON = 0.00000001


def _defaultScheduler(work: Callable[[], None]) -> IDelayedCall:
    """
    Run C{work} on the global reactor's next pass.

    @param work: What to run.
    @return: The scheduled call.
    """
    reactor = importlib.import_module("netframe.core.reactor")
    call: IDelayedCall = reactor.callLater(_EPSILON, work)
    return call


class Cooperator:
    """
    Run many iterators concurrently, a few units of work at a time.

    @ivar _terminationPredicateFactory: Called at the start of each slice;
        the returned callable is asked after each unit whether to yield.
    @ivar _scheduler: Called with a zero-argument callable to run it later;
        returns an object with C{cancel()}.
    """

    def __init__(
        self,
        terminationPredicateFactory: Callable[[], Callable[[], bool]] = _Timer,
        scheduler: Callable[[Callable[[], None]], Any] = _defaultScheduler,
        started: bool = True,
    ) -> None:
        """
        @param terminationPredicateFactory: Makes the "slice used up?"
            predicate for each slice; the default allows 10 ms per slice.
        @param scheduler: Schedules the next slice; the default uses the
            global reactor's C{callLater}. Must return an object with
            C{cancel()}.
        @param started: Whether the cooperator runs tasks before L{start}.
        """
        self._tasks: list[CooperativeTask] = []
        self._metarator: Iterator[CooperativeTask] = iter(())
        self._terminationPredicateFactory = terminationPredicateFactory
        self._scheduler = scheduler
        self._delayedCall: Any = None
        self._stopped = False
        self._started = started
        self._mustScheduleOnStart = False

    def coiterate(
        self, iterator: Iterator[Any], doneDeferred: Optional[Deferred[Any]] = None
    ) -> Deferred[Iterator[Any]]:
        """
        Run C{iterator} and get a Deferred of its completion.

        @param iterator: The units of work.
        @param doneDeferred: The Deferred to fire; a new one by default.
        @return: A Deferred firing with the iterator when it is exhausted.
        """
        if doneDeferred is None:
            doneDeferred = Deferred()
        CooperativeTask(iterator, self).whenDone().chainDeferred(doneDeferred)
        return doneDeferred

    def cooperate(self, iterator: Iterator[Any]) -> CooperativeTask:
        """
        Run C{iterator} as a task that can be paused, resumed and stopped.

        @param iterator: The units of work.
        @return: The task.
        """
        return CooperativeTask(iterator, self)

    def _addTask(self, task: CooperativeTask) -> None:
        """
        Add a runnable task; a stopped cooperator fails it at once.

        @param task: The task.
        """
        self._tasks.append(task)
        if self._stopped:
            task._completeWith(SchedulerStopped(), Failure(SchedulerStopped()))
        else:
            self._reschedule()

    def _removeTask(self, task: CooperativeTask) -> None:
        """
        Remove a task that paused or finished.

        @param task: The task.
        """
        if task in self._tasks:
            self._tasks.remove(task)
        if not self._tasks and self._delayedCall is not None:
            self._delayedCall.cancel()
            self._delayedCall = None

    def _tasksWhileNotStopped(self) -> Iterator[CooperativeTask]:
        """
        Yield tasks round-robin until the slice is used up or none remain.

        @return: An iterator of tasks to run one unit each.
        """
        terminator = self._terminationPredicateFactory()
        while self._tasks:
            for task in self._metarator:
                yield task
                if terminator():
                    return
            self._metarator = iter(list(self._tasks))

    def _tick(self) -> None:
        """
        Run one slice of work, then schedule the next if tasks remain.
        """
        self._delayedCall = None
        for task in self._tasksWhileNotStopped():
            if task._completionState is None and task._pauseCount == 0:
                task._oneWorkUnit()
        self._reschedule()

    def _reschedule(self) -> None:
        """
        Schedule a slice if there are tasks and none is scheduled.
        """
        if not self._started:
            self._mustScheduleOnStart = True
            return
        if self._delayedCall is None and self._tasks:
            self._delayedCall = self._scheduler(self._tick)

    def start(self) -> None:
        """
        Begin running tasks (for a cooperator made with C{started=False}).
        """
        self._stopped = False
        self._started = True
        if self._mustScheduleOnStart:
            self._mustScheduleOnStart = False
            self._reschedule()

    def stop(self) -> None:
        """
        Stop: every current task fails with L{SchedulerStopped}, and so does
        every task added later.
        """
        self._stopped = True
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task._completeWith(SchedulerStopped(), Failure(SchedulerStopped()))
        if self._delayedCall is not None:
            self._delayedCall.cancel()
            self._delayedCall = None

    @property
    def running(self) -> bool:
        """
        Whether the cooperator is started and not stopped.
        """
        return self._started and not self._stopped


_theCooperator = Cooperator()


def coiterate(iterator: Iterator[Any]) -> Deferred[Iterator[Any]]:
    """
    Run C{iterator} on the global cooperator.

    @param iterator: The units of work.
    @return: A Deferred firing with the iterator when it is exhausted.
    """
    return _theCooperator.coiterate(iterator)


def cooperate(iterator: Iterator[Any]) -> CooperativeTask:
    """
    Run C{iterator} as a task on the global cooperator.

    @param iterator: The units of work.
    @return: The task, which can be paused, resumed and stopped.
    """
    return _theCooperator.cooperate(iterator)
