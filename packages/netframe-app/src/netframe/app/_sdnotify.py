"""
systemd's readiness protocol (sd_notify) and watchdog.

When C{NOTIFY_SOCKET} names a datagram UNIX socket (a path, or an abstract
address starting with C{@}), netframe-twistd sends C{READY=1} once the
application has started, C{STOPPING=1} when shutdown begins, and, when
C{WATCHDOG_USEC} is set (and C{WATCHDOG_PID}, if set, is this process),
C{WATCHDOG=1} every half watchdog period.

Private module of netframe-app (used by L{netframe.app.twistd}).
"""

from __future__ import annotations

import socket
from collections.abc import Mapping

from netframe.logger import Logger

__all__ = ["SystemdNotifier"]

_log = Logger(namespace="netframe.app.twistd")


class SystemdNotifier:
    """
    Sends sd_notify messages to the socket named by the environment.

    @cvar minWatchdogInterval: the shortest watchdog ping period, in seconds
        (a shorter half-period of C{WATCHDOG_USEC} is raised to this).
    @ivar address: the socket address, or None when not under systemd.
    @ivar watchdogInterval: seconds between watchdog pings, or None.
    """

    minWatchdogInterval = 0.01

    def __init__(self, environ: Mapping[str, str], pid: int) -> None:
        """
        Read C{NOTIFY_SOCKET}, C{WATCHDOG_USEC} and C{WATCHDOG_PID}.

        @param environ: the environment.
        @param pid: this process's pid.
        """
        raw = environ.get("NOTIFY_SOCKET", "")
        self.address: str | None
        if not raw:
            self.address = None
        elif raw.startswith("@"):
            self.address = "\0" + raw[1:]
        else:
            self.address = raw
        self.watchdogInterval: float | None = None
        usec = environ.get("WATCHDOG_USEC", "")
        watchdogPid = environ.get("WATCHDOG_PID", "")
        forUs = not watchdogPid or watchdogPid == str(pid)
        if self.address is not None and usec.isdigit() and int(usec) > 0 and forUs:
            interval = int(usec) / 2_000_000
            self.watchdogInterval = max(interval, self.minWatchdogInterval)
        self._socket: socket.socket | None = None

    @property
    def enabled(self) -> bool:
        """Whether a notification socket is configured."""
        return self.address is not None

    def notify(self, message: str) -> bool:
        """
        Send one message (for example C{"READY=1"}).

        Failures are logged, never raised: readiness is advisory.

        @param message: the message.
        @return: whether it was sent.
        """
        if self.address is None:
            return False
        try:
            if self._socket is None:
                self._socket = socket.socket(
                    socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC
                )
            self._socket.sendto(message.encode(), self.address)
        except OSError as e:
            _log.warn(
                "Cannot notify systemd ({message}) at {address!r}: {error}",
                message=message,
                address=self.address,
                error=e,
            )
            return False
        return True

    def close(self) -> None:
        """Close the socket."""
        if self._socket is not None:
            self._socket.close()
            self._socket = None
