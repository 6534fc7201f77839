"""
Services, service collections, the Application and .tac loading.

Implementation module of L{netframe.app.service}.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from typing import Any

from zope.interface import Attribute, Interface, implementer

from netframe.core.components import Componentized
from netframe.core.defer import Deferred, DeferredList, maybeDeferred
from netframe.logger import Logger
from netframe.plugin import IPlugin

__all__ = [
    "Application",
    "IProcess",
    "IService",
    "IServiceCollection",
    "IServiceMaker",
    "MultiService",
    "NoApplicationError",
    "Process",
    "Service",
    "ServiceMaker",
    "loadApplication",
]

_log = Logger(namespace="netframe.app.service")


class IServiceMaker(Interface):
    """
    An object that builds a service from command-line options: the provider
    of a C{netframe-twistd} subcommand (a plugin also providing C{IPlugin}).
    """

    __module__ = "netframe.app.service"

    tapname = Attribute("The subcommand name, for example C{'web'}.")
    description = Attribute("One line describing the service, shown by --help.")
    options = Attribute("A C{netframe.core.usage.Options} subclass parsing the arguments.")

    def makeService(options: Any) -> Any:
        """
        Build the service.

        @param options: an instance of C{options}, already parsed.
        @return: an L{IService} provider.
        """


class IService(Interface):
    """
    Something that can be started and stopped, living in a tree of services.

    Services may be named (the name is unique among the children of one
    collection) or unnamed.
    """

    __module__ = "netframe.app.service"

    name = Attribute("The service's name (a string) or None.")
    running = Attribute("Whether the service is running (set by startService/stopService).")
    parent = Attribute("The IServiceCollection holding this service, or None.")

    def setName(name: str) -> None:
        """
        Set the service's name.

        @raise RuntimeError: If the service already has a parent.
        """

    def setServiceParent(parent: Any) -> Any:
        """
        Attach the service to C{parent}, adapted to L{IServiceCollection}
        (so an Application may be given), leaving any previous parent first.

        @return: what the parent's C{addService} returned.
        @raise RuntimeError: If the parent holds another service of the same name.
        """

    def disownServiceParent() -> Any:
        """
        Detach the service from its parent.

        @return: what the parent's C{removeService} returned (a Deferred when
            the parent was running and the service's C{stopService} returned
            one), or None.
        """

    def privilegedStartService() -> None:
        """Do what needs privileges (binding low ports) before they are dropped."""

    def startService() -> None:
        """Start the service; C{running} becomes true."""

    def stopService() -> Deferred[Any] | None:
        """
        Stop the service; C{running} becomes false.

        @return: None, or a Deferred that fires once the service has stopped.
        """


class IServiceCollection(Interface):
    """A collection of services, indexable by name and iterable."""

    __module__ = "netframe.app.service"

    def getServiceNamed(name: str) -> Any:
        """
        Return the child service called C{name}.

        @raise KeyError: If no child has that name.
        """

    def __iter__() -> Iterator[Any]:
        """Iterate over the child services, in the order they were added."""

    def addService(service: Any) -> None:
        """
        Add a child service (started at once when the collection runs).

        @raise RuntimeError: If a child of the same name exists.
        """

    def removeService(service: Any) -> Deferred[Any] | None:
        """
        Remove a child service (stopped when the collection runs).

        @return: the child's C{stopService} result when it was stopped, else None.
        @raise ValueError: If C{service} is not a child.
        """


class IProcess(Interface):
    """The process-wide settings of an Application."""

    __module__ = "netframe.app.service"

    processName = Attribute("The process name to show, or None.")
    uid = Attribute("The user id to switch to after binding, or None.")
    gid = Attribute("The group id to switch to after binding, or None.")


@implementer(IService)
class Service:
    """
    The base service: tracks C{name}, C{parent} and C{running}.

    Subclasses overriding L{startService} or L{stopService} must call the
    base method (it maintains C{running}).

    @ivar name: the name, or None.
    @ivar parent: the L{IServiceCollection} holding this service, or None.
    @ivar running: whether the service was started and not stopped since.
    """

    name: str | None = None
    parent: Any = None
    running: bool = False

    def __repr__(self) -> str:
        """Return C{<ClassName name=...>}."""
        return f"<{type(self).__name__} name={self.name!r}>"

    def setName(self, name: str) -> None:
        """
        Set the service's name.

        @param name: the new name.
        @raise RuntimeError: If the service already has a parent (the parent
            indexes its children by name).
        """
        if self.parent is not None:
            raise RuntimeError(f"cannot rename {self!r} to {name!r} while it has a parent")
        self.name = name

    def setServiceParent(self, parent: Any) -> Any:
        """
        Attach this service to C{parent} (adapted to L{IServiceCollection}),
        leaving its previous parent first.

        @param parent: an L{IServiceCollection} or something adaptable to it
            (an Application).
        @return: what the parent's C{addService} returned.
        @raise TypeError: If C{parent} cannot be adapted to IServiceCollection.
        @raise RuntimeError: If the parent holds another service of this name.
        """
        if self.parent is not None:
            self.disownServiceParent()
        collection = IServiceCollection(parent, None)
        if collection is None:
            raise TypeError(f"{parent!r} is not an IServiceCollection (nor adaptable to one)")
        self.parent = collection
        try:
            return collection.addService(self)
        except BaseException:
            self.parent = None
            raise

    def disownServiceParent(self) -> Any:
        """
        Detach this service from its parent.

        @return: the parent's C{removeService} result (a Deferred when the
            service was stopped and returned one), or None without a parent.
        """
        parent = self.parent
        if parent is None:
            return None
        try:
            return parent.removeService(self)
        finally:
            self.parent = None

    def privilegedStartService(self) -> None:
        """Do nothing: override to bind privileged resources before start."""

    def startService(self) -> None:
        """Mark the service running."""
        self.running = True

    def stopService(self) -> Deferred[Any] | None:
        """
        Mark the service not running.

        @return: None.
        """
        self.running = False
        return None


@implementer(IService, IServiceCollection)
class MultiService(Service):
    """
    A service holding child services: starts them in the order they were
    added and stops them in reverse order, waiting on every Deferred their
    C{stopService} returns.

    @ivar services: the children, in order.
    @ivar namedServices: the named children, by name.
    """

    def __init__(self) -> None:
        """Make an empty collection."""
        self.services: list[Any] = []
        self.namedServices: dict[str, Any] = {}

    def privilegedStartService(self) -> None:
        """Call every child's C{privilegedStartService}, in order."""
        Service.privilegedStartService(self)
        for service in list(self.services):
            service.privilegedStartService()

    def startService(self) -> None:
        """Mark this service running and start every child, in order."""
        Service.startService(self)
        for service in list(self.services):
            service.startService()

    def stopService(self) -> Deferred[Any]:
        """
        Stop every child, last added first.

        @return: a Deferred firing with a list of C{(success, result)}
            pairs once every child's C{stopService} result has fired; a
            child's failure is logged and kept in its pair, not raised.
        """
        Service.stopService(self)
        children = list(reversed(self.services))
        results = [maybeDeferred(service.stopService) for service in children]

        def logFailures(outcomes: list[tuple[bool, Any]]) -> list[tuple[bool, Any]]:
            for child, (ok, result) in zip(children, outcomes, strict=True):
                if not ok:
                    _log.failure("Error stopping service {service!r}", result, service=child)
            return outcomes

        return DeferredList(results, consumeErrors=True).addCallback(logFailures)

    def getServiceNamed(self, name: str) -> Any:
        """
        Return the child called C{name}.

        @raise KeyError: If no child has that name.
        """
        return self.namedServices[name]

    def __iter__(self) -> Iterator[Any]:
        """Iterate over the children in the order they were added."""
        return iter(list(self.services))

    def __len__(self) -> int:
        """Return the number of children."""
        return len(self.services)

    def addService(self, service: Any) -> None:
        """
        Add a child; when this collection runs, the child is started at once
        (C{privilegedStartService} then C{startService}).

        @param service: an L{IService} provider.
        @raise RuntimeError: If a child of the same name exists.
        """
        name = service.name
        if name is not None:
            if name in self.namedServices:
                raise RuntimeError(f"cannot have two services named {name!r} in {self!r}")
            self.namedServices[name] = service
        self.services.append(service)
        if self.running:
            service.privilegedStartService()
            service.startService()

    def removeService(self, service: Any) -> Deferred[Any] | None:
        """
        Remove a child, stopping it when this collection runs.

        @param service: a child of this collection.
        @return: the child's C{stopService} result when it was stopped, else None.
        @raise ValueError: If C{service} is not a child.
        """
        self.services.remove(service)
        name: str | None = service.name
        if name is not None and self.namedServices.get(name) is service:
            del self.namedServices[name]
        if self.running:
            result: Deferred[Any] | None = service.stopService()
            return result
        return None


@implementer(IProcess)
class Process:
    """
    The L{IProcess} component of an Application.

    @ivar processName: the process name, or None.
    @ivar uid: the user id to switch to after binding, or None.
    @ivar gid: the group id to switch to after binding, or None.
    """

    processName: str | None = None

    def __init__(self, uid: int | None = None, gid: int | None = None) -> None:
        """
        @param uid: the user id to switch to, or None to keep the current one.
        @param gid: the group id to switch to, or None.
        """
        self.uid = uid
        self.gid = gid


def Application(name: str, uid: int | None = None, gid: int | None = None) -> Componentized:
    """
    Make the root of a service tree: a Componentized object whose
    L{IService} and L{IServiceCollection} component is a L{MultiService}
    named C{name} and whose L{IProcess} component holds C{uid} and C{gid}.

    Set an C{ILogObserver} component (from C{netframe.logger} or
    C{netframe.logger.legacy}) to choose the observer netframe-twistd logs to.

    @param name: the application's name.
    @param uid: the user id netframe-twistd switches to after binding.
    @param gid: the group id netframe-twistd switches to after binding.
    @return: the application.
    """
    application = Componentized()
    root = MultiService()
    root.setName(name)
    application.addComponent(root, ignoreClass=True)
    application.addComponent(Process(uid, gid), ignoreClass=True)
    return application


@implementer(IPlugin, IServiceMaker)
class ServiceMaker:
    """
    An L{IServiceMaker} plugin whose work is done by a module, imported only
    when the subcommand is used: the module has an C{Options} class and a
    C{makeService(options)} function.

    @ivar name: a human-readable name.
    @ivar module: the dotted name of the module.
    @ivar description: the description shown by --help.
    @ivar tapname: the subcommand name.
    """

    def __init__(self, name: str, module: str, description: str, tapname: str) -> None:
        """
        @param name: a human-readable name.
        @param module: the dotted name of the module doing the work.
        @param description: one line shown by --help.
        @param tapname: the subcommand name.
        """
        self.name = name
        self.module = module
        self.description = description
        self.tapname = tapname

    def __repr__(self) -> str:
        """Return C{<ServiceMaker tapname (module)>}."""
        return f"<ServiceMaker {self.tapname} ({self.module})>"

    @property
    def options(self) -> Any:
        """
        The module's C{Options} class (importing the module).

        @raise ImportError: If the module cannot be imported.
        @raise AttributeError: If it has no C{Options}.
        """
        return importlib.import_module(self.module).Options

    def makeService(self, options: Any) -> Any:
        """
        Call the module's C{makeService(options)}.

        @param options: the parsed options.
        @return: the service it returns.
        @raise ImportError: If the module cannot be imported.
        """
        return importlib.import_module(self.module).makeService(options)


class NoApplicationError(KeyError):
    """
    A .tac file ran but bound no module-level C{application}.

    @ivar filename: the file.
    """

    def __init__(self, filename: str) -> None:
        """@param filename: the file that lacks C{application}."""
        super().__init__(filename)
        self.filename = filename

    def __str__(self) -> str:
        """Say which file lacks the variable."""
        return f"{self.filename} does not define a module-level variable 'application'"


def loadApplication(filename: str, kind: str = "python", passphrase: object = None) -> Any:
    """
    Run a .tac file (Python source) and return its module-level C{application}.

    The file runs with C{__file__} set to C{filename} and C{__name__} set to
    C{"__tac__"}. Only Python source is loaded: pickled applications (Twisted's
    C{.tap} kinds C{pickle}, C{source}, C{xml}) are unsafe to load and are
    not supported.

    @param filename: the path of the file.
    @param kind: C{"python"} (the only supported kind).
    @param passphrase: must be None (encrypted files are not supported).
    @return: the value of C{application}.
    @raise ValueError: If C{kind} is not C{"python"} or a passphrase is given.
    @raise OSError: If the file cannot be read (FileNotFoundError if missing).
    @raise SyntaxError: If the file is not valid Python.
    @raise NoApplicationError: If it defines no C{application}.
    @raise Exception: Whatever the file's code raises.
    """
    if kind != "python":
        raise ValueError(
            f"cannot load {filename!r} as {kind!r}: only Python (.tac) applications are "
            "supported; pickled applications are unsafe to load"
        )
    if passphrase is not None:
        raise ValueError("encrypted applications are not supported")
    with open(filename, "rb") as f:
        source = f.read()
    code = compile(source, os.fspath(filename), "exec", dont_inherit=True)
    namespace: dict[str, Any] = {"__file__": os.fspath(filename), "__name__": "__tac__"}
    exec(code, namespace)
    if "application" not in namespace:
        raise NoApplicationError(os.fspath(filename))
    return namespace["application"]
