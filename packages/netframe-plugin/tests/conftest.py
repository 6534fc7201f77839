"""
Fixtures for the netframe.plugin tests: a private world of sys.path entries,
plugin files, hand-built wheels and a cache directory, plus log capture.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import os
import shutil
import sys
import sysconfig
import textwrap
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from netframe.logger import globalLogPublisher
from netframe.plugin._discovery import resetState

SUPPORT_MODULE = "nfplugtest_support"

_SUPPORT_SOURCE = '''
"""Interfaces and an import counter shared by the test plugin modules."""
from zope.interface import Attribute, Interface

imported = []


class IFoo(Interface):
    """A test interface."""

    value = Attribute("a value")


class IBar(Interface):
    """Another test interface."""


class ISubFoo(IFoo):
    """An interface extending IFoo."""
'''


def _stdlibEntries() -> list[str]:
    """
    Return the sys.path entries that belong to the standard library.

    @return: the entries, in sys.path order (site-packages excluded).
    """
    roots = {
        os.path.realpath(p)
        for p in (sysconfig.get_path("stdlib"), sysconfig.get_path("platstdlib"))
        if p
    }
    kept = []
    for entry in sys.path:
        real = os.path.realpath(entry) if entry else ""
        if "site-packages" in real or "dist-packages" in real:
            continue
        if any(real == r or real.startswith(r + os.sep) for r in roots) or real.endswith(".zip"):
            kept.append(entry)
    return kept


class PluginWorld:
    """
    A private plugin environment: sys.path entries under a temporary
    directory, helpers to write plugin files and wheels, and a cache dir.

    @ivar root: the temporary directory.
    @ivar cache: the plugin cache directory (NETFRAME_PLUGIN_CACHE).
    @ivar support: the shared support module (interfaces and import counter).
    """

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root = root
        self.cache = root / "cache"
        self._monkeypatch = monkeypatch
        self._entries: list[str] = []
        self._stdlib = _stdlibEntries()
        monkeypatch.setattr(sys, "path", list(self._stdlib))
        monkeypatch.setenv("NETFRAME_PLUGIN_CACHE", str(self.cache))
        lib = self.entry("lib")
        (lib / f"{SUPPORT_MODULE}.py").write_text(_SUPPORT_SOURCE)
        self.support = importlib.import_module(SUPPORT_MODULE)

    def entry(self, name: str) -> Path:
        """
        Return a directory appended to sys.path (created on first use).

        @param name: the directory's name under the root.
        @return: its path.
        """
        path = self.root / name
        path.mkdir(parents=True, exist_ok=True)
        if str(path) not in self._entries:
            self._entries.append(str(path))
            sys.path[:] = self._entries + self._stdlib
        return path

    def dropin(self, entry: str, stem: str, source: str) -> Path:
        """
        Write a drop-in plugin file C{<entry>/netframe/plugins/<stem>.py}.

        @param entry: the sys.path entry's name.
        @param stem: the module's file stem.
        @param source: the module's source (dedented).
        @return: the file's path.
        """
        directory = self.entry(entry) / "netframe" / "plugins"
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{stem}.py"
        path.write_text(textwrap.dedent(source))
        return path

    def module(self, entry: str, dotted: str, source: str) -> Path:
        """
        Write module C{dotted} under an entry, with C{__init__.py} in every
        package directory on the way that has none.

        @param entry: the sys.path entry's name.
        @param dotted: the module's dotted name; a trailing C{.__init__}
            writes a package's own file.
        @param source: the module's source (dedented).
        @return: the file's path.
        """
        parts = dotted.split(".")
        directory = self.entry(entry)
        for part in parts[:-1]:
            directory = directory / part
            directory.mkdir(exist_ok=True)
            init = directory / "__init__.py"
            if not init.exists():
                init.write_text("")
        path = directory / f"{parts[-1]}.py"
        path.write_text(textwrap.dedent(source))
        return path

    @staticmethod
    def pluginSource(interfaces: str = "s.IFoo", names: tuple[str, ...] = ("one",)) -> str:
        """
        Return the source of a plugin module that records its import in the
        support module and binds one plugin per name.

        @param interfaces: the interfaces besides IPlugin, as source text
            (C{s} is the support module).
        @param names: the names to bind plugins to; each plugin's C{value}
            is C{"<module>:<name>"}.
        @return: the source.
        """
        lines = [
            "from zope.interface import implementer",
            "from netframe.plugin import IPlugin",
            f"import {SUPPORT_MODULE} as s",
            "s.imported.append(__name__)",
            f"@implementer(IPlugin, {interfaces})",
            "class Plugin:",
            "    def __init__(self, value):",
            "        self.value = value",
        ]
        lines += [f"{name} = Plugin(__name__ + ':{name}')" for name in names]
        return "\n".join(lines) + "\n"

    def plugin(
        self,
        entry: str,
        stem: str,
        interfaces: str = "s.IFoo",
        names: tuple[str, ...] = ("one",),
    ) -> Path:
        """
        Write a drop-in plugin module made by L{pluginSource}.

        @return: the file's path.
        """
        return self.dropin(entry, stem, self.pluginSource(interfaces, names))

    def wheel(self, distribution: str, files: dict[str, str], entryPoints: dict[str, str]) -> Path:
        """
        Build a minimal wheel by hand.

        @param distribution: the distribution's name (an identifier).
        @param files: module files by path inside the wheel.
        @param entryPoints: entries of group netframe.plugins, name -> value.
        @return: the wheel file's path.
        """
        distInfo = f"{distribution}-0.1.dist-info"
        contents = dict(files)
        contents[f"{distInfo}/METADATA"] = (
            f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 0.1\n"
        )
        contents[f"{distInfo}/WHEEL"] = (
            "Wheel-Version: 1.0\nGenerator: netframe-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
        contents[f"{distInfo}/entry_points.txt"] = "[netframe.plugins]\n" + "".join(
            f"{name} = {value}\n" for name, value in entryPoints.items()
        )
        record = []
        for member, text in contents.items():
            data = text.encode()
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record.append(f"{member},sha256={digest.decode()},{len(data)}")
        record.append(f"{distInfo}/RECORD,,")
        contents[f"{distInfo}/RECORD"] = "\n".join(record) + "\n"
        wheels = self.root / "wheels"
        wheels.mkdir(exist_ok=True)
        path = wheels / f"{distribution}-0.1-py3-none-any.whl"
        with zipfile.ZipFile(path, "w") as archive:
            for name, text in contents.items():
                archive.writestr(name, text)
        return path

    def install(self, wheel: Path, entry: str) -> list[Path]:
        """
        Install a wheel into a sys.path entry by unpacking it.

        @return: the installed files (the wheel's RECORD).
        """
        target = self.entry(entry)
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(target)
            return [target / name for name in archive.namelist()]

    def uninstall(self, installed: list[Path]) -> None:
        """
        Remove what L{install} installed, dist-info directory included.
        """
        for path in installed:
            if path.exists():
                path.unlink()
        for path in installed:
            if path.parent.name.endswith(".dist-info") and path.parent.exists():
                shutil.rmtree(path.parent)

    def newProcess(self) -> None:
        """
        Make the plugin system behave as in a fresh process: forget every
        module loaded from the world and discovery's in-process memory.
        """
        for name, module in list(sys.modules.items()):
            if name == SUPPORT_MODULE:
                continue
            if name.startswith("netframe.plugins.") or self.owns(module):
                del sys.modules[name]
        del self.support.imported[:]
        resetState()

    def owns(self, module: ModuleType | None) -> bool:
        """
        Say whether a module was loaded from under the world's root.
        """
        file = getattr(module, "__file__", None)
        return isinstance(file, str) and file.startswith(str(self.root) + os.sep)

    def cacheFiles(self) -> list[Path]:
        """
        Return the cache directory's JSON files, sorted.
        """
        if not self.cache.is_dir():
            return []
        return sorted(self.cache.glob("*.json"))


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PluginWorld]:
    """
    A private plugin world; everything it loaded is forgotten afterwards.
    """
    before = set(sys.modules)
    resetState()
    created = PluginWorld(tmp_path, monkeypatch)
    try:
        yield created
    finally:
        for name, module in list(sys.modules.items()):
            if name in before:
                continue
            if (
                name.startswith("netframe.plugins")
                or name == "netframe.core.reactor"
                or created.owns(module)
                or name == SUPPORT_MODULE
            ):
                del sys.modules[name]
        resetState()
        for path in tmp_path.rglob("*"):
            if path.is_dir():
                path.chmod(0o755)


@pytest.fixture
def events() -> Iterator[list[dict[str, Any]]]:
    """
    The events published by netframe.logger while the test runs.
    """
    captured: list[dict[str, Any]] = []
    observer = captured.append
    globalLogPublisher.addObserver(observer)
    try:
        yield captured
    finally:
        globalLogPublisher.removeObserver(observer)
