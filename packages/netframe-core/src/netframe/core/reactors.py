"""
Reactor selection by name, shared by twistd (C{-r}) and trial (C{--reactor}).

Built-in names: C{epoll}, C{poll}, C{select}, C{asyncio} and C{default}.  Other
distributions add reactors through the entry-point group
C{netframe.reactors}: the entry point's name is the short name and its value
a module (or object) with an C{install()} callable, optionally with a
C{__doc__} used as the description::

    [project.entry-points."netframe.reactors"]
    myloop = "mypackage.myloopreactor"
"""

from __future__ import annotations

import importlib
import importlib.metadata
import select
from collections.abc import Callable
from typing import Any

__all__ = [
    "ENTRY_POINT_GROUP",
    "NoSuchReactor",
    "ReactorType",
    "getReactorTypes",
    "installReactor",
    "installReactorByName",
]

#: The entry-point group third-party reactors register under.
ENTRY_POINT_GROUP = "netframe.reactors"


class NoSuchReactor(KeyError):
    """
    No reactor is known under the requested short name.

    @ivar shortName: the name that was asked for.
    """

    def __init__(self, shortName: str) -> None:
        """@param shortName: the unknown name."""
        super().__init__(shortName)
        self.shortName = shortName

    def __str__(self) -> str:
        """Return a message naming the unknown reactor and the known ones."""
        known = ", ".join(sorted(t.shortName for t in getReactorTypes()))
        return f"no reactor named {self.shortName!r} (known: {known})"


class ReactorType:
    """
    A reactor that can be installed by name.

    @ivar shortName: the name users pass (for example C{"epoll"}).
    @ivar moduleName: the module whose C{install()} installs it (or '' when
        C{installer} is given directly).
    @ivar description: one line describing the reactor.
    """

    def __init__(
        self,
        shortName: str,
        moduleName: str,
        description: str,
        installer: Callable[[], Any] | None = None,
    ) -> None:
        """Describe a reactor; nothing is imported until L{install}."""
        self.shortName = shortName
        self.moduleName = moduleName
        self.description = description
        self._installer = installer

    def install(self) -> Any:
        """
        Import the reactor's module and install the reactor.

        @return: the installed reactor.
        @raise ReactorAlreadyInstalledError: If a reactor is already installed.
        @raise ImportError: If the module cannot be imported.
        """
        if self._installer is not None:
            return self._installer()
        module = importlib.import_module(self.moduleName)
        return module.install()

    def __repr__(self) -> str:
        """Return C{<ReactorType shortName (moduleName)>}."""
        return f"<ReactorType {self.shortName} ({self.moduleName})>"


def _builtins() -> list[ReactorType]:
    """The reactors shipped with netframe.core that this platform supports."""
    types = [
        ReactorType("default", "netframe.core.default", "The best reactor for this platform."),
        ReactorType("select", "netframe.core.selectreactor", "select(2)-based reactor."),
    ]
    if hasattr(select, "poll"):
        types.append(ReactorType("poll", "netframe.core.pollreactor", "poll(2)-based reactor."))
    if hasattr(select, "epoll"):
        types.append(
            ReactorType("epoll", "netframe.core.epollreactor", "epoll(7)-based reactor (Linux).")
        )
    types.append(
        ReactorType("asyncio", "netframe.core.asyncioreactor", "Reactor on an asyncio event loop.")
    )
    return types


def _fromEntryPoint(ep: importlib.metadata.EntryPoint) -> ReactorType:
    """Describe a third-party reactor without importing it yet."""

    def installer() -> Any:
        target = ep.load()
        install = getattr(target, "install", None)
        if install is None:
            if not callable(target):
                raise TypeError(f"entry point {ep.name!r} ({ep.value}) has no install()")
            install = target
        return install()

    return ReactorType(ep.name, ep.value, f"Third-party reactor from {ep.value}.", installer)


def getReactorTypes() -> list[ReactorType]:
    """
    Return every reactor installable by name: built-ins, then entry points.

    A third-party entry point may not reuse a built-in name.
    """
    types = _builtins()
    seen = {t.shortName for t in types}
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if ep.name not in seen:
            seen.add(ep.name)
            types.append(_fromEntryPoint(ep))
    return types


def installReactorByName(shortName: str) -> Any:
    """
    Install the reactor called C{shortName}.

    @return: the installed reactor.
    @raise NoSuchReactor: If no reactor has that name.
    @raise ReactorAlreadyInstalledError: If a reactor is already installed.
    """
    for reactorType in getReactorTypes():
        if reactorType.shortName == shortName:
            return reactorType.install()
    raise NoSuchReactor(shortName)


#: Twisted's spelling (C{twisted.application.reactors.installReactor}).
installReactor = installReactorByName
