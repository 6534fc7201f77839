"""
L{LimitedHistoryLogObserver}: keeps the most recent events in memory.

Private module; the public names are re-exported by C{netframe.logger}.
"""

from __future__ import annotations

from collections import deque

from zope.interface import implementer

from netframe.logger._observer import ILogObserver, LogEvent, Observer

__all__ = ["DEFAULT_HISTORY_SIZE", "LimitedHistoryLogObserver"]

DEFAULT_HISTORY_SIZE = 2**16
"""How many events a L{LimitedHistoryLogObserver} keeps unless told otherwise (65536)."""


@implementer(ILogObserver)
class LimitedHistoryLogObserver:
    """
    Keeps the last C{size} events it observes and replays them on demand.

    @ivar size: the number of events kept; older events are dropped first.
    """

    __slots__ = ("_buffer", "size")

    def __init__(self, size: int = DEFAULT_HISTORY_SIZE) -> None:
        """
        @param size: how many events to keep (at least 0).
        @raise ValueError: if C{size} is negative.
        """
        if size < 0:
            raise ValueError(f"size must not be negative, not {size!r}")
        self.size = size
        self._buffer: deque[LogEvent] = deque(maxlen=size)

    def __call__(self, event: LogEvent) -> None:
        """
        Remember C{event}, forgetting the oldest one if the buffer is full.

        @param event: the event.
        """
        self._buffer.append(event)

    def replayTo(self, otherObserver: Observer) -> None:
        """
        Send every remembered event, oldest first, to C{otherObserver}.

        @param otherObserver: the observer that receives the events.
        """
        for event in tuple(self._buffer):
            otherObserver(event)
