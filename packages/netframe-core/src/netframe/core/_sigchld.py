"""
The SIGCHLD watcher: learns that children exited and wakes the reactor, which
then reaps the children it spawned (and only those) with C{waitpid(pid,
WNOHANG)}.

The signal handler does no work itself.  The watcher owns a non-blocking
pipe and makes it the interpreter's wake-up descriptor
(C{signal.set_wakeup_fd}): the C-level handler writes the signal number
into it whichever thread the kernel picked, so a reactor blocked in its
multiplexer wakes at once, reads the pipe and reaps.  Signals coalesce but
are never lost, since every pass reaps every known child.

If another component (an asyncio loop's signal handling, say) already owns
the wake-up descriptor, the watcher leaves it in place and its Python-level
handler queues a reap with the reactor's thread-safe C{callFromThread}
instead.

Implementation module, used by L{netframe.core._processreactor}.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from types import FrameType
from typing import Any

from zope.interface import implementer

from netframe.core.failure import Failure
from netframe.core.interfaces import IReadDescriptor

__all__ = ["_ChildSignalWatcher"]

#: The byte written to the pipe to ask for a reap pass without a signal.
_NUDGE = b"\0"


@implementer(IReadDescriptor)
class _WakeupPipe:
    """The read end of the wake-up pipe, watched by the reactor."""

    def __init__(self, readFd: int, onSignal: Callable[[], None]) -> None:
        """
        @param readFd: the non-blocking read end.
        @param onSignal: called when SIGCHLD (or a nudge) arrived.
        """
        self._fd = readFd
        self._onSignal = onSignal
        self.closed = False

    def fileno(self) -> int:
        """Return the read end, or -1 once closed."""
        return -1 if self.closed else self._fd

    def doRead(self) -> None:
        """Drain the pipe; reap if it carried SIGCHLD or a nudge."""
        wanted = False
        while True:
            try:
                data = os.read(self._fd, 4096)
            except (BlockingIOError, InterruptedError):
                break
            if not data:
                break
            if signal.SIGCHLD in data or 0 in data:
                wanted = True
            if len(data) < 4096:
                break
        if wanted:
            self._onSignal()

    def connectionLost(self, reason: Failure) -> None:
        """
        The reactor dropped every descriptor (shutdown): nothing to do, the
        watcher closes the pipe when it is uninstalled.

        @param reason: Ignored.
        """

    def logPrefix(self) -> str:
        """Return the log prefix for events concerning the pipe."""
        return "SIGCHLD"


class _ChildSignalWatcher:
    """
    A SIGCHLD handler feeding a reactor's reap pass, installed while the
    reactor runs in the main thread.

    @ivar usesWakeupFd: True if the wake-up pipe is the interpreter's wake-up
        descriptor; False if the Python-level handler queues the reap.
    """

    def __init__(self, reactor: Any, reap: Callable[[], None]) -> None:
        """
        @param reactor: provides C{addReader}, C{removeReader} and
            C{callFromThread}.
        @param reap: the reactor's reap pass, run in the reactor thread.
        """
        self._reactor = reactor
        self._reap = reap
        self._oldHandler: Any = None
        self._readFd = -1
        self._writeFd = -1
        self._pipe: _WakeupPipe | None = None
        self._reapQueued = False
        self.usesWakeupFd = False
        self.installed = False

    def install(self) -> None:
        """
        Install the handler and the wake-up pipe, and ask for a first reap
        pass (children may have exited before).

        @raise ValueError: If called outside the main thread.
        """
        r, w = os.pipe()
        os.set_blocking(r, False)
        os.set_blocking(w, False)
        try:
            self._oldHandler = signal.signal(signal.SIGCHLD, self._handler)
        except BaseException:
            os.close(r)
            os.close(w)
            raise
        self._readFd, self._writeFd = r, w
        # Restart interrupted system calls rather than fail them with EINTR.
        signal.siginterrupt(signal.SIGCHLD, False)
        previous = signal.set_wakeup_fd(w, warn_on_full_buffer=False)
        if previous != -1:
            signal.set_wakeup_fd(previous)
        self.usesWakeupFd = previous == -1
        self._pipe = _WakeupPipe(r, self._reapNow)
        self._reactor.addReader(self._pipe)
        self.installed = True
        self.nudge()

    def nudge(self) -> None:
        """Ask for a reap pass on the next loop pass (safe from any thread)."""
        if self._writeFd >= 0:
            try:
                os.write(self._writeFd, _NUDGE)
            except (BlockingIOError, InterruptedError):
                pass

    def _handler(self, signum: int, frame: FrameType | None) -> None:
        """
        The Python-level SIGCHLD handler (runs in the main thread).

        With the wake-up pipe in place the C-level handler already woke the
        reactor; otherwise queue one reap pass.  A previous Python handler
        is called too.
        """
        if not self.usesWakeupFd and not self._reapQueued:
            self._reapQueued = True
            self._reactor.callFromThread(self._reapNow)
        old = self._oldHandler
        if callable(old):
            old(signum, frame)

    def _reapNow(self) -> None:
        """Run the reactor's reap pass."""
        self._reapQueued = False
        self._reap()

    def uninstall(self) -> None:
        """Put back the previous handler and wake-up descriptor; close the pipe."""
        if not self.installed:
            return
        self.installed = False
        if self.usesWakeupFd:
            current = signal.set_wakeup_fd(-1)
            if current not in (-1, self._writeFd):
                signal.set_wakeup_fd(current)
        old = self._oldHandler
        self._oldHandler = None
        signal.signal(signal.SIGCHLD, old if old is not None else signal.SIG_DFL)
        if self._pipe is not None:
            self._reactor.removeReader(self._pipe)
            self._pipe.closed = True
            self._pipe = None
        os.close(self._readFd)
        os.close(self._writeFd)
        self._readFd = self._writeFd = -1
