"""
The steps netframe-twistd takes to run an application, as an object.

L{TwistdRunner} turns parsed L{ServerOptions} into a run: check the
pidfile, load the application, start logging, set up the process (chroot,
run directory, daemonize, umask, pidfile), bind (C{privilegedStartService}),
drop privileges, run the reactor, and shut down. Everything that touches the
process (forking, ids, signals, the reactor, logging) is injected, so the
steps are unit-tested with fakes.

Private module of netframe-app (used by L{netframe.app.twistd}).
"""

from __future__ import annotations

import importlib
import os
import pwd
import signal
import sys
import traceback
from collections.abc import Callable, Mapping, MutableMapping
from typing import IO, Any

from netframe.app._pidfile import AlreadyRunningError, PidFile, PidfileError
from netframe.app._sdnotify import SystemdNotifier
from netframe.app._service import (
    Application,
    IProcess,
    IService,
    NoApplicationError,
    loadApplication,
)
from netframe.app._twistdlog import LogTarget
from netframe.app._twistdoptions import PROGRAM
from netframe.app._version import __version__
from netframe.app._workers import (
    WORKER_PIPE_ENV,
    ParentWatch,
    WorkerError,
    WorkerPool,
    adoptSharedSockets,
    bindSharedSockets,
    streamServers,
    workerDescriptors,
)
from netframe.core.defer import Deferred, maybeDeferred
from netframe.core.failure import Failure
from netframe.core.task import LoopingCall
from netframe.logger import Logger, globalLogBeginner

__all__ = ["MAX_EXIT_STATUS", "PosixSystem", "StartupError", "TwistdRunner", "stopWithStatus"]

_log = Logger(namespace="netframe.app.twistd")

MAX_EXIT_STATUS = 255
"""The largest exit status L{stopWithStatus} accepts (a POSIX process reports 8 bits)."""


class StartupError(Exception):
    """
    The application cannot be started; the message says why (shown to the
    user without a traceback).
    """


class _StartupStopped(Exception):
    """
    Raised by L{TwistdRunner.run} between start-up steps when L{stopWithStatus}
    was called before the reactor ran (while loading the application or
    binding, say).
    """


class _DaemonParentExit(Exception):
    """Raised in the original process once the daemon reported its startup."""

    def __init__(self, code: int, message: str) -> None:
        """Remember the exit code and the daemon's error message."""
        super().__init__(code, message)
        self.code = code
        self.message = message


class PosixSystem:
    """
    The process operations netframe-twistd uses (the real ones); tests pass
    a fake with the same methods.
    """

    fork = staticmethod(os.fork)
    setsid = staticmethod(os.setsid)
    chdir = staticmethod(os.chdir)
    chroot = staticmethod(os.chroot)
    umask = staticmethod(os.umask)
    getuid = staticmethod(os.getuid)
    getgid = staticmethod(os.getgid)
    setuid = staticmethod(os.setuid)
    setgid = staticmethod(os.setgid)
    setgroups = staticmethod(os.setgroups)
    getgrouplist = staticmethod(os.getgrouplist)
    getpid = staticmethod(os.getpid)
    kill = staticmethod(os.kill)
    pipe = staticmethod(os.pipe)
    read = staticmethod(os.read)
    write = staticmethod(os.write)
    close = staticmethod(os.close)
    waitpid = staticmethod(os.waitpid)
    exit = staticmethod(os._exit)

    @staticmethod
    def getpwuid(uid: int) -> Any:
        """Return the passwd entry of C{uid} (KeyError if none)."""
        return pwd.getpwuid(uid)

    @staticmethod
    def redirectStandardIO() -> None:
        """Point file descriptors 0, 1 and 2 at /dev/null."""
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        if null > 2:
            os.close(null)


class TwistdRunner:
    """
    Runs one application as netframe-twistd's options say.

    @cvar maxStartupMessage: the most bytes the daemonizing parent reads
        from the daemon's startup report (longer error messages are cut).
    @ivar config: the parsed options.
    @ivar application: the application, once loaded.
    @ivar exitCode: the process exit status once L{run} returned.
    @ivar isDaemonParent: whether this process is the original parent of a
        daemon (it must exit at once, without running anything else).
    @ivar pool: with C{--workers}, in the parent: the L{WorkerPool}.
    """

    maxStartupMessage = 65536

    def __init__(
        self,
        config: Any,
        *,
        stdout: IO[str] | None = None,
        stderr: IO[str] | None = None,
        environ: Mapping[str, str] | None = None,
        system: Any = None,
        reactor: Any = None,
        logBeginner: Any = None,
        installSignal: Callable[[int, Any], Any] | None = None,
        syslogModule: Any = None,
    ) -> None:
        """
        @param config: the parsed L{ServerOptions}.
        @param stdout: standard output (default C{sys.stdout}).
        @param stderr: where user-facing errors go (default C{sys.stderr}).
        @param environ: the environment (default C{os.environ}).
        @param system: the process operations (default L{PosixSystem}).
        @param reactor: the reactor (default: the global one, installed when
            first needed, after the application was loaded).
        @param logBeginner: the log beginner (default C{globalLogBeginner}).
        @param installSignal: C{signal.signal}-like (default C{signal.signal}).
        @param syslogModule: the C{syslog} module for C{--syslog}.
        """
        self.config = config
        self._stdout = sys.stdout if stdout is None else stdout
        self._stderr = sys.stderr if stderr is None else stderr
        self._environ = os.environ if environ is None else environ
        self._system = PosixSystem() if system is None else system
        self._reactor = reactor
        self._logBeginner = globalLogBeginner if logBeginner is None else logBeginner
        self._installSignal = signal.signal if installSignal is None else installSignal
        self._syslogModule = syslogModule
        self.application: Any = None
        self.exitCode = 0
        self.isDaemonParent = False
        self.logTarget: LogTarget | None = None
        self._pendingLog: list[tuple[str, dict[str, Any]]] = []
        self._pidfile: PidFile | None = None
        self._reportFd: int | None = None
        self._notifier: SystemdNotifier | None = None
        self._watchdog: LoopingCall | None = None
        self._oldHup: Any = None
        self._earlySignal: int | None = None
        self._reactorRunning = False
        self._stopping = False
        self._earlyHandlers: dict[int, Any] = {}
        self._logging = False
        self._workerFds: list[int] | None = None
        self._startDirectory: str | None = None
        self.pool: WorkerPool | None = None
        self._started = False
        self._startupStop: tuple[int, str | None] | None = None

    @property
    def isWorker(self) -> bool:
        """Whether this process is a C{--workers} worker (started by a parent)."""
        return self._workerFds is not None

    def _readWorkerEnvironment(self) -> None:
        """
        Find out whether this process is a worker; if so, let C{systemd:}
        descriptions parse here (their sockets come from the parent).

        @raise StartupError: If the worker variables are malformed.
        """
        try:
            self._workerFds = workerDescriptors(self._environ)
        except WorkerError as e:
            raise StartupError(str(e)) from None
        environ = self._environ
        if self.isWorker and "LISTEN_FDS" in environ and isinstance(environ, MutableMapping):
            environ["LISTEN_PID"] = str(self._system.getpid())

    # -- the whole run ------------------------------------------------------

    def run(self) -> int:
        """
        Run the application until it stops.

        While it runs, this runner is the one L{stopWithStatus} reaches (the
        previous one, if any, is current again once it returns).

        @return: the exit status: 0 after a clean run; 1 when the
            application could not be loaded or started (the reason is
            written to stderr, or reported to the waiting parent when
            daemonized, and logged); the status given to L{stopWithStatus}
            when the application called it (the first non-zero status
            requested wins).
        """
        global _currentRunner
        previous, _currentRunner = _currentRunner, self
        try:
            return self._run()
        finally:
            _currentRunner = previous

    def _run(self) -> int:
        """The steps of L{run}; return the exit status."""
        try:
            if self.config["kill"]:
                return self.kill()
            for step in (
                self._readWorkerEnvironment,
                self.checkPidfile,
                self.loadApplication,
                self.startLogging,
                self.setupEnvironment,
                self.privilegedStart,
                self.dropPrivileges,
                self.prepareReactor,
            ):
                step()
                if self._startupStop is not None:
                    raise _StartupStopped()
        except _DaemonParentExit as e:
            self.isDaemonParent = True
            if e.message:
                self._stderr.write(f"{PROGRAM}: {e.message}\n")
                self._stderr.flush()
            self.exitCode = e.code
            return e.code
        except StartupError as e:
            self._startupFailed(str(e))
            self._cleanup()
            return self.exitCode
        except _StartupStopped:
            self._failStartupStop()
            self._cleanup()
            return self.exitCode
        self.runReactor()
        _log.info("Server Shut Down.")
        self._cleanup()
        return self.exitCode

    def _recordStatus(self, status: int) -> None:
        """
        Record the exit status C{status}: the first non-zero status recorded
        is kept (a later one, often a consequence of the first, does not
        replace it), and 0 never replaces a failure.
        """
        if self.exitCode == 0:
            self.exitCode = status

    def _requestStop(self, status: int, reason: str | None) -> None:
        """
        L{stopWithStatus} reached this runner: record C{status}; stop the
        reactor if the application has started, or else fail the start-up
        at the next step (before the reactor runs) or once C{startService}
        returned.
        """
        self._recordStatus(status)
        if self._started:
            self._stopReactor()
        elif self._startupStop is None:
            self._startupStop = (status, reason)

    def _stopReactor(self) -> None:
        """Stop the reactor (once; a reactor that is not running is left alone)."""
        if self._stopping:
            return
        self._stopping = True
        try:
            self.reactor.stop()
        except RuntimeError:
            pass

    def _failStartupStop(self) -> None:
        """
        Report a L{stopWithStatus} made before the application started as a
        start-up failure with the status given (its reason was logged by
        L{stopWithStatus}, so it is not logged again).
        """
        assert self._startupStop is not None
        status, reason = self._startupStop
        if reason is None:
            message = f"the application stopped during start-up with exit status {status}"
        else:
            message = reason
        self._startupFailed(message, status, log=reason is None and status != 0)

    def _startupFailed(self, message: str, status: int = 1, log: bool = True) -> None:
        """
        Report a startup failure everywhere it must be seen.

        @param message: why, for the user.
        @param status: the exit status to record (L{_recordStatus}).
        @param log: whether to log C{message} (at critical level).
        """
        self._recordStatus(status)
        if log and self._logging:
            _log.critical("Cannot start: {message}", message=message)
        if self._reportFd is not None:
            encoded = message.encode("utf-8", "replace")
            if self.exitCode == 1:
                self._report(b"ERR " + encoded)
            else:
                self._report(b"EXIT %d " % self.exitCode + encoded)
        else:
            self._stderr.write(f"{PROGRAM}: {message}\n")
            self._stderr.flush()

    def _report(self, data: bytes) -> None:
        """Tell the waiting parent how startup went (once)."""
        fd, self._reportFd = self._reportFd, None
        if fd is None:
            return
        try:
            self._system.write(fd, data[: self.maxStartupMessage])
        except OSError:
            pass
        finally:
            self._system.close(fd)

    def _cleanup(self) -> None:
        """Release the pidfile and the notification socket; flush the log."""
        if self._pidfile is not None:
            self._pidfile.release()
            self._pidfile = None
        if self._notifier is not None:
            self._notifier.close()
        for signum, original in self._earlyHandlers.items():
            try:
                self._installSignal(signum, original)
            except (ValueError, OSError, TypeError):
                pass
        self._earlyHandlers.clear()
        if self._oldHup is not None:
            try:
                self._installSignal(signal.SIGHUP, self._oldHup)
            except (ValueError, OSError, TypeError):
                pass
            self._oldHup = None
        if self.logTarget is not None:
            self.logTarget.flush()

    # -- --kill -------------------------------------------------------------

    def kill(self) -> int:
        """
        Send SIGTERM to the server holding the pidfile.

        @return: 0 when signalled, 1 (with a message on stderr) when there is
            no pidfile, it is stale, or the signal cannot be sent.
        """
        path = self.config["pidfile"]
        if not path:
            self._stderr.write(f"{PROGRAM}: --kill needs a pidfile (--pidfile is empty)\n")
            return 1
        try:
            status = PidFile(path).status()
        except PidfileError as e:
            self._stderr.write(f"{PROGRAM}: {e}\n")
            return 1
        if not status.exists:
            self._stderr.write(f"{PROGRAM}: no pidfile {path}: no server to stop\n")
            return 1
        if not status.live or status.pid is None:
            self._stderr.write(
                f"{PROGRAM}: pidfile {path} is stale ({status.reason}): no server to stop\n"
            )
            return 1
        try:
            self._system.kill(status.pid, signal.SIGTERM)
        except OSError as e:
            self._stderr.write(f"{PROGRAM}: cannot signal PID {status.pid}: {e.strerror}\n")
            return 1
        self._stdout.write(f"Sent SIGTERM to PID {status.pid} (pidfile {path}).\n")
        return 0

    # -- steps --------------------------------------------------------------

    def checkPidfile(self) -> None:
        """
        Refuse to start when the pidfile is held by a live server or cannot
        be written (checked again, atomically, when it is created).

        @raise StartupError: In both cases.
        """
        path = self.config["pidfile"]
        if not path or self.isWorker:
            return
        pidfile = PidFile(path)
        try:
            pidfile.checkDirectory()
            status = pidfile.status()
        except PidfileError as e:
            raise StartupError(str(e)) from None
        if status.live:
            raise StartupError(str(AlreadyRunningError(pidfile.path, status.pid)))

    def loadApplication(self) -> Any:
        """
        Load the application: run the -y file, or build the subcommand
        plugin's service into an Application named after the subcommand.

        @return: the application.
        @raise StartupError: If the file is missing, unreadable, not valid
            Python, defines no C{application}, or raises (the traceback is
            written to stderr in that last case); or if the plugin fails.
        """
        filename = self.config["python"]
        if filename:
            self._logLater("Loading {file}...", file=filename)
            try:
                self.application = loadApplication(filename)
            except FileNotFoundError:
                raise StartupError(f"cannot run {filename}: no such file") from None
            except IsADirectoryError:
                raise StartupError(f"cannot run {filename}: it is a directory") from None
            except SyntaxError as e:
                where = f"line {e.lineno}" if e.lineno else "unknown line"
                raise StartupError(f"syntax error in {filename}, {where}: {e.msg}") from None
            except NoApplicationError as e:
                raise StartupError(str(e)) from None
            except OSError as e:
                raise StartupError(f"cannot read {filename}: {e.strerror or e}") from None
            except Exception as e:
                self._stderr.write(traceback.format_exc())
                raise StartupError(
                    f"error while loading {filename}: {type(e).__name__}: {e}"
                ) from None
            self._logLater("Loaded.")
            return self.application
        name = self.config.subCommand
        plugin = self.config.loadedPlugins[name]
        try:
            service = plugin.makeService(self.config.subOptions)
            application = Application(plugin.tapname)
            service.setServiceParent(application)
        except Exception as e:
            self._stderr.write(traceback.format_exc())
            raise StartupError(f"subcommand {name!r} failed: {type(e).__name__}: {e}") from None
        self.application = application
        return application

    def _logLater(self, format: str, **kwargs: Any) -> None:
        """Queue a log line for once logging has started (documented order)."""
        self._pendingLog.append((format, kwargs))

    @property
    def reactor(self) -> Any:
        """The reactor (the global one is installed on first use)."""
        if self._reactor is None:
            self._reactor = importlib.import_module("netframe.core.reactor")
        return self._reactor

    def startLogging(self) -> None:
        """
        Open the log target and begin logging to it, then log the opening
        lines: C{Log opened.}, the version line, the reactor class, and the
        lines queued while loading.

        @raise StartupError: If the log file cannot be opened or the
            C{--logger} factory fails.
        """
        try:
            target = LogTarget(self.config, self.application, self._stdout, self._syslogModule)
        except OSError as e:
            raise StartupError(f"cannot open log file: {e.strerror or e}") from None
        except Exception as e:
            raise StartupError(f"cannot set up logging: {type(e).__name__}: {e}") from None
        self.logTarget = target
        self._logBeginner.beginLoggingTo(
            [target.observer], redirectStandardIO=not self.config["debug"]
        )
        self._logging = True
        _log.info("Log opened.")
        _log.info(
            "{program} {version} ({executable} {pythonVersion}) starting up.",
            program=PROGRAM,
            version=__version__,
            executable=sys.executable,
            pythonVersion=".".join(str(part) for part in sys.version_info[:3]),
        )
        reactorClass = type(self.reactor)
        _log.info(
            "reactor class: {reactorClass}.",
            reactorClass=f"{reactorClass.__module__}.{reactorClass.__qualname__}",
        )
        pending, self._pendingLog = self._pendingLog, []
        for format, kwargs in pending:
            _log.info(format, **kwargs)

    def setupEnvironment(self) -> None:
        """
        Chroot, change directory, daemonize (unless --nodaemon), set the
        umask (077 by default when daemonizing) and create the pidfile.

        @raise StartupError: If a step fails or the pidfile is held.
        @raise _DaemonParentExit: In the original process, once the daemon
            has reported its startup.
        """
        config = self.config
        system = self._system
        self._startDirectory = os.getcwd()
        if self.isWorker:
            # The parent daemonized and holds the pidfile; a worker only
            # goes where the parent went.
            try:
                system.chdir(config["rundir"])
            except OSError as e:
                raise StartupError(
                    f"cannot change to directory {config['rundir']}: {e.strerror}"
                ) from None
            return
        if config["chroot"]:
            try:
                system.chroot(config["chroot"])
                system.chdir("/")
            except OSError as e:
                raise StartupError(f"cannot chroot to {config['chroot']}: {e.strerror}") from None
        try:
            system.chdir(config["rundir"])
        except OSError as e:
            raise StartupError(
                f"cannot change to directory {config['rundir']}: {e.strerror}"
            ) from None
        if not config["nodaemon"]:
            self.daemonize()
        umask = config["umask"]
        if umask is None and not config["nodaemon"]:
            umask = 0o077
        if umask is not None:
            system.umask(umask)
        path = config["pidfile"]
        if path:
            pidfile = PidFile(path)
            try:
                replaced = pidfile.acquire(system.getpid())
            except PidfileError as e:
                raise StartupError(str(e)) from None
            self._pidfile = pidfile
            if replaced is not None:
                _log.warn(
                    "Removed stale pidfile {path} ({reason}, PID {pid}).",
                    path=pidfile.path,
                    reason=replaced.reason,
                    pid="none" if replaced.pid is None else replaced.pid,
                )

    def daemonize(self) -> None:
        """
        Detach from the terminal: fork, setsid, fork again, stdio to
        /dev/null. The original process waits on a pipe until the daemon
        reports that the application started (or why it did not).

        @raise _DaemonParentExit: In the original process.
        """
        system = self._system
        self._flushAll()
        readFd, writeFd = system.pipe()
        if system.fork():
            system.close(writeFd)
            chunks: list[bytes] = []
            size = 0
            while size < self.maxStartupMessage:
                chunk = system.read(readFd, self.maxStartupMessage - size)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            system.close(readFd)
            data = b"".join(chunks)
            if data == b"OK":
                raise _DaemonParentExit(0, "")
            if data.startswith(b"ERR "):
                raise _DaemonParentExit(1, data[4:].decode("utf-8", "replace"))
            if data.startswith(b"EXIT "):
                code, _, message = data[5:].partition(b" ")
                if code.isdigit() and int(code) <= MAX_EXIT_STATUS:
                    raise _DaemonParentExit(int(code), message.decode("utf-8", "replace"))
            where = self.logTarget.description if self.logTarget is not None else "the log"
            raise _DaemonParentExit(1, f"the daemon exited during startup (see {where})")
        system.close(readFd)
        system.setsid()
        if system.fork():
            system.exit(0)
        system.redirectStandardIO()
        self._reportFd = writeFd

    def _flushAll(self) -> None:
        """Flush everything buffered before forking (no line is written twice)."""
        for stream in (self._stdout, self._stderr, sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        if self.logTarget is not None:
            self.logTarget.flush()

    def privilegedStart(self) -> None:
        """
        Call the service tree's C{privilegedStartService} (binding ports).

        With C{--workers}, the parent binds only the stream servers' sockets
        and prepares the L{WorkerPool}; a worker's stream servers adopt the
        sockets it inherited.

        @raise StartupError: If it raises.
        """
        if self.config.get("workers") and not self.isWorker:
            self._bindForWorkers()
            return
        try:
            if self._workerFds is not None:
                adoptSharedSockets(streamServers(self.application), self._workerFds, self.reactor)
            IService(self.application).privilegedStartService()
        except WorkerError as e:
            raise StartupError(str(e)) from None
        except Exception as e:
            _log.failure("privilegedStartService failed", Failure())
            raise StartupError(f"cannot start the application: {e}") from None

    def _bindForWorkers(self) -> None:
        """
        In the C{--workers} parent: bind the shared sockets and make the pool.

        @raise StartupError: If the application cannot be shared or a socket
            cannot be bound.
        """
        config = self.config
        try:
            ports = bindSharedSockets(streamServers(self.application), self.reactor)
        except WorkerError as e:
            raise StartupError(str(e)) from None
        except Exception as e:
            _log.failure("Binding the listening sockets failed", Failure())
            raise StartupError(f"cannot start the application: {e}") from None
        self.pool = WorkerPool(
            config["workers"],
            getattr(config, "argv", sys.argv[1:]),
            self._startDirectory or os.getcwd(),
            self._environ,
            ports,
            self.reactor,
            config["shutdown-timeout"],
            self._giveUp,
        )
        _log.info(
            "Bound {count} listening socket(s) for {workers} workers.",
            count=len(ports),
            workers=config["workers"],
        )

    def _giveUp(self) -> None:
        """The workers keep dying: stop the server with exit status 1."""
        self._recordStatus(1)
        if not self._stopping:
            self._stopping = True
            try:
                self.reactor.stop()
            except RuntimeError:
                pass

    def _topService(self) -> Any:
        """The service this process starts and stops: the pool or the application."""
        if self.pool is not None:
            return self.pool
        return IService(self.application)

    def dropPrivileges(self) -> None:
        """
        Switch to the user and group of -u/-g (or of the application's
        IProcess), with the user's supplementary groups; -u without -g uses
        the user's primary group.

        @raise StartupError: If the switch fails.
        """
        config = self.config
        system = self._system
        process = IProcess(self.application, None)
        uid = config["uid"]
        gid = config["gid"]
        if uid is None and process is not None:
            uid = process.uid
        if gid is None and process is not None:
            gid = process.gid
        if uid is None and gid is None:
            return
        entry = None
        if uid is not None:
            try:
                entry = system.getpwuid(uid)
            except KeyError:
                entry = None
            if gid is None:
                if entry is None:
                    raise StartupError(f"uid {uid} has no passwd entry: give --gid too")
                gid = entry.pw_gid
        isRoot = system.getuid() == 0
        if not isRoot and (uid is None or uid == system.getuid()) and gid == system.getgid():
            return
        try:
            if gid is not None:
                if isRoot:
                    groups = system.getgrouplist(entry.pw_name, gid) if entry is not None else [gid]
                    system.setgroups(groups)
                system.setgid(gid)
            if uid is not None:
                system.setuid(uid)
        except OSError as e:
            raise StartupError(
                f"cannot switch to uid {uid}, gid {gid}: {e.strerror or e}"
            ) from None
        _log.info("Switched to uid {uid}, gid {gid}.", uid=uid, gid=gid)

    def prepareReactor(self) -> None:
        """
        Arrange for the application to start once the reactor runs and to
        stop (bounded by --shutdown-timeout) when it shuts down.
        """
        reactor = self.reactor
        self._notifier = SystemdNotifier(self._environ, self._system.getpid())
        self._installStopHandlers()
        self._installHangupHandler()
        reactor.callWhenRunning(self._startApplication)
        reactor.addSystemEventTrigger("before", "shutdown", self._stopApplication)
        self._watchParent()

    def _watchParent(self) -> None:
        """In a worker: shut down gracefully when the parent process exits."""
        raw = self._environ.get(WORKER_PIPE_ENV) if self.isWorker else None
        if raw is None:
            return
        if not raw.isascii() or not raw.isdigit():
            raise StartupError(f"bad {WORKER_PIPE_ENV}={raw!r}: expected a descriptor")
        try:
            watch = ParentWatch(int(raw), self._parentGone)
        except OSError as e:
            raise StartupError(f"bad {WORKER_PIPE_ENV}={raw!r}: {e.strerror}") from None
        self.reactor.addReader(watch)

    def _parentGone(self) -> None:
        """The parent exited: stop (once)."""
        if self._stopping:
            return
        self._stopping = True
        _log.warn("The parent process exited; shutting down.")
        try:
            self.reactor.stop()
        except RuntimeError:
            pass

    def _installStopHandlers(self) -> None:
        """
        Make SIGINT and SIGTERM shut down gracefully, safely: the handler
        only schedules work (logging inside a signal handler could deadlock
        on a log observer's lock). Before the reactor runs, the signal is
        remembered and acted on as soon as it does.
        """
        reactor = self.reactor

        def onStopSignal(signum: int, frame: Any) -> None:
            if self._reactorRunning:
                reactor.callFromThread(self._stopFromSignal, signum)
            elif self._earlySignal is None:
                self._earlySignal = signum

        for signum in (signal.SIGINT, signal.SIGTERM):
            try:
                previous = self._installSignal(signum, onStopSignal)
            except (ValueError, OSError):
                continue
            self._earlyHandlers.setdefault(signum, previous)

    def _stopFromSignal(self, signum: int) -> None:
        """Log the signal and stop the reactor (once)."""
        if self._stopping:
            return
        self._stopping = True
        _log.info("Received {signal}, shutting down.", signal=signal.Signals(signum).name)
        try:
            self.reactor.stop()
        except RuntimeError:
            pass

    def _startApplication(self) -> None:
        """Start the service tree; report success or failure."""
        self._reactorRunning = True
        # The reactor installed its own handlers when it started: replace them.
        self._installStopHandlers()
        early, self._earlySignal = self._earlySignal, None
        if early is not None:
            self._report(b"OK")
            self._stopFromSignal(early)
            return
        if self._startupStop is None:
            try:
                self._topService().startService()
            except Exception as e:
                _log.failure("startService failed", Failure())
                self._startupFailed(f"cannot start the application: {e}")
                self._stopping = True
                self.reactor.stop()
                return
        if self._startupStop is not None:
            # stopWithStatus was called before or during startService.
            self._failStartupStop()
            self._stopReactor()
            return
        self._started = True
        self._report(b"OK")
        notifier = self._notifier
        if notifier is not None and notifier.enabled:
            notifier.notify(f"READY=1\nMAINPID={self._system.getpid()}")
            if notifier.watchdogInterval is not None:
                self._watchdog = LoopingCall(notifier.notify, "WATCHDOG=1")
                self._watchdog.clock = self.reactor
                self._watchdog.start(notifier.watchdogInterval, now=True)
        if self.pool is not None:
            _log.info(
                "Started {count} workers (PID {pid}).",
                count=self.pool.count,
                pid=self._system.getpid(),
            )
        else:
            _log.info("Application started (PID {pid}).", pid=self._system.getpid())

    def _installHangupHandler(self) -> None:
        """Make SIGHUP reopen the log file (and reach the workers)."""
        noFile = self.logTarget is None or self.logTarget.logFile is None
        if noFile and self.pool is None:
            return
        reactor = self.reactor

        def onHangup(signum: int, frame: Any) -> None:
            reactor.callFromThread(self.reopenLogs)

        try:
            self._oldHup = self._installSignal(signal.SIGHUP, onHangup)
        except (ValueError, OSError):
            pass

    def reopenLogs(self) -> None:
        """Reopen the log file (after logrotate moved it); tell the workers."""
        if self.pool is not None:
            self.pool.signalAll("HUP")
        if self.logTarget is None or self.logTarget.logFile is None:
            return
        try:
            self.logTarget.logFile.reopen()
        except OSError as e:
            _log.error("Cannot reopen the log file: {error}", error=e)
            return
        _log.info("Log file reopened ({path}).", path=self.logTarget.logFile.path)

    def _stopApplication(self) -> Deferred[None]:
        """
        'before shutdown': tell systemd, stop the service tree, and wait for
        it at most --shutdown-timeout seconds.

        @return: a Deferred firing when the tree stopped or the time is up.
        """
        if self._notifier is not None and self._notifier.enabled:
            self._notifier.notify("STOPPING=1")
        if self._watchdog is not None and self._watchdog.running:
            self._watchdog.stop()
        done: Deferred[None] = Deferred()
        timeout = self.config["shutdown-timeout"]
        if self.pool is not None:
            # The pool bounds its own stop (SIGKILL after the timeout).
            timeout = self.pool.stopBound + 1.0

        def timedOut() -> None:
            _log.warn(
                "Services did not stop within {timeout} seconds; shutting down anyway.",
                timeout=timeout,
            )
            if not done.called:
                done.callback(None)

        timer = self.reactor.callLater(timeout, timedOut)

        def stopped(result: object) -> None:
            if isinstance(result, Failure):
                _log.failure("Error stopping the application", result)
            if timer.active():
                timer.cancel()
            if not done.called:
                done.callback(None)

        maybeDeferred(self._topService().stopService).addBoth(stopped)
        return done

    def runReactor(self) -> None:
        """Run the reactor, under the profiler, debugger or spewer if asked."""
        config = self.config
        run = self.reactor.run
        if config["spew"]:
            spewer = Spewer(self._stdout)
            sys.settrace(spewer)
        try:
            if config["profile"]:
                self._runProfiled(run)
            elif config["debug"]:
                import pdb  # noqa: T100 - --debug runs the reactor under pdb on purpose

                pdb.Pdb().runcall(run)
            else:
                run()
        finally:
            if config["spew"]:
                sys.settrace(None)

    def _runProfiled(self, run: Callable[[], Any]) -> None:
        """Run under cProfile or profile and save the results."""
        config = self.config
        import cProfile
        import profile
        import pstats

        profilerClass: Any = (
            cProfile.Profile if config["profiler"] == "cprofile" else profile.Profile
        )
        profiler = profilerClass()
        try:
            profiler.runcall(run)
        finally:
            if config["savestats"]:
                profiler.dump_stats(config["profile"])
            else:
                with open(config["profile"], "w") as f:
                    stats = pstats.Stats(profiler, stream=f)
                    stats.sort_stats("cumulative").print_stats()


class Spewer:
    """
    A trace function printing every Python function call:
    C{file:line function()}.

    @ivar stream: where lines are written.
    """

    def __init__(self, stream: IO[str]) -> None:
        """@param stream: where lines are written."""
        self.stream = stream

    def __call__(self, frame: Any, event: str, arg: Any) -> None:
        """Print a call event; return None (no per-line tracing)."""
        if event == "call":
            code = frame.f_code
            self.stream.write(f"{code.co_filename}:{frame.f_lineno} {code.co_name}()\n")


#: The runner whose L{TwistdRunner.run} is in progress in this process, if any.
_currentRunner: TwistdRunner | None = None


def stopWithStatus(status: int, reason: str | None = None, *, reactor: Any = None) -> None:
    """
    Stop the reactor, and make the running netframe-twistd exit with
    C{status}: the way for an application to say "I cannot go on" to
    systemd's C{Restart=on-failure}, to a supervisor or to a script, when it
    finds out after start-up (a database that cannot be opened, say).
    Twisted has no such API: there, code calls C{reactor.stop()} and the
    process exits 0.

    The name says what it does: C{reactor.stop()} (the clean shutdown:
    'before shutdown' triggers run, services are stopped, bounded by
    C{--shutdown-timeout}) with an exit status.

    Under netframe-twistd (a L{TwistdRunner} is running in this process):

      - after start-up, the reactor is stopped and the process exits with
        C{status} once shutdown is over;
      - called before the application has started (while the C{.tac} file
        loads, in C{privilegedStartService} or in C{startService}), it is a
        start-up failure: the application is not reported as started (no
        systemd C{READY=1}), the reactor stops, and the process (or, when
        daemonizing, the waiting original process) exits with C{status},
        showing C{reason} on stderr;
      - if shutdown has already begun (a signal, an earlier call), the
        status is still recorded: the B{first non-zero status} requested
        (by this function, a failing C{startService} or the worker pool
        giving up) is the exit status; a later call does not replace it, and
        0 never replaces a failure;
      - with C{--workers N}, called in a worker, that worker exits with
        C{status}. The parent treats it like any worker that dies: it logs
        the status and restarts the worker, at most C{restartLimit} (5)
        times within C{restartWindow} (60) seconds; one more exit makes the
        parent give up and stop every worker, exiting with status 1 (not
        the worker's status). So a worker that cannot go on is retried a
        few times, never in an endless loop.

    Outside netframe-twistd (a program calling C{reactor.run()} itself, or a
    test) the status is not recorded anywhere: this function stops
    C{reactor} (or the installed global reactor) if it is running and
    returns; the program decides its own exit status. The status only
    reaches the process exit through the runner: it is the runner's
    C{exitCode}, the value its C{run()} returns to its caller
    (L{runApp}, which netframe-twistd exits with).

    @param status: the exit status, an C{int} from 0 to L{MAX_EXIT_STATUS}
        (0 is a clean stop).
    @param reason: why, logged once at critical level (and shown on stderr
        for a start-up failure); C{None} logs only the status, at info level.
    @param reactor: the reactor to stop when no netframe-twistd runner is
        running (default: the installed global reactor, if one is; none is
        installed by this call). Under netframe-twistd the runner's reactor
        is stopped.
    @raise ValueError: If C{status} is not an C{int} from 0 to
        L{MAX_EXIT_STATUS} (the message names the value).
    """
    if (
        isinstance(status, bool)
        or not isinstance(status, int)
        or not 0 <= status <= MAX_EXIT_STATUS
    ):
        raise ValueError(f"exit status must be an int from 0 to {MAX_EXIT_STATUS}, not {status!r}")
    if reason is None:
        _log.info("Stopping with exit status {status}.", status=status)
    else:
        _log.critical("Stopping with exit status {status}: {reason}", status=status, reason=reason)
    runner = _currentRunner
    if runner is not None:
        runner._requestStop(status, reason)
        return
    if reactor is None:
        reactor = sys.modules.get("netframe.core.reactor")
        if reactor is None:
            return
    if getattr(reactor, "running", False):
        try:
            reactor.stop()
        except RuntimeError:
            pass
