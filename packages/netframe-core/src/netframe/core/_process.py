"""
Child processes for the POSIX reactors: the fork-safe spawn, the process
transport (L{Process}) and the pipe descriptors it owns.

Spawning never runs Python code in a forked copy of this process:

  - the child is started with C{os.posix_spawn} (C{vfork}-style in glibc), its
    descriptors laid out by spawn file actions (pipes, inherited descriptors,
    the pseudo-terminal, which becomes the controlling terminal of a new
    session), its signal mask cleared and ignored signals reset to default;
  - when C{path}, C{uid} or C{gid} is given (things C{posix_spawn} cannot do) a
    small trampoline is spawned instead: a fresh C{python -I -S} that changes
    directory and identity, then C{execvpe}s the program.  It reports a
    failure through a close-on-exec pipe before exiting.

Either way a failure to start the program (no such file, not executable,
bad directory, identity change refused) makes C{spawnProcess} raise
C{OSError}; the protocol is never connected.  A program that starts and then
fails ends with L{ProcessTerminated} as usual.

Implementation module; the public entry point is the reactor's
C{spawnProcess}.
"""

from __future__ import annotations

import errno
import fcntl
import os
import signal
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from zope.interface import implementer

from netframe.core import error
from netframe.core._writebuffer import _BufferedWriter
from netframe.core.failure import Failure
from netframe.core.interfaces import (
    IAddress,
    IConsumer,
    IProcessTransport,
    IPushProducer,
    IReadDescriptor,
    IWriteDescriptor,
)
from netframe.core.main import CONNECTION_DONE
from netframe.logger import Logger

_log = Logger()

__all__ = ["Process"]

#: The code the trampoline interpreter runs (argv layout: error descriptor,
#: directory, uid, gid, executable, environment size, environment entries,
#: arguments; empty strings mean "not given").
_TRAMPOLINE = """\
import os, sys
a = [os.fsencode(x) for x in sys.argv[1:]]
e = int(a[0])
try:
    os.set_inheritable(e, False)
    if a[1]:
        os.chdir(a[1])
    uid = int(a[2]) if a[2] else None
    gid = int(a[3]) if a[3] else None
    if uid is not None and uid != os.getuid() and os.geteuid() == 0:
        try:
            import pwd
            os.initgroups(pwd.getpwuid(uid).pw_name, gid if gid is not None else os.getgid())
        except KeyError:
            os.setgroups([gid if gid is not None else os.getgid()])
    if gid is not None and (gid != os.getgid() or gid != os.getegid()):
        os.setgid(gid)
    if uid is not None and (uid != os.getuid() or uid != os.geteuid()):
        os.setuid(uid)
    n = int(a[5])
    env = dict(x.split(b"=", 1) for x in a[6:6 + n])
    os.execvpe(a[4], a[6 + n:], env)
except BaseException as x:
    code = getattr(x, "errno", None) or 0
    text = getattr(x, "strerror", None) or str(x)
    name = getattr(x, "filename", None)
    name = b"" if name is None else os.fsencode(name)
    os.write(e, str(code).encode() + b"\\0" + text.encode("utf-8", "replace") + b"\\0" + name)
    os._exit(127)
"""


@implementer(IAddress)
class _ProcessAddress:
    """The address of either end of a process transport (it has none)."""

    def __eq__(self, other: object) -> bool:
        """All process addresses are equal."""
        return isinstance(other, _ProcessAddress)

    def __hash__(self) -> int:
        """Hash like every other process address."""
        return hash(_ProcessAddress)

    def __repr__(self) -> str:
        """Return C{"_ProcessAddress()"}."""
        return "_ProcessAddress()"


def _reasonFor(status: int | None) -> Failure:
    """
    Turn a raw wait status into the reason given to a process protocol.

    @param status: the status from C{waitpid}, or None if it was lost
        (someone else reaped the child).
    @return: a L{Failure} wrapping L{error.ProcessDone} (exit code 0, no
        signal) or L{error.ProcessTerminated}.
    """
    if status is None:
        return Failure(error.ProcessTerminated(None, None, None))
    exitCode = sig = None
    if os.WIFEXITED(status):
        exitCode = os.WEXITSTATUS(status)
    elif os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
    if exitCode or sig:
        return Failure(error.ProcessTerminated(exitCode, sig, status))
    return Failure(error.ProcessDone(status))


def _signalNumber(signalID: str | int) -> int:
    """
    Return the number of the signal named by C{signalID}.

    @param signalID: a name without the C{SIG} prefix (C{'KILL'}, C{'TERM'},
        C{'INT'}, C{'HUP'}, ...), with it, or a number.
    @raise ValueError: If the name or number is not a signal.
    @raise TypeError: If C{signalID} is neither a string nor an int.
    """
    if isinstance(signalID, bool) or not isinstance(signalID, (str, int)):
        raise TypeError(f"signalID must be a signal name or number, not {signalID!r}")
    if isinstance(signalID, str):
        name = signalID.upper()
        if not name.startswith("SIG"):
            name = "SIG" + name
        number = getattr(signal.Signals, name, None)
        if number is None or name.startswith("SIG_"):
            raise ValueError(f"unknown signal name {signalID!r}")
        return int(number)
    if signalID not in signal.valid_signals():
        raise ValueError(f"{signalID!r} is not a valid signal number")
    return signalID


def _fsbytes(value: object, what: str) -> bytes:
    """
    Return C{value} (str or bytes) as bytes for the operating system.

    @raise TypeError: If C{value} is neither str nor bytes.
    @raise ValueError: If it contains a NUL byte.
    """
    if isinstance(value, str):
        data = os.fsencode(value)
    elif isinstance(value, bytes):
        data = value
    else:
        raise TypeError(f"{what} must be str or bytes, not {type(value).__name__}")
    if b"\0" in data:
        raise ValueError(f"{what} contains a NUL byte: {value!r}")
    return data


def _checkArgs(executable: object, args: object) -> tuple[bytes, list[bytes]]:
    """
    Validate and encode the executable and the argument vector.

    An empty C{args} becomes C{[executable]}.

    @raise TypeError: If C{args} is a single string or holds non-strings.
    @raise ValueError: If any of them contains a NUL byte.
    """
    exe = _fsbytes(executable, "executable")
    if isinstance(args, (str, bytes)) or not isinstance(args, Sequence):
        raise TypeError(f"args must be a sequence of str or bytes, not {type(args).__name__}")
    argv = [_fsbytes(a, "argument") for a in args]
    if not argv:
        argv = [exe]
    return exe, argv


def _checkEnv(env: Mapping[Any, Any] | None) -> dict[bytes, bytes]:
    """
    Validate and encode the child's environment; None means ours.

    @raise TypeError: If C{env} is not a mapping of str or bytes.
    @raise ValueError: If a name is empty or contains C{=} or NUL.
    """
    if env is None:
        env = os.environb
    if not isinstance(env, Mapping):
        raise TypeError(f"env must be a mapping or None, not {type(env).__name__}")
    out: dict[bytes, bytes] = {}
    for key, value in env.items():
        k = _fsbytes(key, "environment variable name")
        if not k or b"=" in k:
            raise ValueError(f"invalid environment variable name {key!r}")
        out[k] = _fsbytes(value, f"environment variable {key!r}")
    return out


def _checkChildFDs(childFDs: Mapping[int, int | str] | None) -> dict[int, int | str]:
    """
    Validate a C{childFDs} map (None means the default stdin/stdout/stderr pipes).

    @raise TypeError: If a key or value has the wrong type.
    @raise ValueError: If a key is negative or a value is not 'r', 'w' or a
        non-negative descriptor number.
    """
    if childFDs is None:
        return {0: "w", 1: "r", 2: "r"}
    if not isinstance(childFDs, Mapping):
        raise TypeError(f"childFDs must be a mapping, not {type(childFDs).__name__}")
    out: dict[int, int | str] = {}
    for childFD, target in childFDs.items():
        if isinstance(childFD, bool) or not isinstance(childFD, int):
            raise TypeError(f"childFDs keys must be ints, not {childFD!r}")
        if childFD < 0:
            raise ValueError(f"childFDs key must be >= 0, not {childFD}")
        if isinstance(target, str):
            if target not in ("r", "w"):
                raise ValueError(f"childFDs[{childFD}] must be 'r', 'w' or an int, not {target!r}")
        elif isinstance(target, bool) or not isinstance(target, int):
            raise TypeError(f"childFDs[{childFD}] must be 'r', 'w' or an int, not {target!r}")
        elif target < 0:
            raise ValueError(f"childFDs[{childFD}] must be a descriptor >= 0, not {target}")
        out[childFD] = target
    return out


def _asAny(value: object) -> Any:
    """Return C{value} untyped (C{os.get_exec_path} takes bytes keys too)."""
    return value


def _checkData(data: object) -> None:
    """
    Check that C{data} may be written to a pipe.

    @raise TypeError: If C{data} is not bytes-like (for example str).
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"Data must be bytes, not {type(data).__name__}")


def _openDescriptors() -> list[int]:
    """Return the descriptors open in this process (best effort)."""
    for directory in ("/proc/self/fd", "/dev/fd"):
        try:
            return [int(name) for name in os.listdir(directory)]
        except (OSError, ValueError):
            continue
    return list(range(3, 256))  # pragma: no cover - no /proc, no /dev/fd


def _defaultedSignals() -> list[int]:
    """Return the signals to reset to their default action in the child."""
    keep = {signal.SIGKILL, signal.SIGSTOP}
    return [s for s in signal.valid_signals() if s not in keep and s < signal.NSIG]


def _spawn(
    executable: bytes,
    argv: list[bytes],
    env: dict[bytes, bytes],
    path: bytes | None,
    uid: int | None,
    gid: int | None,
    layout: dict[int, int],
    ttyName: bytes | None,
) -> int:
    """
    Start the child and return its pid.

    @param layout: child descriptor -> parent descriptor to give it there.
    @param ttyName: the pseudo-terminal slave to open as descriptors 0-2 in a
        new session (making it the controlling terminal), or None.
    @raise OSError: If the program cannot be started (the error of the last
        C{PATH} entry tried, as C{execvpe} reports it).
    """
    targets = set(layout)
    if ttyName is not None:
        targets |= {0, 1, 2}
    trampoline = path is not None or uid is not None or gid is not None
    base = max(targets | {2}) + 1
    errTarget = base
    if trampoline:
        base += 1
    # Sources are moved above every target so no dup2 clobbers another source.
    temps: list[int] = []
    errRead = -1
    try:
        actions: list[tuple[Any, ...]] = []
        for fd in _openDescriptors():
            if fd not in targets:
                try:
                    if os.get_inheritable(fd):
                        actions.append((os.POSIX_SPAWN_CLOSE, fd))
                except OSError:
                    continue
        if ttyName is not None:
            actions.append((os.POSIX_SPAWN_OPEN, 0, ttyName, os.O_RDWR, 0))
            actions.append((os.POSIX_SPAWN_DUP2, 0, 1))
            actions.append((os.POSIX_SPAWN_DUP2, 0, 2))
        for childFD, source in sorted(layout.items()):
            try:
                temp = fcntl.fcntl(source, fcntl.F_DUPFD_CLOEXEC, base)
            except OSError as e:
                raise OSError(
                    e.errno, f"childFDs[{childFD}]: parent descriptor {source} is not open"
                ) from None
            temps.append(temp)
            actions.append((os.POSIX_SPAWN_DUP2, temp, childFD))
        kw: dict[str, Any] = {
            "file_actions": actions,
            "setsid": ttyName is not None,
            "setsigmask": (),
            "setsigdef": _defaultedSignals(),
        }
        if not trampoline:
            return _spawnDirect(executable, argv, env, kw)
        errRead, errWrite = os.pipe()
        temps.append(errWrite)
        temp = fcntl.fcntl(errWrite, fcntl.F_DUPFD_CLOEXEC, base)
        temps.append(temp)
        actions.append((os.POSIX_SPAWN_DUP2, temp, errTarget))
        pid = _spawnTrampoline(executable, argv, env, path, uid, gid, errTarget, kw)
    except BaseException:
        if errRead >= 0:
            os.close(errRead)
        raise
    finally:
        for fd in temps:
            os.close(fd)
    # Our copies of the write end are closed: EOF means "exec succeeded".
    try:
        _checkTrampoline(pid, errRead, executable)
    finally:
        os.close(errRead)
    return pid


def _spawnDirect(
    executable: bytes, argv: list[bytes], env: dict[bytes, bytes], kw: dict[str, Any]
) -> int:
    """
    C{posix_spawn} the program, searching the child's C{PATH} like C{execvpe}.

    @raise OSError: If no candidate could be executed.
    """
    if b"/" in executable:
        candidates = [executable]
    else:
        candidates = [
            os.path.join(os.fsencode(d), executable) for d in os.get_exec_path(_asAny(env))
        ]
    saved: OSError | None = None
    last: OSError | None = None
    for candidate in candidates:
        try:
            return os.posix_spawn(candidate, argv, env, **kw)
        except OSError as e:
            if e.errno not in (errno.ENOENT, errno.ENOTDIR, errno.EACCES):
                raise
            if e.errno == errno.EACCES and saved is None:
                saved = e
            last = e
    err = saved or last
    if err is None:
        err = FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT))
    err.filename = os.fsdecode(executable)
    raise err


def _spawnTrampoline(
    executable: bytes,
    argv: list[bytes],
    env: dict[bytes, bytes],
    path: bytes | None,
    uid: int | None,
    gid: int | None,
    errTarget: int,
    kw: dict[str, Any],
) -> int:
    """
    Spawn the trampoline interpreter that will chdir, switch identity and exec.

    @return: the pid (the trampoline's, which becomes the program's).
    @raise OSError: If the interpreter itself cannot be spawned.
    """
    python = sys.executable
    if not python:
        raise OSError(errno.ENOENT, "cannot use path/uid/gid: sys.executable is unknown")
    envEntries = [k + b"=" + v for k, v in env.items()]
    trampolineArgv = [
        os.fsencode(python),
        b"-I",
        b"-S",
        b"-c",
        _TRAMPOLINE.encode(),
        str(errTarget).encode(),
        path or b"",
        b"" if uid is None else str(uid).encode(),
        b"" if gid is None else str(gid).encode(),
        executable,
        str(len(envEntries)).encode(),
        *envEntries,
        *argv,
    ]
    return os.posix_spawn(python, trampolineArgv, {}, **kw)


def _checkTrampoline(pid: int, errRead: int, executable: bytes) -> None:
    """
    Wait until the trampoline exec'd the program (end of file on its error
    pipe) or reported a failure (then collect it and raise).

    @raise OSError: The trampoline's error (chdir, identity change, exec).
    """
    chunks = []
    while True:
        chunk = os.read(errRead, 4096)
        if not chunk:
            break
        chunks.append(chunk)
    report = b"".join(chunks)
    if not report:
        return
    os.waitpid(pid, 0)
    code, _, rest = report.partition(b"\0")
    message, _, filename = rest.partition(b"\0")
    try:
        errnum = int(code)
    except ValueError:
        errnum = 0
    text = message.decode("utf-8", "replace")
    if errnum:
        if filename:
            raise OSError(errnum, text, os.fsdecode(filename))
        raise OSError(errnum, text)
    raise OSError(errno.EINVAL, f"could not start {os.fsdecode(executable)!r}: {text}")


@implementer(IReadDescriptor)
class _ProcessReader:
    """
    Our end of a pipe the child writes to (a childFDs C{"r"} entry, or the
    pseudo-terminal master).

    @ivar readSize: bytes asked of C{read} per readiness event.
    """

    readSize = 65536

    def __init__(self, reactor: Any, process: Process, childFD: int, fd: int) -> None:
        """Wrap the non-blocking descriptor C{fd} for child descriptor C{childFD}."""
        self.reactor = reactor
        self.process = process
        self.childFD = childFD
        self._fd = fd
        self.disconnecting = False
        self.disconnected = False

    def fileno(self) -> int:
        """Return the descriptor, or -1 once closed."""
        return -1 if self.disconnected else self._fd

    def logPrefix(self) -> str:
        """Return the log prefix of the owning process."""
        return self.process.logPrefix()

    def doRead(self) -> Any:
        """
        Read what the child wrote and hand it to the process protocol.

        @return: None, or the reason to close (end of file, or EIO from a
            pseudo-terminal whose child has gone).
        """
        try:
            data = os.read(self._fd, self.readSize)
        except (BlockingIOError, InterruptedError):
            return None
        except OSError as e:
            if e.errno == errno.EIO:
                return CONNECTION_DONE
            return Failure(error.ConnectionLost(e.strerror or str(e)))
        if not data:
            return CONNECTION_DONE
        self.process._childDataReceived(self.childFD, data)
        return None

    def startReading(self) -> None:
        """Watch the pipe for data."""
        if not self.disconnected and not self.disconnecting:
            self.reactor.addReader(self)

    def stopReading(self) -> None:
        """Stop watching the pipe for data."""
        self.reactor.removeReader(self)

    def loseConnection(self) -> None:
        """Stop reading and close the pipe on the next loop pass."""
        if self.disconnecting or self.disconnected:
            return
        self.disconnecting = True
        self.stopReading()
        self.reactor.callLater(0, self.connectionLost, Failure(CONNECTION_DONE))

    def connectionLost(self, reason: Failure) -> None:
        """Close the descriptor and tell the process, exactly once."""
        if self.disconnected:
            return
        self.disconnected = True
        self.stopReading()
        self.reactor._untrack(self)
        os.close(self._fd)
        self.process._childConnectionLost(self.childFD, reason)

    def __repr__(self) -> str:
        """Return a short description naming the child descriptor."""
        return f"<{type(self).__name__} childFD={self.childFD} fd={self._fd}>"


@implementer(IWriteDescriptor, IReadDescriptor, IConsumer)
class _ProcessWriter(_BufferedWriter):
    """
    Our end of a pipe the child reads from (a childFDs C{"w"} entry).

    Writes are buffered like a TCP transport's (L{_BufferedWriter}: the same water
    marks and producer bookkeeping).  The descriptor is also watched for
    readability: a pipe's write end only becomes "readable" when the child closed
    its end, which is how that is noticed.
    """

    def __init__(
        self, reactor: Any, process: Process, childFD: int, fd: int, watchClose: bool = True
    ) -> None:
        """
        Wrap the non-blocking descriptor C{fd} for child descriptor C{childFD}.

        @param watchClose: watch the descriptor for readability to notice the
            child closing its end (not for a pseudo-terminal master, which is
            readable whenever the child writes).
        """
        self.reactor = reactor
        self.process = process
        self.childFD = childFD
        self._fd = fd
        self._watchClose = watchClose
        self._initWriteBuffer()
        self.disconnecting = False
        self.disconnected = False

    def fileno(self) -> int:
        """Return the descriptor, or -1 once closed."""
        return -1 if self.disconnected else self._fd

    def logPrefix(self) -> str:
        """Return the log prefix of the owning process."""
        return self.process.logPrefix()

    def startWatching(self) -> None:
        """Start noticing the child closing its end (see the class docstring)."""
        if self._watchClose:
            self.reactor.addReader(self)

    def doRead(self) -> Any:
        """
        The child closed its end of the pipe (or the pipe failed).

        @return: L{CONNECTION_DONE}, closing this end.
        """
        return CONNECTION_DONE

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """
        Queue C{data} for the child, writing at once when nothing is buffered.

        Data written once the pipe is closing or closed is discarded.

        @param data: The bytes; a C{bytearray} or C{memoryview} is copied first.
        @raise TypeError: If C{data} is not bytes-like.
        """
        if type(data) is not bytes:
            _checkData(data)
            data = bytes(data)
        if not data or self.disconnecting or self.disconnected:
            return
        if not self._bufSize:
            try:
                n = os.write(self._fd, data)
            except OSError:
                # Would block, or failed: doWrite meets a real error again and
                # closes, from the loop.
                n = 0
            if n == len(data):
                return
            if n:
                data = data[n:]
        self._buffer(data)

    def doWrite(self) -> Any:
        """
        Write buffered data; manage the producer and a pending close.

        @return: None, or the reason to close.
        """
        fd = self._fd
        failed, drained = self._drainAndPace(lambda data: os.write(fd, data))
        if not drained:
            return failed
        if self.disconnecting:
            return CONNECTION_DONE
        self.reactor.removeWriter(self)
        return None

    def unregisterProducer(self) -> None:
        """Forget the producer; a pending close may now complete."""
        self.producer = None
        self.producerPaused = False
        if self.disconnecting and not self.disconnected:
            self.reactor.addWriter(self)

    def loseConnection(self) -> None:
        """Close the pipe once the buffer drained and the producer is unregistered."""
        if self.disconnecting or self.disconnected:
            return
        self.disconnecting = True
        self.reactor.addWriter(self)

    def connectionLost(self, reason: Failure) -> None:
        """Close the descriptor, stop the producer and tell the process, once."""
        if self.disconnected:
            return
        self.disconnected = True
        self.reactor.removeReader(self)
        self.reactor.removeWriter(self)
        self.reactor._untrack(self)
        self._discardWrites()
        os.close(self._fd)
        self.process._childConnectionLost(self.childFD, reason)

    def __repr__(self) -> str:
        """Return a short description naming the child descriptor."""
        return f"<{type(self).__name__} childFD={self.childFD} fd={self._fd}>"


@implementer(IProcessTransport, IConsumer, IPushProducer)
class Process:
    """
    A running child process: the transport given to its process protocol.

    @ivar pid: the child's process ID, or None once it has been reaped.
    @ivar status: the raw wait status once reaped, else None.
    @ivar pipes: child descriptor -> our open end of its pipe.
    @ivar proto: the process protocol.
    @ivar usePTY: whether the child runs on a pseudo-terminal.
    """

    pid: int | None

    def __init__(
        self,
        reactor: Any,
        executable: Any,
        args: Any,
        env: Any,
        path: Any,
        proto: Any,
        uid: int | None = None,
        gid: int | None = None,
        childFDs: Mapping[int, int | str] | None = None,
        usePTY: Any = False,
    ) -> None:
        """
        Start the child, watch its pipes, register it for reaping, then call
        C{proto.makeConnection(self)}.

        Arguments are those of L{IReactorProcess.spawnProcess}.

        @raise OSError: If pipes cannot be made or the program cannot start.
        @raise TypeError: If an argument has the wrong type.
        @raise ValueError: If an argument has a bad value.
        """
        exe, argv = _checkArgs(executable, args)
        environment = _checkEnv(env)
        cwd = None if path is None else _fsbytes(path, "path")
        for name, ident in (("uid", uid), ("gid", gid)):
            if ident is not None and (isinstance(ident, bool) or not isinstance(ident, int)):
                raise TypeError(f"{name} must be an int or None, not {ident!r}")
        self.reactor = reactor
        self.proto = proto
        self.pid = None
        self.status: int | None = None
        self.pipes: dict[int, _ProcessReader | _ProcessWriter] = {}
        self.usePTY = bool(usePTY)
        self.lostProcess = False
        self._ended = False
        if usePTY:
            self._startPTY(exe, argv, environment, cwd, uid, gid, usePTY)
        else:
            self._startPipes(exe, argv, environment, cwd, uid, gid, _checkChildFDs(childFDs))
        for pipe in self.pipes.values():
            reactor._track(pipe)
            if isinstance(pipe, _ProcessReader):
                pipe.startReading()
            else:
                pipe.startWatching()
        reactor._registerProcess(self)
        try:
            proto.makeConnection(self)
        except BaseException:
            _log.failure("Error in connectionMade of {protocol!r}", Failure(), protocol=proto)

    def _startPipes(
        self,
        exe: bytes,
        argv: list[bytes],
        env: dict[bytes, bytes],
        cwd: bytes | None,
        uid: int | None,
        gid: int | None,
        childFDs: dict[int, int | str],
    ) -> None:
        """Make the pipes named by C{childFDs} and spawn the child on them."""
        ours: dict[int, tuple[int, str]] = {}
        theirs: list[int] = []
        layout: dict[int, int] = {}
        try:
            for childFD, target in sorted(childFDs.items()):
                if target == "r":
                    r, w = os.pipe()
                    ours[childFD] = (r, "r")
                    theirs.append(w)
                    layout[childFD] = w
                elif target == "w":
                    r, w = os.pipe()
                    ours[childFD] = (w, "w")
                    theirs.append(r)
                    layout[childFD] = r
                else:
                    assert isinstance(target, int)
                    layout[childFD] = target
            self.pid = _spawn(exe, argv, env, cwd, uid, gid, layout, None)
        except BaseException:
            for fd, _ in ours.values():
                os.close(fd)
            raise
        finally:
            for fd in theirs:
                os.close(fd)
        for childFD, (fd, kind) in ours.items():
            os.set_blocking(fd, False)
            if kind == "r":
                self.pipes[childFD] = _ProcessReader(self.reactor, self, childFD, fd)
            else:
                self.pipes[childFD] = _ProcessWriter(self.reactor, self, childFD, fd)

    def _startPTY(
        self,
        exe: bytes,
        argv: list[bytes],
        env: dict[bytes, bytes],
        cwd: bytes | None,
        uid: int | None,
        gid: int | None,
        usePTY: Any,
    ) -> None:
        """Open (or take) a pseudo-terminal and spawn the child on its slave side."""
        if isinstance(usePTY, tuple):
            if len(usePTY) != 3:
                raise ValueError("usePTY must be a bool or a (master, slave, ttyname) tuple")
            master, slave, ttyName = usePTY
            ttyBytes = _fsbytes(ttyName, "ttyname")
        else:
            master, slave = os.openpty()
            ttyBytes = os.fsencode(os.ttyname(slave))
        writeFd = -1
        try:
            self.pid = _spawn(exe, argv, env, cwd, uid, gid, {}, ttyBytes)
            writeFd = os.dup(master)
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)
        os.set_blocking(master, False)
        self.pipes[1] = _ProcessReader(self.reactor, self, 1, master)
        self.pipes[0] = _ProcessWriter(self.reactor, self, 0, writeFd, watchClose=False)

    # -- events from the pipes and the reaper ----------------------------

    def _childDataReceived(self, childFD: int, data: bytes) -> None:
        """Deliver data read from child descriptor C{childFD}."""
        self.proto.childDataReceived(childFD, data)

    def _childConnectionLost(self, childFD: int, reason: Failure) -> None:
        """A pipe closed: tell the protocol, then maybe end the process."""
        if self.pipes.pop(childFD, None) is None:
            return
        try:
            self.proto.childConnectionLost(childFD)
        except BaseException:
            _log.failure(
                "Error in childConnectionLost of {protocol!r}", Failure(), protocol=self.proto
            )
        if self.usePTY and childFD == 1:
            writer = self.pipes.get(0)
            if writer is not None:
                writer.connectionLost(reason)
                return
        self._maybeCallProcessEnded()

    def _processExited(self, status: int | None) -> None:
        """
        The reaper collected the child: call C{processExited}, maybe C{processEnded}.

        @param status: the raw wait status, or None if it was lost.
        """
        self.status = status
        self.pid = None
        self.lostProcess = True
        try:
            self.proto.processExited(_reasonFor(status))
        except BaseException:
            _log.failure("Error in processExited of {protocol!r}", Failure(), protocol=self.proto)
        self._maybeCallProcessEnded()

    def _maybeCallProcessEnded(self) -> None:
        """Call C{processEnded} once every pipe is closed and the child reaped."""
        if self.pipes or self._ended:
            return
        if not self.lostProcess:
            # The child probably exited: try to collect it now.
            self.reactor._reapProcess(self)
            return
        self._ended = True
        try:
            self.proto.processEnded(_reasonFor(self.status))
        except BaseException:
            _log.failure("Error in processEnded of {protocol!r}", Failure(), protocol=self.proto)

    # -- IProcessTransport -------------------------------------------------

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """
        Queue C{data} for the child's standard input (descriptor 0).

        Discarded once stdin is closed, as on any closed transport.

        @param data: The bytes; a C{bytearray} or C{memoryview} is copied first.
        @raise TypeError: If C{data} is not bytes-like.
        """
        pipe = self.pipes.get(0)
        if isinstance(pipe, _ProcessWriter):
            pipe.write(data)
        else:
            _checkData(data)

    def writeSequence(self, seq: Sequence[bytes]) -> None:
        """
        Queue the concatenation of C{seq} for the child's standard input.

        @raise TypeError: If an element is not bytes.
        """
        self.write(b"".join(seq))

    def writeToChild(self, childFD: int, data: bytes | bytearray | memoryview) -> None:
        """
        Queue C{data} for child descriptor C{childFD} (a C{"w"} pipe).

        @param childFD: The child's descriptor number.
        @param data: The bytes; a C{bytearray} or C{memoryview} is copied first.
        @raise KeyError: If C{childFD} is not an open pipe the child reads.
        @raise TypeError: If C{data} is not bytes-like.
        """
        pipe = self.pipes.get(childFD)
        if not isinstance(pipe, _ProcessWriter):
            raise KeyError(childFD)
        pipe.write(data)

    def closeChildFD(self, childFD: int) -> None:
        """
        Close our end of the pipe to child descriptor C{childFD}.

        An input pipe closes once its buffered data is written (the child then
        reads end of file); an output pipe closes on the next loop pass.
        C{childConnectionLost(childFD)} follows.  Unknown or already closed
        descriptors are ignored.
        """
        pipe = self.pipes.get(childFD)
        if pipe is not None:
            pipe.loseConnection()

    def closeStdin(self) -> None:
        """
        Close the child's standard input once queued data is written.

        On a pseudo-terminal this only stops our writing: a terminal has no
        end of file, write the terminal's EOF character (usually C{b"\\x04"})
        instead.
        """
        self.closeChildFD(0)

    def closeStdout(self) -> None:
        """Close our end of the child's standard output (it may get SIGPIPE)."""
        if not self.usePTY:
            self.closeChildFD(1)

    def closeStderr(self) -> None:
        """Close our end of the child's standard error (it may get SIGPIPE)."""
        if not self.usePTY:
            self.closeChildFD(2)

    def loseConnection(self) -> None:
        """Close stdin (after queued data), stderr and stdout; the child is not killed."""
        self.closeChildFD(0)
        self.closeChildFD(2)
        self.closeChildFD(1)

    def signalProcess(self, signalID: str | int) -> None:
        """
        Send a signal to the child.

        @param signalID: C{'KILL'}, C{'TERM'}, C{'INT'}, C{'HUP'} (any name,
            with or without C{SIG}) or a signal number.
        @raise ProcessExitedAlready: If the child has been reaped.
        @raise ValueError: If C{signalID} names no signal.
        @raise TypeError: If C{signalID} is neither a string nor an int.
        """
        number = _signalNumber(signalID)
        pid = self.pid
        if pid is None:
            raise error.ProcessExitedAlready(f"process already exited (signal {signalID!r})")
        try:
            os.kill(pid, number)
        except ProcessLookupError:
            raise error.ProcessExitedAlready(f"process {pid} no longer exists") from None

    def getHost(self) -> _ProcessAddress:
        """Return the (meaningless) local address of a process transport."""
        return _ProcessAddress()

    def getPeer(self) -> _ProcessAddress:
        """Return the (meaningless) remote address of a process transport."""
        return _ProcessAddress()

    # -- IConsumer (standard input) -----------------------------------------

    def registerProducer(self, producer: Any, streaming: bool) -> None:
        """
        Register a producer writing to the child's standard input.

        If stdin is already closed the producer is stopped at once.

        @param streaming: True for a push producer, False for a pull producer.
        @raise RuntimeError: If another producer is registered.
        """
        pipe = self.pipes.get(0)
        if isinstance(pipe, _ProcessWriter):
            pipe.registerProducer(producer, streaming)
        else:
            producer.stopProducing()

    def unregisterProducer(self) -> None:
        """Forget the producer of standard input."""
        pipe = self.pipes.get(0)
        if isinstance(pipe, _ProcessWriter):
            pipe.unregisterProducer()

    # -- IPushProducer (the child's output) ----------------------------------

    def pauseProducing(self) -> None:
        """Stop reading the child's output pipes until L{resumeProducing}."""
        for pipe in self.pipes.values():
            if isinstance(pipe, _ProcessReader):
                pipe.stopReading()

    def resumeProducing(self) -> None:
        """Read the child's output pipes again."""
        for pipe in self.pipes.values():
            if isinstance(pipe, _ProcessReader):
                pipe.startReading()

    def stopProducing(self) -> None:
        """Close every pipe (as L{loseConnection})."""
        self.loseConnection()

    def logPrefix(self) -> str:
        """Return the protocol's log prefix (its class name by default)."""
        logPrefix = getattr(self.proto, "logPrefix", None)
        return logPrefix() if callable(logPrefix) else type(self.proto).__name__

    def __repr__(self) -> str:
        """Return a short description naming the pid and the protocol."""
        return f"<{type(self).__name__} pid={self.pid} {type(self.proto).__name__}>"
