"""
Jelly: object graphs to Banana-encodable s-expressions and back.

Implementation of L{netframe.spread.jelly}; see that module's docstring.
"""

from __future__ import annotations

import datetime
import decimal
import importlib
import types
from collections.abc import Callable
from typing import Any

from zope.interface import Interface, implementer

# Type tags (bytes on the wire).
NONE_ATOM = b"None"
UNICODE_ATOM = b"unicode"
BOOLEAN_ATOM = b"boolean"
TUPLE_ATOM = b"tuple"
LIST_ATOM = b"list"
DICTIONARY_ATOM = b"dictionary"
SET_ATOM = b"set"
FROZENSET_ATOM = b"frozenset"
REFERENCE_ATOM = b"reference"
DEREFERENCE_ATOM = b"dereference"
CLASS_ATOM = b"class"
FUNCTION_ATOM = b"function"
MODULE_ATOM = b"module"
PERSISTENT_ATOM = b"persistent"
UNPERSISTABLE_ATOM = b"unpersistable"
DECIMAL_ATOM = b"decimal"
DATETIME_ATOM = b"datetime"
DATE_ATOM = b"date"
TIME_ATOM = b"time"
TIMEDELTA_ATOM = b"timedelta"

#: The deepest nesting L{jelly} produces and L{unjelly} accepts.
DEPTH_LIMIT = 300

_NONE_SEXP = [NONE_ATOM]
_TRUE_SEXP = [BOOLEAN_ATOM, b"true"]
_FALSE_SEXP = [BOOLEAN_ATOM, b"false"]

#: Registered local classes or functions, by remote type name (text).
unjellyableRegistry: dict[str, Any] = {}
#: Registered factories (called with the unjellied state), by type name.
unjellyableFactoryRegistry: dict[str, Callable[[Any], Any]] = {}


class InsecureJelly(Exception):
    """
    An s-expression (or object) that the security options do not allow, or
    that is malformed (unknown tag, bad reference, too deep).
    """


def _qual(cls: type) -> str:
    """
    Return the fully qualified name of a class.

    @param cls: the class.
    @return: C{module.QualName}.
    """
    return f"{cls.__module__}.{cls.__qualname__}"


def _text(tag: object) -> str:
    """
    Decode a tag from the wire.

    @param tag: bytes (or text) naming a type.
    @return: the tag as text.
    @raise InsecureJelly: if it is neither, or not UTF-8.
    """
    if isinstance(tag, bytes):
        try:
            return tag.decode("utf-8")
        except UnicodeDecodeError:
            raise InsecureJelly(f"type tag is not UTF-8: {tag!r:.80}") from None
    if isinstance(tag, str):
        return tag
    raise InsecureJelly(f"type tag must be bytes, not {tag!r:.80}")


class IJellyable(Interface):
    """
    An object that jellies itself.
    """

    __module__ = "netframe.spread.jelly"

    def jellyFor(jellier: Any) -> Any:
        """
        Return this object's s-expression.

        @param jellier: the L{_Jellier} at work (C{prepare}, C{preserve},
            C{jelly}, C{invoker}).
        @return: an s-expression.
        """


class IUnjellyable(Interface):
    """
    An object that fills itself from an s-expression.
    """

    __module__ = "netframe.spread.jelly"

    def unjellyFor(unjellier: Any, jellyList: Any) -> Any:
        """
        Fill this (blank) object from C{jellyList}.

        @param unjellier: the L{_Unjellier} at work (C{unjelly}, C{invoker}).
        @param jellyList: the s-expression, C{[typeTag, state...]}.
        @return: the resulting object (usually C{self}).
        """


@implementer(IJellyable)
class Jellyable:
    """
    Mixin for objects that jelly as C{[qualified class name, state]}.
    """

    def getStateFor(self, jellier: Any) -> Any:
        """
        Return the state to send; the default is C{__dict__}.

        @param jellier: the jellier at work.
        @return: the state.
        """
        return self.__dict__

    def jellyFor(self, jellier: Any) -> Any:
        """
        Return C{[qualified class name, jellied state]}, preserved for
        references.

        @param jellier: the jellier at work.
        @return: the s-expression.
        """
        sxp = jellier.prepare(self)
        sxp.extend(
            [_qual(self.__class__).encode("utf-8"), jellier.jelly(self.getStateFor(jellier))]
        )
        return jellier.preserve(self, sxp)


@implementer(IUnjellyable)
class Unjellyable:
    """
    Mixin for objects rebuilt with L{setStateFor} from the unjellied state.
    """

    def setStateFor(self, unjellier: Any, state: Any) -> None:
        """
        Install the state; the default replaces C{__dict__}.

        @param unjellier: the unjellier at work.
        @param state: the unjellied state (a dict by default).
        @raise InsecureJelly: if the default is used and the state is not a
            dict with text keys.
        """
        self.__dict__ = _stateDict(state)

    def unjellyFor(self, unjellier: Any, jellyList: Any) -> Any:
        """
        Unjelly C{jellyList[1]} and install it with L{setStateFor}.

        @param unjellier: the unjellier at work.
        @param jellyList: C{[typeTag, state]}.
        @return: C{self}.
        @raise InsecureJelly: if C{jellyList} is malformed.
        """
        if len(jellyList) != 2:
            raise InsecureJelly(f"instance expression needs a state: {jellyList!r:.80}")
        self.setStateFor(unjellier, unjellier.unjelly(jellyList[1]))
        return self


def _stateDict(state: Any) -> dict[str, Any]:
    """
    Check that an unjellied state can become an instance C{__dict__}.

    @param state: the state.
    @return: it, as a dict.
    @raise InsecureJelly: if it is not a dict with text keys.
    """
    if not isinstance(state, dict) or not all(isinstance(k, str) for k in state):
        raise InsecureJelly(f"instance state must be a dict with text keys, not {state!r:.80}")
    return state


def _maybeClassName(classOrName: object) -> str:
    """
    Return the registry key for a class or a name.

    @param classOrName: a class, or its name as text or bytes.
    @return: the name as text.
    @raise TypeError: for anything else.
    """
    if isinstance(classOrName, type):
        return _qual(classOrName)
    if isinstance(classOrName, bytes):
        return classOrName.decode("utf-8")
    if isinstance(classOrName, str):
        return classOrName
    raise TypeError(f"expected a class or a class name, not {classOrName!r}")


def setUnjellyableForClass(classname: object, unjellyable: Any) -> None:
    """
    Use C{unjellyable} for s-expressions tagged C{classname}, and allow that
    tag in L{globalSecurity}.

    @param classname: the type tag as the sender names it: a class (its
        qualified name is used) or a name.
    @param unjellyable: a class (a blank instance is made - with a no-argument
        call for L{netframe.spread.flavors.RemoteCopy} subclasses - and its
        C{unjellyFor} called) or a function C{(unjellier, jellyList) ->
        object}.
    @raise TypeError: if C{classname} is neither a class nor a name.
    """
    name = _maybeClassName(classname)
    unjellyableRegistry[name] = unjellyable
    globalSecurity.allowTypes(name)


def setUnjellyableFactoryForClass(classname: object, copyFactory: Callable[[Any], Any]) -> None:
    """
    Build objects tagged C{classname} by calling C{copyFactory(state)}, and
    allow that tag in L{globalSecurity}.

    @param classname: a class or a name, as for L{setUnjellyableForClass}.
    @param copyFactory: called with the unjellied state; returns the object.
    @raise TypeError: if C{classname} is neither a class nor a name.
    """
    name = _maybeClassName(classname)
    unjellyableFactoryRegistry[name] = copyFactory
    globalSecurity.allowTypes(name)


def setUnjellyableForClassTree(
    module: types.ModuleType, baseClass: type, prefix: str | None = None
) -> None:
    """
    Register every class of C{module} derived from C{baseClass} for the tag
    C{prefix + "." + class name}.

    @param module: the module whose classes are registered.
    @param baseClass: only its subclasses (itself included) are registered.
    @param prefix: the tag prefix; defaults to the module's name; C{""}
        registers bare class names.
    """
    if prefix is None:
        prefix = module.__name__
    if prefix:
        prefix = prefix + "."
    for name in dir(module):
        loaded = getattr(module, name)
        if isinstance(loaded, type) and issubclass(loaded, baseClass):
            setUnjellyableForClass(prefix + name, loaded)


def getInstanceState(inst: Any, jellier: Any) -> Any:
    """
    Jelly an instance generically as C{[qualified class name, state]}, the
    state being C{__getstate__()} or C{__dict__}.

    @param inst: the instance.
    @param jellier: the jellier at work.
    @return: the s-expression.
    """
    getState = getattr(inst, "__getstate__", None)
    state = getState() if getState is not None else inst.__dict__
    sxp = jellier.prepare(inst)
    sxp.extend([_qual(inst.__class__).encode("utf-8"), jellier.jelly(state)])
    return jellier.preserve(inst, sxp)


def setInstanceState(inst: Any, unjellier: Any, jellyList: Any) -> Any:
    """
    Fill an instance from C{[tag, state]} with C{__setstate__} or by
    replacing C{__dict__}.

    @param inst: the blank instance.
    @param unjellier: the unjellier at work.
    @param jellyList: the s-expression.
    @return: C{inst}.
    @raise InsecureJelly: if the expression or state is malformed.
    """
    if len(jellyList) != 2:
        raise InsecureJelly(f"instance expression needs a state: {jellyList!r:.80}")
    state = unjellier.unjelly(jellyList[1])
    setState = getattr(inst, "__setstate__", None)
    if setState is not None and not isinstance(inst, type):
        setState(state)
    else:
        inst.__dict__ = _stateDict(state)
    return inst


class SecurityOptions:
    """
    What L{unjelly} (and L{jelly}) may handle: default deny.

    A fresh instance allows the atoms only (C{None}, booleans, text, bytes,
    numbers, decimals, dates and times, sets); L{allowBasicTypes} adds
    lists, tuples, dictionaries and references; classes, instances,
    functions and modules are refused unless allowed one by one.
    """

    basicTypes = (
        "dictionary",
        "list",
        "tuple",
        "reference",
        "dereference",
        "unpersistable",
        "persistent",
    )

    def __init__(self) -> None:
        self.allowedTypes: set[str] = {
            "None",
            "bool",
            "boolean",
            "string",
            "str",
            "int",
            "float",
            "datetime",
            "time",
            "date",
            "timedelta",
            "NoneType",
            "unicode",
            "decimal",
            "set",
            "frozenset",
        }
        self.allowedModules: set[str] = set()
        self.allowedClasses: set[type] = set()

    def allowBasicTypes(self) -> None:
        """
        Allow lists, tuples, dictionaries and references (and the atoms).
        """
        self.allowTypes(*self.basicTypes)

    def allowTypes(self, *types: str | bytes) -> None:
        """
        Allow these type tags.

        @param types: tags, as text or bytes (a class's qualified name is the
            tag of its instances).
        """
        for t in types:
            self.allowedTypes.add(_text(t))

    def allowInstancesOf(self, *classes: type) -> None:
        """
        Allow instances of these classes (their tags, modules and the
        classes themselves); implies L{allowBasicTypes}.

        @param classes: the classes.
        """
        self.allowBasicTypes()
        for cls in classes:
            self.allowTypes(_qual(cls))
            self.allowModules(cls.__module__)
            self.allowedClasses.add(cls)

    def allowModules(self, *modules: str | types.ModuleType) -> None:
        """
        Allow these modules (importing them and naming their members).

        @param modules: modules or their names.
        """
        for m in modules:
            self.allowedModules.add(m.__name__ if isinstance(m, types.ModuleType) else m)

    def isModuleAllowed(self, moduleName: str) -> bool:
        """
        @param moduleName: a dotted module name.
        @return: whether it was allowed.
        """
        return moduleName in self.allowedModules

    def isClassAllowed(self, klass: type) -> bool:
        """
        @param klass: a class.
        @return: whether it was allowed.
        """
        return klass in self.allowedClasses

    def isTypeAllowed(self, typeName: str) -> bool:
        """
        @param typeName: a type tag (text).
        @return: whether it was allowed.
        """
        return typeName in self.allowedTypes


class DummySecurityOptions:
    """
    Security options that allow everything: only for trusted peers, and only
    by explicit opt-in (creating arbitrary objects from the wire amounts to
    running the peer's code).
    """

    def isModuleAllowed(self, moduleName: str) -> bool:
        """
        @param moduleName: a module name.
        @return: C{True}.
        """
        return True

    def isClassAllowed(self, klass: type) -> bool:
        """
        @param klass: a class.
        @return: C{True}.
        """
        return True

    def isTypeAllowed(self, typeName: str) -> bool:
        """
        @param typeName: a type tag.
        @return: C{True}.
        """
        return True


#: The security options PB uses: basic types plus every class registered
#: with L{setUnjellyableForClass}.
globalSecurity = SecurityOptions()
globalSecurity.allowBasicTypes()

_ATOMS = (bytes, int, float)


class _Jellier:
    """
    One jelly operation: tracks objects seen so repeated ones become
    references.

    @ivar taster: the security options consulted for instances, classes,
        functions and modules.
    @ivar persistentStore: optional callable giving a persistent id.
    @ivar invoker: the PB broker, or C{None} outside PB.
    """

    def __init__(self, taster: Any, persistentStore: Any, invoker: Any) -> None:
        self.taster = taster
        self.persistentStore = persistentStore
        self.invoker = invoker
        self.preserved: dict[int, list[Any]] = {}
        self.cooked: dict[int, list[Any]] = {}
        self._keep: list[Any] = []
        self._refId = 1
        self._depth = 0

    def prepare(self, obj: Any) -> list[Any]:
        """
        Mark C{obj} as being jellied and return a new list for its
        s-expression.

        @param obj: the object.
        @return: an empty list to fill and give to L{preserve}.
        """
        self.preserved[id(obj)] = []
        self._keep.append(obj)
        return []

    def preserve(self, obj: Any, sexp: list[Any]) -> list[Any]:
        """
        Record C{obj}'s finished s-expression.

        @param obj: the object given to L{prepare}.
        @param sexp: its s-expression.
        @return: what to put in the output (a C{reference} wrapper when the
            object was referred to while being jellied).
        """
        oid = id(obj)
        if oid in self.cooked:
            placeholder = self.preserved[oid]
            placeholder[2] = sexp
            return placeholder
        self.preserved[oid] = sexp
        return sexp

    def _cook(self, oid: int) -> list[Any]:
        """
        Turn the preserved s-expression of object C{oid} into a
        C{reference} and return the matching C{dereference}.
        """
        aList = self.preserved[oid]
        newList = list(aList)
        refId = self._refId
        self._refId += 1
        aList[:] = [REFERENCE_ATOM, refId, newList]
        deref = [DEREFERENCE_ATOM, refId]
        self.cooked[oid] = deref
        return deref

    def jelly(self, obj: Any) -> Any:
        """
        Return the s-expression of C{obj}.

        @param obj: the object.
        @return: a Banana-encodable value.
        @raise InsecureJelly: if the security options refuse it, or the
            nesting is deeper than L{DEPTH_LIMIT}.
        """
        cls = obj.__class__
        if cls in _ATOMS:
            return obj
        if cls is str:
            return [UNICODE_ATOM, obj.encode("utf-8")]
        if obj is None:
            return _NONE_SEXP
        if cls is bool:
            return _TRUE_SEXP if obj else _FALSE_SEXP
        oid = id(obj)
        cooked = self.cooked.get(oid)
        if cooked is not None:
            return cooked
        if oid in self.preserved:
            return self._cook(oid)
        self._depth += 1
        try:
            if self._depth > DEPTH_LIMIT:
                raise InsecureJelly(f"object nested deeper than {DEPTH_LIMIT} levels")
            return self._jellyComposite(obj, cls)
        finally:
            self._depth -= 1

    def _jellyComposite(self, obj: Any, cls: type) -> Any:
        """
        Jelly a container, instance, class, function or module.
        """
        jellyFor = getattr(obj, "jellyFor", None)
        if jellyFor is not None and not isinstance(obj, type):
            return jellyFor(self)
        if cls is list or cls is tuple or cls is dict or cls is set or cls is frozenset:
            sxp = self.prepare(obj)
            if cls is list:
                sxp.append(LIST_ATOM)
                sxp.extend(map(self.jelly, obj))
            elif cls is tuple:
                sxp.append(TUPLE_ATOM)
                sxp.extend(map(self.jelly, obj))
            elif cls is dict:
                sxp.append(DICTIONARY_ATOM)
                sxp.extend([[self.jelly(k), self.jelly(v)] for k, v in obj.items()])
            else:
                sxp.append(SET_ATOM if cls is set else FROZENSET_ATOM)
                sxp.extend(map(self.jelly, obj))
            return self.preserve(obj, sxp)
        if cls is decimal.Decimal:
            sign, digits, exponent = obj.as_tuple()
            value = int("".join(map(str, digits)) or "0")
            if sign:
                value = -value
            if not isinstance(exponent, int):
                raise InsecureJelly(f"cannot jelly non-finite decimal {obj!r}")
            return [DECIMAL_ATOM, value, exponent]
        if cls is datetime.datetime:
            if obj.tzinfo is not None:
                raise InsecureJelly(f"cannot jelly aware datetime {obj!r}")
            return [
                DATETIME_ATOM,
                (
                    f"{obj.year} {obj.month} {obj.day} {obj.hour} {obj.minute} {obj.second} {obj.microsecond}"
                ).encode(),
            ]
        if cls is datetime.date:
            return [DATE_ATOM, f"{obj.year} {obj.month} {obj.day}".encode()]
        if cls is datetime.time:
            if obj.tzinfo is not None:
                raise InsecureJelly(f"cannot jelly aware time {obj!r}")
            return [TIME_ATOM, f"{obj.hour} {obj.minute} {obj.second} {obj.microsecond}".encode()]
        if cls is datetime.timedelta:
            return [TIMEDELTA_ATOM, f"{obj.days} {obj.seconds} {obj.microseconds}".encode()]
        if self.persistentStore is not None:
            pid = self.persistentStore(obj, self)
            if pid is not None:
                return [PERSISTENT_ATOM, pid]
        taster = self.taster
        if isinstance(obj, type):
            if not (taster.isModuleAllowed(obj.__module__) and taster.isClassAllowed(obj)):
                raise InsecureJelly(f"class not allowed: {_qual(obj)}")
            return [CLASS_ATOM, _qual(obj).encode("utf-8")]
        if isinstance(obj, types.ModuleType):
            if not taster.isModuleAllowed(obj.__name__):
                raise InsecureJelly(f"module not allowed: {obj.__name__}")
            return [MODULE_ATOM, obj.__name__.encode("utf-8")]
        if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType)):
            name = f"{obj.__module__}.{obj.__qualname__}"
            if not taster.isModuleAllowed(obj.__module__ or ""):
                raise InsecureJelly(f"function not allowed: {name}")
            return [FUNCTION_ATOM, name.encode("utf-8")]
        if taster.isModuleAllowed(cls.__module__) and taster.isClassAllowed(cls):
            return getInstanceState(obj, self)
        raise InsecureJelly(f"Class not allowed for instance: {_qual(cls)} {obj!r:.80}")


def _blank(cls: Any) -> Any:
    """
    Make an instance of C{cls} without running its constructor.

    @param cls: the class.
    @return: the blank instance.
    @raise InsecureJelly: if the class cannot be instantiated that way.
    """
    try:
        return cls.__new__(cls)
    except Exception as e:
        raise InsecureJelly(f"cannot create a blank {cls!r:.80}: {e!r:.80}") from e


class _Unjellier:
    """
    One unjelly operation: resolves references and applies the security
    options.

    @ivar taster: the security options.
    @ivar persistentLoad: optional callable resolving persistent ids.
    @ivar invoker: the PB broker, or C{None} outside PB.
    """

    def __init__(self, taster: Any, persistentLoad: Any, invoker: Any) -> None:
        self.taster = taster
        self.persistentLoad = persistentLoad
        self.invoker = invoker
        self.references: dict[int, Any] = {}
        self.postCallbacks: list[Callable[[], Any]] = []
        self._depth = 0
        self._pendingRef: int | None = None

    def unjellyFull(self, obj: Any) -> Any:
        """
        Unjelly a whole expression and run the C{postUnjelly} hooks.

        @param obj: the s-expression.
        @return: the object.
        @raise InsecureJelly: see L{unjelly}.
        """
        result = self.unjelly(obj)
        for callback in self.postCallbacks:
            callback()
        return result

    def _register(self, obj: Any) -> None:
        """
        Bind the pending C{reference} id (if any) to a just-created object,
        before its contents are unjellied, so cycles resolve.
        """
        refId = self._pendingRef
        if refId is not None:
            self._pendingRef = None
            self.references[refId] = obj

    def unjelly(self, obj: Any) -> Any:
        """
        Return the object an s-expression stands for.

        @param obj: the s-expression.
        @return: the object.
        @raise InsecureJelly: for a tag, class, module or function the
            security options refuse, an unknown tag, a malformed expression,
            a dereference to an unknown id, or nesting deeper than
            L{DEPTH_LIMIT}.
        """
        cls = obj.__class__
        if cls is not list:
            if cls in _ATOMS:
                return obj
            raise InsecureJelly(f"cannot unjelly {cls.__name__} {obj!r:.80}")
        if not obj:
            raise InsecureJelly("empty s-expression")
        self._depth += 1
        try:
            if self._depth > DEPTH_LIMIT:
                raise InsecureJelly(f"s-expression nested deeper than {DEPTH_LIMIT} levels")
            tag = _text(obj[0])
            if not self.taster.isTypeAllowed(tag):
                raise InsecureJelly(f"type not allowed: {tag!r:.80}")
            handler = _HANDLERS.get(tag)
            if handler is not None:
                pending = self._pendingRef
                result = handler(self, obj)
                if pending is not None and self._pendingRef == pending:
                    # An atom-like value (tuple, set...) built after its
                    # contents: bind it now.
                    self._register(result)
                return result
            try:
                return self._unjellyRegistered(tag, obj)
            except InsecureJelly:
                raise
            except Exception as e:
                # A user hook (setCopyableState, __setstate__, a factory)
                # rejected the state.
                raise InsecureJelly(f"could not rebuild {tag!r:.80}: {e!r:.200}") from e
        finally:
            self._depth -= 1

    def _unjellyRegistered(self, tag: str, obj: list[Any]) -> Any:
        """
        Unjelly an instance of a registered or allowed class.
        """
        reg = unjellyableRegistry.get(tag)
        if reg is not None:
            if isinstance(reg, type):
                inst = reg() if getattr(reg, "_unjellyNoArgConstructor", False) else _blank(reg)
                self._register(inst)
                unjellyFor = getattr(inst, "unjellyFor", None)
                if unjellyFor is not None:
                    result = unjellyFor(self, obj)
                else:
                    result = setInstanceState(inst, self, obj)
            else:
                pending = self._pendingRef
                self._pendingRef = None
                result = reg(self, obj)
                self._pendingRef = pending
                self._register(result)
            if hasattr(result, "postUnjelly"):
                self.postCallbacks.append(result.postUnjelly)
            return result
        factory = unjellyableFactoryRegistry.get(tag)
        if factory is not None:
            if len(obj) != 2:
                raise InsecureJelly(f"instance expression needs a state: {obj!r:.80}")
            pending = self._pendingRef
            self._pendingRef = None
            state = self.unjelly(obj[1])
            self._pendingRef = pending
            result = factory(state)
            self._register(result)
            return result
        klass = self._findClass(tag)
        inst = _blank(klass)
        self._register(inst)
        return setInstanceState(inst, self, obj)

    def _findClass(self, name: str) -> type:
        """
        Import an allowed class by qualified name.

        @raise InsecureJelly: if its module or the class is not allowed, or
            it does not exist.
        """
        obj = self._findObject(name)
        if not isinstance(obj, type) or not self.taster.isClassAllowed(obj):
            raise InsecureJelly(f"class not allowed: {name!r:.80}")
        return obj

    def _findObject(self, name: str) -> Any:
        """
        Find a module member by qualified name, importing the module only if
        the security options allow it.

        @raise InsecureJelly: if no allowed module holds it.
        """
        parts = name.split(".")
        for i in range(len(parts) - 1, 0, -1):
            modName = ".".join(parts[:i])
            if not self.taster.isModuleAllowed(modName):
                continue
            try:
                module = importlib.import_module(modName)
            except ImportError:
                continue
            obj: Any = module
            try:
                for attr in parts[i:]:
                    obj = getattr(obj, attr)
            except AttributeError:
                raise InsecureJelly(f"{name!r:.80} does not exist") from None
            return obj
        raise InsecureJelly(f"module not allowed for {name!r:.80}")

    # -- the built-in tags -----------------------------------------------------

    def _args(self, obj: list[Any], n: int) -> list[Any]:
        if len(obj) != n + 1:
            raise InsecureJelly(f"{_text(obj[0])} expression needs {n} argument(s): {obj!r:.80}")
        return obj[1:]

    def _unjellyNone(self, obj: list[Any]) -> Any:
        self._args(obj, 0)
        return None

    def _unjellyUnicode(self, obj: list[Any]) -> Any:
        (data,) = self._args(obj, 1)
        if not isinstance(data, bytes):
            raise InsecureJelly(f"unicode needs bytes, not {data!r:.80}")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise InsecureJelly(f"unicode is not UTF-8: {data!r:.80}") from None

    def _unjellyBoolean(self, obj: list[Any]) -> Any:
        (data,) = self._args(obj, 1)
        if data == b"true":
            return True
        if data == b"false":
            return False
        raise InsecureJelly(f"boolean must be true or false, not {data!r:.80}")

    def _unjellyList(self, obj: list[Any]) -> Any:
        result: list[Any] = []
        self._register(result)
        result.extend(map(self.unjelly, obj[1:]))
        return result

    def _unjellyTuple(self, obj: list[Any]) -> Any:
        pending = self._pendingRef
        self._pendingRef = None
        result = tuple(map(self.unjelly, obj[1:]))
        self._pendingRef = pending
        return result

    def _unjellySet(self, obj: list[Any]) -> Any:
        pending = self._pendingRef
        self._pendingRef = None
        items = list(map(self.unjelly, obj[1:]))
        self._pendingRef = pending
        try:
            return set(items) if obj[0] in (SET_ATOM, "set") else frozenset(items)
        except TypeError:
            raise InsecureJelly(f"unhashable set member in {obj!r:.80}") from None

    def _unjellyDictionary(self, obj: list[Any]) -> Any:
        result: dict[Any, Any] = {}
        self._register(result)
        unjelly = self.unjelly
        for pair in obj[1:]:
            if pair.__class__ is not list or len(pair) != 2:
                raise InsecureJelly(f"dictionary item must be a [key, value] pair: {pair!r:.80}")
            key = unjelly(pair[0])
            try:
                result[key] = unjelly(pair[1])
            except TypeError:
                raise InsecureJelly(f"unhashable dictionary key {key!r:.80}") from None
        return result

    def _unjellyReference(self, obj: list[Any]) -> Any:
        refId, exp = self._args(obj, 2)
        if refId.__class__ is not int or refId in self.references:
            raise InsecureJelly(f"bad reference id {refId!r:.80}")
        if exp.__class__ is not list:
            self.references[refId] = exp
            return exp
        saved = self._pendingRef
        self._pendingRef = refId
        result = self.unjelly(exp)
        if self._pendingRef == refId:
            self._pendingRef = None
            self.references[refId] = result
        self._pendingRef = saved
        return result

    def _unjellyDereference(self, obj: list[Any]) -> Any:
        (refId,) = self._args(obj, 1)
        try:
            return self.references[refId]
        except (KeyError, TypeError):
            raise InsecureJelly(f"dereference to unknown id {refId!r:.80}") from None

    def _unjellyDecimal(self, obj: list[Any]) -> Any:
        value, exponent = self._args(obj, 2)
        if (
            value.__class__ is not int
            or exponent.__class__ is not int
            or not -10000 < exponent < 10000
        ):
            raise InsecureJelly(f"bad decimal {obj!r:.80}")
        sign = 1 if value < 0 else 0
        digits = tuple(int(d) for d in str(abs(value)))
        return decimal.Decimal((sign, digits, exponent))

    def _ints(self, obj: list[Any], n: int) -> list[int]:
        (data,) = self._args(obj, 1)
        try:
            parts = [int(p) for p in data.split()]
        except (AttributeError, ValueError):
            raise InsecureJelly(f"bad {_text(obj[0])} value {data!r:.80}") from None
        if len(parts) != n:
            raise InsecureJelly(f"bad {_text(obj[0])} value {data!r:.80}")
        return parts

    def _unjellyDatetime(self, obj: list[Any]) -> Any:
        try:
            y, mo, d, h, mi, s, us = self._ints(obj, 7)
            return datetime.datetime(y, mo, d, h, mi, s, us)
        except (ValueError, OverflowError):
            raise InsecureJelly(f"bad datetime {obj!r:.80}") from None

    def _unjellyDate(self, obj: list[Any]) -> Any:
        try:
            return datetime.date(*self._ints(obj, 3))
        except (ValueError, OverflowError):
            raise InsecureJelly(f"bad date {obj!r:.80}") from None

    def _unjellyTime(self, obj: list[Any]) -> Any:
        try:
            h, mi, s, us = self._ints(obj, 4)
            return datetime.time(h, mi, s, us)
        except (ValueError, OverflowError):
            raise InsecureJelly(f"bad time {obj!r:.80}") from None

    def _unjellyTimedelta(self, obj: list[Any]) -> Any:
        days, seconds, micro = self._ints(obj, 3)
        try:
            return datetime.timedelta(days, seconds, micro)
        except (ValueError, OverflowError):
            raise InsecureJelly(f"bad timedelta {obj!r:.80}") from None

    def _unjellyPersistent(self, obj: list[Any]) -> Any:
        (pid,) = self._args(obj, 1)
        if self.persistentLoad is None:
            raise InsecureJelly("persistent reference without a persistentLoad")
        return self.persistentLoad(pid, self)

    def _unjellyUnpersistable(self, obj: list[Any]) -> Any:
        (reason,) = self._args(obj, 1)
        return Unpersistable(reason)

    def _unjellyModule(self, obj: list[Any]) -> Any:
        (name,) = self._args(obj, 1)
        name = _text(name)
        if not self.taster.isModuleAllowed(name):
            raise InsecureJelly(f"module not allowed: {name!r:.80}")
        try:
            return importlib.import_module(name)
        except ImportError:
            raise InsecureJelly(f"module {name!r:.80} does not exist") from None

    def _unjellyClass(self, obj: list[Any]) -> Any:
        (name,) = self._args(obj, 1)
        return self._findClass(_text(name))

    def _unjellyFunction(self, obj: list[Any]) -> Any:
        (name,) = self._args(obj, 1)
        found = self._findObject(_text(name))
        if not callable(found) or isinstance(found, type):
            raise InsecureJelly(f"{name!r:.80} is not a function")
        return found


class Unpersistable:
    """
    Stands for an object that could not be jellied.

    @ivar reason: why.
    """

    def __init__(self, reason: Any) -> None:
        """
        @param reason: why the object could not be jellied.
        """
        self.reason = reason

    def __repr__(self) -> str:
        """
        @return: C{Unpersistable(reason)}.
        """
        return f"Unpersistable({self.reason!r})"


_HANDLERS: dict[str, Callable[[_Unjellier, list[Any]], Any]] = {
    "None": _Unjellier._unjellyNone,
    "unicode": _Unjellier._unjellyUnicode,
    "boolean": _Unjellier._unjellyBoolean,
    "list": _Unjellier._unjellyList,
    "tuple": _Unjellier._unjellyTuple,
    "set": _Unjellier._unjellySet,
    "frozenset": _Unjellier._unjellySet,
    "dictionary": _Unjellier._unjellyDictionary,
    "reference": _Unjellier._unjellyReference,
    "dereference": _Unjellier._unjellyDereference,
    "decimal": _Unjellier._unjellyDecimal,
    "datetime": _Unjellier._unjellyDatetime,
    "date": _Unjellier._unjellyDate,
    "time": _Unjellier._unjellyTime,
    "timedelta": _Unjellier._unjellyTimedelta,
    "persistent": _Unjellier._unjellyPersistent,
    "unpersistable": _Unjellier._unjellyUnpersistable,
    "module": _Unjellier._unjellyModule,
    "class": _Unjellier._unjellyClass,
    "function": _Unjellier._unjellyFunction,
}


def jelly(obj: Any, taster: Any = None, persistentStore: Any = None, invoker: Any = None) -> Any:
    """
    Serialize an object graph to an s-expression (Banana-encodable lists of
    bytes, ints and floats).  Objects met more than once (cycles included)
    become C{reference}/C{dereference} pairs.

    @param obj: the object.
    @param taster: security options for instances, classes, functions and
        modules; defaults to L{globalSecurity}.
    @param persistentStore: optional C{(obj, jellier) -> id or None}.
    @param invoker: the PB broker, or C{None}.
    @return: the s-expression.
    @raise InsecureJelly: if the security options refuse something, or the
        graph is nested deeper than L{DEPTH_LIMIT}.
    """
    return _Jellier(globalSecurity if taster is None else taster, persistentStore, invoker).jelly(
        obj
    )


def unjelly(sexp: Any, taster: Any = None, persistentLoad: Any = None, invoker: Any = None) -> Any:
    """
    Rebuild an object graph from an s-expression.

    @param sexp: the s-expression (e.g. decoded by Banana).
    @param taster: security options; defaults to L{globalSecurity} (basic
        types and registered classes only).  Pass L{DummySecurityOptions}
        explicitly to allow everything (trusted peers only).
    @param persistentLoad: optional C{(id, unjellier) -> object}.
    @param invoker: the PB broker, or C{None}.
    @return: the object.
    @raise InsecureJelly: for anything the security options refuse or that
        is malformed (unknown tag, dereference to an unknown id, too deep).
    """
    return _Unjellier(
        globalSecurity if taster is None else taster, persistentLoad, invoker
    ).unjellyFull(sexp)
