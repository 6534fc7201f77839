"""
IReactorProcess for the POSIX reactors: C{spawnProcess} and the reaper.

Children are collected with C{waitpid(pid, WNOHANG)} for the pids this
reactor spawned, never C{waitpid(-1)}, so other code's children are left
alone.  A reap pass runs:

  - when SIGCHLD arrives, while the reactor runs in the main thread with
    signal handlers (see L{netframe.core._sigchld}), and once when the handler
    is installed (children spawned before C{run()} may already have exited);
  - otherwise (reactor run off the main thread, or with
    C{installSignalHandlers=False}) every C{processReapInterval} seconds while
    there are children to collect;
  - for one child, as soon as all its pipes are closed (it has most likely
    exited).

Implementation module; mixed into L{netframe.core._posixbase.PosixReactorBase}.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from netframe.core._process import Process
from netframe.core._sigchld import _ChildSignalWatcher
from netframe.logger import Logger

if TYPE_CHECKING:
    from netframe.core._reactorbase import ReactorBase as _Base
    from netframe.core.task import DelayedCall
else:
    _Base = object

_log = Logger()

__all__ = ["_ProcessReactorMixin"]

#: The default C{env} of C{spawnProcess}: an empty environment.
_EMPTY_ENV: Mapping[str, str] = MappingProxyType({})


class _ProcessReactorMixin(_Base):
    """
    C{spawnProcess} and child reaping for a reactor.

    The host class provides C{callLater}, C{callFromThread}, C{addReader},
    C{removeReader}, C{_track}/C{_untrack} and the C{_installSignalHandlers}
    / C{_restoreSignalHandlers} hooks of the reactor base.

    @cvar processReapInterval: seconds between reap passes when no SIGCHLD
        handler is installed (reactor off the main thread, or run with
        C{installSignalHandlers=False}); must be > 0.
    """

    processReapInterval = 0.1

    _processes: dict[int, Process] | None = None
    _childWatcher: _ChildSignalWatcher | None = None
    _reapPoll: DelayedCall | None = None

    def spawnProcess(
        self,
        processProtocol: Any,
        executable: str | bytes,
        args: Sequence[str | bytes] = (),
        env: Mapping[Any, Any] | None = _EMPTY_ENV,
        path: str | bytes | None = None,
        uid: int | None = None,
        gid: int | None = None,
        usePTY: Any = False,
        childFDs: Mapping[int, int | str] | None = None,
    ) -> Process:
        """
        Start C{executable} as a child process connected to C{processProtocol}.

        The protocol's C{makeConnection} (so C{connectionMade}) runs before
        this returns; output arrives through C{childDataReceived}, each
        closed pipe through C{childConnectionLost}, the exit through
        C{processExited} and, last, once every pipe is closed and the child
        reaped, C{processEnded}.

        @param processProtocol: an L{IProcessProtocol} (usually a
            L{ProcessProtocol} subclass instance).
        @param executable: the program.  Without a C{/} it is searched for in
            the child environment's C{PATH} (C{os.defpath} when unset), like
            C{os.execvpe}; with C{path} given, after changing directory.
        @param args: the argument vector, C{args[0]} being the program's
            name; empty means C{[executable]}.
        @param env: the child's complete environment; the default is an
            empty one, C{None} passes ours (C{os.environ}).
        @param path: the child's working directory, or None for ours.
        @param uid: the user ID to run as (needs privileges unless it is
            ours); supplementary groups become that user's.
        @param gid: the group ID to run as.
        @param usePTY: True to run the child on a new pseudo-terminal (its
            descriptors 0, 1 and 2, and its controlling terminal in a new
            session), or a C{(masterfd, slavefd, ttyname)} tuple to use (the
            reactor takes ownership of both descriptors).  C{childFDs} is
            then ignored; output arrives as child descriptor 1.
        @param childFDs: child descriptor -> C{"r"} (a pipe we read),
            C{"w"} (a pipe we write) or one of our descriptor numbers for
            the child to share.  Default C{{0: "w", 1: "r", 2: "r"}}.  Our
            other descriptors are not inherited.
        @return: the L{IProcessTransport}.
        @raise OSError: If the program cannot be started: not found, not
            executable, C{path} unusable, identity change refused, or out of
            processes or descriptors.  Nothing is called on the protocol.
        @raise TypeError: If an argument has the wrong type (C{args} as a
            single string, say).
        @raise ValueError: If an argument has a bad value (NUL bytes, a bad
            C{childFDs} entry, an environment name containing C{=}), or
            C{processReapInterval} is not positive.
        """
        interval = self.processReapInterval
        if not interval > 0:
            raise ValueError(f"processReapInterval must be > 0, not {interval!r}")
        return Process(
            self, executable, args, env, path, processProtocol, uid, gid, childFDs, usePTY
        )

    # -- reaping ---------------------------------------------------------------

    def _registerProcess(self, process: Process) -> None:
        """Remember a new child so that reap passes collect it."""
        processes = self._processes
        if processes is None:
            processes = self._processes = {}
        assert process.pid is not None
        processes[process.pid] = process
        self._scheduleReapPoll()

    def _reapProcess(self, process: Process) -> None:
        """
        Collect C{process} if it has exited, delivering C{processExited}.

        A child some other code reaped first (C{ECHILD}) is reported with an
        unknown status.
        """
        pid = process.pid
        if pid is None:
            return
        try:
            wpid, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            _log.warn("Child process {pid} was reaped by someone else", pid=pid)
            self._forgetProcess(pid)
            process._processExited(None)
            return
        if wpid == 0:
            return
        self._forgetProcess(pid)
        process._processExited(status)

    def _forgetProcess(self, pid: int) -> None:
        """Drop C{pid} from the children to reap."""
        if self._processes is not None:
            self._processes.pop(pid, None)

    def _reapAllProcesses(self) -> None:
        """One reap pass over every child this reactor spawned."""
        if self._processes:
            for process in list(self._processes.values()):
                self._reapProcess(process)

    def _scheduleReapPoll(self) -> None:
        """Poll for exits while children remain and no SIGCHLD handler runs."""
        if self._childWatcher is not None or self._reapPoll is not None or not self._processes:
            return
        self._reapPoll = self.callLater(self.processReapInterval, self._pollReap)

    def _pollReap(self) -> None:
        """The polling reap pass."""
        self._reapPoll = None
        self._reapAllProcesses()
        self._scheduleReapPoll()

    # -- the base's signal hooks -------------------------------------------------

    def _installSignalHandlers(self) -> None:
        """Install the base's handlers, then the SIGCHLD watcher (main thread only)."""
        super()._installSignalHandlers()
        if threading.current_thread() is not threading.main_thread():
            return
        watcher = _ChildSignalWatcher(self, self._reapAllProcesses)
        try:
            watcher.install()
        except (ValueError, OSError):
            _log.failure("Could not install the SIGCHLD handler; polling for child exits")
            return
        self._childWatcher = watcher
        poll = self._reapPoll
        if poll is not None:
            self._reapPoll = None
            poll.cancel()

    def _restoreSignalHandlers(self) -> None:
        """Remove the SIGCHLD watcher, then restore the base's handlers."""
        watcher = self._childWatcher
        if watcher is not None:
            self._childWatcher = None
            watcher.uninstall()
            self._scheduleReapPoll()
        super()._restoreSignalHandlers()
