"""
Adapters, adaptation and component containers (Twisted's C{twisted.python.components}).

An I{adapter} is a callable taking exactly one argument, the original object, and
returning an object that provides some interface on the original's behalf.  Adapters are
kept in a registry owned by netframe; L{registerAdapter} adds to it and
L{getAdapterFactory} looks in it.

Adaptation is spelled by calling the interface, exactly as zope.interface defines it::

    IAmericanSocket(uk)           # adapt or raise TypeError
    IAmericanSocket(uk, None)     # adapt or return the default

Calling an interface with an object:

  1. returns the object itself when it already provides the interface;
  2. otherwise asks the object's C{__conform__(interface)} hook, when it has one (this is
     how a L{Componentized} hands out its components);
  3. otherwise consults the adapter hooks, one of which this module installs: it looks up
     an adapter registered for the object's provided interfaces (which include the
     interfaces its class implements, and the class itself) and calls it with the object;
  4. otherwise returns the default when one was given, else raises C{TypeError}.

Importing this module installs the adapter hook once per process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from zope.interface import Interface, implementedBy, implementer, providedBy
from zope.interface.adapter import AdapterRegistry
from zope.interface.interface import InterfaceClass, adapter_hooks

__all__ = [
    "ALLOW_DUPLICATES",
    "Adapter",
    "CannotAdapt",
    "Componentized",
    "getAdapterFactory",
    "getRegistry",
    "proxyForInterface",
    "registerAdapter",
]

#: When true, L{registerAdapter} silently replaces an adapter already registered
#: for the same (original, interface) pair instead of raising C{ValueError}.  A module
#: global, as in Twisted; set it with C{components.ALLOW_DUPLICATES = True}.
ALLOW_DUPLICATES: bool = False

#: The exception raised when an object cannot be adapted (zope raises C{TypeError}).
CannotAdapt = TypeError

_T = TypeVar("_T")

_registry = AdapterRegistry()
# The registry's lookup methods are delegated at run time; zope's stubs omit them.
_lookup: Any = _registry


def getRegistry() -> AdapterRegistry:
    """
    Return the adapter registry that netframe's adaptation consults.

    @return: the process-wide C{zope.interface.adapter.AdapterRegistry} that
        L{registerAdapter} writes to.
    """
    return _registry


def _specFor(origInterfaceOrClass: object) -> Any:
    """
    Return the zope specification to register or look up an adapter under.

    @param origInterfaceOrClass: an interface, or a class (meaning "instances of it").
    @return: the interface itself, or the class's C{implementedBy} specification.
    @raise TypeError: if the argument is neither an interface nor a class.
    """
    if isinstance(origInterfaceOrClass, InterfaceClass):
        return origInterfaceOrClass
    if isinstance(origInterfaceOrClass, type):
        return implementedBy(origInterfaceOrClass)  # type: ignore[no-untyped-call]
    raise TypeError(f"expected an interface or a class to adapt from, got {origInterfaceOrClass!r}")


def registerAdapter(
    adapterFactory: Callable[[Any], Any],
    origInterfaceOrClass: object,
    *interfaceClasses: InterfaceClass,
) -> None:
    """
    Register an adapter factory from a class or interface to one or more interfaces.

    After C{registerAdapter(AdaptToAmericanSocket, UKSocket, IAmericanSocket)},
    C{IAmericanSocket(UKSocket())} returns C{AdaptToAmericanSocket(theSocket)}.
    Registration for a class also covers its subclasses; registration for an interface
    covers every object providing it.

    @param adapterFactory: a callable taking the original object and returning the
        adapter (usually a class whose C{__init__} takes C{original}).  It may return
        C{None} to decline, in which case adaptation carries on as if none were found.
    @param origInterfaceOrClass: the class or interface of the objects to adapt.
    @param interfaceClasses: the interfaces the adapter provides (at least one).
    @raise ValueError: if no interface is given, or an adapter is already registered
        for one of the pairs and L{ALLOW_DUPLICATES} is false (nothing is
        registered then).
    @raise TypeError: if C{origInterfaceOrClass} is neither a class nor an interface,
        or an element of C{interfaceClasses} is not an interface.
    """
    if not interfaceClasses:
        raise ValueError("registerAdapter needs at least one interface to adapt to")
    spec = _specFor(origInterfaceOrClass)
    for iface in interfaceClasses:
        if not isinstance(iface, InterfaceClass):
            raise TypeError(f"expected an interface to adapt to, got {iface!r}")
    if not ALLOW_DUPLICATES:
        for iface in interfaceClasses:
            existing = _registry.registered([spec], iface)
            if existing is not None:
                raise ValueError(
                    f"an adapter ({existing!r}) was already registered "
                    f"from {origInterfaceOrClass!r} to {iface!r}"
                )
    for iface in interfaceClasses:
        _registry.register([spec], iface, "", adapterFactory)


def getAdapterFactory(fromInterface: object, toInterface: InterfaceClass, default: _T) -> Any:
    """
    Return the adapter factory adapting C{fromInterface} to C{toInterface}.

    The lookup follows specification inheritance, so a factory registered for a base
    class or base interface is found for a subclass or extending interface.

    @param fromInterface: a class or interface.
    @param toInterface: the interface wanted.
    @param default: what to return when no factory is registered.
    @return: the registered factory, or C{default}.
    @raise TypeError: if C{fromInterface} is neither a class nor an interface.
    """
    factory = _lookup.lookup1(_specFor(fromInterface), toInterface)
    if factory is None:
        return default
    return factory


def _adapterHook(iface: InterfaceClass, ob: object) -> object | None:
    """
    Adapter hook installed into zope.interface: adapt with the netframe registry.

    @param iface: the interface being called.
    @param ob: the object being adapted.
    @return: the adapter, or C{None} when no factory is registered (or it declined).
    """
    factory = _lookup.lookup1(providedBy(ob), iface)
    if factory is None:
        return None
    return cast(object | None, factory(ob))


if _adapterHook not in adapter_hooks:  # pragma: no branch - a module runs once
    adapter_hooks.append(_adapterHook)


class Adapter:
    """
    A convenient base class for adapters: stores the adapted object as C{original}.

    Class attributes consulted by L{Componentized.getComponent}:

      - C{temporaryAdapter} (default false): when true the adapter is not cached;
      - C{multiComponent} (default true): when true the adapter is also registered with
        L{Componentized.addComponent}, so it is cached for every interface it
        provides whose adapter registration names its class.
    """

    temporaryAdapter: bool = False
    multiComponent: bool = True

    def __init__(self, original: Any) -> None:
        """
        Wrap C{original}.

        @param original: the object being adapted, available as C{self.original}.
        """
        self.original = original

    def __conform__(self, interface: InterfaceClass) -> Any:
        """
        Forward adaptation of this adapter to the original object's C{__conform__}.

        @param interface: the interface being adapted to.
        @return: whatever the original's C{__conform__} returns, or C{None} (meaning
            "carry on with the usual lookup") when it has none.
        """
        conform = getattr(self.original, "__conform__", None)
        if conform is None:
            return None
        return conform(interface)


class Componentized:
    """
    A container of components, one per interface, with memoized adapters.

    C{IFoo(componentized)} returns the component registered for C{IFoo} (through the
    C{__conform__} hook), creating it on first use from an adapter registered for the
    Componentized's class and caching it.
    """

    def __init__(self) -> None:
        """Create an empty container."""
        self._adapterCache: dict[InterfaceClass, Any] = {}

    def locateAdapterClass(self, klass: type, interfaceClass: InterfaceClass, default: _T) -> Any:
        """
        Return the adapter factory registered from C{klass} to C{interfaceClass}.

        @param klass: the class to adapt from.
        @param interfaceClass: the interface wanted.
        @param default: returned when nothing is registered.
        @return: the factory or C{default}.
        """
        return getAdapterFactory(klass, interfaceClass, default)

    def setAdapter(
        self, interfaceClass: InterfaceClass, adapterClass: Callable[[Any], Any]
    ) -> None:
        """
        Build an adapter from this object and make it the component for an interface.

        @param interfaceClass: the interface the adapter is the component for.
        @param adapterClass: called with this object to build the component.
        """
        self.setComponent(interfaceClass, adapterClass(self))

    def addAdapter(self, adapterClass: Callable[[Any], Any], ignoreClass: bool = False) -> Any:
        """
        Build an adapter from this object and add it with L{addComponent}.

        @param adapterClass: called with this object to build the component.
        @param ignoreClass: passed on to L{addComponent}.
        @return: the list of interfaces the component was added for.
        """
        return self.addComponent(adapterClass(self), ignoreClass)

    def setComponent(self, interfaceClass: InterfaceClass, component: object) -> None:
        """
        Make C{component} the component for C{interfaceClass}, replacing any other.

        @param interfaceClass: the interface.
        @param component: the object C{interfaceClass(self)} will return from now on.
        """
        self._adapterCache[interfaceClass] = component

    def addComponent(self, component: object, ignoreClass: bool = False) -> list[InterfaceClass]:
        """
        Add C{component} for every appropriate interface it provides.

        The interfaces considered are those C{component} provides (C{Interface} itself
        excepted).  With C{ignoreClass} true they are all appropriate; otherwise only
        those for which C{component}'s class is the adapter registered from this
        object's class.

        @param component: the component to add.
        @param ignoreClass: add it for every interface it provides.
        @return: the interfaces it was added for, most specific first.
        """
        added: list[InterfaceClass] = []
        componentClass = type(component)
        for iface in providedBy(component).flattened():
            if iface is Interface:
                continue
            if ignoreClass or (self.locateAdapterClass(type(self), iface, None) is componentClass):
                self._adapterCache[iface] = component
                added.append(iface)
        return added

    def unsetComponent(self, interfaceClass: InterfaceClass) -> None:
        """
        Forget the component for C{interfaceClass}.

        @param interfaceClass: the interface.
        @raise KeyError: if no component is set for it.
        """
        del self._adapterCache[interfaceClass]

    def removeComponent(self, component: object) -> list[InterfaceClass]:
        """
        Forget C{component} for every interface it is the component for.

        @param component: the component to remove (compared by identity).
        @return: the interfaces it was removed for (empty if it was not a component).
        """
        removed = [iface for iface, held in self._adapterCache.items() if held is component]
        for iface in removed:
            del self._adapterCache[iface]
        return removed

    def getComponent(self, interface: InterfaceClass, default: Any = None) -> Any:
        """
        Return the component for C{interface}, creating and caching it if needed.

        When none is cached, the interface's usual adaptation of this object is tried
        (this object itself if it provides the interface, else a registered adapter).
        A new adapter is cached unless its C{temporaryAdapter} attribute is true, and is
        also added with L{addComponent} when its C{multiComponent} attribute is
        true.

        @param interface: the interface wanted.
        @param default: returned when no component exists or can be made.
        @return: the component or C{default}.
        """
        try:
            return self._adapterCache[interface]
        except KeyError:
            pass
        adapter = interface.__adapt__(self)
        if adapter is None:
            return default
        if adapter is not self and not getattr(adapter, "temporaryAdapter", False):
            self._adapterCache[interface] = adapter
            if getattr(adapter, "multiComponent", False):
                self.addComponent(adapter)
        return adapter

    def __conform__(self, interface: InterfaceClass) -> Any:
        """
        Adaptation hook: C{IFoo(self)} returns L{getComponent} for C{IFoo}.

        @param interface: the interface being adapted to.
        @return: the component, or C{None} to let adaptation fail normally.
        """
        return self.getComponent(interface)


class _ProxyDescriptor:
    """
    Forward one attribute of an interface to the proxied object.

    @ivar attributeName: the forwarded name.
    @ivar originalAttribute: the attribute of the proxy holding the proxied object.
    """

    def __init__(self, attributeName: str, originalAttribute: str) -> None:
        self.attributeName = attributeName
        self.originalAttribute = originalAttribute

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            return self
        return getattr(getattr(instance, self.originalAttribute), self.attributeName)

    def __set__(self, instance: object, value: object) -> None:
        setattr(getattr(instance, self.originalAttribute), self.attributeName, value)

    def __delete__(self, instance: object) -> None:
        delattr(getattr(instance, self.originalAttribute), self.attributeName)


def proxyForInterface(iface: InterfaceClass, originalAttribute: str = "original") -> type:
    """
    Create a class that provides C{iface} by forwarding to a wrapped object.

    Instances are made with one argument, the object to wrap, stored as
    C{originalAttribute}.  Every name C{iface} declares (including inherited ones) is
    forwarded: reading, setting and deleting an attribute act on the wrapped object,
    and methods are the wrapped object's bound methods.  Subclass the result to
    override some of the interface while forwarding the rest.

    @param iface: the interface to proxy.
    @param originalAttribute: the attribute name under which the wrapped object is kept.
    @return: a new class implementing C{iface}.
    @raise TypeError: if C{iface} is not an interface.
    """
    if not isinstance(iface, InterfaceClass):
        raise TypeError(f"proxyForInterface needs an interface, got {iface!r}")

    def __init__(self: Any, original: object) -> None:
        setattr(self, originalAttribute, original)

    namespace: dict[str, Any] = {
        "__init__": __init__,
        "__doc__": f"A proxy forwarding {iface.__identifier__} to ``{originalAttribute}``.",
    }
    for name in iface.names(all=True):
        namespace[name] = _ProxyDescriptor(name, originalAttribute)
    proxyClass = type(f"(Proxy for {iface.__identifier__})", (object,), namespace)
    return cast(type, implementer(iface)(proxyClass))
