"""
Tests for netframe.app.service: services, collections, Application,
ServiceMaker and .tac loading (SCOPE.md 2.2.1).
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from zope.interface.verify import verifyObject

from netframe.app import service
from netframe.app.service import (
    Application,
    IProcess,
    IService,
    IServiceCollection,
    IServiceMaker,
    MultiService,
    NoApplicationError,
    Service,
    ServiceMaker,
    loadApplication,
)
from netframe.core.defer import Deferred, succeed
from netframe.logger import ILogObserver
from netframe.plugin import IPlugin


class RecordingService(Service):
    """A service recording start/stop calls in a shared list."""

    def __init__(self, name: str, record: list[str], stopResult: Any = None) -> None:
        self.setName(name)
        self.record = record
        self.stopResult = stopResult

    def privilegedStartService(self) -> None:
        self.record.append(f"privileged {self.name}")
        Service.privilegedStartService(self)

    def startService(self) -> None:
        self.record.append(f"start {self.name}")
        Service.startService(self)

    def stopService(self) -> Any:
        self.record.append(f"stop {self.name}")
        Service.stopService(self)
        return self.stopResult


class InterfaceTests:
    """The classes provide the interfaces they declare."""

    def test_serviceProvidesIService(self) -> None:
        """Service provides IService."""
        assert verifyObject(IService, Service())

    def test_multiServiceProvidesBoth(self) -> None:
        """MultiService provides IService and IServiceCollection."""
        assert verifyObject(IService, MultiService())
        assert verifyObject(IServiceCollection, MultiService())

    def test_processProvidesIProcess(self) -> None:
        """The Application's process component provides IProcess."""
        assert verifyObject(IProcess, IProcess(Application("x")))

    def test_serviceMakerProvidesInterfaces(self) -> None:
        """ServiceMaker provides IPlugin and IServiceMaker."""
        maker = ServiceMaker("Name", "json", "desc", "tap")
        assert verifyObject(IPlugin, maker)
        assert IServiceMaker.providedBy(maker)

    def test_publicModuleNames(self) -> None:
        """Public names report the public module."""
        for name in service.__all__:
            assert getattr(service, name).__module__ == "netframe.app.service", name


class ServiceTests:
    """Service keeps name, parent and running."""

    def test_runningAfterStart(self) -> None:
        """running is true after startService and false after stopService."""
        s = Service()
        assert not s.running
        s.startService()
        s = s  # startService changed s.running: drop mypy's narrowing (mypy issue 11969)
        assert s.running
        s.stopService()
        assert not s.running

    def test_setName(self) -> None:
        """setName sets the name."""
        s = Service()
        s.setName("a")
        assert s.name == "a"

    def test_setNameWithParentFails(self) -> None:
        """A service with a parent cannot be renamed."""
        s = Service()
        s.setServiceParent(MultiService())
        with pytest.raises(RuntimeError, match="cannot rename"):
            s.setName("b")

    def test_setServiceParentAdaptsApplication(self) -> None:
        """setServiceParent casts an Application to IServiceCollection."""
        application = Application("app")
        s = Service()
        s.setServiceParent(application)
        assert s.parent is IServiceCollection(application)
        assert list(IServiceCollection(application)) == [s]

    def test_setServiceParentRejectsNonCollection(self) -> None:
        """A parent that is no IServiceCollection raises TypeError."""
        with pytest.raises(TypeError, match="not an IServiceCollection"):
            Service().setServiceParent(object())

    def test_setServiceParentLeavesOldParent(self) -> None:
        """Setting a new parent removes the service from the old one."""
        first, second = MultiService(), MultiService()
        s = Service()
        s.setServiceParent(first)
        s.setServiceParent(second)
        assert list(first) == []
        assert list(second) == [s]

    def test_disownServiceParent(self) -> None:
        """disownServiceParent detaches the service."""
        parent = MultiService()
        s = Service()
        s.setServiceParent(parent)
        assert s.disownServiceParent() is None
        assert s.parent is None
        assert list(parent) == []

    def test_disownWithoutParent(self) -> None:
        """disownServiceParent without a parent does nothing."""
        assert Service().disownServiceParent() is None

    def test_repr(self) -> None:
        """repr names the class and service name."""
        s = Service()
        s.setName("x")
        assert repr(s) == "<Service name='x'>"


class MultiServiceTests:
    """MultiService starts in order, stops in reverse, waits on Deferreds."""

    def test_startInOrderStopReversed(self) -> None:
        """Children start in the order added and stop in reverse."""
        record: list[str] = []
        parent = MultiService()
        for name in ("a", "b", "c"):
            RecordingService(name, record).setServiceParent(parent)
        parent.privilegedStartService()
        parent.startService()
        parent.stopService()
        assert record == [
            "privileged a",
            "privileged b",
            "privileged c",
            "start a",
            "start b",
            "start c",
            "stop c",
            "stop b",
            "stop a",
        ]

    def test_stopWaitsForChildDeferreds(self) -> None:
        """stopService fires only after every child's Deferred fired."""
        record: list[str] = []
        pending: Deferred[None] = Deferred()
        parent = MultiService()
        RecordingService("a", record, stopResult=pending).setServiceParent(parent)
        RecordingService("b", record, stopResult=succeed(None)).setServiceParent(parent)
        parent.startService()
        results: list[Any] = []
        parent.stopService().addCallback(results.append)
        assert results == []
        pending.callback(None)
        assert len(results) == 1

    def test_stopChildFailureIsLoggedNotRaised(self) -> None:
        """A failing child stop is reported in the result list."""
        parent = MultiService()
        bad: Deferred[None] = Deferred()
        RecordingService("a", [], stopResult=bad).setServiceParent(parent)
        parent.startService()
        results: list[Any] = []
        parent.stopService().addCallback(results.append)
        bad.errback(ValueError("boom"))
        [(ok, failure)] = results[0]
        assert not ok
        assert failure.check(ValueError)

    def test_duplicateNameRaises(self) -> None:
        """Two children of the same name raise RuntimeError."""
        parent = MultiService()
        RecordingService("a", []).setServiceParent(parent)
        second = RecordingService("a", [])
        with pytest.raises(RuntimeError, match="two services named 'a'"):
            second.setServiceParent(parent)
        assert second.parent is None
        assert len(parent) == 1

    def test_getServiceNamed(self) -> None:
        """getServiceNamed returns a named child; unknown names raise KeyError."""
        parent = MultiService()
        child = RecordingService("a", [])
        child.setServiceParent(parent)
        assert parent.getServiceNamed("a") is child
        with pytest.raises(KeyError):
            parent.getServiceNamed("b")

    def test_unnamedChildren(self) -> None:
        """Unnamed children are iterated but not indexed."""
        parent = MultiService()
        a, b = Service(), Service()
        a.setServiceParent(parent)
        b.setServiceParent(parent)
        assert list(parent) == [a, b]
        assert parent.namedServices == {}

    def test_addToRunningStartsChild(self) -> None:
        """A child added to a running collection is started at once."""
        record: list[str] = []
        parent = MultiService()
        parent.startService()
        RecordingService("late", record).setServiceParent(parent)
        assert record == ["privileged late", "start late"]

    def test_removeFromRunningStopsChild(self) -> None:
        """Removing a child of a running collection stops it and returns its result."""
        record: list[str] = []
        d: Deferred[None] = Deferred()
        parent = MultiService()
        child = RecordingService("a", record, stopResult=d)
        child.setServiceParent(parent)
        parent.startService()
        assert child.disownServiceParent() is d
        assert record[-1] == "stop a"
        assert "a" not in parent.namedServices

    def test_removeUnknownRaises(self) -> None:
        """Removing a service that is not a child raises ValueError."""
        with pytest.raises(ValueError):
            MultiService().removeService(Service())


class ApplicationTests:
    """Application is a Componentized root with three components."""

    def test_components(self) -> None:
        """IService and IServiceCollection give the same named MultiService."""
        application = Application("demo")
        root = IService(application)
        assert isinstance(root, MultiService)
        collection: object = IServiceCollection(
            application
        )  # object: mypy-zope cannot narrow an interface against its implementer
        assert collection is root
        assert root.name == "demo"

    def test_process(self) -> None:
        """IProcess holds uid and gid."""
        process = IProcess(Application("demo", uid=12, gid=34))
        assert (process.uid, process.gid) == (12, 34)
        assert process.processName is None

    def test_processDefaults(self) -> None:
        """Without uid/gid the IProcess values are None."""
        process = IProcess(Application("demo"))
        assert (process.uid, process.gid) == (None, None)

    def test_logObserverSlot(self) -> None:
        """An ILogObserver component can be set and read back; default None."""
        application = Application("demo")
        assert application.getComponent(ILogObserver, None) is None
        events: list[Any] = []
        application.setComponent(ILogObserver, events.append)
        assert application.getComponent(ILogObserver) == events.append

    def test_childrenStartedWithRoot(self) -> None:
        """Starting the application's IService starts the children."""
        record: list[str] = []
        application = Application("demo")
        RecordingService("child", record).setServiceParent(application)
        IService(application).startService()
        assert record == ["start child"]


class ServiceMakerTests:
    """ServiceMaker imports its module lazily."""

    def test_lazyModule(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """options and makeService come from the module, imported on use."""
        (tmp_path / "nfapp_smaker_mod.py").write_text(
            textwrap.dedent(
                """
                from netframe.core import usage
                from netframe.app.service import Service
                class Options(usage.Options):
                    optParameters = [["port", "p", "1", "port"]]
                def makeService(options):
                    s = Service()
                    s.setName(options["port"])
                    return s
                """
            )
        )
        monkeypatch.syspath_prepend(str(tmp_path))
        maker = ServiceMaker("Thing", "nfapp_smaker_mod", "Does a thing.", "thing")
        assert "nfapp_smaker_mod" not in sys.modules
        assert verifyObject(IServiceMaker, maker)
        options = maker.options()
        options.parseOptions(["--port", "5"])
        assert maker.makeService(options).name == "5"
        assert repr(maker) == "<ServiceMaker thing (nfapp_smaker_mod)>"
        monkeypatch.delitem(sys.modules, "nfapp_smaker_mod")


class LoadApplicationTests:
    """loadApplication runs Python .tac files only."""

    def test_loadsApplication(self, tmp_path: Path) -> None:
        """The module-level application is returned; __file__ is set."""
        tac = tmp_path / "a.tac"
        tac.write_text(
            "from netframe.app.service import Application\napplication = Application(__file__)\n"
        )
        application = loadApplication(str(tac))
        assert IService(application).name == str(tac)

    def test_missingApplication(self, tmp_path: Path) -> None:
        """A file without application raises NoApplicationError naming it."""
        tac = tmp_path / "b.tac"
        tac.write_text("x = 1\n")
        with pytest.raises(NoApplicationError, match=r"b\.tac does not define"):
            loadApplication(str(tac))

    def test_syntaxError(self, tmp_path: Path) -> None:
        """A syntax error raises SyntaxError with the file and line."""
        tac = tmp_path / "c.tac"
        tac.write_text("x = 1\ndef (\n")
        with pytest.raises(SyntaxError) as info:
            loadApplication(str(tac))
        assert info.value.filename == str(tac)
        assert info.value.lineno == 2

    def test_missingFile(self, tmp_path: Path) -> None:
        """A missing file raises FileNotFoundError."""
        with pytest.raises(FileNotFoundError):
            loadApplication(str(tmp_path / "none.tac"))

    @pytest.mark.parametrize("kind", ["pickle", "source", "xml"])
    def test_otherKindsRefused(self, tmp_path: Path, kind: str) -> None:
        """Pickled kinds are refused with a clear ValueError."""
        with pytest.raises(ValueError, match="only Python"):
            loadApplication(str(tmp_path / "x.tap"), kind)

    def test_passphraseRefused(self, tmp_path: Path) -> None:
        """Encrypted applications are refused."""
        with pytest.raises(ValueError, match="encrypted"):
            loadApplication(str(tmp_path / "x.tac"), "python", "secret")
