"""
Plugin discovery: L{getPlugins} and L{pluginPackagePaths}.

Where plugin modules come from, in this order:

 1. Drop-in files: every C{*.py} file in every C{netframe/plugins/} directory
    found on C{sys.path} that is not a package (has no C{__init__} file), in
    C{sys.path} order, files sorted by name. The file C{stem.py} is loaded as
    module C{netframe.plugins.stem}.
 2. Entry points of group C{netframe.plugins}: the entry's name is the plugin
    module's name, its value the module to import (C{pkg.mod}; C{pkg.mod:obj}
    makes C{obj} alone the candidate plugin). Sorted by name.

When a custom plugin package is given instead, the C{*.py} files of every
directory of its C{__path__}, in that order, are the plugin modules (loaded as
C{<package>.<stem>}); neither drop-ins nor entry points are consulted.

A module name seen twice is loaded from its first place only (the first
directory on C{sys.path}; drop-ins before entry points) and each ignored
duplicate is logged once per process at level C{warn}.

Private module; the public names are re-exported by C{netframe.plugin}.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.metadata
import importlib.util
import os
import stat
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any, TypeVar, cast

from zope.interface import providedBy
from zope.interface.interface import InterfaceClass

from netframe.logger import Logger
from netframe.plugin._cache import CacheEntry, SourceCache, cacheDirectory, forgetReports
from netframe.plugin._interfaces import IPlugin

__all__ = [
    "DROPIN_PACKAGE",
    "ENTRY_POINT_GROUP",
    "REACTOR_MODULE",
    "PluginImportsReactorError",
    "getPlugins",
    "pluginPackagePaths",
]

_T = TypeVar("_T")

DROPIN_PACKAGE = "netframe.plugins"
"""Name of the namespace package drop-in plugin modules are loaded into."""

ENTRY_POINT_GROUP = "netframe.plugins"
"""Entry-point group whose entries name plugin modules."""

REACTOR_MODULE = "netframe.core.reactor"
"""The module whose import installs the global reactor; discovery never keeps it."""

_log = Logger(namespace="netframe.plugin")

# Any of these beside a directory's other files makes it a package.
_INIT_NAMES = tuple("__init__" + suffix for suffix in importlib.machinery.all_suffixes())


class PluginImportsReactorError(Exception):
    """
    A plugin module imported C{netframe.core.reactor} at module level.

    Importing the reactor module installs the default reactor, which would
    stop C{netframe-twistd -r} from installing the one the user asked for, so
    discovery undoes the import and treats the plugin module as broken.
    """


@dataclass(frozen=True, slots=True)
class _Candidate:
    """
    One plugin module to consider.

    @ivar key: the module's plugin name (file stem or entry-point name); the
        cache key and the name duplicates are detected by.
    @ivar moduleName: the name the module is (to be) imported as.
    @ivar attribute: for an entry point C{mod:obj}, the dotted attribute path.
    @ivar target: C{moduleName}, or the entry point's value.
    @ivar origin: absolute path of the module's file, or C{None} if unknown
        (the module is then always imported and never cached).
    @ivar mtime: the file's modification time in nanoseconds (or 0).
    @ivar size: the file's size in bytes (or 0).
    @ivar fromFile: C{True} to load C{origin} under C{moduleName} directly,
        C{False} to import C{moduleName} through the import system.
    """

    key: str
    moduleName: str
    attribute: str | None
    target: str
    origin: str | None
    mtime: int
    size: int
    fromFile: bool

    def matches(self, entry: CacheEntry) -> bool:
        """
        Say whether a cache entry describes exactly this module file.

        @param entry: the cached entry for C{self.key}.
        @return: C{True} if target, file, modification time and size agree.
        """
        return (
            self.origin is not None
            and entry.origin == self.origin
            and entry.target == self.target
            and entry.mtime == self.mtime
            and entry.size == self.size
        )


@dataclass(frozen=True, slots=True)
class _Source:
    """
    One group of plugin modules sharing a cache file.

    @ivar kind: C{"dropin"}, C{"package:<name>"} or C{"entry-points:<group>"}.
    @ivar location: the directory, or C{""} for entry points.
    @ivar candidates: the modules, in discovery order.
    """

    kind: str
    location: str
    candidates: list[_Candidate]


class _State:
    """
    What discovery remembers for the life of the process.

    @ivar lock: serialises module loading.
    @ivar reported: keys of problems already logged.
    @ivar broken: modules that failed to load, by name, with the file
        version that failed (not retried until the file changes).
    @ivar loaded: modules this process loaded from a file, by name, with the
        file version loaded (only those may be written to the cache).
    """

    __slots__ = ("broken", "loaded", "lock", "reported")

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.reported: set[tuple[str, ...]] = set()
        self.broken: dict[str, tuple[str | None, int, int]] = {}
        self.loaded: dict[str, tuple[str | None, int, int]] = {}

    def firstReport(self, *key: str) -> bool:
        """
        Say whether a problem is reported for the first time, and remember it.

        @param key: what identifies the problem.
        @return: C{True} the first time C{key} is seen.
        """
        with self.lock:
            if key in self.reported:
                return False
            self.reported.add(key)
            return True


_state = _State()


def resetState() -> None:
    """
    Forget everything remembered about loaded and broken plugin modules and
    reported problems, as a fresh process would (for tests).
    """
    global _state
    _state = _State()
    forgetReports()


def pluginPackagePaths(name: str) -> list[str]:
    """
    Return the directories on C{sys.path} that hold portions of plugin package
    C{name} without being that package.

    A custom plugin package uses it in its C{__init__.py} so that plugin
    modules dropped into C{<name as path>/} directories elsewhere on
    C{sys.path} (which must not contain an C{__init__.py}) are found::

        from netframe.plugin import pluginPackagePaths
        __path__.extend(pluginPackagePaths(__name__))
        __all__ = []

    @param name: the package's dotted name, e.g. C{"yourproject.plugins"}.
    @return: absolute paths of existing directories C{<entry>/<name as path>}
        for each C{sys.path} entry, in C{sys.path} order, without duplicates,
        excluding any directory with an C{__init__} file.
    @raise ValueError: if C{name} is not a dotted Python identifier.
    """
    parts = name.split(".")
    if not all(part.isidentifier() for part in parts):
        raise ValueError(f"not a dotted package name: {name!r}")
    return _portionDirectories(parts)


def _portionDirectories(parts: list[str]) -> list[str]:
    """
    Return the non-package directories C{<entry>/<parts...>} on C{sys.path}.

    @param parts: the package name split on dots.
    @return: absolute existing directory paths, first occurrence of each
        real directory only, in C{sys.path} order.
    """
    found: list[str] = []
    seen: set[str] = set()
    # sys.path may hold non-strings at run time; the import system skips them.
    for entry in cast(list[object], list(sys.path)):
        if not isinstance(entry, str):
            continue
        directory = os.path.abspath(os.path.join(entry or os.curdir, *parts))
        if not os.path.isdir(directory):
            continue
        real = os.path.realpath(directory)
        if real in seen:
            continue
        seen.add(real)
        if any(os.path.exists(os.path.join(directory, init)) for init in _INIT_NAMES):
            continue
        found.append(directory)
    return found


def _directoryCandidates(directory: str, prefix: str, seen: dict[str, str]) -> list[_Candidate]:
    """
    List the plugin modules in one directory.

    @param directory: an absolute directory path.
    @param prefix: the package the modules are loaded into.
    @param seen: plugin names already taken, mapped to where they came from;
        updated. A file whose name is taken is logged as a duplicate.
    @return: candidates for the directory's C{*.py} files (except
        C{__init__.py} and names that are not identifiers), sorted by name.
    """
    try:
        with os.scandir(directory) as it:
            files = sorted((e for e in it if e.name.endswith(".py")), key=_entryName)
    except OSError as e:
        if _state.firstReport("unreadable", directory):
            _log.warn(
                "Cannot list plugin directory {directory}: {error}",
                directory=directory,
                error=str(e),
            )
        return []
    candidates: list[_Candidate] = []
    append = candidates.append
    isFile = stat.S_ISREG
    for file in files:
        stem = file.name[:-3]
        if stem == "__init__" or not stem.isidentifier():
            continue
        try:
            # Follows symbolic links, like the import system.
            st = file.stat()
        except OSError:
            continue
        if not isFile(st.st_mode):
            continue
        path = file.path
        moduleName = f"{prefix}.{stem}"
        if stem in seen:
            _reportDuplicate(moduleName, path, seen[stem])
            continue
        seen[stem] = path
        append(
            _Candidate(stem, moduleName, None, moduleName, path, st.st_mtime_ns, st.st_size, True)
        )
    return candidates


def _entryName(entry: os.DirEntry[str]) -> str:
    """
    Return a directory entry's name (the sort key of plugin files).

    @param entry: the entry.
    @return: its name.
    """
    return entry.name


def _reportDuplicate(moduleName: str, ignored: str, winner: str) -> None:
    """
    Log, once per process, that a plugin module is shadowed by another.

    @param moduleName: the plugin module's name.
    @param ignored: where the ignored copy is.
    @param winner: where the copy that is used is.
    """
    if _state.firstReport("duplicate", moduleName, ignored):
        _log.warn(
            "Plugin module {module} at {path} is ignored: the same name is "
            "already provided by {winner}",
            module=moduleName,
            path=ignored,
            winner=winner,
        )


def _locateModule(name: str) -> str | None:
    """
    Find the file of module C{name} without executing any module.

    @param name: a dotted module name.
    @return: the absolute path of the module's file, or C{None} if it cannot
        be found by the path-based finder alone (e.g. an import hook).
    """
    module = sys.modules.get(name)
    if module is not None:
        file = getattr(module, "__file__", None)
        return os.path.abspath(file) if isinstance(file, str) else None
    parts = name.split(".")
    searchPath: list[str] | None = None
    for index in range(len(parts)):
        partial = ".".join(parts[: index + 1])
        last = index == len(parts) - 1
        loaded = sys.modules.get(partial)
        if loaded is not None and not last:
            path = getattr(loaded, "__path__", None)
            if path is None:
                return None
            searchPath = [p for p in path if isinstance(p, str)]
            continue
        try:
            spec = importlib.machinery.PathFinder.find_spec(partial, searchPath)
        except (ImportError, ValueError, OSError):
            return None
        if spec is None:
            return None
        if last:
            if not spec.has_location or not isinstance(spec.origin, str):
                return None
            return os.path.abspath(spec.origin)
        locations = spec.submodule_search_locations
        if locations is None:
            return None
        searchPath = list(locations)
    return None


def _entryPointCandidates(seen: dict[str, str]) -> list[_Candidate]:
    """
    List the plugin modules named by entry points of L{ENTRY_POINT_GROUP}.

    @param seen: plugin names already taken, mapped to where they came from;
        updated. An entry whose name is taken is logged as a duplicate.
    @return: the candidates, sorted by entry name.
    """
    try:
        entryPoints = list(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP))
    except Exception:
        if _state.firstReport("entry-points"):
            _log.failure("Cannot read the {group} entry points", group=ENTRY_POINT_GROUP)
        return []
    candidates = []
    for entryPoint in entryPoints:
        name = entryPoint.name
        value = entryPoint.value
        where = f"entry point {name} = {value}"
        try:
            moduleName = entryPoint.module
            attribute = entryPoint.attr or None
        except AttributeError:
            if _state.firstReport("bad entry point", name, value):
                _log.warn(
                    "Ignoring plugin entry point {name} = {value!r}: "
                    "the value is not a module path",
                    name=name,
                    value=value,
                )
            continue
        if name in seen:
            _reportDuplicate(name, where, seen[name])
            continue
        seen[name] = where
        origin = _locateModule(moduleName)
        mtime = size = 0
        if origin is not None:
            try:
                st = os.stat(origin)
                mtime, size = st.st_mtime_ns, st.st_size
            except OSError:
                origin = None
        candidates.append(
            _Candidate(name, moduleName, attribute, value, origin, mtime, size, False)
        )
    candidates.sort(key=lambda c: c.key)
    return candidates


def _sources(package: ModuleType | None) -> Iterator[_Source]:
    """
    Yield the sources of plugin modules, in discovery order.

    @param package: a custom plugin package, or C{None} for the default
        sources (drop-in directories, then entry points).
    @return: an iterator of sources; each is listed when reached.
    """
    seen: dict[str, str] = {}
    if package is not None:
        prefix = package.__name__
        kind = f"package:{prefix}"
        done: set[str] = set()
        for entry in list(getattr(package, "__path__", [])):
            if not isinstance(entry, str):
                continue
            directory = os.path.abspath(entry)
            real = os.path.realpath(directory)
            if real in done or not os.path.isdir(directory):
                continue
            done.add(real)
            yield _Source(kind, directory, _directoryCandidates(directory, prefix, seen))
        return
    for directory in _portionDirectories(DROPIN_PACKAGE.split(".")):
        yield _Source("dropin", directory, _directoryCandidates(directory, DROPIN_PACKAGE, seen))
    yield _Source(f"entry-points:{ENTRY_POINT_GROUP}", "", _entryPointCandidates(seen))


def _version(candidate: _Candidate) -> tuple[str | None, int, int]:
    """
    Return what identifies the version of a candidate's file.

    @param candidate: the candidate.
    @return: origin, modification time and size.
    """
    return (candidate.origin, candidate.mtime, candidate.size)


def _importCandidate(candidate: _Candidate) -> tuple[ModuleType, bool]:
    """
    Import a candidate's module, or reuse it if already imported.

    @param candidate: the module to import.
    @return: the module, and whether this process loaded it from exactly the
        candidate's file version (so that what it provides may be cached).
    @raise BaseException: whatever executing the module raised.
    """
    name = candidate.moduleName
    if not candidate.fromFile:
        known = name in sys.modules
        module = importlib.import_module(name)
        if not known:
            _state.loaded[name] = _version(candidate)
        return module, _state.loaded.get(name) == _version(candidate)
    origin = cast(str, candidate.origin)
    existing = sys.modules.get(name)
    if existing is not None:
        file = getattr(existing, "__file__", None)
        if isinstance(file, str) and os.path.abspath(file) == origin:
            return existing, _state.loaded.get(name) == _version(candidate)
    spec = importlib.util.spec_from_file_location(name, origin)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load plugin module {name} from {origin}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        if sys.modules.get(name) is module:
            del sys.modules[name]
        raise
    parentName, _, child = name.rpartition(".")
    parent = sys.modules.get(parentName)
    if parent is not None:
        try:
            setattr(parent, child, module)
        except (AttributeError, TypeError):
            pass
    _state.loaded[name] = _version(candidate)
    return module, True


def _forgetReactor(hadAttribute: bool) -> None:
    """
    Undo an import of L{REACTOR_MODULE}.

    Removes it from C{sys.modules} and, unless C{netframe.core} already had a
    C{reactor} attribute before, from C{netframe.core}'s attributes.

    @param hadAttribute: whether C{netframe.core.reactor} was an attribute
        before the import.
    """
    sys.modules.pop(REACTOR_MODULE, None)
    core = sys.modules.get(REACTOR_MODULE.rpartition(".")[0])
    if core is not None and not hadAttribute:
        vars(core).pop(REACTOR_MODULE.rpartition(".")[2], None)


def _loadPlugins(candidate: _Candidate) -> tuple[list[Any], frozenset[str], bool] | None:
    """
    Load a candidate and find its plugins.

    Failures are logged (once per file version and process) as critical
    events with C{log_failure}, the module's name in C{module} and its file in
    C{path}; the module is then removed from C{sys.modules}.

    @param candidate: the module to load.
    @return: the module's plugins (objects providing L{IPlugin}) in
        definition order, the identifiers of every interface they provide,
        and whether the result may be cached; or C{None} if the module is
        broken.
    """
    with _state.lock:
        version = _version(candidate)
        if _state.broken.get(candidate.moduleName) == version:
            return None
        coreName = REACTOR_MODULE.rpartition(".")[0]
        hadReactor = REACTOR_MODULE in sys.modules
        core = sys.modules.get(coreName)
        # vars(), not hasattr(): a module __getattr__ might import the reactor.
        hadAttribute = core is not None and "reactor" in vars(core)
        try:
            try:
                module, cacheable = _importCandidate(candidate)
            finally:
                leaked = not hadReactor and REACTOR_MODULE in sys.modules
                if leaked:
                    _forgetReactor(hadAttribute)
            if leaked:
                raise PluginImportsReactorError(
                    f"plugin module {candidate.moduleName} imports {REACTOR_MODULE} at module level"
                )
            if candidate.attribute is None:
                objects: Iterable[object] = list(vars(module).values())
            else:
                target: object = module
                for part in candidate.attribute.split("."):
                    target = getattr(target, part)
                objects = [target]
            plugins = [obj for obj in objects if IPlugin.providedBy(obj)]
            interfaces = frozenset(
                iface.__identifier__
                for plugin in plugins
                for iface in providedBy(plugin).flattened()
            )
        except (Exception, SystemExit):
            if _state.loaded.pop(candidate.moduleName, None) == version:
                sys.modules.pop(candidate.moduleName, None)
            _state.broken[candidate.moduleName] = version
            if _state.firstReport("broken", candidate.moduleName, *map(str, version)):
                _log.failure(
                    "Cannot load plugin module {module} from {path}",
                    module=candidate.moduleName,
                    path=candidate.origin or candidate.target,
                )
            return None
        return plugins, interfaces, cacheable and candidate.origin is not None


def getPlugins(interface: type[_T], package: ModuleType | None = None) -> Iterator[_T]:
    """
    Find the plugins that provide C{interface}.

    A plugin is any object bound at module level of a plugin module (see the
    module documentation for where plugin modules come from) that provides
    both L{IPlugin} and C{interface}; the name it is bound to does not matter.
    Each object is produced once even if several modules bind it.

    Only plugin modules that might have such plugins are imported: with an
    up-to-date cache entry saying a module's plugins do not provide
    C{interface}, the module is not imported. What the cache says is checked
    after import. The cache (see C{netframe.plugin} documentation) is updated
    for each source once all its modules were considered.

    A plugin module that fails to import (any exception, C{SyntaxError}
    included, or importing C{netframe.core.reactor} at module level) is
    logged once through C{netframe.logger} as a critical event with the
    failure and skipped; discovery goes on with the other modules.

    @param interface: the zope interface the plugins must provide.
    @param package: a custom plugin package (a package module, see
        L{pluginPackagePaths}) whose modules are the only plugin modules, or
        C{None} for drop-in directories and entry points.
    @return: an iterator over the plugins, in discovery order: sources in
        order, modules by name within each source, objects in the order their
        module defined them. Modules are imported as the iterator advances.
    @raise TypeError: if C{interface} is not a zope interface or C{package}
        is not a package (no C{__path__}).
    """
    if not isinstance(cast(object, interface), InterfaceClass):
        raise TypeError(f"getPlugins needs a zope.interface interface, not {interface!r}")
    if package is not None and (
        not isinstance(package, ModuleType) or not hasattr(package, "__path__")
    ):
        raise TypeError(f"getPlugins needs a package (a module with __path__), not {package!r}")
    return cast(Iterator[_T], _iterPlugins(cast(InterfaceClass, interface), package))


def _iterPlugins(wanted: InterfaceClass, package: ModuleType | None) -> Iterator[object]:
    """
    Produce the plugins providing C{wanted}; see L{getPlugins}.

    @param wanted: the interface.
    @param package: the custom plugin package, or C{None}.
    @return: an iterator over the plugins.
    """
    identifier = wanted.__identifier__
    importlib.invalidate_caches()
    directory = cacheDirectory()
    produced: dict[int, object] = {}
    for source in _sources(package):
        cache = SourceCache(directory, source.kind, source.location)
        cached = cache.load()
        fresh: dict[str, CacheEntry] = {}
        found: list[object] = []
        for candidate in source.candidates:
            entry = cached.get(candidate.key)
            if entry is not None and candidate.matches(entry):
                fresh[candidate.key] = entry
                if identifier not in entry.interfaces:
                    continue
            loaded = _loadPlugins(candidate)
            if loaded is None:
                fresh.pop(candidate.key, None)
                continue
            plugins, interfaces, cacheable = loaded
            if cacheable and candidate.origin is not None:
                fresh[candidate.key] = CacheEntry(
                    candidate.target, candidate.origin, candidate.mtime, candidate.size, interfaces
                )
            found.extend(plugin for plugin in plugins if wanted.providedBy(plugin))
        if fresh != cached:
            cache.store(fresh)
        for plugin in found:
            if id(plugin) not in produced:
                produced[id(plugin)] = plugin
                yield plugin
