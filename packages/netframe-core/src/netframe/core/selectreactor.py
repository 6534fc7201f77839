"""
The select-based reactor: select(2); the most portable, limited to FD_SETSIZE descriptors.

Install it before anything imports C{netframe.core.reactor}::

    from netframe.core import selectreactor
    selectreactor.install()

    from netframe.core import reactor
"""

from __future__ import annotations

from netframe.core._pollers import SelectPoller
from netframe.core._posixbase import PosixReactorBase
from netframe.core.main import installReactor

__all__ = ["SelectReactor", "install"]


class SelectReactor(PosixReactorBase):
    """
    A reactor multiplexing with select(2); the most portable, limited to FD_SETSIZE descriptors.

    Implements IReactorCore, IReactorTime, IReactorFromThreads, IReactorFDSet
    and IReactorTCP.
    """

    _pollerFactory = SelectPoller


def install() -> SelectReactor:
    """
    Create a L{SelectReactor} and make it the global reactor.

    @return: the installed reactor.
    @raise ReactorAlreadyInstalledError: If a reactor is already installed.
    """
    reactor = SelectReactor()
    installReactor(reactor)
    return reactor
