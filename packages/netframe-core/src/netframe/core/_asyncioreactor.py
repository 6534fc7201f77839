"""
The reactor that runs on an asyncio event loop.

L{AsyncioSelectorReactor} is the POSIX reactor base with its multiplexer and
its timer wake-up mapped onto an asyncio loop:

  - readiness: every descriptor the reactor watches is registered with
    C{loop.add_reader}/C{loop.add_writer} (see L{_LoopPoller}), so every
    transport built on the POSIX base (TCP and the others) runs unchanged;
  - timers: the reactor keeps its own heap (same ordering guarantees as the
    other reactors: calls due at the same time run in scheduling order) and
    holds exactly one loop timer, C{loop.call_at} for the earliest call;
  - cross-thread calls: the reactor's eventfd waker is a loop reader.

The reactor's clock is the loop's (C{seconds()} is C{loop.time()}).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from typing import Any

from netframe.core._pollers import READ, WRITE
from netframe.core._posixbase import PosixReactorBase
from netframe.core.failure import Failure
from netframe.core.task import DelayedCall
from netframe.logger import Logger

_log = Logger()

__all__ = ["AsyncioSelectorReactor", "LoopNotSupportedError"]


class LoopNotSupportedError(TypeError):
    """
    The asyncio event loop cannot watch file descriptors (no working
    C{add_reader}/C{add_writer}, as with Windows' C{ProactorEventLoop}).
    """


class _LoopPoller:
    """
    The L{_Poller} interface mapped onto an asyncio loop's reader/writer calls.

    It remembers each descriptor's mask so that a change only touches the
    side that changed.  Ready descriptors are reported by calling the
    reactor's C{_readReady(fd)} / C{_writeReady(fd)} from the loop.
    """

    __slots__ = ("_loop", "_masks", "_onRead", "_onWrite")

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        onRead: Callable[[int], None],
        onWrite: Callable[[int], None],
    ) -> None:
        """
        @param loop: the loop to register descriptors with.
        @param onRead: called with the descriptor when it is readable.
        @param onWrite: called with the descriptor when it is writable.
        """
        self._loop = loop
        self._onRead = onRead
        self._onWrite = onWrite
        self._masks: dict[int, int] = {}

    def register(self, fd: int, mask: int) -> None:
        """Start watching C{fd} for C{mask} (READ and/or WRITE)."""
        self.modify(fd, mask)

    def modify(self, fd: int, mask: int) -> None:
        """Change the events watched for C{fd}."""
        old = self._masks.get(fd, 0)
        loop = self._loop
        if mask & READ and not old & READ:
            loop.add_reader(fd, self._onRead, fd)
        elif old & READ and not mask & READ:
            loop.remove_reader(fd)
        if mask & WRITE and not old & WRITE:
            loop.add_writer(fd, self._onWrite, fd)
        elif old & WRITE and not mask & WRITE:
            loop.remove_writer(fd)
        if mask:
            self._masks[fd] = mask
        else:
            self._masks.pop(fd, None)

    def unregister(self, fd: int) -> None:
        """Stop watching C{fd}; unknown or closed descriptors are ignored."""
        old = self._masks.pop(fd, 0)
        if self._loop.is_closed():
            return
        try:
            if old & READ:
                self._loop.remove_reader(fd)
            if old & WRITE:
                self._loop.remove_writer(fd)
        except (OSError, ValueError):
            pass

    def poll(self, timeout: float | None) -> list[tuple[int, int]]:
        """
        Never called: the loop reports readiness through callbacks.

        @raise NotImplementedError: Always.
        """
        raise NotImplementedError("the asyncio loop dispatches readiness itself")

    def close(self) -> None:
        """Remove every descriptor still registered with the loop."""
        for fd in list(self._masks):
            self.unregister(fd)


def _checkLoop(loop: asyncio.AbstractEventLoop) -> None:
    """
    Make sure C{loop} has the descriptor-watching methods the reactor needs.

    (A loop that has them but raises C{NotImplementedError}, such as a
    Proactor loop, is caught when the reactor registers its waker.)

    @raise LoopNotSupportedError: If it lacks them or is a Proactor loop.
    """
    if not callable(getattr(loop, "add_reader", None)) or not callable(
        getattr(loop, "add_writer", None)
    ):
        raise LoopNotSupportedError(
            f"{type(loop).__name__} has no add_reader/add_writer; netframe's asyncio "
            "reactor needs a selector-based loop (asyncio.SelectorEventLoop or uvloop)"
        )
    proactor = getattr(asyncio, "ProactorEventLoop", None)
    if proactor is not None and isinstance(loop, proactor):  # pragma: no cover - Windows
        raise LoopNotSupportedError(
            "ProactorEventLoop cannot watch file descriptors; use asyncio.SelectorEventLoop"
        )


class AsyncioSelectorReactor(PosixReactorBase):
    """
    A reactor running on an asyncio event loop.

    Implements the same interfaces as the other POSIX reactors
    (IReactorCore, IReactorTime, IReactorFromThreads, IReactorFDSet,
    IReactorTCP, and whatever the POSIX base gains).  Any loop with working
    C{add_reader}/C{add_writer} works: C{asyncio.SelectorEventLoop},
    uvloop's loop.

    Two ways to run it:

      - blocking, the loop owned by the caller's thread and not running yet:
        C{reactor.run()} runs C{loop.run_forever()} until C{reactor.stop()}
        (which fires the shutdown triggers first);
      - inside a running loop (for example in C{asyncio.run(main())}): create
        the reactor in a coroutine (it takes the running loop), then
        C{await reactor.runUntilStopped()}; or call C{reactor.startRunning()}
        and carry on, calling C{reactor.stop()} later.

    Descriptors and timers are registered with the loop as soon as they are
    added, so they are serviced whenever the loop runs, started or not.

    @ivar eventloop: the asyncio loop the reactor runs on.
    """

    def __init__(self, eventloop: asyncio.AbstractEventLoop | None = None) -> None:
        """
        Build the reactor on C{eventloop}.

        @param eventloop: the loop to run on; C{None} takes the running loop
            if there is one, else creates a new C{asyncio.SelectorEventLoop}
            that the reactor owns (and closes in C{_close}).
        @raise LoopNotSupportedError: If the loop cannot watch descriptors
            (a Proactor loop, or any loop without working C{add_reader}).
        @raise OSError: If the process is out of file descriptors.
        """
        ownsLoop = False
        if eventloop is None:
            try:
                eventloop = asyncio.get_running_loop()
            except RuntimeError:
                eventloop = asyncio.SelectorEventLoop()
                ownsLoop = True
        self.eventloop = eventloop
        self._loop = eventloop
        self._ownsLoop = ownsLoop
        self._timerHandle: asyncio.TimerHandle | None = None
        self._timerWhen = math.inf
        self._runningLoop = False
        self._iterating = False
        self._stoppedFuture: asyncio.Future[None] | None = None
        try:
            _checkLoop(eventloop)
            try:
                super().__init__()
            except NotImplementedError:
                waker = getattr(self, "_waker", None)
                if waker is not None:
                    waker.close()
                raise LoopNotSupportedError(
                    f"{type(eventloop).__name__} cannot watch file descriptors (add_reader "
                    "is not implemented, as in a ProactorEventLoop); use "
                    "asyncio.SelectorEventLoop or uvloop"
                ) from None
            # The waker wakes the reactor up: drain it, then run thread calls.
            eventloop.add_reader(self._waker.fileno(), self._wakerReady)
        except BaseException:
            if ownsLoop:
                eventloop.close()
            raise

    def _pollerFactory(self) -> _LoopPoller:
        """Return the poller that maps watch requests onto the loop."""
        return _LoopPoller(self._loop, self._readReady, self._writeReady)

    # -- readiness callbacks (run by the loop) -------------------------------

    def _readReady(self, fd: int) -> None:
        """The loop found C{fd} readable: dispatch C{doRead}."""
        selectable = self._selectables.get(fd)
        if selectable is not None:
            try:
                why = selectable.doRead()
            except BaseException:
                why = Failure()
                _log.failure(
                    "Unhandled error while handling {selectable!r}", why, selectable=selectable
                )
            if why:
                self._disconnectSelectable(selectable, why, True)
        if self._iterating:
            self._loop.stop()

    def _writeReady(self, fd: int) -> None:
        """The loop found C{fd} writable: dispatch C{doWrite}."""
        selectable = self._selectables.get(fd)
        if selectable is not None:
            try:
                why = selectable.doWrite()
            except BaseException:
                why = Failure()
                _log.failure(
                    "Unhandled error while handling {selectable!r}", why, selectable=selectable
                )
            if why:
                self._disconnectSelectable(selectable, why, False)
        if self._iterating:
            self._loop.stop()

    def _wakerReady(self) -> None:
        """The waker fired: drain it and run the queued thread calls."""
        self._waker.doRead()
        self._runPass()

    # -- timers ---------------------------------------------------------------

    def seconds(self) -> float:
        """
        Return the current time on the loop's clock (C{loop.time()}), seconds.

        Monotonic; compare it only with other values from this method.
        """
        return self._loop.time()

    def callLater(
        self, delay: float, callable: Callable[..., Any], *args: Any, **kw: Any
    ) -> DelayedCall:
        """
        Call C{callable(*args, **kw)} after C{delay} seconds, on the loop.

        Same contract as every reactor's C{callLater}: calls due at the same
        time run in the order they were scheduled.

        @param delay: seconds from now; must be >= 0.
        @return: an L{IDelayedCall}.
        @raise ValueError: If C{delay} is negative.
        @raise TypeError: If C{callable} is not callable.
        """
        dc = PosixReactorBase.callLater(self, delay, callable, *args, **kw)
        when = dc.time
        if when < self._timerWhen:
            self._armTimer(when)
        return dc

    def _resetTimer(self, dc: Any) -> None:
        """Reschedule C{dc}, moving the loop timer earlier when needed."""
        PosixReactorBase._resetTimer(self, dc)
        if dc.time < self._timerWhen:
            self._armTimer(dc.time)

    def _armTimer(self, when: float) -> None:
        """Make the single loop timer fire at C{when} (loop time)."""
        handle = self._timerHandle
        if handle is not None:
            handle.cancel()
        self._timerWhen = when
        self._timerHandle = self._loop.call_at(when, self._timerFired)

    def _timerFired(self) -> None:
        """The loop timer fired: run what is due and re-arm for the next call."""
        self._timerHandle = None
        self._timerWhen = math.inf
        self._runPass()
        if self._iterating:
            self._loop.stop()

    def _runPass(self) -> None:
        """Run thread calls and due timers, then arm the loop timer for the next."""
        try:
            self.runUntilCurrent()
        except BaseException:
            _log.failure("Unexpected error in main loop.", Failure())
        if self._threadCallQueue:
            # Calls queued by the calls just run go on the next loop pass.
            self._loop.call_soon(self._runPass)
        when = self._earliestTimer()
        if when is not None and when < self._timerWhen:
            self._armTimer(when)

    # -- running --------------------------------------------------------------

    def run(self, installSignalHandlers: bool = True) -> None:
        """
        Start the reactor and run the loop until the reactor stops.

        Fires 'startup', runs C{loop.run_forever()} and returns once
        L{stop<netframe.core.base.ReactorBase.stop>} (after the shutdown triggers) or
        L{crash} stopped the loop, logging "Main loop terminated.".

        @param installSignalHandlers: make SIGINT/SIGTERM stop the reactor
            (main thread only).
        @raise RuntimeError: If the loop is already running (inside a
            coroutine use C{await reactor.runUntilStopped()} instead).
        @raise ReactorNotRestartable: If the reactor has run before.
        @raise ReactorAlreadyRunning: If it is running now.
        """
        if self._loop.is_running():
            raise RuntimeError(
                "the asyncio loop is already running: inside a coroutine use "
                "'await reactor.runUntilStopped()' (or reactor.startRunning())"
            )
        self.startRunning(installSignalHandlers=installSignalHandlers)
        self._runningLoop = True
        try:
            # stop() or crash() during startup already asked to stop.
            if self._started:
                self._loop.run_forever()
        finally:
            self._runningLoop = False
            self._restoreSignalHandlers()
        _log.info("Main loop terminated.")

    async def runUntilStopped(self, installSignalHandlers: bool = False) -> None:
        """
        Start the reactor on the running loop and wait until it stops.

        For use inside a coroutine on the reactor's loop (for example under
        C{asyncio.run()}).  If the reactor was already started (with
        L{startRunning<netframe.core.base.ReactorBase.startRunning>}) it only
        waits.  If the waiting task is cancelled, the reactor shuts down at
        once (shutdown triggers run, Deferreds they return are not awaited)
        and the cancellation propagates.

        @param installSignalHandlers: make SIGINT/SIGTERM stop the reactor;
            off by default because C{asyncio.run()} handles SIGINT itself
            (by cancelling the main task, which shuts the reactor down).
        @raise RuntimeError: If called on a loop other than the reactor's.
        @raise ReactorNotRestartable: If the reactor has already stopped.
        """
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            raise RuntimeError("runUntilStopped() must be awaited on the reactor's own loop")
        future: asyncio.Future[None] = loop.create_future()
        self._stoppedFuture = future
        if not self._started:
            self.startRunning(installSignalHandlers=installSignalHandlers)
        if not self._started:
            future.set_result(None)
        try:
            await future
        except asyncio.CancelledError:
            if not self._stopped:
                self._stopped = True
                self._startedBefore = True
                self.fireSystemEvent("shutdown")
            else:
                self.crash()
            raise
        finally:
            self._stoppedFuture = None
            self._restoreSignalHandlers()
            _log.info("Main loop terminated.")

    def crash(self) -> None:
        """Stop at once, without firing 'shutdown': stops the loop C{run} runs."""
        PosixReactorBase.crash(self)
        if self._runningLoop:
            self._loop.stop()
        future = self._stoppedFuture
        if future is not None and not future.done():
            future.set_result(None)

    def doIteration(self, timeout: float | None) -> None:
        """
        Run the loop until one I/O event or timer was handled, or C{timeout}.

        @param timeout: the longest time to wait, C{None} for no limit.
        @raise RuntimeError: If the loop is already running.
        """
        loop = self._loop
        if loop.is_running():
            raise RuntimeError("cannot iterate the reactor while its asyncio loop runs")
        self._runPass()
        handle = None
        if timeout is None:
            pass
        elif timeout <= 0:
            loop.stop()
        else:
            handle = loop.call_later(timeout, loop.stop)
        self._iterating = True
        try:
            loop.run_forever()
        finally:
            self._iterating = False
            if handle is not None:
                handle.cancel()

    def _close(self) -> None:
        """Release the reactor's descriptors and timer; close the loop if it owns it."""
        if self._timerHandle is not None:
            self._timerHandle.cancel()
            self._timerHandle = None
        if not self._loop.is_closed():
            try:
                self._loop.remove_reader(self._waker.fileno())
            except (OSError, ValueError):
                pass
        PosixReactorBase._close(self)
        if self._ownsLoop and not self._loop.is_closed():
            self._loop.close()
