"""Tests for netframe.core.components: adapter registry, adaptation, Componentized, proxies."""

from __future__ import annotations

from typing import Any, cast

import pytest
from zope.interface import Attribute, Interface, implementer, implementer_only
from zope.interface.verify import verifyObject

from netframe.core import components


class IVoltage(Interface):
    """A test interface with one method."""

    def voltage() -> float:
        """Return the voltage."""


class IName(Interface):
    """A test interface with an attribute and a method."""

    name = Attribute("A name.")

    def greet(greeting: str) -> str:
        """Return a greeting."""


class INamedVoltage(IVoltage):
    """An interface extending IVoltage."""

    def label() -> str:
        """Return a label."""


def _freshClass() -> type:
    """Return a new class, so each test registers adapters for its own origin."""

    class Original:
        def voltage(self) -> int:
            return 240

    return Original


class RegisterAdapterTests:
    """registerAdapter and adaptation by calling the interface."""

    def test_adaptationBuildsAdapterWithOriginal(self) -> None:
        """IFoo(obj) calls the registered factory with the object as its only argument."""
        Original = _freshClass()
        components.registerAdapter(components.Adapter, Original, IVoltage)
        obj = Original()
        adapted = IVoltage(obj)
        assert isinstance(adapted, components.Adapter)
        assert adapted.original is obj

    def test_providerAdaptsToItself(self) -> None:
        """Adapting an object that already provides the interface returns the object."""

        @implementer(IVoltage)
        class Provider:
            def voltage(self) -> int:
                return 120

        obj = Provider()
        assert IVoltage(obj) is obj

    def test_defaultWhenNoAdapter(self) -> None:
        """IFoo(obj, default) returns default when nothing adapts obj."""
        marker = object()
        assert IVoltage(_freshClass()(), marker) is marker

    def test_typeErrorWhenNoAdapter(self) -> None:
        """IFoo(obj) raises TypeError (CannotAdapt) when nothing adapts obj."""
        with pytest.raises(components.CannotAdapt):
            IVoltage(_freshClass()())

    def test_duplicateRegistrationRaises(self) -> None:
        """Registering a second adapter for the same pair raises ValueError."""
        Original = _freshClass()
        components.registerAdapter(components.Adapter, Original, IVoltage)
        with pytest.raises(ValueError, match="already registered"):
            components.registerAdapter(lambda o: o, Original, IVoltage)

    def test_allowDuplicatesReplaces(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """With ALLOW_DUPLICATES set a second registration replaces the first."""
        Original = _freshClass()
        components.registerAdapter(components.Adapter, Original, IVoltage)
        monkeypatch.setattr(components, "ALLOW_DUPLICATES", True)

        class Second(components.Adapter):
            pass

        components.registerAdapter(Second, Original, IVoltage)
        assert isinstance(IVoltage(Original()), Second)

    def test_duplicateCheckedBeforeAnyRegistration(self) -> None:
        """A duplicate among several interfaces registers none of them."""
        Original = _freshClass()
        components.registerAdapter(components.Adapter, Original, IName)
        with pytest.raises(ValueError):
            components.registerAdapter(components.Adapter, Original, IVoltage, IName)
        assert IVoltage(Original(), None) is None

    def test_severalInterfaces(self) -> None:
        """One registration can cover several target interfaces."""
        Original = _freshClass()
        components.registerAdapter(components.Adapter, Original, IVoltage, IName)
        assert isinstance(IVoltage(Original()), components.Adapter)
        assert isinstance(IName(Original()), components.Adapter)

    def test_noInterfaceRaises(self) -> None:
        """registerAdapter without a target interface raises ValueError."""
        with pytest.raises(ValueError, match="at least one interface"):
            components.registerAdapter(components.Adapter, _freshClass())

    def test_nonInterfaceTargetRaises(self) -> None:
        """A target that is not an interface raises TypeError."""
        with pytest.raises(TypeError, match="interface to adapt to"):
            components.registerAdapter(components.Adapter, _freshClass(), int)  # type: ignore[arg-type]

    def test_nonClassOriginRaises(self) -> None:
        """An origin that is neither class nor interface raises TypeError."""
        with pytest.raises(TypeError, match="interface or a class"):
            components.registerAdapter(components.Adapter, object(), IVoltage)

    def test_subclassOfRegisteredClassAdapts(self) -> None:
        """An adapter registered for a class also adapts its subclasses' instances."""
        Original = _freshClass()
        components.registerAdapter(components.Adapter, Original, IVoltage)
        Sub = type("Sub", (Original,), {})
        assert isinstance(IVoltage(Sub()), components.Adapter)

    def test_interfaceAsOrigin(self) -> None:
        """An adapter registered from an interface adapts every provider of it."""

        class ISource(Interface):
            """A source interface."""

        @implementer(ISource)
        class Source:
            pass

        class ITarget(Interface):
            """A target interface."""

        components.registerAdapter(components.Adapter, ISource, ITarget)
        assert isinstance(ITarget(Source()), components.Adapter)

    def test_factoryReturningNoneDeclines(self) -> None:
        """A factory returning None makes adaptation fall back to the default."""
        Original = _freshClass()
        components.registerAdapter(lambda original: None, Original, IVoltage)
        adapted: object = IVoltage(Original(), "default")
        assert adapted == "default"

    def test_getAdapterFactory(self) -> None:
        """getAdapterFactory returns the registered factory, or the default."""
        Original = _freshClass()
        components.registerAdapter(components.Adapter, Original, IVoltage)
        assert components.getAdapterFactory(Original, IVoltage, None) is components.Adapter
        assert components.getAdapterFactory(Original, IName, "none") == "none"

    def test_getAdapterFactoryFollowsInheritance(self) -> None:
        """getAdapterFactory finds a factory registered for a base class."""
        Original = _freshClass()
        components.registerAdapter(components.Adapter, Original, IVoltage)
        Sub = type("Sub", (Original,), {})
        assert components.getAdapterFactory(Sub, IVoltage, None) is components.Adapter

    def test_getRegistryIsUsed(self) -> None:
        """getRegistry returns the registry that registerAdapter writes to."""
        Original = _freshClass()
        components.registerAdapter(components.Adapter, Original, IVoltage)
        from zope.interface import implementedBy

        registry = components.getRegistry()
        implemented = implementedBy(Original)  # type: ignore[no-untyped-call]
        assert registry.registered([implemented], IVoltage) is components.Adapter


class AdapterTests:
    """The Adapter base class."""

    def test_original(self) -> None:
        """Adapter keeps the adapted object as original."""
        obj = object()
        assert components.Adapter(obj).original is obj

    def test_conformForwardsToOriginal(self) -> None:
        """Adapting an Adapter consults its original's __conform__."""

        class Conforming:
            def __conform__(self, interface: Any) -> Any:
                return "conformed" if interface is IName else None

        adapter = components.Adapter(Conforming())
        adapted: object = IName(adapter)
        assert adapted == "conformed"

    def test_conformWithoutOriginalHook(self) -> None:
        """An Adapter whose original has no __conform__ conforms to nothing."""
        assert components.Adapter(object()).__conform__(IName) is None


class ComponentizedTests:
    """Componentized: components per interface, memoized adapters."""

    def test_setAndGetComponent(self) -> None:
        """setComponent makes getComponent return the component."""
        c = components.Componentized()
        component = object()
        c.setComponent(IVoltage, component)
        assert c.getComponent(IVoltage) is component

    def test_getComponentDefault(self) -> None:
        """getComponent returns the default when no component exists or can be made."""
        c = components.Componentized()
        assert c.getComponent(IVoltage) is None
        assert c.getComponent(IVoltage, "fallback") == "fallback"

    def test_adaptationReturnsComponent(self) -> None:
        """IFoo(componentized) returns its component through __conform__."""
        c = components.Componentized()
        component = object()
        c.setComponent(IName, component)
        assert IName(c) is component

    def test_adaptationWithoutComponentFails(self) -> None:
        """IFoo(componentized) without a component or adapter uses the default."""
        adapted: object = IName(components.Componentized(), "none")
        assert adapted == "none"

    def test_adapterIsMemoized(self) -> None:
        """An adapter made by getComponent is created once and cached."""

        class MyComponentized(components.Componentized):
            pass

        made: list[object] = []

        class Made(components.Adapter):
            def __init__(self, original: object) -> None:
                super().__init__(original)
                made.append(self)

        components.registerAdapter(Made, MyComponentized, IVoltage)
        c = MyComponentized()
        first = IVoltage(c)
        assert IVoltage(c) is first
        assert c.getComponent(IVoltage) is first
        assert made == [first]
        assert first.original is c

    def test_temporaryAdapterNotCached(self) -> None:
        """An adapter with temporaryAdapter set is made anew each time."""

        class MyComponentized(components.Componentized):
            pass

        class Temporary(components.Adapter):
            temporaryAdapter = True

        components.registerAdapter(Temporary, MyComponentized, IVoltage)
        c = MyComponentized()
        assert IVoltage(c) is not IVoltage(c)

    def test_multiComponentAddsForOtherInterfaces(self) -> None:
        """A multiComponent adapter is cached for every interface registered to it."""

        class MyComponentized(components.Componentized):
            pass

        @implementer(IVoltage, IName)
        class Both(components.Adapter):
            name = "both"

            def voltage(self) -> int:
                return 1

            def greet(self, greeting: str) -> str:
                return greeting

        components.registerAdapter(Both, MyComponentized, IVoltage, IName)
        c = MyComponentized()
        adapter = IVoltage(c)
        assert c._adapterCache[IName] is adapter
        assert IName(c) is adapter

    def test_addComponentIgnoreClass(self) -> None:
        """addComponent(ignoreClass=True) adds for every interface provided."""

        @implementer(INamedVoltage, IName)
        class Thing:  # type: ignore[misc]
            pass

        c = components.Componentized()
        thing = Thing()
        added = c.addComponent(thing, ignoreClass=True)
        assert set(added) == {INamedVoltage, IVoltage, IName}
        assert cast(object, IVoltage(c)) is thing and cast(object, IName(c)) is thing

    def test_addComponentOnlyRegisteredInterfaces(self) -> None:
        """addComponent without ignoreClass adds only where its class is the registered adapter."""

        class MyComponentized(components.Componentized):
            pass

        @implementer(IVoltage, IName)
        class Thing:  # type: ignore[misc]
            def __init__(self, original: object = None) -> None:
                self.original = original

        components.registerAdapter(Thing, MyComponentized, IVoltage)
        c = MyComponentized()
        thing = Thing()
        assert c.addComponent(thing) == [IVoltage]
        assert IName(c, None) is None

    def test_unsetComponent(self) -> None:
        """unsetComponent forgets the component; a missing one raises KeyError."""
        c = components.Componentized()
        c.setComponent(IName, object())
        c.unsetComponent(IName)
        assert c.getComponent(IName) is None
        with pytest.raises(KeyError):
            c.unsetComponent(IName)

    def test_removeComponent(self) -> None:
        """removeComponent forgets a component for all its interfaces and lists them."""
        c = components.Componentized()
        component = object()
        other = object()
        c.setComponent(IName, component)
        c.setComponent(IVoltage, component)
        c.setComponent(INamedVoltage, other)
        assert set(c.removeComponent(component)) == {IName, IVoltage}
        assert c.getComponent(IName) is None
        assert c.getComponent(INamedVoltage) is other
        assert c.removeComponent(component) == []

    def test_locateAdapterClass(self) -> None:
        """locateAdapterClass finds the adapter registered for a class."""

        class MyComponentized(components.Componentized):
            pass

        components.registerAdapter(components.Adapter, MyComponentized, IVoltage)
        c = MyComponentized()
        assert c.locateAdapterClass(MyComponentized, IVoltage, None) is components.Adapter
        assert c.locateAdapterClass(MyComponentized, IName, 0) == 0

    def test_setAdapterAndAddAdapter(self) -> None:
        """setAdapter and addAdapter build the adapter from the Componentized."""

        @implementer(IName)
        class Named(components.Adapter):
            name = "n"

            def greet(self, greeting: str) -> str:
                return greeting

        c = components.Componentized()
        c.setAdapter(IVoltage, components.Adapter)
        assert cast(Any, IVoltage(c)).original is c
        assert c.addAdapter(Named, ignoreClass=True) == [IName]
        assert cast(Any, IName(c)).original is c

    def test_providedInterfaceReturnsSelf(self) -> None:
        """A Componentized that provides the interface adapts to itself."""

        @implementer(IVoltage)
        class Self(components.Componentized):
            def voltage(self) -> int:
                return 5

        c = Self()
        assert IVoltage(c) is c


class ProxyForInterfaceTests:
    """proxyForInterface."""

    def _named(self) -> Any:
        @implementer(IName)
        class Named:
            name = "alice"

            def greet(self, greeting: str) -> str:
                return f"{greeting}, {self.name}"

            def other(self) -> str:
                return "hidden"

        return Named()

    def test_forwardsMethodsAndAttributes(self) -> None:
        """The proxy forwards the interface's methods and attributes to original."""
        original = self._named()
        proxy = components.proxyForInterface(IName)(original)
        assert proxy.greet("hello") == "hello, alice"
        assert proxy.name == "alice"
        assert proxy.original is original

    def test_providesInterface(self) -> None:
        """Proxy instances provide the interface."""
        proxy = components.proxyForInterface(IName)(self._named())
        assert IName.providedBy(proxy)
        assert verifyObject(IName, proxy)

    def test_onlyInterfaceNamesForwarded(self) -> None:
        """Names outside the interface are not forwarded."""
        proxy = components.proxyForInterface(IName)(self._named())
        assert not hasattr(proxy, "other")

    def test_setAndDeleteForwarded(self) -> None:
        """Setting and deleting an interface attribute acts on original."""
        original = self._named()
        proxy = components.proxyForInterface(IName)(original)
        proxy.name = "bob"
        assert original.name == "bob"
        del proxy.name
        assert original.name == "alice"

    def test_originalAttribute(self) -> None:
        """The wrapped object is stored under originalAttribute."""
        original = self._named()
        proxy = components.proxyForInterface(IName, originalAttribute="wrapped")(original)
        assert proxy.wrapped is original
        assert proxy.greet("hi") == "hi, alice"

    def test_subclassOverrides(self) -> None:
        """A subclass of the proxy class can override part of the interface."""

        class Shouting(components.proxyForInterface(IName)):  # type: ignore[misc]
            def greet(self, greeting: str) -> str:
                greeted: str = self.original.greet(greeting)
                return greeted.upper()

        proxy = Shouting(self._named())
        assert proxy.greet("hi") == "HI, ALICE"
        assert proxy.name == "alice"

    def test_inheritedInterfaceNames(self) -> None:
        """Names of base interfaces are forwarded too."""

        @implementer(INamedVoltage)
        class Thing:
            def voltage(self) -> int:
                return 7

            def label(self) -> str:
                return "seven"

        proxy = components.proxyForInterface(INamedVoltage)(Thing())
        assert (proxy.voltage(), proxy.label()) == (7, "seven")

    def test_nonInterfaceRaises(self) -> None:
        """proxyForInterface of a non-interface raises TypeError."""
        with pytest.raises(TypeError):
            components.proxyForInterface(object)  # type: ignore[arg-type]


class HairDryerExampleTests:
    """Example K1 (L8644-8806): sockets, a hair dryer and an adapter."""

    def _build(self) -> dict[str, Any]:
        """Declare the example's interface and classes and register the adapter."""

        class IAmericanSocket(Interface):
            def voltage() -> float:
                """
                Return the voltage produced by this socket object, as an integer.
                """

        @implementer(IAmericanSocket)
        class AmericanSocket:
            def voltage(self) -> int:
                return 120

        class UKSocket:
            def voltage(self) -> int:
                return 240

        @implementer(IAmericanSocket)
        class AdaptToAmericanSocket:
            def __init__(self, original: UKSocket) -> None:
                self.original = original

            def voltage(self) -> float:
                return self.original.voltage() / 2

        components.registerAdapter(AdaptToAmericanSocket, UKSocket, IAmericanSocket)

        class HairDryer:
            def plug(self, socket: Any) -> None:
                adapted = IAmericanSocket(socket)
                assert adapted.voltage() == 120, "BOOM"
                print("I was plugged in properly and am operating")

        return {
            "IAmericanSocket": IAmericanSocket,
            "AmericanSocket": AmericanSocket,
            "UKSocket": UKSocket,
            "AdaptToAmericanSocket": AdaptToAmericanSocket,
            "HairDryer": HairDryer,
        }

    def test_naiveHairDryer(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The naive HairDryer works on the American socket, not on the UK one."""
        ns = self._build()

        class NaiveHairDryer:
            def plug(self, socket: Any) -> None:
                if socket.voltage() == 120:
                    print("I was plugged in properly and am operating.")
                else:
                    print("I was plugged in improperly and ")
                    print("now you have no hair dryer any more.")

        hd = NaiveHairDryer()
        hd.plug(ns["AmericanSocket"]())
        hd.plug(ns["UKSocket"]())
        hd.plug(ns["AdaptToAmericanSocket"](ns["UKSocket"]()))
        assert capsys.readouterr().out == (
            "I was plugged in properly and am operating.\n"
            "I was plugged in improperly and \n"
            "now you have no hair dryer any more.\n"
            "I was plugged in properly and am operating.\n"
        )

    def test_transcript(self) -> None:
        """The interpreter transcript: implementedBy, providedBy and adaptation."""
        ns = self._build()
        IAmericanSocket = ns["IAmericanSocket"]
        assert IAmericanSocket.implementedBy(ns["AmericanSocket"]) is True
        assert IAmericanSocket.implementedBy(ns["UKSocket"]) is False
        am = ns["AmericanSocket"]()
        uk = ns["UKSocket"]()
        assert IAmericanSocket.providedBy(am) is True
        assert IAmericanSocket.providedBy(uk) is False
        adapted = IAmericanSocket(uk)
        assert isinstance(adapted, ns["AdaptToAmericanSocket"])
        assert adapted.original is uk
        assert IAmericanSocket(am) is am

    def test_smartHairDryer(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The smart HairDryer adapts and works on both sockets."""
        ns = self._build()
        hd = ns["HairDryer"]()
        hd.plug(ns["AmericanSocket"]())
        hd.plug(ns["UKSocket"]())
        assert capsys.readouterr().out == (
            "I was plugged in properly and am operating\n"
            "I was plugged in properly and am operating\n"
        )


class InterfaceInheritanceExampleTests:
    """Example K2 (L8814-8861): declarations are inherited unless implementer_only."""

    def test_implementsInherited(self) -> None:
        """A subclass of a class implementing IPBRoot implements it too."""

        class IPBRoot(Interface):
            """Stand-in for the PB root interface."""

        class IMyInterface(Interface):
            """The example's own interface."""

        @implementer(IPBRoot)
        class Root:
            pass

        @implementer(IMyInterface)
        class MyThing(Root):
            pass

        assert IPBRoot.implementedBy(MyThing) is True
        assert IMyInterface.implementedBy(MyThing) is True

    def test_implementerOnly(self) -> None:
        """implementer_only suppresses the inherited declarations."""

        class IPBRoot(Interface):
            """Stand-in for the PB root interface."""

        class IMyInterface(Interface):
            """The example's own interface."""

        @implementer(IPBRoot)
        class Root:
            pass

        @implementer_only(IMyInterface)
        class MyThing(Root):
            pass

        assert IPBRoot.implementedBy(MyThing) is False
        assert IMyInterface.implementedBy(MyThing) is True
