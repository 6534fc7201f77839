"""
Tests for the optional plugin cache (netframe.plugin._cache and its use by getPlugins).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netframe.logger import LogLevel
from netframe.plugin import IPlugin, getPlugins
from netframe.plugin._cache import CACHE_FORMAT, CacheEntry, SourceCache, cacheDirectory

if TYPE_CHECKING:
    from conftest import PluginWorld


def values(plugins: Any) -> list[str]:
    """Return the C{value} of each plugin the test plugin modules define."""
    return [p.value for p in plugins]


def dropinCache(world: PluginWorld) -> Path:
    """Return the single drop-in cache file of the world."""
    (path,) = [f for f in world.cacheFiles() if json.loads(f.read_text())["kind"] == "dropin"]
    return path


class CacheDirectoryTests:
    """Where the cache lives (cacheDirectory)."""

    def test_override(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        """NETFRAME_PLUGIN_CACHE names the directory."""
        monkeypatch.setenv("NETFRAME_PLUGIN_CACHE", str(tmp_path / "here"))
        assert cacheDirectory() == str(tmp_path / "here")

    @pytest.mark.parametrize("value", ["off", "OFF", " Off "])
    def test_off(self, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
        """NETFRAME_PLUGIN_CACHE=off (any case) disables the cache."""
        monkeypatch.setenv("NETFRAME_PLUGIN_CACHE", value)
        assert cacheDirectory() is None

    def test_xdgCacheHome(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        """Without an override, $XDG_CACHE_HOME/netframe/plugins is used."""
        monkeypatch.delenv("NETFRAME_PLUGIN_CACHE", raising=False)
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
        assert cacheDirectory() == str(tmp_path / "netframe" / "plugins")

    def test_relativeXdgIgnored(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        """A relative XDG_CACHE_HOME is ignored (XDG rule) in favour of ~/.cache."""
        monkeypatch.delenv("NETFRAME_PLUGIN_CACHE", raising=False)
        monkeypatch.setenv("XDG_CACHE_HOME", "relative/dir")
        monkeypatch.setenv("HOME", str(tmp_path))
        assert cacheDirectory() == str(tmp_path / ".cache" / "netframe" / "plugins")

    def test_homeDefault(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        """With neither variable, ~/.cache/netframe/plugins is used."""
        monkeypatch.delenv("NETFRAME_PLUGIN_CACHE", raising=False)
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
        monkeypatch.setenv("HOME", str(tmp_path))
        assert cacheDirectory() == str(tmp_path / ".cache" / "netframe" / "plugins")

    def test_disabledCacheWritesNothing(
        self, world: PluginWorld, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """With the cache off, discovery works and no cache file is written."""
        monkeypatch.setenv("NETFRAME_PLUGIN_CACHE", "off")
        world.plugin("a", "plain")
        assert values(getPlugins(world.support.IFoo)) == ["netframe.plugins.plain:one"]
        assert not world.cache.exists()


class CacheUseTests:
    """What a warm cache saves, and that it never changes results."""

    def _three(self, world: PluginWorld) -> None:
        """Write three drop-ins: two IBar-only modules and one IFoo module."""
        world.plugin("a", "barone", "s.IBar")
        world.plugin("a", "foo", "s.IFoo")
        world.plugin("a", "bartwo", "s.IBar")
        world.dropin(
            "a", "noplugins", "import nfplugtest_support as s\ns.imported.append(__name__)\n"
        )

    def test_warmCacheImportsOnlyMatchingModules(self, world: PluginWorld) -> None:
        """With a warm cache, getPlugins(IFoo) imports only the module that has IFoo plugins."""
        self._three(world)
        assert values(getPlugins(world.support.IFoo)) == ["netframe.plugins.foo:one"]
        assert len(world.support.imported) == 4
        world.newProcess()
        assert values(getPlugins(world.support.IFoo)) == ["netframe.plugins.foo:one"]
        assert world.support.imported == ["netframe.plugins.foo"]

    def test_coldCacheImportsEverything(
        self, world: PluginWorld, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without a cache every plugin module is imported each process."""
        monkeypatch.setenv("NETFRAME_PLUGIN_CACHE", "off")
        self._three(world)
        list(getPlugins(world.support.IFoo))
        world.newProcess()
        list(getPlugins(world.support.IFoo))
        assert sorted(world.support.imported) == [
            "netframe.plugins.barone",
            "netframe.plugins.bartwo",
            "netframe.plugins.foo",
            "netframe.plugins.noplugins",
        ]

    def test_warmCacheNoMatchImportsNothing(self, world: PluginWorld) -> None:
        """An interface no cached module provides imports no module at all."""
        self._three(world)
        list(getPlugins(IPlugin))
        world.newProcess()
        assert list(getPlugins(world.support.ISubFoo)) == []
        assert world.support.imported == []

    def test_entryPointModulesCached(self, world: PluginWorld) -> None:
        """Entry-point modules are cached too: an unrelated one is not imported when warm."""
        world.module("site", "epfoo", world.pluginSource("s.IFoo"))
        world.module("site", "epbar", world.pluginSource("s.IBar"))
        world.install(world.wheel("epdist", {}, {"foo": "epfoo", "bar": "epbar"}), "site")
        list(getPlugins(IPlugin))
        world.newProcess()
        assert values(getPlugins(world.support.IBar)) == ["epbar:one"]
        assert world.support.imported == ["epbar"]

    def test_unchangedCacheNotRewritten(self, world: PluginWorld) -> None:
        """A cache that is already right is not written again."""
        world.plugin("a", "stable")
        list(getPlugins(IPlugin))
        path = dropinCache(world)
        os.utime(path, ns=(0, 0))
        world.newProcess()
        list(getPlugins(IPlugin))
        assert path.stat().st_mtime_ns == 0

    def test_cacheFileIsJSONWithoutTemporaries(self, world: PluginWorld) -> None:
        """The cache directory holds only complete JSON files, no temporary files."""
        world.plugin("a", "json")
        list(getPlugins(IPlugin))
        assert sorted(p.suffix for p in world.cache.iterdir()) == [".json"]
        document = json.loads(dropinCache(world).read_text())
        assert document["format"] == CACHE_FORMAT
        assert document["location"] == str(world.entry("a") / "netframe" / "plugins")

    def test_staleEntryBySize(self, world: PluginWorld) -> None:
        """An entry whose file size changed (same mtime) is not trusted."""
        path = world.plugin("a", "sized", "s.IBar")
        list(getPlugins(IPlugin))
        world.newProcess()
        stat = path.stat()
        path.write_text(world.pluginSource("s.IFoo", names=("longer_name",)))
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        assert values(getPlugins(world.support.IFoo)) == ["netframe.plugins.sized:longer_name"]

    def test_removedModulePrunedFromCache(self, world: PluginWorld) -> None:
        """A module whose file was removed disappears from results and from the cache file."""
        world.plugin("a", "keep")
        gone = world.plugin("a", "gone")
        list(getPlugins(IPlugin))
        gone.unlink()
        world.newProcess()
        assert values(getPlugins(world.support.IFoo)) == ["netframe.plugins.keep:one"]
        assert list(json.loads(dropinCache(world).read_text())["modules"]) == ["keep"]

    def test_lyingCacheGivesNoWrongResults(self, world: PluginWorld) -> None:
        """A cache claiming a module has IFoo plugins when it has not: verified after import."""
        world.plugin("a", "honest", "s.IBar")
        list(getPlugins(IPlugin))
        path = dropinCache(world)
        document = json.loads(path.read_text())
        document["modules"]["honest"]["interfaces"].append("nfplugtest_support.IFoo")
        path.write_text(json.dumps(document))
        world.newProcess()
        assert list(getPlugins(world.support.IFoo)) == []
        fixed = json.loads(path.read_text())["modules"]["honest"]["interfaces"]
        assert "nfplugtest_support.IFoo" not in fixed

    @pytest.mark.parametrize(
        "content",
        [
            b"\x00\xffgarbage",
            b"",
            b"[1, 2, 3]",
            b'{"format": 1}',
            b"[" * 100_000,
        ],
    )
    def test_corruptCacheFile(self, world: PluginWorld, content: bytes) -> None:
        """A corrupt cache file gives correct results and is replaced by a valid one."""
        world.plugin("a", "survivor")
        list(getPlugins(IPlugin))
        path = dropinCache(world)
        path.write_bytes(content)
        world.newProcess()
        assert values(getPlugins(world.support.IFoo)) == ["netframe.plugins.survivor:one"]
        assert list(json.loads(path.read_text())["modules"]) == ["survivor"]

    def test_corruptEntryIgnored(self, world: PluginWorld) -> None:
        """An entry with fields of the wrong type makes the file ignored, not an error."""
        world.plugin("a", "typed")
        list(getPlugins(IPlugin))
        path = dropinCache(world)
        document = json.loads(path.read_text())
        document["modules"]["typed"]["mtime"] = "yesterday"
        path.write_text(json.dumps(document))
        world.newProcess()
        assert values(getPlugins(world.support.IFoo)) == ["netframe.plugins.typed:one"]
        assert world.support.imported == ["netframe.plugins.typed"]

    def test_otherInterpreterCacheIgnored(self, world: PluginWorld) -> None:
        """A cache written by another interpreter (sys.prefix) is not used for this one."""
        world.plugin("a", "venv", "s.IBar")
        realPrefix = sys.prefix
        sys.prefix = "/some/other/venv"
        try:
            list(getPlugins(IPlugin))
        finally:
            sys.prefix = realPrefix
        world.newProcess()
        list(getPlugins(world.support.IFoo))
        assert world.support.imported == ["netframe.plugins.venv"]
        assert len(world.cacheFiles()) == 2


class UnwritableCacheTests:
    """A cache that cannot be written costs speed only."""

    def test_fileInPlaceOfDirectory(self, world: PluginWorld, events: list[dict[str, Any]]) -> None:
        """With a file where the cache directory should be, results are right and one info event says so."""
        world.cache.write_text("not a directory")
        world.plugin("a", "works")
        assert values(getPlugins(world.support.IFoo)) == ["netframe.plugins.works:one"]
        world.newProcess()
        assert values(getPlugins(world.support.IFoo)) == ["netframe.plugins.works:one"]
        assert values(getPlugins(world.support.IFoo)) == ["netframe.plugins.works:one"]
        infos = [e for e in events if e.get("log_level") is LogLevel.info]
        assert len(infos) == 2
        assert all(e["directory"] == str(world.cache) for e in infos)
        assert world.cache.read_text() == "not a directory"

    def test_readOnlyCacheDirectory(self, world: PluginWorld) -> None:
        """A read-only cache directory gives correct results (and, as root, is still written)."""
        world.plugin("a", "first")
        list(getPlugins(IPlugin))
        world.cache.chmod(0o555)
        world.plugin("a", "second")
        world.newProcess()
        assert values(getPlugins(world.support.IFoo)) == [
            "netframe.plugins.first:one",
            "netframe.plugins.second:one",
        ]

    def test_readOnlyStaleCacheStillRight(self, world: PluginWorld) -> None:
        """A stale cache that cannot be rewritten still gives right results each time."""
        world.cache.mkdir()
        path = world.plugin("a", "stale", "s.IBar")
        list(getPlugins(IPlugin))
        world.cache.chmod(0o555)
        path.write_text(world.pluginSource("s.IFoo"))
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        for _ in range(2):
            world.newProcess()
            assert values(getPlugins(world.support.IFoo)) == ["netframe.plugins.stale:one"]

    def test_failedReplaceLeavesNoTemporary(
        self, world: PluginWorld, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """If replacing the cache file fails, the temporary file is removed and nothing raises."""
        world.plugin("a", "tmp")

        def failingReplace(source: str, destination: str) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(os, "replace", failingReplace)
        assert values(getPlugins(world.support.IFoo)) == ["netframe.plugins.tmp:one"]
        assert list(world.cache.iterdir()) == []


class SourceCacheTests:
    """The cache file object itself."""

    def test_roundTrip(self, tmp_path: Path) -> None:
        """Entries stored are loaded back equal."""
        cache = SourceCache(str(tmp_path), "dropin", "/somewhere")
        entries = {
            "m": CacheEntry("netframe.plugins.m", "/somewhere/m.py", 5, 7, frozenset({"a.I"}))
        }
        cache.store(entries)
        assert SourceCache(str(tmp_path), "dropin", "/somewhere").load() == entries

    def test_sourcesHaveSeparateFiles(self, tmp_path: Path) -> None:
        """Two locations never share a cache file."""
        first = SourceCache(str(tmp_path), "dropin", "/one")
        second = SourceCache(str(tmp_path), "dropin", "/two")
        assert first.path != second.path
        first.store({"m": CacheEntry("t", "/one/m.py", 1, 1, frozenset())})
        assert second.load() == {}

    def test_disabled(self) -> None:
        """A cache without a directory loads nothing and stores nothing."""
        cache = SourceCache(None, "dropin", "/x")
        assert cache.path is None
        cache.store({"m": CacheEntry("t", "/x/m.py", 1, 1, frozenset())})
        assert cache.load() == {}

    @pytest.mark.parametrize(
        "value",
        [
            None,
            [],
            {"target": "t", "origin": "o", "mtime": 1, "size": 1},
            {"target": "t", "origin": "o", "mtime": True, "size": 1, "interfaces": []},
            {"target": "t", "origin": "o", "mtime": 1, "size": 1.5, "interfaces": []},
            {"target": 1, "origin": "o", "mtime": 1, "size": 1, "interfaces": []},
            {"target": "t", "origin": "o", "mtime": 1, "size": 1, "interfaces": [1]},
        ],
    )
    def test_badEntryRejected(self, value: object) -> None:
        """Entries of the wrong shape raise ValueError when decoded."""
        with pytest.raises(ValueError):
            CacheEntry.fromJSON(value)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)

_entryLike = st.fixed_dictionaries(
    {
        "target": _json | st.text(max_size=8),
        "origin": _json | st.text(max_size=8),
        "mtime": _json | st.integers(),
        "size": _json | st.integers(),
        "interfaces": _json | st.lists(st.text(max_size=8), max_size=3),
    }
)


class CacheDecodingPropertyTests:
    """Hostile cache contents never raise anything but ValueError, and valid entries round-trip."""

    @given(value=_json | _entryLike)
    def test_fromJSONRaisesOnlyValueError(self, value: object) -> None:
        """Any JSON value either decodes to an entry or raises ValueError."""
        try:
            entry = CacheEntry.fromJSON(value)
        except ValueError:
            return
        assert CacheEntry.fromJSON(json.loads(json.dumps(entry.toJSON()))) == entry

    @given(
        target=st.text(max_size=20),
        origin=st.text(max_size=20),
        mtime=st.integers(min_value=0, max_value=2**63),
        size=st.integers(min_value=0, max_value=2**40),
        interfaces=st.frozensets(st.text(max_size=20), max_size=5),
    )
    def test_entryRoundTrip(
        self, target: str, origin: str, mtime: int, size: int, interfaces: frozenset[str]
    ) -> None:
        """toJSON then fromJSON gives back an equal entry."""
        entry = CacheEntry(target, origin, mtime, size, interfaces)
        assert CacheEntry.fromJSON(json.loads(json.dumps(entry.toJSON()))) == entry

    @settings(max_examples=50)
    @given(content=st.binary(max_size=200) | _json.map(lambda v: json.dumps(v).encode()))
    def test_loadNeverRaises(self, content: bytes) -> None:
        """Whatever bytes the cache file holds, load returns a dictionary."""
        with tempfile.TemporaryDirectory() as directory:
            cache = SourceCache(directory, "dropin", "/x")
            assert cache.path is not None
            Path(cache.path).write_bytes(content)
            assert isinstance(cache.load(), dict)
