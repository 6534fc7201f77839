"""
The epoll-based reactor: epoll(7), level-triggered; the default on Linux.

Install it before anything imports C{netframe.core.reactor}::

    from netframe.core import epollreactor
    epollreactor.install()

    from netframe.core import reactor
"""

from __future__ import annotations

from netframe.core._pollers import EPollPoller
from netframe.core._posixbase import PosixReactorBase
from netframe.core.main import installReactor

__all__ = ["EPollReactor", "install"]


class EPollReactor(PosixReactorBase):
    """
    A reactor multiplexing with epoll(7), level-triggered; the default on Linux.

    Implements IReactorCore, IReactorTime, IReactorFromThreads, IReactorFDSet
    and IReactorTCP.
    """

    _pollerFactory = EPollPoller


def install() -> EPollReactor:
    """
    Create a L{EPollReactor} and make it the global reactor.

    @return: the installed reactor.
    @raise ReactorAlreadyInstalledError: If a reactor is already installed.
    """
    reactor = EPollReactor()
    installReactor(reactor)
    return reactor
