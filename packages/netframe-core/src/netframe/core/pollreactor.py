"""
The poll-based reactor: poll(2); better than select with many sockets.

Install it before anything imports C{netframe.core.reactor}::

    from netframe.core import pollreactor
    pollreactor.install()

    from netframe.core import reactor
"""

from __future__ import annotations

from netframe.core._pollers import PollPoller
from netframe.core._posixbase import PosixReactorBase
from netframe.core.main import installReactor

__all__ = ["PollReactor", "install"]


class PollReactor(PosixReactorBase):
    """
    A reactor multiplexing with poll(2); better than select with many sockets.

    Implements IReactorCore, IReactorTime, IReactorFromThreads, IReactorFDSet
    and IReactorTCP.
    """

    _pollerFactory = PollPoller


def install() -> PollReactor:
    """
    Create a L{PollReactor} and make it the global reactor.

    @return: the installed reactor.
    @raise ReactorAlreadyInstalledError: If a reactor is already installed.
    """
    reactor = PollReactor()
    installReactor(reactor)
    return reactor
