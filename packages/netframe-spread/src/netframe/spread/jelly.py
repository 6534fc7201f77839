"""
Jelly: serialize object graphs to s-expressions and back (Twisted's
C{twisted.spread.jelly}), with a security model that defaults to deny.

Wire form (what Banana carries): bytes, ints and floats are themselves;
everything else is a list whose first element is a type tag: C{[b"None"]},
C{[b"unicode", utf8]}, C{[b"boolean", b"true"]}, C{[b"list", ...]},
C{[b"tuple", ...]}, C{[b"dictionary", [k, v], ...]}, C{[b"set", ...]},
C{[b"reference", id, sexp]} / C{[b"dereference", id]} for shared and cyclic
objects, C{[b"class", name]}, C{[b"function", name]}, C{[b"module", name]},
dates and decimals, and C{[b"module.Class", state]} for instances.

Security: L{unjelly} consults a taster (L{SecurityOptions}); by default
L{globalSecurity}, which allows the basic types plus the classes registered
with L{setUnjellyableForClass}.  Nothing is imported or instantiated from
the wire unless allowed; L{DummySecurityOptions} allows everything and must
be passed explicitly.  Anything refused or malformed raises
L{InsecureJelly}; nesting beyond L{DEPTH_LIMIT} (300) is refused both ways
so neither side can be driven into a RecursionError.

Cycles through tuples, sets or factory-built objects cannot be rebuilt
(those objects only exist once their contents do); such a dereference is an
L{InsecureJelly} error.
"""

from __future__ import annotations

from netframe.spread._jelly import (
    DEPTH_LIMIT,
    DummySecurityOptions,
    IJellyable,
    InsecureJelly,
    IUnjellyable,
    Jellyable,
    SecurityOptions,
    Unjellyable,
    Unpersistable,
    getInstanceState,
    globalSecurity,
    jelly,
    setInstanceState,
    setUnjellyableFactoryForClass,
    setUnjellyableForClass,
    setUnjellyableForClassTree,
    unjelly,
    unjellyableFactoryRegistry,
    unjellyableRegistry,
)

__all__ = [
    "DEPTH_LIMIT",
    "DummySecurityOptions",
    "IJellyable",
    "IUnjellyable",
    "InsecureJelly",
    "Jellyable",
    "SecurityOptions",
    "Unjellyable",
    "Unpersistable",
    "getInstanceState",
    "globalSecurity",
    "jelly",
    "setInstanceState",
    "setUnjellyableFactoryForClass",
    "setUnjellyableForClass",
    "setUnjellyableForClassTree",
    "unjelly",
    "unjellyableFactoryRegistry",
    "unjellyableRegistry",
]

for _public in (
    DummySecurityOptions,
    InsecureJelly,
    Jellyable,
    SecurityOptions,
    Unjellyable,
    Unpersistable,
    getInstanceState,
    jelly,
    setInstanceState,
    setUnjellyableFactoryForClass,
    setUnjellyableForClass,
    setUnjellyableForClassTree,
    unjelly,
):
    _public.__module__ = __name__
del _public
