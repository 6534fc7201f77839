"""
The optional on-disk plugin cache.

For each source of plugin modules (one drop-in directory, one directory of a
custom plugin package, or the entry-point group) the cache keeps one JSON file
in the user's cache directory. For every module of that source it records the
file the module was loaded from, that file's modification time (nanoseconds)
and size, and the identifiers of every interface provided by the module's
plugins. Discovery then imports only modules whose plugins provide the
interface it is asked for.

The cache is an optimisation only: a missing, stale, corrupt or unwritable
cache file makes discovery slower, never wrong and never raises. Entries whose
file changed (time or size) are ignored; files that disappeared are never
looked at, since the directory listing comes from the file system each time.

Private module.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import threading
from dataclasses import dataclass
from typing import Any

from netframe.logger import Logger

__all__ = [
    "CACHE_ENVIRONMENT_VARIABLE",
    "CACHE_FORMAT",
    "CacheEntry",
    "SourceCache",
    "cacheDirectory",
]

CACHE_ENVIRONMENT_VARIABLE = "NETFRAME_PLUGIN_CACHE"
"""
Environment variable that overrides the cache directory; the value C{off}
(any case) disables the cache.
"""

CACHE_FORMAT = 1
"""Version of the cache file layout; files with another version are ignored."""

_log = Logger(namespace="netframe.plugin")

_reportedLock = threading.Lock()
_reportedUnwritable: set[str] = set()


def cacheDirectory() -> str | None:
    """
    Return the directory plugin cache files live in, or C{None} if disabled.

    The environment is read on each call: C{NETFRAME_PLUGIN_CACHE} (C{off}
    disables the cache, any other non-empty value is the directory), else
    C{$XDG_CACHE_HOME/netframe/plugins} when C{XDG_CACHE_HOME} is an absolute
    path, else C{~/.cache/netframe/plugins}. If the home directory cannot be
    found the cache is disabled.

    @return: an absolute directory path (which may not exist yet), or C{None}.
    """
    override = os.environ.get(CACHE_ENVIRONMENT_VARIABLE, "").strip()
    if override:
        if override.lower() == "off":
            return None
        return os.path.abspath(os.path.expanduser(override))
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if xdg and os.path.isabs(xdg):
        return os.path.join(xdg, "netframe", "plugins")
    home = os.path.expanduser("~")
    if not os.path.isabs(home):
        return None
    return os.path.join(home, ".cache", "netframe", "plugins")


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """
    What the cache knows about one plugin module.

    @ivar target: what was imported: the module name, or for an entry point
        its value (C{module} or C{module:attribute}).
    @ivar origin: absolute path of the module's file.
    @ivar mtime: the file's modification time in nanoseconds when it was loaded.
    @ivar size: the file's size in bytes when it was loaded.
    @ivar interfaces: identifiers (C{__identifier__}) of every interface that
        some plugin of the module provides, including C{IPlugin}.
    """

    target: str
    origin: str
    mtime: int
    size: int
    interfaces: frozenset[str]

    def toJSON(self) -> dict[str, Any]:
        """
        Return this entry as a JSON-serialisable dictionary.

        @return: a dictionary with sorted interface identifiers.
        """
        return {
            "target": self.target,
            "origin": self.origin,
            "mtime": self.mtime,
            "size": self.size,
            "interfaces": sorted(self.interfaces),
        }

    @classmethod
    def fromJSON(cls, value: object) -> CacheEntry:
        """
        Build an entry from what L{toJSON} produced.

        @param value: a decoded JSON value.
        @return: the entry.
        @raise ValueError: if C{value} does not have the expected shape.
        """
        if not isinstance(value, dict):
            raise ValueError("cache entry is not an object")
        target = value.get("target")
        origin = value.get("origin")
        mtime = value.get("mtime")
        size = value.get("size")
        interfaces = value.get("interfaces")
        if not (
            isinstance(target, str)
            and isinstance(origin, str)
            and type(mtime) is int
            and type(size) is int
            and isinstance(interfaces, list)
            and all(isinstance(name, str) for name in interfaces)
        ):
            raise ValueError("cache entry has fields of the wrong type")
        return cls(target, origin, mtime, size, frozenset(interfaces))


class SourceCache:
    """
    The cache file of one source of plugin modules.

    @ivar path: the cache file's path, or C{None} when caching is disabled.
    """

    __slots__ = ("_directory", "_header", "path")

    def __init__(self, directory: str | None, kind: str, location: str) -> None:
        """
        @param directory: the cache directory (see L{cacheDirectory}), or
            C{None} to disable caching for this source.
        @param kind: what the source is: C{"dropin"}, C{"package:<name>"} or
            C{"entry-points:<group>"}.
        @param location: the source's directory (absolute), or C{""}.
        """
        self._directory = directory
        # The interpreter is part of the key: a module may define different
        # plugins depending on what is installed beside it.
        self._header: dict[str, Any] = {
            "format": CACHE_FORMAT,
            "kind": kind,
            "location": location,
            "prefix": sys.prefix,
            "tag": sys.implementation.cache_tag,
        }
        if directory is None:
            self.path: str | None = None
        else:
            key = json.dumps(self._header, sort_keys=True).encode("utf-8", "surrogateescape")
            name = hashlib.sha256(key).hexdigest()[:32] + ".json"
            self.path = os.path.join(directory, name)

    def load(self) -> dict[str, CacheEntry]:
        """
        Read the cache file.

        @return: the entries by key (module stem or entry-point name); empty
            if caching is disabled or the file is missing, unreadable, corrupt
            or written for another source, format or interpreter.
        """
        if self.path is None:
            return {}
        try:
            with open(self.path, "rb") as f:
                data = json.loads(f.read())
            if not isinstance(data, dict):
                return {}
            for name, expected in self._header.items():
                if data.get(name) != expected:
                    return {}
            modules = data.get("modules")
            if not isinstance(modules, dict):
                return {}
            return {str(key): CacheEntry.fromJSON(value) for key, value in modules.items()}
        except (OSError, ValueError, RecursionError, UnicodeError):
            return {}

    def store(self, entries: dict[str, CacheEntry]) -> None:
        """
        Replace the cache file with C{entries}, atomically.

        The new content is written to a temporary file in the cache directory
        which then replaces the old file, so readers see the old or the new
        file, never a partial one. Failures (unwritable or missing directory,
        a file where the directory should be, full disk) are reported once per
        cache directory at level C{info} and otherwise ignored.

        @param entries: the entries by key.
        """
        if self.path is None or self._directory is None:
            return
        document = dict(self._header)
        document["modules"] = {key: entries[key].toJSON() for key in sorted(entries)}
        payload = json.dumps(document, sort_keys=True, indent=1).encode("utf-8", "surrogateescape")
        temporary: str | None = None
        try:
            os.makedirs(self._directory, mode=0o700, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self._directory, prefix=".tmp-", suffix=".json")
            with os.fdopen(fd, "wb") as f:
                f.write(payload)
            os.replace(temporary, self.path)
            temporary = None
        except (OSError, UnicodeError) as e:
            self._reportUnwritable(e)
        finally:
            if temporary is not None:
                try:
                    os.unlink(temporary)
                except OSError:
                    pass

    def _reportUnwritable(self, error: Exception) -> None:
        """
        Log, once per cache directory and process, that the cache cannot be written.

        @param error: the error that stopped the write.
        """
        directory = self._directory or ""
        with _reportedLock:
            if directory in _reportedUnwritable:
                return
            _reportedUnwritable.add(directory)
        _log.info(
            "Cannot write the plugin cache in {directory} ({error}); "
            "plugin discovery works but is slower",
            directory=directory,
            error=str(error),
        )


def forgetReports() -> None:
    """
    Forget which cache directories were reported as unwritable (for tests).
    """
    with _reportedLock:
        _reportedUnwritable.clear()
