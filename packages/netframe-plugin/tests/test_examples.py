"""
The plugin examples of the reference documents (SCOPE.md 3.8, PL1-PL3).
"""

from __future__ import annotations

import importlib
import json
import os
from typing import TYPE_CHECKING

import pytest
from zope.interface.verify import verifyObject

from netframe.plugin import IPlugin, getPlugins

if TYPE_CHECKING:
    from conftest import PluginWorld

IMATSIM = '''
from zope.interface import Interface, Attribute

class IMaterial(Interface):
    """An object with specific physical properties."""

    def yieldStress(temperature):
        """Return the pressure (Pa) it supports at C{temperature} (K)."""

    dielectricConstant = Attribute("the relative permittivity (complex)")
'''

MATSIM_DISPLAY = """
from netframe.plugin import getPlugins
from matsim import imatsim

def displayMaterial(m):
    print('A material with yield stress %s at 500 K' % (m.yieldStress(500),))
    print('Also a dielectric constant of %s.' % (m.dielectricConstant,))

def displayAllKnownMaterials():
    for material in getPlugins(imatsim.IMaterial):
        displayMaterial(material)
"""

MATSIM_PLUGIN = """
from zope.interface import implementer
from netframe.plugin import IPlugin
from matsim import imatsim

@implementer(IPlugin, imatsim.IMaterial)
class SimpleMaterial(object):
    def __init__(self, yieldStressFactor, dielectricConstant):
        self._yieldStressFactor = yieldStressFactor
        self.dielectricConstant = dielectricConstant

    def yieldStress(self, temperature):
        return self._yieldStressFactor * temperature

steelPlate = SimpleMaterial(2.06842719e11, 2.7 + 0.2j)
brassPlate = SimpleMaterial(1.03421359e11, 1.4 + 0.5j)
"""


class MaterialsExampleTests:
    """PL1: IMaterial plugins in a drop-in directory (L9155-9220)."""

    def test_displayAllKnownMaterials(
        self, world: PluginWorld, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The example prints two pairs of lines, steel plate then brass plate."""
        world.module("project", "matsim.imatsim", IMATSIM)
        world.module("project", "matsim.display", MATSIM_DISPLAY)
        world.dropin("project", "matsim_plugin", MATSIM_PLUGIN)
        display = importlib.import_module("matsim.display")
        display.displayAllKnownMaterials()
        steel, brass = 2.06842719e11 * 500, 1.03421359e11 * 500
        assert capsys.readouterr().out == (
            f"A material with yield stress {steel} at 500 K\n"
            "Also a dielectric constant of (2.7+0.2j).\n"
            f"A material with yield stress {brass} at 500 K\n"
            "Also a dielectric constant of (1.4+0.5j).\n"
        )

    def test_pluginsProvideBothInterfaces(self, world: PluginWorld) -> None:
        """Each material found provides IPlugin and IMaterial (verifyObject)."""
        world.module("project", "matsim.imatsim", IMATSIM)
        world.dropin("project", "matsim_plugin", MATSIM_PLUGIN)
        imatsim = importlib.import_module("matsim.imatsim")
        materials = list(getPlugins(imatsim.IMaterial))
        assert len(materials) == 2
        for material in materials:
            assert verifyObject(IPlugin, material)
            assert verifyObject(imatsim.IMaterial, material)

    def test_pluginFileMayShareTheProjectName(self, world: PluginWorld) -> None:
        """A drop-in named like the project package does not shadow it (loaded as netframe.plugins.matsim)."""
        world.module("project", "matsim.imatsim", IMATSIM)
        world.dropin("project", "matsim", MATSIM_PLUGIN)
        imatsim = importlib.import_module("matsim.imatsim")
        materials = list(getPlugins(imatsim.IMaterial))
        assert [type(m).__module__ for m in materials] == ["netframe.plugins.matsim"] * 2
        assert importlib.import_module("matsim").__name__ == "matsim"


class CustomPluginPackageTests:
    """PL2: a custom plugin package (L9226-9232)."""

    def _project(self, world: PluginWorld) -> None:
        """Write yourproject with its plugin package and plugins in two places."""
        world.module(
            "installed", "yourproject.iyourproject", "from nfplugtest_support import IFoo\n"
        )
        world.module(
            "installed",
            "yourproject.plugins.__init__",
            """
            from netframe.plugin import pluginPackagePaths
            __path__.extend(pluginPackagePaths(__name__))
            __all__ = []
            """,
        )
        world.module("installed", "yourproject.plugins.builtin", world.pluginSource())
        development = world.entry("development") / "yourproject" / "plugins"
        development.mkdir(parents=True)
        (development / "extra.py").write_text(world.pluginSource(names=("two",)))

    def test_pluginsFoundInEveryPortion(self, world: PluginWorld) -> None:
        """getPlugins(I, yourproject.plugins) finds plugins in the package and in yourproject/plugins/ dirs."""
        self._project(world)
        package = importlib.import_module("yourproject.plugins")
        assert package.__path__[1] == str(world.entry("development") / "yourproject" / "plugins")
        values = [p.value for p in getPlugins(world.support.IFoo, package)]
        assert values == ["yourproject.plugins.builtin:one", "yourproject.plugins.extra:two"]

    def test_pluginsOfAnotherPackageAreNotFound(self, world: PluginWorld) -> None:
        """Plugins in a custom package are not found by the default sources, and drop-ins not by the package."""
        self._project(world)
        world.plugin("dropins", "elsewhere", names=("three",))
        package = importlib.import_module("yourproject.plugins")
        assert [p.value for p in getPlugins(world.support.IFoo)] == [
            "netframe.plugins.elsewhere:three"
        ]
        assert "netframe.plugins.elsewhere:three" not in [
            p.value for p in getPlugins(world.support.IFoo, package)
        ]


class CacheRegenerationTests:
    """PL3: list(getPlugins(IPlugin)) regenerates the cache (L9240-9243)."""

    def test_regenerationWritesCache(self, world: PluginWorld) -> None:
        """Listing every IPlugin writes a cache file naming each module and what it provides."""
        world.plugin("a", "first", "s.IFoo")
        world.plugin("a", "second", "s.IBar")
        assert len(list(getPlugins(IPlugin))) == 2
        (cacheFile,) = [
            f for f in world.cacheFiles() if json.loads(f.read_text())["kind"] == "dropin"
        ]
        modules = json.loads(cacheFile.read_text())["modules"]
        assert sorted(modules) == ["first", "second"]
        assert "nfplugtest_support.IFoo" in modules["first"]["interfaces"]
        assert "nfplugtest_support.IBar" not in modules["first"]["interfaces"]
        assert "netframe.plugin.IPlugin" in modules["second"]["interfaces"]

    def test_staleCacheRebuilt(self, world: PluginWorld) -> None:
        """After a plugin file changes, its stale entry is replaced and its new plugins are found."""
        path = world.plugin("a", "first", "s.IFoo")
        list(getPlugins(IPlugin))
        world.newProcess()
        path.write_text(world.pluginSource("s.IBar", names=("changed",)))
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        assert [p.value for p in getPlugins(world.support.IBar)] == [
            "netframe.plugins.first:changed"
        ]
        (cacheFile,) = world.cacheFiles()
        entry = json.loads(cacheFile.read_text())["modules"]["first"]
        assert "nfplugtest_support.IBar" in entry["interfaces"]
        assert "nfplugtest_support.IFoo" not in entry["interfaces"]
        assert entry["mtime"] == path.stat().st_mtime_ns
