"""
Tests for netframe.spread.jelly: round trips, references and cycles, the
security options, the registries, the attack list and a fuzz run of unjelly.
"""

from __future__ import annotations

import datetime
import decimal
import os
import random
import sys
import types
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from zope.interface.verify import verifyObject

from netframe.spread import banana, jelly
from netframe.spread.jelly import (
    DummySecurityOptions,
    IJellyable,
    InsecureJelly,
    IUnjellyable,
    Jellyable,
    SecurityOptions,
    Unjellyable,
)


class Point:
    """A plain class for instance tests."""

    def __init__(self, x: int = 0, y: int = 0) -> None:
        self.x = x
        self.y = y

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Point) and vars(self) == vars(other)


class _ModuleTypeOnly(SecurityOptions):
    """Allows the module tag but no module."""

    def __init__(self) -> None:
        super().__init__()
        self.allowTypes("module")


class Stateful(Jellyable, Unjellyable):
    """A Jellyable/Unjellyable pair in one class."""


plain = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**400), max_value=2**400)
    | st.floats(allow_nan=False)
    | st.binary(max_size=20)
    | st.text(max_size=20),
    lambda c: (
        st.lists(c, max_size=5)
        | st.tuples(c, c)
        | st.dictionaries(st.text(max_size=5) | st.integers(), c, max_size=5)
    ),
    max_leaves=30,
)


def wire(obj: Any, taster: Any = None) -> Any:
    """Jelly, then Banana-encode and decode (what a peer would receive)."""
    return banana.decode(banana.encode(jelly.jelly(obj, taster), b"pb"), b"pb")


class RoundTripTests:
    """Plain data survives jelly, Banana and unjelly."""

    @given(plain)
    @settings(max_examples=200)
    def test_plainData(self, value: Any) -> None:
        """Every plain value comes back equal."""
        assert jelly.unjelly(wire(value)) == value

    def test_wireForm(self) -> None:
        """The type tags are Twisted's."""
        assert jelly.jelly(None) == [b"None"]
        assert jelly.jelly("é") == [b"unicode", b"\xc3\xa9"]
        assert jelly.jelly(True) == [b"boolean", b"true"]
        assert jelly.jelly((1, [2])) == [b"tuple", 1, [b"list", 2]]
        assert jelly.jelly({b"k": 1}) == [b"dictionary", [b"k", 1]]
        assert jelly.jelly({1}) == [b"set", 1]

    def test_datesAndDecimals(self) -> None:
        """Dates, times, timedeltas and decimals round-trip."""
        value = [
            datetime.datetime(2020, 1, 2, 3, 4, 5, 6),
            datetime.date(1999, 12, 31),
            datetime.time(1, 2, 3, 4),
            datetime.timedelta(1, 2, 3),
            decimal.Decimal("-12.345"),
            frozenset([1, 2]),
        ]
        assert jelly.unjelly(wire(value)) == value

    def test_sharedReference(self) -> None:
        """An object met twice becomes reference/dereference and stays shared."""
        shared = [1]
        sexp = jelly.jelly((shared, shared))
        assert sexp == [b"tuple", [b"reference", 1, [b"list", 1]], [b"dereference", 1]]
        out = jelly.unjelly(sexp)
        assert out[0] is out[1]

    def test_listCycle(self) -> None:
        """A list containing itself comes back containing itself."""
        a: list[Any] = []
        a.append(a)
        out = jelly.unjelly(wire(a))
        assert out[0] is out

    def test_dictCycle(self) -> None:
        """A dict containing itself comes back containing itself."""
        d: dict[str, Any] = {}
        d["me"] = d
        out = jelly.unjelly(wire(d))
        assert out["me"] is out

    def test_instanceCycle(self) -> None:
        """An allowed instance referring to itself keeps the cycle."""
        p = Point()
        p.x = p  # type: ignore[assignment]
        taster = SecurityOptions()
        taster.allowInstancesOf(Point)
        out = jelly.unjelly(wire(p, taster), taster)
        assert out.x is out

    def test_depthLimit(self) -> None:
        """DEPTH_LIMIT nested lists jelly and unjelly; one more is InsecureJelly."""
        value: Any = []
        for _ in range(jelly.DEPTH_LIMIT - 1):
            value = [value]
        assert jelly.unjelly(jelly.jelly(value)) == value
        with pytest.raises(InsecureJelly, match="deeper"):
            jelly.jelly([value])
        sexp: Any = [b"list"]
        for _ in range(jelly.DEPTH_LIMIT):
            sexp = [b"list", sexp]
        with pytest.raises(InsecureJelly, match="deeper"):
            jelly.unjelly(sexp)


class SecurityTests:
    """SecurityOptions really restricts; DummySecurityOptions is opt-in."""

    def test_defaultDeniesContainers(self) -> None:
        """A fresh SecurityOptions allows atoms but not lists until allowBasicTypes."""
        taster = SecurityOptions()
        assert jelly.unjelly([b"unicode", b"x"], taster) == "x"
        with pytest.raises(InsecureJelly):
            jelly.unjelly([b"list", 1], taster)
        taster.allowBasicTypes()
        assert jelly.unjelly([b"list", 1], taster) == [1]

    def test_instanceRefusedByDefault(self) -> None:
        """Unjellying an instance of an unregistered class is refused."""
        sexp = jelly.jelly(Point(1, 2), DummySecurityOptions())
        with pytest.raises(InsecureJelly):
            jelly.unjelly(sexp)

    def test_jellyRefusesUnknownInstance(self) -> None:
        """Jellying an arbitrary instance with the default options is refused."""
        with pytest.raises(InsecureJelly, match="not allowed"):
            jelly.jelly(Point())

    def test_allowInstancesOf(self) -> None:
        """allowInstancesOf lets instances of that class through, both ways."""
        taster = SecurityOptions()
        taster.allowInstancesOf(Point)
        assert jelly.unjelly(jelly.jelly(Point(1, 2), taster), taster) == Point(1, 2)

    def test_dummyAllowsEverything(self) -> None:
        """DummySecurityOptions, passed explicitly, allows classes and functions."""
        dummy = DummySecurityOptions()
        assert jelly.unjelly(jelly.jelly(Point(3, 4), dummy), dummy) == Point(3, 4)
        assert jelly.unjelly(jelly.jelly(os.path.join, dummy), dummy) is os.path.join

    def test_disallowedModule(self) -> None:
        """A module not allowed is neither imported nor returned."""
        with pytest.raises(InsecureJelly, match="not allowed"):
            jelly.unjelly([b"module", b"os"])
        with pytest.raises(InsecureJelly, match="module not allowed"):
            jelly.unjelly([b"module", b"os"], _ModuleTypeOnly())
        taster = _ModuleTypeOnly()
        taster.allowModules("os")
        assert jelly.unjelly([b"module", b"os"], taster) is os

    def test_disallowedClass(self) -> None:
        """A class reference is refused unless the class is allowed."""
        taster = SecurityOptions()
        taster.allowModules("os")
        with pytest.raises(InsecureJelly):
            jelly.unjelly([b"class", b"subprocess.Popen"], taster)
        taster.allowTypes("class")
        with pytest.raises(InsecureJelly):
            jelly.unjelly([b"class", b"subprocess.Popen"], taster)

    def test_disallowedFunction(self) -> None:
        """A function reference is refused unless its module is allowed."""
        with pytest.raises(InsecureJelly):
            jelly.unjelly([b"function", b"os.system"])
        taster = SecurityOptions()
        taster.allowTypes("function")
        with pytest.raises(InsecureJelly):
            jelly.unjelly([b"function", b"os.system"], taster)

    def test_disallowedInstanceNotImported(self) -> None:
        """An instance tag naming an unimported module does not import it."""
        name = "netframe_never_imported_module_xyz"
        with pytest.raises(InsecureJelly):
            jelly.unjelly([f"{name}.Evil".encode(), [b"dictionary"]], DummySecurityOptions())
        assert name not in sys.modules


class RegistryTests:
    """setUnjellyableForClass, the factory variant, the class tree, Jellyable."""

    def test_setUnjellyableForClass(self) -> None:
        """A registered class receives instances sent under the remote name."""

        class Local(Unjellyable):
            pass

        jelly.setUnjellyableForClass("remote.module.Thing", Local)
        try:
            out = jelly.unjelly([b"remote.module.Thing", [b"dictionary", [[b"unicode", b"a"], 1]]])
            assert isinstance(out, Local) and out.a == 1  # type: ignore[attr-defined]
        finally:
            del jelly.unjellyableRegistry["remote.module.Thing"]

    def test_setUnjellyableFactoryForClass(self) -> None:
        """A registered factory is called with the state."""
        jelly.setUnjellyableFactoryForClass(b"remote.Pair", lambda state: ("made", state))
        try:
            assert jelly.unjelly([b"remote.Pair", [b"list", 1, 2]]) == ("made", [1, 2])
        finally:
            del jelly.unjellyableFactoryRegistry["remote.Pair"]

    def test_setUnjellyableForClassTree(self) -> None:
        """Every subclass in a module is registered under prefix.name."""
        module = types.ModuleType("fake_tree")

        class Base(Unjellyable):
            pass

        class Sub(Base):
            pass

        module.Base = Base  # type: ignore[attr-defined]
        module.Sub = Sub  # type: ignore[attr-defined]
        module.other = 3  # type: ignore[attr-defined]
        jelly.setUnjellyableForClassTree(module, Base, "peer")
        try:
            assert jelly.unjellyableRegistry["peer.Sub"] is Sub
            assert jelly.unjellyableRegistry["peer.Base"] is Base
        finally:
            del jelly.unjellyableRegistry["peer.Sub"], jelly.unjellyableRegistry["peer.Base"]

    def test_jellyableUnjellyable(self) -> None:
        """A Jellyable sends its class name and state; registered, it comes back."""
        obj = Stateful()
        obj.value = [1, 2]  # type: ignore[attr-defined]
        sexp = jelly.jelly(obj)
        assert sexp[0] == f"{Stateful.__module__}.Stateful".encode()
        jelly.setUnjellyableForClass(Stateful, Stateful)
        try:
            out = jelly.unjelly(sexp)
        finally:
            del jelly.unjellyableRegistry[f"{Stateful.__module__}.{Stateful.__qualname__}"]
        assert isinstance(out, Stateful) and out.value == [1, 2]  # type: ignore[attr-defined]

    def test_interfaces(self) -> None:
        """Jellyable and Unjellyable provide their interfaces."""
        assert verifyObject(IJellyable, Stateful())
        assert verifyObject(IUnjellyable, Stateful())


class AttackTests:
    """Hostile s-expressions give InsecureJelly."""

    @pytest.mark.parametrize(
        "sexp",
        [
            [b"dereference", 7],
            [b"list", [b"dereference", 1]],
            [b"tuple", [b"reference", 1, [b"tuple", [b"dereference", 1]]]],
            [b"reference", 1, [b"list"], 3],
            [b"list", [b"reference", 1, [b"list"]], [b"reference", 1, [b"list"]]],
        ],
    )
    def test_badReferences(self, sexp: Any) -> None:
        """Dereferences to unknown ids and reused reference ids are refused."""
        with pytest.raises(InsecureJelly):
            jelly.unjelly(sexp)

    @pytest.mark.parametrize(
        "sexp",
        [
            [],
            [b"nosuchtag"],
            [b"unicode", b"\xff"],
            [b"boolean", b"maybe"],
            [b"dictionary", [1]],
            [b"dictionary", [[b"list"], 1]],
            [b"set", [b"list"]],
            [b"datetime", b"x"],
            [b"decimal", 1, 10**9],
            [b"None", 1],
            [b"\xff\xfe"],
            [1],
        ],
    )
    def test_malformed(self, sexp: Any) -> None:
        """Malformed expressions are refused with InsecureJelly."""
        with pytest.raises(InsecureJelly):
            jelly.unjelly(sexp)

    def test_fuzz(self) -> None:
        """10,000 random s-expressions raise nothing but InsecureJelly."""
        rng = random.Random(90)
        tags = [
            b"list",
            b"tuple",
            b"dictionary",
            b"reference",
            b"dereference",
            b"unicode",
            b"None",
            b"set",
            b"boolean",
            b"class",
            b"module",
            b"function",
            b"remote",
            b"local",
            b"cached",
            b"os.Evil",
            b"datetime",
            b"decimal",
            b"twisted.spread.pb.CopyableFailure",
        ]

        def make(depth: int) -> Any:
            r = rng.random()
            if depth > 4 or r < 0.3:
                return rng.choice(
                    [0, 1, -5, 2**40, 1.5, b"", b"true", b"x y", b"os", rng.randbytes(3)]
                )
            return [rng.choice(tags)] + [make(depth + 1) for _ in range(rng.randint(0, 3))]

        for _ in range(10_000):
            try:
                jelly.unjelly(make(0))
            except InsecureJelly:
                pass
