"""
The platform-independent half of every netframe reactor.

L{ReactorBase} owns the timer heap (IReactorTime), the three-phase system
events (IReactorCore), the cross-thread call queue (IReactorFromThreads), the
run/stop/crash/iterate state machine and signal handling.  Subclasses supply
the multiplexing: C{doIteration(timeout)} waits for I/O and dispatches it,
C{wakeUp()} interrupts a blocked C{doIteration} from another thread.
"""

from __future__ import annotations

import heapq
import signal
import socket
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from types import FrameType
from typing import Any

from netframe.core import error
from netframe.core._resolver import _ResolverReactorMixin
from netframe.core._threadpoolreactor import _ThreadPoolReactorMixin
from netframe.core.defer import Deferred
from netframe.core.failure import Failure
from netframe.core.task import DelayedCall
from netframe.logger import Logger

_log = Logger()

#: Names of the phases a system event trigger can be added to.
_PHASES = ("before", "during", "after")

_Trigger = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]


def _isIPAddress(name: str) -> bool:
    """Return True if C{name} is an IPv4 or IPv6 address literal."""
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, name.split("%", 1)[0])
        except (OSError, ValueError):
            continue
        return True
    return False


class _TimedCall(DelayedCall):
    """
    A reactor's L{DelayedCall}: it also knows its reactor and its live timer-heap entry.

    Built on the C{callLater} hot path, so it stores only what every call needs; the
    canceller, resetter and time source are the reactor's, looked up when used, and
    L{cancel} does the reactor's lazy-deletion bookkeeping itself.

    @ivar _entry: the heap entry that will run it, or None once it ran or was
        cancelled (any other entry naming it is stale).
    @ivar _reactor: the reactor whose heap holds it.
    """

    __slots__ = ("_entry", "_reactor")

    _entry: tuple[float, int, _TimedCall] | None

    def __init__(
        self,
        time: float,
        func: Callable[..., Any],
        args: tuple[Any, ...],
        kw: dict[str, Any],
        reactor: ReactorBase,
    ) -> None:
        """
        @param time: when to run, on C{reactor.seconds()}'s scale.
        @param func: the callable.
        @param args: its positional arguments.
        @param kw: its keyword arguments.
        @param reactor: the reactor whose heap holds the call.
        """
        self.time = time
        self.func = func
        self.args = args
        self.kw = kw
        self._reactor = reactor
        self.cancelled = 0
        self.called = 0
        self.delayed_time = 0.0
        self.creator = traceback.format_stack()[:-2] if self.debug else None

    @property
    def canceller(self) -> Callable[[DelayedCall], Any]:  # type: ignore[override]
        """The reactor's lazy deletion (L{ReactorBase._cancelTimer})."""
        return self._reactor._cancelTimer

    @property
    def resetter(self) -> Callable[[DelayedCall], Any]:  # type: ignore[override]
        """The reactor's rescheduling (L{ReactorBase._resetTimer})."""
        return self._reactor._resetTimer

    @property
    def seconds(self) -> Callable[[], float]:  # type: ignore[override]
        """The reactor's clock (its C{seconds} method)."""
        return self._reactor.seconds

    def cancel(self) -> None:
        """
        Unschedule the call; it will never run.

        @raise AlreadyCancelled: If it was cancelled before.
        @raise AlreadyCalled: If it already ran (or is running).
        """
        if self._entry is None:
            if self.cancelled:
                raise error.AlreadyCancelled()
            raise error.AlreadyCalled()
        self._entry = None
        self.cancelled = 1
        del self.func, self.args, self.kw
        reactor = self._reactor
        reactor._deadTimers = dead = reactor._deadTimers + 1
        if dead * 2 > len(reactor._timers) + len(reactor._newTimers):
            reactor._compactTimers()


_Entry = tuple[float, int, _TimedCall]

#: The builtin, under a name parameters called C{callable} do not shadow.
_isCallable = callable


class _ThreePhaseEvent:
    """
    The triggers of one system event (such as C{"startup"} or C{"shutdown"}).

    Firing runs the 'before' triggers, waits for every Deferred they
    returned, then runs the 'during' and 'after' triggers.  Triggers added
    while the event fires are honoured if their phase has not run yet.
    """

    __slots__ = ("after", "before", "during", "state")

    def __init__(self) -> None:
        """Start with no triggers, not firing."""
        self.before: list[_Trigger] = []
        self.during: list[_Trigger] = []
        self.after: list[_Trigger] = []
        self.state = "BASE"

    def addTrigger(
        self, phase: str, callable: Callable[..., Any], args: tuple[Any, ...], kw: dict[str, Any]
    ) -> tuple[str, _Trigger]:
        """
        Add a trigger to C{phase}.

        @return: an opaque handle for L{removeTrigger}.
        @raise KeyError: If C{phase} is not 'before', 'during' or 'after'.
        """
        if phase not in _PHASES:
            raise KeyError(f"invalid phase {phase!r}: expected one of {_PHASES}")
        trigger: _Trigger = (callable, args, kw)
        getattr(self, phase).append(trigger)
        return (phase, trigger)

    def removeTrigger(self, handle: tuple[str, _Trigger]) -> None:
        """
        Remove a trigger added by L{addTrigger}.

        @raise ValueError: If the trigger was already removed or has run.
        @raise KeyError: If the handle names an invalid phase.
        """
        phase, trigger = handle
        if phase not in _PHASES:
            raise KeyError(f"invalid phase {phase!r}")
        triggers: list[_Trigger] = getattr(self, phase)
        for i, t in enumerate(triggers):
            if t is trigger:
                del triggers[i]
                return
        raise ValueError(f"trigger {trigger!r} is not registered in phase {phase!r}")

    def fireEvent(self) -> None:
        """Run the 'before' triggers, then the rest once their Deferreds fire."""
        if self.state != "BASE":
            return
        self.state = "BEFORE"
        pending: list[Deferred[Any]] = []
        before = self.before
        while before:
            callable, args, kw = before.pop(0)
            try:
                result = callable(*args, **kw)
            except BaseException:
                _log.failure(
                    "Error in 'before' system event trigger {trigger}", Failure(), trigger=callable
                )
            else:
                if isinstance(result, Deferred):
                    pending.append(result)
        if not pending:
            self._continueFiring()
            return
        remaining = [len(pending)]

        def oneDone(result: object) -> None:
            if isinstance(result, Failure):
                _log.failure("Deferred from 'before' system event trigger failed", result)
            remaining[0] -= 1
            if remaining[0] == 0:
                self._continueFiring()

        for d in pending:
            d.addBoth(oneDone)

    def _continueFiring(self) -> None:
        """Run the 'during' then the 'after' triggers."""
        self.state = "BASE"
        for triggers in (self.during, self.after):
            while triggers:
                callable, args, kw = triggers.pop(0)
                try:
                    callable(*args, **kw)
                except BaseException:
                    _log.failure(
                        "Error in system event trigger {trigger}", Failure(), trigger=callable
                    )


class ReactorBase(_ThreadPoolReactorMixin, _ResolverReactorMixin):
    """
    Timers, system events, thread calls and the main loop shared by all reactors.

    The thread pool (IReactorThreads: C{callInThread}, C{getThreadPool},
    C{suggestThreadPoolSize}) and the pluggable resolver
    (IReactorPluggableResolver: C{installResolver}, C{resolve}) come from
    the mixins in L{netframe.core._threadpoolreactor} and
    L{netframe.core._resolver}.

    @ivar running: True between the 'during startup' phase and the moment the
        loop stops (IReactorCore.running).
    @ivar installSignalHandlers: whether C{run()} may install SIGINT/SIGTERM
        handlers when called in the main thread (overridable per call).
    """

    running: bool
    _started: bool
    _stopped: bool
    _startedBefore: bool

    def __init__(self) -> None:
        """Initialise empty timer, trigger and thread-call queues."""
        self.running = False
        self._started = False
        self._stopped = True
        self._startedBefore = False
        self._justStopped = False
        # Timer heap: entries are (time, sequence, call) tuples; an entry is
        # live while it is its call's _entry, else lazily deleted (the call
        # was cancelled, rescheduled or has run).  Tuples compare on
        # (time, sequence) only: sequences are unique.
        self._timers: list[_Entry] = []
        self._newTimers: list[_Entry] = []
        self._deadTimers = 0
        self._timerSeq = 0
        self._threadCallQueue: deque[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = (
            deque()
        )
        self._eventTriggers: dict[str, _ThreePhaseEvent] = {}
        self._oldSignals: dict[int, Any] = {}
        self._reactorThread: threading.Thread | None = None
        self.addSystemEventTrigger("during", "startup", self._reallyStartRunning)
        self.addSystemEventTrigger("during", "shutdown", self.crash)
        self.addSystemEventTrigger("during", "shutdown", self.disconnectAll)

    # -- hooks for subclasses ---------------------------------------------

    def doIteration(self, timeout: float | None) -> None:
        """
        Wait up to C{timeout} seconds for I/O and dispatch it.

        @raise NotImplementedError: Always, in the base class.
        """
        raise NotImplementedError(f"{type(self).__name__} does not implement doIteration")

    def wakeUp(self) -> None:
        """Interrupt a C{doIteration} blocked in another thread (no-op here)."""

    def disconnectAll(self) -> None:
        """Disconnect every connection and port (no-op in the base class)."""

    # -- IReactorTime -----------------------------------------------------

    def seconds(self) -> float:
        """
        Return the reactor's notion of the current time, in seconds.

        netframe uses a monotonic clock (C{time.monotonic}) so timers are immune
        to wall-clock jumps; compare it only with other values from this method.
        """
        return time.monotonic()

    def callLater(
        self, delay: float, callable: Callable[..., Any], *args: Any, **kw: Any
    ) -> DelayedCall:
        """
        Call C{callable(*args, **kw)} after C{delay} seconds.

        Calls due at the same time run in the order they were scheduled; a call
        scheduled from inside another call runs at the earliest on the next
        loop pass.

        @param delay: seconds from now; must be >= 0.
        @return: an L{IDelayedCall} that can be cancelled, reset or delayed.
        @raise ValueError: If C{delay} is negative.
        @raise TypeError: If C{callable} is not callable.
        """
        if not delay >= 0:
            raise ValueError(f"callLater delay must be >= 0, not {delay!r}")
        if not _isCallable(callable):
            raise TypeError(f"{callable!r} is not callable")
        dc = _TimedCall(self.seconds() + delay, callable, args, kw, self)
        seq = self._timerSeq = self._timerSeq + 1
        dc._entry = entry = (dc.time, seq, dc)
        self._newTimers.append(entry)
        return dc

    def getDelayedCalls(self) -> list[DelayedCall]:
        """Return every pending (not cancelled, not yet called) delayed call."""
        return [e[2] for e in sorted([*self._timers, *self._newTimers]) if e[2]._entry is e]

    def _cancelTimer(self, dc: Any) -> None:
        """Lazily delete C{dc}'s heap entry (a L{_TimedCall}'s canceller callback)."""
        if dc._entry is None:
            return
        dc._entry = None
        self._deadTimers = dead = self._deadTimers + 1
        if dead * 2 > len(self._timers) + len(self._newTimers):
            self._compactTimers()

    def _resetTimer(self, dc: Any) -> None:
        """Reschedule C{dc} at its new C{time} (a L{_TimedCall}'s resetter callback)."""
        if dc._entry is None:
            return
        seq = self._timerSeq = self._timerSeq + 1
        dc._entry = entry = (dc.time, seq, dc)
        self._newTimers.append(entry)
        self._deadTimers = dead = self._deadTimers + 1
        if dead * 2 > len(self._timers) + len(self._newTimers):
            self._compactTimers()

    def _compactTimers(self) -> None:
        """Drop every lazily deleted entry (once they exceed half the queue)."""
        # In place: runUntilCurrent holds a reference to the heap list.
        self._timers[:] = [e for e in self._timers if e[2]._entry is e]
        heapq.heapify(self._timers)
        self._newTimers = [e for e in self._newTimers if e[2]._entry is e]
        self._deadTimers = 0

    def _mergeNewTimers(self) -> None:
        """Move calls scheduled since the last pass into the heap."""
        heap = self._timers
        new = self._newTimers
        self._newTimers = []
        if len(new) > len(heap):
            # Bulk: one O(n) heapify beats n pushes.
            heap.extend(new)
            heapq.heapify(heap)
            return
        push = heapq.heappush
        for entry in new:
            if entry[2]._entry is entry:
                push(heap, entry)
            else:
                self._deadTimers -= 1

    def timeout(self) -> float | None:
        """
        Return how long the loop may block: seconds until the next timer, 0 if
        thread calls are queued, C{None} if nothing is scheduled.
        """
        if self._threadCallQueue:
            return 0.0
        due = self._earliestTimer()
        if due is None:
            return None
        return max(0.0, due - self.seconds())

    def _earliestTimer(self) -> float | None:
        """Return when the earliest pending call is due (C{seconds()} scale), or None."""
        if self._newTimers:
            self._mergeNewTimers()
        heap = self._timers
        while heap and heap[0][2]._entry is not heap[0]:
            heapq.heappop(heap)
            self._deadTimers -= 1
        if not heap:
            return None
        due: float = heap[0][0]
        return due

    def runUntilCurrent(self) -> None:
        """
        Run the queued thread calls and every timer that is due.

        An exception in any of them is logged and does not stop the others.
        """
        queue = self._threadCallQueue
        if queue:
            for _ in range(len(queue)):
                f, args, kw = queue.popleft()
                try:
                    f(*args, **kw)
                except BaseException:
                    _log.failure("Unhandled error in callFromThread call {call}", Failure(), call=f)
        if self._newTimers:
            self._mergeNewTimers()
        heap = self._timers
        if not heap:
            return
        now = self.seconds()
        pop = heapq.heappop
        while heap and heap[0][0] <= now:
            entry = pop(heap)
            dc = entry[2]
            if dc._entry is not entry:
                self._deadTimers -= 1
                continue
            if dc.delayed_time:
                # Pushed back by reset()/delay() since it was scheduled.
                dc.activate_delay()
                seq = self._timerSeq = self._timerSeq + 1
                dc._entry = entry = (dc.time, seq, dc)
                self._newTimers.append(entry)
                continue
            dc._entry = None
            dc.called = 1
            try:
                if dc.kw:
                    dc.func(*dc.args, **dc.kw)
                else:
                    dc.func(*dc.args)
            except BaseException:
                _log.failure("Unhandled error in delayed call {call!r}", Failure(), call=dc)

    # -- IReactorFromThreads ---------------------------------------------

    def callFromThread(self, callable: Callable[..., Any], *args: Any, **kw: Any) -> None:
        """
        Call C{callable(*args, **kw)} in the reactor thread, soon.

        Safe from any thread and from signal handlers; calls run in the order
        they were queued.

        @raise TypeError: If C{callable} is not callable.
        """
        if not callable_(callable):
            raise TypeError(f"{callable!r} is not callable")
        self._threadCallQueue.append((callable, args, kw))
        self.wakeUp()

    # -- IReactorCore -----------------------------------------------------

    def run(self, installSignalHandlers: bool = True) -> None:
        """
        Start the loop and block until it stops.

        Fires the 'startup' event, loops until L{stop} or L{crash}, then logs
        "Main loop terminated.".  When called in the main thread with
        C{installSignalHandlers}, SIGINT and SIGTERM stop the reactor (running
        the shutdown triggers); the previous handlers are restored on exit.

        @raise ReactorNotRestartable: If the reactor has run before.
        @raise ReactorAlreadyRunning: If it is running now.
        """
        self.startRunning(installSignalHandlers=installSignalHandlers)
        try:
            self.mainLoop()
        finally:
            self._restoreSignalHandlers()

    def startRunning(self, installSignalHandlers: bool = True) -> None:
        """
        Move to the started state and fire 'startup' (without looping).

        @raise ReactorNotRestartable: If the reactor has run before.
        @raise ReactorAlreadyRunning: If it is running now.
        """
        if self._started:
            raise error.ReactorAlreadyRunning("reactor is already running")
        if self._startedBefore:
            raise error.ReactorNotRestartable("reactor cannot be restarted after it stopped")
        self._started = True
        self._stopped = False
        self._reactorThread = threading.current_thread()
        if installSignalHandlers and threading.current_thread() is threading.main_thread():
            self._installSignalHandlers()
        self.fireSystemEvent("startup")

    def mainLoop(self) -> None:
        """Run loop passes until the reactor stops; log "Main loop terminated."."""
        queue = self._threadCallQueue
        doIteration = self.doIteration
        while self._started:
            try:
                while self._started:
                    # Most passes of a busy server have no timer or thread call to
                    # run: skip straight to waiting for I/O then.
                    if queue or self._newTimers or self._timers:
                        self.runUntilCurrent()
                        if self._stillStarted() is False:
                            break
                        doIteration(self.timeout())
                    else:
                        doIteration(None)
            except BaseException:
                _log.failure("Unexpected error in main loop.", Failure())
        _log.info("Main loop terminated.")

    def _stillStarted(self) -> bool:
        """Return whether the loop should go on (a call may have stopped it)."""
        return self._started

    def _reallyStartRunning(self) -> None:
        """'during startup' trigger: the reactor is now running."""
        self.running = True

    def stop(self) -> None:
        """
        Stop the loop after firing the 'shutdown' event (on the next pass).

        @raise ReactorNotRunning: If the reactor is not running or already stopping.
        """
        if self._stopped:
            raise error.ReactorNotRunning("Can't stop reactor that isn't running.")
        self._stopped = True
        self._justStopped = True
        self._startedBefore = True
        self.callLater(0, self.fireSystemEvent, "shutdown")

    def crash(self) -> None:
        """Stop the loop at once, without firing 'shutdown' (avoid outside tests)."""
        self._started = False
        self.running = False

    def iterate(self, delay: float = 0.0) -> None:
        """
        Run one loop pass: due calls, then wait up to C{delay} seconds for I/O.

        @param delay: the longest time to block.
        """
        self.runUntilCurrent()
        self.doIteration(delay)

    def callWhenRunning(self, callable: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        """
        Call C{callable} now if the reactor runs, else once it has started.

        @return: None if called at once, else a trigger ID for
            L{removeSystemEventTrigger}.
        """
        if self.running:
            callable(*args, **kw)
            return None
        return self.addSystemEventTrigger("after", "startup", callable, *args, **kw)

    def addSystemEventTrigger(
        self, phase: str, eventType: str, callable: Callable[..., Any], *args: Any, **kw: Any
    ) -> Any:
        """
        Add a trigger run when the system event C{eventType} fires.

        @param phase: 'before' (may return a Deferred, awaited before the
            'during' phase), 'during' or 'after'.
        @param eventType: 'startup', 'shutdown', 'persist' or any name given
            to L{fireSystemEvent}.
        @return: an opaque ID for L{removeSystemEventTrigger}.
        @raise KeyError: If C{phase} is invalid.
        @raise TypeError: If C{callable} is not callable.
        """
        if not callable_(callable):
            raise TypeError(f"{callable!r} is not callable")
        event = self._eventTriggers.get(eventType)
        if event is None:
            event = self._eventTriggers[eventType] = _ThreePhaseEvent()
        return (eventType, event.addTrigger(phase, callable, args, kw))

    def removeSystemEventTrigger(self, triggerID: Any) -> None:
        """
        Remove a trigger added with L{addSystemEventTrigger}.

        @raise ValueError: If the trigger is unknown, already removed or has run.
        """
        try:
            eventType, handle = triggerID
            event = self._eventTriggers[eventType]
        except (TypeError, ValueError, KeyError):
            raise ValueError(f"not a system event trigger ID: {triggerID!r}")
        try:
            event.removeTrigger(handle)
        except KeyError as e:
            raise ValueError(str(e))

    def fireSystemEvent(self, eventType: str) -> None:
        """
        Fire the system event C{eventType} (its three trigger phases).

        @param eventType: the event name.
        """
        event = self._eventTriggers.get(eventType)
        if event is not None:
            event.fireEvent()

    # -- signals ----------------------------------------------------------

    def _installSignalHandlers(self) -> None:
        """Make SIGINT and SIGTERM stop the reactor (main thread only)."""
        for signum in (signal.SIGINT, signal.SIGTERM):
            try:
                self._oldSignals[signum] = signal.signal(signum, self._handleSignal)
            except (ValueError, OSError):
                pass

    def _restoreSignalHandlers(self) -> None:
        """Put back the handlers replaced by L{_installSignalHandlers}."""
        for signum, handler in self._oldSignals.items():
            try:
                signal.signal(signum, handler)
            except (ValueError, OSError, TypeError):
                pass
        self._oldSignals.clear()

    def _handleSignal(self, signum: int, frame: FrameType | None) -> None:
        """
        Signal handler: schedule a clean stop from the loop.

        Does nothing but queue a call (a deque append and a waker write): logging
        here could deadlock on an observer's lock held by the interrupted thread.
        """
        self.callFromThread(self._stopFromSignal, signum)

    def _stopFromSignal(self, signum: int) -> None:
        """Log the signal and stop, unless already stopping (runs in the loop)."""
        _log.info("Received {signal}, shutting down.", signal=signal.Signals(signum).name)
        if not self._stopped:
            self.stop()


def callable_(obj: object) -> bool:
    """Return True if C{obj} is callable (the builtin, shadowed by parameter names)."""
    return callable(obj)
