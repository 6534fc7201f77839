"""
Tests for plugin discovery: netframe.plugin.getPlugins and pluginPackagePaths.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
import types
from typing import TYPE_CHECKING, Any

import pytest
from zope.interface import implementer
from zope.interface.interface import InterfaceClass
from zope.interface.verify import verifyObject

import netframe.plugin
from netframe.logger import LogLevel
from netframe.plugin import IPlugin, PluginImportsReactorError, getPlugins, pluginPackagePaths

if TYPE_CHECKING:
    from conftest import PluginWorld


def values(plugins: Any) -> list[str]:
    """Return the C{value} of each plugin the test plugin modules define."""
    return [p.value for p in plugins]


def failures(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the critical events that carry a failure."""
    return [e for e in events if e.get("log_level") is LogLevel.critical and "log_failure" in e]


def warnings(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the warn-level events."""
    return [e for e in events if e.get("log_level") is LogLevel.warn]


class PublicAPITests:
    """The public names of netframe.plugin."""

    def test_publicNames(self) -> None:
        """netframe.plugin exports IPlugin, getPlugins, pluginPackagePaths and the reactor error."""
        assert set(netframe.plugin.__all__) == {
            "IPlugin",
            "PluginImportsReactorError",
            "__version__",
            "getPlugins",
            "pluginPackagePaths",
        }
        for name in ("IPlugin", "PluginImportsReactorError", "getPlugins", "pluginPackagePaths"):
            assert getattr(netframe.plugin, name).__module__ == "netframe.plugin"

    def test_iPluginIsAMarkerInterface(self) -> None:
        """IPlugin is a zope interface with no attributes, identified as netframe.plugin.IPlugin."""
        assert isinstance(IPlugin, InterfaceClass)
        assert list(IPlugin.names(all=True)) == []
        assert IPlugin.__identifier__ == "netframe.plugin.IPlugin"

    def test_implementerVerifies(self) -> None:
        """An object declared with @implementer(IPlugin) verifies against IPlugin."""

        @implementer(IPlugin)
        class Marker:
            pass

        assert verifyObject(IPlugin, Marker())

    def test_interfaceMustBeAnInterface(self) -> None:
        """getPlugins raises TypeError at once for something that is not an interface."""
        with pytest.raises(TypeError, match=r"zope\.interface interface"):
            getPlugins(object)

    def test_packageMustBeAPackage(self) -> None:
        """getPlugins raises TypeError at once when package has no __path__."""
        with pytest.raises(TypeError, match="module with __path__"):
            getPlugins(IPlugin, types.ModuleType("notapackage"))

    def test_packageMustBeAModule(self) -> None:
        """getPlugins raises TypeError at once when package is not a module."""
        with pytest.raises(TypeError, match="not 'x'"):
            getPlugins(IPlugin, "x")  # type: ignore[arg-type]


class SelectionTests:
    """Which module-level objects are plugins."""

    def test_onlyObjectsProvidingBothInterfaces(self, world: PluginWorld) -> None:
        """Objects providing IFoo but not IPlugin, or IPlugin but not IFoo, are not returned."""
        world.dropin(
            "a",
            "mixed",
            """
            from zope.interface import implementer
            from netframe.plugin import IPlugin
            import nfplugtest_support as s

            @implementer(s.IFoo)
            class NotPlugin:
                value = "not a plugin"

            @implementer(IPlugin)
            class OtherPlugin:
                value = "other plugin"

            @implementer(IPlugin, s.IFoo)
            class Good:
                value = "good"

            a, b, whateverName = NotPlugin(), OtherPlugin(), Good()
            """,
        )
        assert values(getPlugins(world.support.IFoo)) == ["good"]
        assert values(getPlugins(IPlugin)) == ["other plugin", "good"]

    def test_extendedInterfaceMatches(self, world: PluginWorld) -> None:
        """A plugin providing a sub-interface of IFoo is an IFoo plugin."""
        world.plugin("a", "sub", "s.ISubFoo")
        assert values(getPlugins(world.support.IFoo)) == ["netframe.plugins.sub:one"]

    def test_sameObjectOnce(self, world: PluginWorld) -> None:
        """An object bound in two plugin modules (or twice in one) is returned once."""
        world.plugin("a", "first", names=("one", "alias"))
        world.dropin(
            "a",
            "second",
            "from netframe.plugins.first import one as again\n",
        )
        assert values(getPlugins(world.support.IFoo)) == [
            "netframe.plugins.first:one",
            "netframe.plugins.first:alias",
        ]

    def test_definitionOrderWithinModule(self, world: PluginWorld) -> None:
        """Plugins of one module come in the order the module binds them."""
        world.plugin("a", "many", names=("zeta", "alpha", "mid"))
        assert values(getPlugins(world.support.IFoo)) == [
            "netframe.plugins.many:zeta",
            "netframe.plugins.many:alpha",
            "netframe.plugins.many:mid",
        ]

    def test_concurrentDiscovery(self, world: PluginWorld) -> None:
        """Threads discovering at once get the same plugins and each module runs once."""
        for index in range(20):
            world.plugin("a", f"mod{index:02d}")
        results: list[list[str]] = []

        def discover() -> None:
            results.append(values(getPlugins(world.support.IFoo)))

        threads = [threading.Thread(target=discover) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        expected = [f"netframe.plugins.mod{index:02d}:one" for index in range(20)]
        assert results == [expected] * 4
        assert sorted(world.support.imported) == [f"netframe.plugins.mod{i:02d}" for i in range(20)]

    def test_iteratorIsLazy(self, world: PluginWorld) -> None:
        """Calling getPlugins imports nothing until the iterator is advanced."""
        world.plugin("a", "lazy")
        plugins = getPlugins(world.support.IFoo)
        assert world.support.imported == []
        assert values(plugins) == ["netframe.plugins.lazy:one"]
        assert world.support.imported == ["netframe.plugins.lazy"]


class DropinTests:
    """Drop-in files in netframe/plugins/ directories on sys.path."""

    def test_orderIsSysPathThenName(self, world: PluginWorld) -> None:
        """Modules come directory by directory in sys.path order, by file name within one."""
        world.plugin("a", "zzz")
        world.plugin("a", "aaa")
        world.plugin("b", "mmm")
        assert values(getPlugins(world.support.IFoo)) == [
            "netframe.plugins.aaa:one",
            "netframe.plugins.zzz:one",
            "netframe.plugins.mmm:one",
        ]

    def test_moduleRegisteredAsDropinName(self, world: PluginWorld) -> None:
        """A drop-in stem.py is loaded as netframe.plugins.stem and can be imported by that name."""
        path = world.plugin("a", "named")
        (plugin,) = getPlugins(world.support.IFoo)
        module = sys.modules["netframe.plugins.named"]
        assert module.__file__ == str(path)
        assert importlib.import_module("netframe.plugins.named") is module
        assert type(plugin).__module__ == "netframe.plugins.named"

    def test_packageDirectorySkipped(self, world: PluginWorld) -> None:
        """A netframe/plugins/ directory with an __init__.py is skipped entirely."""
        world.plugin("a", "kept")
        world.plugin("b", "skipped")
        (world.entry("b") / "netframe" / "plugins" / "__init__.py").write_text("")
        assert values(getPlugins(world.support.IFoo)) == ["netframe.plugins.kept:one"]
        assert "netframe.plugins.skipped" not in sys.modules

    def test_nonModuleFilesIgnored(self, world: PluginWorld) -> None:
        """__init__-less directories' non-.py files, and names that are not identifiers, are ignored."""
        world.plugin("a", "real")
        directory = world.entry("a") / "netframe" / "plugins"
        (directory / "notes.txt").write_text("raise SystemExit\n")
        (directory / "bad-name.py").write_text("raise SystemExit\n")
        (directory / ".#lock.py").write_text("raise SystemExit\n")
        (directory / "sub.py").mkdir()
        assert values(getPlugins(world.support.IFoo)) == ["netframe.plugins.real:one"]

    def test_symlinkedFilesFollowed(self, world: PluginWorld) -> None:
        """A symbolic link to a plugin file is a plugin module; a dangling link is skipped."""
        target = world.root / "elsewhere.py"
        target.write_text(world.pluginSource())
        directory = world.entry("a") / "netframe" / "plugins"
        directory.mkdir(parents=True)
        (directory / "linked.py").symlink_to(target)
        (directory / "dangling.py").symlink_to(world.root / "missing.py")
        assert values(getPlugins(world.support.IFoo)) == ["netframe.plugins.linked:one"]

    def test_nonStringSysPathEntryIgnored(self, world: PluginWorld) -> None:
        """A sys.path entry that is not a string is skipped, as the import system does."""
        world.plugin("a", "kept")
        world.plugin("b", "unseen")
        sys.path.remove(str(world.entry("b")))
        sys.path.insert(0, world.root / "b")  # type: ignore[arg-type]
        assert values(getPlugins(world.support.IFoo)) == ["netframe.plugins.kept:one"]

    def test_sameDirectoryTwiceOnSysPath(
        self, world: PluginWorld, events: list[dict[str, Any]]
    ) -> None:
        """A directory listed twice on sys.path is read once and reported as nothing."""
        world.plugin("a", "once")
        sys.path.append(str(world.entry("a")))
        assert values(getPlugins(world.support.IFoo)) == ["netframe.plugins.once:one"]
        assert warnings(events) == []

    def test_duplicateNameFirstWins(self, world: PluginWorld, events: list[dict[str, Any]]) -> None:
        """The same stem in two directories: the first on sys.path is used, the other reported once."""
        world.plugin("a", "dup", names=("first",))
        shadowed = world.plugin("b", "dup", names=("second",))
        assert values(getPlugins(world.support.IFoo)) == ["netframe.plugins.dup:first"]
        assert values(getPlugins(world.support.IFoo)) == ["netframe.plugins.dup:first"]
        (warning,) = warnings(events)
        assert warning["module"] == "netframe.plugins.dup"
        assert warning["path"] == str(shadowed)

    def test_newDropinFoundInSameProcess(self, world: PluginWorld) -> None:
        """A drop-in written after a first discovery is found by the next one."""
        world.plugin("a", "early")
        assert values(getPlugins(world.support.IFoo)) == ["netframe.plugins.early:one"]
        world.plugin("a", "late")
        assert values(getPlugins(world.support.IFoo)) == [
            "netframe.plugins.early:one",
            "netframe.plugins.late:one",
        ]

    def test_removedDropinDisappearsAtOnce(self, world: PluginWorld) -> None:
        """A deleted drop-in is no longer returned, even in the process that loaded it."""
        world.plugin("a", "stays")
        gone = world.plugin("a", "goes")
        assert len(list(getPlugins(world.support.IFoo))) == 2
        gone.unlink()
        assert values(getPlugins(world.support.IFoo)) == ["netframe.plugins.stays:one"]

    def test_readOnlyPluginDirectory(
        self, world: PluginWorld, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Discovery in a read-only plugin directory works and adds no file to it."""
        monkeypatch.setattr(sys, "dont_write_bytecode", True)
        world.plugin("a", "ro")
        directory = world.entry("a") / "netframe" / "plugins"
        before = sorted(os.listdir(directory))
        directory.chmod(0o555)
        assert values(getPlugins(world.support.IFoo)) == ["netframe.plugins.ro:one"]
        world.newProcess()
        assert values(getPlugins(world.support.IFoo)) == ["netframe.plugins.ro:one"]
        assert sorted(os.listdir(directory)) == before
        assert world.cacheFiles() != []

    def test_unreadableDirectoryReported(
        self, world: PluginWorld, events: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A plugin directory that cannot be listed is skipped and reported once."""
        world.plugin("a", "fine")
        world.plugin("b", "hidden")
        hidden = str(world.entry("b") / "netframe" / "plugins")
        realScandir = os.scandir

        def scandir(path: Any) -> Any:
            if str(path) == hidden:
                raise PermissionError(13, "Permission denied", hidden)
            return realScandir(path)

        monkeypatch.setattr(os, "scandir", scandir)
        assert values(getPlugins(world.support.IFoo)) == ["netframe.plugins.fine:one"]
        assert values(getPlugins(world.support.IFoo)) == ["netframe.plugins.fine:one"]
        (warning,) = warnings(events)
        assert warning["directory"] == hidden


class BrokenPluginTests:
    """Plugin modules that fail to import."""

    def test_raisingModuleReportedOthersLoad(
        self, world: PluginWorld, events: list[dict[str, Any]]
    ) -> None:
        """A module raising on import is logged as critical with its failure; the others still load."""
        world.plugin("a", "aaa")
        broken = world.dropin("a", "broken", "raise RuntimeError('plugin exploded')\n")
        world.plugin("a", "zzz")
        assert values(getPlugins(world.support.IFoo)) == [
            "netframe.plugins.aaa:one",
            "netframe.plugins.zzz:one",
        ]
        (event,) = failures(events)
        assert event["module"] == "netframe.plugins.broken"
        assert event["path"] == str(broken)
        assert isinstance(event["log_failure"].value, RuntimeError)
        assert event["log_namespace"] == "netframe.plugin"
        assert "netframe.plugins.broken" not in sys.modules

    def test_syntaxErrorReported(self, world: PluginWorld, events: list[dict[str, Any]]) -> None:
        """A module with a syntax error is reported like any other failing module."""
        world.dropin("a", "syntax", "def (:\n")
        world.plugin("a", "valid")
        assert values(getPlugins(world.support.IFoo)) == ["netframe.plugins.valid:one"]
        (event,) = failures(events)
        assert event["module"] == "netframe.plugins.syntax"
        assert isinstance(event["log_failure"].value, SyntaxError)

    def test_systemExitReported(self, world: PluginWorld, events: list[dict[str, Any]]) -> None:
        """A module calling sys.exit at import is reported, not allowed to end discovery."""
        world.dropin("a", "exits", "raise SystemExit(3)\n")
        world.plugin("a", "valid")
        assert values(getPlugins(world.support.IFoo)) == ["netframe.plugins.valid:one"]
        assert isinstance(failures(events)[0]["log_failure"].value, SystemExit)

    def test_reportedOncePerProcess(self, world: PluginWorld, events: list[dict[str, Any]]) -> None:
        """Repeated discoveries report a broken module once and do not re-execute it."""
        world.dropin("a", "broken", "import nfplugtest_support as s\ns.imported.append(1)\n1/0\n")
        for _ in range(3):
            assert list(getPlugins(IPlugin)) == []
        assert len(failures(events)) == 1
        assert world.support.imported == [1]

    def test_reportedAgainInNewProcess(
        self, world: PluginWorld, events: list[dict[str, Any]]
    ) -> None:
        """Broken modules are never cached: a new process imports and reports them again."""
        world.dropin("a", "broken", "1/0\n")
        list(getPlugins(IPlugin))
        world.newProcess()
        list(getPlugins(IPlugin))
        assert len(failures(events)) == 2

    def test_fixedModuleLoads(self, world: PluginWorld, events: list[dict[str, Any]]) -> None:
        """Once a broken file is fixed, the same process loads it."""
        path = world.dropin("a", "fixme", "1/0\n")
        assert list(getPlugins(world.support.IFoo)) == []
        path.write_text(world.pluginSource())
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        assert values(getPlugins(world.support.IFoo)) == ["netframe.plugins.fixme:one"]
        assert len(failures(events)) == 1

    def test_brokenProvidedByReported(
        self, world: PluginWorld, events: list[dict[str, Any]]
    ) -> None:
        """A module-level object that breaks interface checks makes its module broken, not discovery."""
        world.dropin(
            "a",
            "hostile",
            """
            class Hostile:
                @property
                def __provides__(self):
                    raise RuntimeError("no")
                @property
                def __class__(self):
                    raise RuntimeError("no")
            thing = Hostile()
            """,
        )
        world.plugin("a", "valid")
        assert values(getPlugins(world.support.IFoo)) == ["netframe.plugins.valid:one"]
        assert [e["module"] for e in failures(events)] == ["netframe.plugins.hostile"]


REACTOR_PLUGIN = """
import sys, types
core = sys.modules["netframe.core"]
reactor = types.ModuleType("netframe.core.reactor")
reactor.installedBy = __name__
sys.modules["netframe.core.reactor"] = reactor
core.reactor = reactor
"""


@pytest.fixture
def fakeCore(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """A stand-in netframe.core package in sys.modules (no real reactor involved)."""
    core = types.ModuleType("netframe.core")
    core.__path__ = []
    monkeypatch.setitem(sys.modules, "netframe.core", core)
    monkeypatch.delitem(sys.modules, "netframe.core.reactor", raising=False)
    return core


class ReactorImportTests:
    """Discovery must not leave netframe.core.reactor imported."""

    def test_reactorImportUndoneAndReported(
        self, world: PluginWorld, events: list[dict[str, Any]], fakeCore: Any
    ) -> None:
        """A plugin importing netframe.core.reactor has the import undone and is reported as broken."""
        world.dropin("a", "grabby", REACTOR_PLUGIN + world.pluginSource())
        world.plugin("a", "polite")
        assert values(getPlugins(world.support.IFoo)) == ["netframe.plugins.polite:one"]
        assert "netframe.core.reactor" not in sys.modules
        assert "reactor" not in vars(fakeCore)
        assert "netframe.plugins.grabby" not in sys.modules
        (event,) = failures(events)
        assert event["module"] == "netframe.plugins.grabby"
        error = event["log_failure"].value
        assert isinstance(error, PluginImportsReactorError)
        assert "imports netframe.core.reactor at module level" in str(error)

    def test_reportedOnce(
        self, world: PluginWorld, events: list[dict[str, Any]], fakeCore: Any
    ) -> None:
        """The reactor-importing plugin is reported once and not executed again in the process."""
        world.dropin(
            "a", "grabby", REACTOR_PLUGIN + "import nfplugtest_support as s\ns.imported.append(1)\n"
        )
        list(getPlugins(IPlugin))
        list(getPlugins(IPlugin))
        assert len(failures(events)) == 1
        assert world.support.imported == [1]
        assert "netframe.core.reactor" not in sys.modules

    def test_existingReactorAttributeKept(self, world: PluginWorld, fakeCore: Any) -> None:
        """A reactor attribute netframe.core had before discovery is not removed."""
        fakeCore.reactor = marker = object()
        world.dropin("a", "grabby", REACTOR_PLUGIN.replace("core.reactor = reactor", ""))
        list(getPlugins(IPlugin))
        assert "netframe.core.reactor" not in sys.modules
        assert fakeCore.reactor is marker

    def test_reactorAlreadyImportedIsLeftAlone(
        self,
        world: PluginWorld,
        events: list[dict[str, Any]],
        fakeCore: Any,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """If the reactor was imported before discovery, plugins using it are fine and it stays."""
        existing = types.ModuleType("netframe.core.reactor")
        monkeypatch.setitem(sys.modules, "netframe.core.reactor", existing)
        world.dropin(
            "a", "user", "from netframe.core import reactor as _r\n" + world.pluginSource()
        )
        fakeCore.reactor = existing
        assert values(getPlugins(world.support.IFoo)) == ["netframe.plugins.user:one"]
        assert sys.modules["netframe.core.reactor"] is existing
        assert failures(events) == []


class EntryPointTests:
    """Plugins from installed distributions' entry points."""

    def test_wheelEntryPointFoundThenUninstalled(self, world: PluginWorld) -> None:
        """A plugin module from an installed wheel is found, and disappears once uninstalled."""
        wheel = world.wheel(
            "tinyplug",
            {"tinyplug_plugins.py": world.pluginSource(names=("wheeled",))},
            {"tinyplug": "tinyplug_plugins"},
        )
        installed = world.install(wheel, "site")
        assert values(getPlugins(world.support.IFoo)) == ["tinyplug_plugins:wheeled"]
        world.uninstall(installed)
        assert list(getPlugins(world.support.IFoo)) == []
        world.newProcess()
        assert list(getPlugins(world.support.IFoo)) == []

    def test_entryPointWithAttribute(self, world: PluginWorld) -> None:
        """An entry value module:name makes that object the only candidate."""
        world.module("site", "attrplug", world.pluginSource(names=("chosen", "ignored")))
        wheel = world.wheel("attrdist", {}, {"attrplug": "attrplug:chosen"})
        world.install(wheel, "site")
        assert values(getPlugins(world.support.IFoo)) == ["attrplug:chosen"]

    def test_entryPointsSortedAfterDropins(self, world: PluginWorld) -> None:
        """Entry-point modules come after drop-ins, sorted by entry name."""
        world.plugin("a", "zdropin")
        world.module("site", "epmod_b", world.pluginSource())
        world.module("site", "epmod_a", world.pluginSource())
        world.install(world.wheel("epdist", {}, {"beta": "epmod_b", "alpha": "epmod_a"}), "site")
        assert values(getPlugins(world.support.IFoo)) == [
            "netframe.plugins.zdropin:one",
            "epmod_a:one",
            "epmod_b:one",
        ]

    def test_entryPointShadowedByDropin(
        self, world: PluginWorld, events: list[dict[str, Any]]
    ) -> None:
        """An entry point named like a drop-in is ignored and reported once."""
        world.plugin("a", "same")
        world.module("site", "sameplug", world.pluginSource())
        world.install(world.wheel("samedist", {}, {"same": "sameplug"}), "site")
        assert values(getPlugins(world.support.IFoo)) == ["netframe.plugins.same:one"]
        assert values(getPlugins(world.support.IFoo)) == ["netframe.plugins.same:one"]
        (warning,) = warnings(events)
        assert warning["module"] == "same"

    def test_brokenEntryPointModule(self, world: PluginWorld, events: list[dict[str, Any]]) -> None:
        """An entry-point module that raises on import is reported; other plugins still load."""
        world.module("site", "badep", "raise ImportError('missing dependency')\n")
        world.module("site", "goodep", world.pluginSource())
        world.install(world.wheel("mixdist", {}, {"bad": "badep", "good": "goodep"}), "site")
        assert values(getPlugins(world.support.IFoo)) == ["goodep:one"]
        (event,) = failures(events)
        assert event["module"] == "badep"

    def test_missingEntryPointModule(
        self, world: PluginWorld, events: list[dict[str, Any]]
    ) -> None:
        """An entry point naming a module that does not exist is reported as broken."""
        world.install(world.wheel("ghostdist", {}, {"ghost": "no_such_module_here"}), "site")
        assert list(getPlugins(IPlugin)) == []
        (event,) = failures(events)
        assert event["module"] == "no_such_module_here"
        assert isinstance(event["log_failure"].value, ModuleNotFoundError)

    def test_invalidEntryPointValue(self, world: PluginWorld, events: list[dict[str, Any]]) -> None:
        """An entry value that is not a module path is ignored with a warning."""
        world.install(world.wheel("weirddist", {}, {"weird": "not a module!"}), "site")
        assert list(getPlugins(IPlugin)) == []
        (warning,) = warnings(events)
        assert warning["name"] == "weird"


class PluginPackagePathsTests:
    """pluginPackagePaths(name)."""

    def test_nonPackageDirectoriesOnly(self, world: PluginWorld) -> None:
        """The <name as path> directories without __init__.py are returned, in sys.path order."""
        world.module("pkg", "proj.plugins.__init__", "")
        for entry in ("dev1", "dev2"):
            (world.entry(entry) / "proj" / "plugins").mkdir(parents=True)
        world.entry("nothing")
        assert pluginPackagePaths("proj.plugins") == [
            str(world.entry("dev1") / "proj" / "plugins"),
            str(world.entry("dev2") / "proj" / "plugins"),
        ]

    def test_relativeEntryIsMadeAbsolute(
        self, world: PluginWorld, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The empty sys.path entry (current directory) gives an absolute path."""
        base = world.entry("cwd")
        (base / "proj" / "plugins").mkdir(parents=True)
        monkeypatch.chdir(base)
        sys.path.insert(0, "")
        assert pluginPackagePaths("proj.plugins") == [str(base / "proj" / "plugins")]

    def test_invalidName(self) -> None:
        """A name that is not a dotted identifier raises ValueError."""
        with pytest.raises(ValueError, match="not a dotted package name"):
            pluginPackagePaths("../etc")

    def test_packageArgumentIgnoresDefaultSources(self, world: PluginWorld) -> None:
        """With a package, neither netframe/plugins drop-ins nor entry points are consulted."""
        world.plugin("a", "dropped")
        world.module("pkg", "proj2.plugins.__init__", "")
        world.module("pkg", "proj2.plugins.own", world.pluginSource())
        package = importlib.import_module("proj2.plugins")
        assert values(getPlugins(world.support.IFoo, package)) == ["proj2.plugins.own:one"]
        assert "netframe.plugins.dropped" not in sys.modules

    def test_alreadyImportedPackageModuleReused(self, world: PluginWorld) -> None:
        """A plugin module the program imported itself is reused, not executed again."""
        world.module("pkg", "proj3.plugins.__init__", "")
        world.module("pkg", "proj3.plugins.mine", world.pluginSource())
        mine = importlib.import_module("proj3.plugins.mine")
        package = importlib.import_module("proj3.plugins")
        (plugin,) = getPlugins(world.support.IFoo, package)
        assert plugin is mine.one
        assert world.support.imported == ["proj3.plugins.mine"]
