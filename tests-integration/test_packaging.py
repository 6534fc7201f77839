"""
Packaging tests: each of the eight wheels holds only its own tree with correct metadata,
the integration environment runs the installed wheels, and a selective install of
netframe-core + netframe-cred works without the other distributions.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from email.message import Message
from email.parser import BytesParser
from importlib import metadata
from pathlib import Path
from types import ModuleType

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
DISTS = sorted(p.parent.name for p in (ROOT / "packages").glob("*/pyproject.toml"))
"""Every distribution directory name under packages/ (``netframe-<name>``)."""


def pyprojectOf(dist: str) -> dict:
    """The parsed pyproject.toml of a distribution."""
    with (ROOT / "packages" / dist / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)


def shortName(dist: str) -> str:
    """``netframe-core`` -> ``core``."""
    return dist.removeprefix("netframe-")


def sourceVersion(dist: str) -> str:
    """The version in the distribution's _version.py, read without importing it."""
    text = (ROOT / "packages" / dist / "src/netframe" / shortName(dist) / "_version.py").read_text()
    match = re.search(r'^__version__\s*=\s*"([^"]+)"', text, re.MULTILINE)
    assert match, f"no __version__ in {dist}"
    return match.group(1)


def wheelMetadata(wheel: Path) -> Message:
    """The METADATA of a wheel."""
    with zipfile.ZipFile(wheel) as zf:
        (name,) = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
        return BytesParser().parsebytes(zf.read(name))


def declaredDropIns(dist: str) -> set[str]:
    """The netframe/plugins/*.py files a distribution's wheel config says it ships."""
    wheelConfig = pyprojectOf(dist).get("tool", {}).get("hatch", {}).get("build", {})
    wheelConfig = wheelConfig.get("targets", {}).get("wheel", {})
    paths = list(wheelConfig.get("only-include", [])) + list(
        wheelConfig.get("force-include", {}).values()
    )
    result = set()
    for path in paths:
        rel = path.removeprefix("src/")
        if rel.startswith("netframe/plugins/"):
            result.add(rel)
    return result


def requirementKey(raw: str) -> tuple[str, str, frozenset[str], str]:
    """A comparable form of a requirement: name, specifiers, extras, marker."""
    req = Requirement(raw)
    specs = ",".join(sorted(str(s) for s in req.specifier))
    return canonicalize_name(req.name), specs, frozenset(req.extras), str(req.marker or "")


class WheelContentTests:
    """Each wheel holds its own netframe/<name>/ tree and nothing of its siblings."""

    @pytest.mark.parametrize("dist", DISTS)
    def test_onlyOwnTree(self, builtWheels: dict[str, Path], dist: str) -> None:
        """Every file is under netframe/<name>/, the dist-info, or a declared drop-in."""
        name = shortName(dist)
        stem = f"{dist.replace('-', '_')}-{sourceVersion(dist)}.dist-info/"
        with zipfile.ZipFile(builtWheels[dist]) as zf:
            names = zf.namelist()
        dropIns = {n for n in names if n.startswith("netframe/plugins/")}
        others = [
            n for n in names if not n.startswith((f"netframe/{name}/", stem)) and n not in dropIns
        ]
        assert others == []
        assert dropIns == declaredDropIns(dist)
        assert all(re.fullmatch(r"netframe/plugins/[A-Za-z_][A-Za-z0-9_]*\.py", n) for n in dropIns)
        assert f"netframe/{name}/__init__.py" in names

    @pytest.mark.parametrize("dist", DISTS)
    def test_typedAndNamespace(self, builtWheels: dict[str, Path], dist: str) -> None:
        """The wheel has netframe/<name>/py.typed and no netframe/__init__.py (PEP 420)."""
        with zipfile.ZipFile(builtWheels[dist]) as zf:
            names = set(zf.namelist())
        assert f"netframe/{shortName(dist)}/py.typed" in names
        assert "netframe/__init__.py" not in names
        assert "netframe/plugins/__init__.py" not in names
        assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)


class WheelMetadataTests:
    """The wheel metadata matches pyproject.toml and _version.py."""

    @pytest.mark.parametrize("dist", DISTS)
    def test_nameVersionPython(self, builtWheels: dict[str, Path], dist: str) -> None:
        """Name, Version (== _version.py) and Requires-Python are right."""
        meta = wheelMetadata(builtWheels[dist])
        project = pyprojectOf(dist)["project"]
        assert meta["Name"] == dist
        assert meta["Version"] == sourceVersion(dist)
        assert meta["Requires-Python"] == project["requires-python"] == ">=3.11"

    @pytest.mark.parametrize("dist", DISTS)
    def test_requiresDist(self, builtWheels: dict[str, Path], dist: str) -> None:
        """Requires-Dist holds exactly the declared requirements, sibling ranges included."""
        meta = wheelMetadata(builtWheels[dist])
        project = pyprojectOf(dist)["project"]
        expected = {requirementKey(raw) for raw in project.get("dependencies", [])}
        for extra, reqs in project.get("optional-dependencies", {}).items():
            expected.update(requirementKey(f'{raw}; extra == "{extra}"') for raw in reqs)
        actual = {requirementKey(raw) for raw in meta.get_all("Requires-Dist", [])}
        assert actual == expected
        siblings = {k for k in actual if k[0].startswith("netframe-")}
        for name, specs, _, _ in siblings:
            assert re.fullmatch(r"<\d+\.\d+\.\d+,>=\d+\.\d+\.\d+(\.dev\d+)?", specs), (name, specs)
        assert set(meta.get_all("Provides-Extra", [])) == set(
            project.get("optional-dependencies", {})
        )

    def test_coreTlsExtra(self, builtWheels: dict[str, Path]) -> None:
        """netframe-core's tls extra requires pyOpenSSL and service-identity."""
        meta = wheelMetadata(builtWheels["netframe-core"])
        assert meta.get_all("Provides-Extra") == ["tls"]
        tls = {
            canonicalize_name(Requirement(raw).name)
            for raw in meta.get_all("Requires-Dist", [])
            if Requirement(raw).marker
            and Requirement(raw).marker.evaluate({"extra": "tls"})
            and not Requirement(raw).marker.evaluate({"extra": ""})
        }
        assert tls == {"pyopenssl", "service-identity"}

    @pytest.mark.parametrize("dist", DISTS)
    def test_consoleScripts(self, builtWheels: dict[str, Path], dist: str) -> None:
        """The wheel's console scripts are exactly [project.scripts]."""
        scripts = pyprojectOf(dist)["project"].get("scripts", {})
        with zipfile.ZipFile(builtWheels[dist]) as zf:
            entryPoints = [n for n in zf.namelist() if n.endswith(".dist-info/entry_points.txt")]
            text = zf.read(entryPoints[0]).decode() if entryPoints else ""
        found = dict(
            re.findall(
                r"^(\S+) = (\S+)$",
                text.partition("[console_scripts]")[2].split("\n[")[0],
                re.MULTILINE,
            )
        )
        assert found == scripts


class InstalledWheelsTests:
    """The integration environment runs the distributions from wheels, not the source."""

    @pytest.mark.parametrize("dist", DISTS)
    def test_installedFromWheel(self, dist: str) -> None:
        """Each distribution is installed at its _version.py version, outside packages/."""
        import importlib

        assert metadata.version(dist) == sourceVersion(dist)
        module = importlib.import_module(f"netframe.{shortName(dist)}")
        assert module.__file__ is not None
        assert not Path(module.__file__).resolve().is_relative_to(ROOT / "packages")
        assert module.__version__ == sourceVersion(dist)


_IMPORTS = """
import importlib, json, sys
from importlib import metadata
outcome = {}
for name in sys.argv[1:]:
    try:
        module = importlib.import_module(name)
    except ImportError as exc:
        outcome[name] = [type(exc).__name__, exc.name]
    else:
        outcome[name] = ["ok", module.__file__]
dists = sorted(
    d.metadata["Name"] for d in metadata.distributions()
    if d.metadata["Name"].startswith("netframe-")
)
print(json.dumps({"imports": outcome, "dists": dists}))
"""


@pytest.fixture(scope="module")
def venv(
    builtWheels: dict[str, Path],
    wheelTools: ModuleType,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, dict[str, str]]:
    """A fresh venv holding only core, cred and their declared deps (one per module)."""
    base = tmp_path_factory.mktemp("selective")
    venvDir = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venvDir)], check=True)
    python = venvDir / "bin" / "python"
    env = {
        k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}
    }
    env["PYTHONNOUSERSITE"] = "1"
    wanted = ["netframe-core", "netframe-cred"]
    needed = sorted({d for name in wanted for d in wheelTools.closure(name, ROOT)})
    # Third-party deps from the package index; netframe only from the built wheels.
    wheelTools.pipInstall(python, wheelTools.thirdPartyRequirements(needed, ROOT, extras=False))
    wheelTools.pipInstall(
        python,
        ["--no-index", "--find-links", builtWheels["netframe-core"].parent]
        + [builtWheels[name] for name in wanted],
    )
    return python, env


@pytest.mark.slow
class SelectiveInstallTests:
    """Users can install netframe-core and netframe-cred without the rest of netframe."""

    def runImports(self, venv: tuple[Path, dict[str, str]], tmp_path: Path, *modules: str) -> dict:
        """Import modules in the venv's python from an empty directory; report outcomes."""
        python, env = venv
        result = subprocess.run(
            [str(python), "-c", _IMPORTS, *modules],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(result.stdout)

    def test_onlyDeclaredDistributionsInstalled(
        self, venv: tuple[Path, dict[str, str]], tmp_path: Path
    ) -> None:
        """pip pulled exactly core, cred and their declared siblings logger and plugin."""
        report = self.runImports(venv, tmp_path)
        assert report["dists"] == [
            "netframe-core",
            "netframe-cred",
            "netframe-logger",
            "netframe-plugin",
        ]

    def test_coreAndCredImport(self, venv: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
        """import netframe.core, netframe.cred works from the venv."""
        report = self.runImports(venv, tmp_path, "netframe.core", "netframe.cred")
        for name in ("netframe.core", "netframe.cred"):
            status, where = report["imports"][name]
            assert status == "ok"
            assert Path(where).is_relative_to(venv[0].parent.parent)

    def test_appAndSpreadAreAbsent(self, venv: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
        """import netframe.app and netframe.spread raise ModuleNotFoundError."""
        report = self.runImports(venv, tmp_path, "netframe.app", "netframe.spread")
        assert report["imports"] == {
            "netframe.app": ["ModuleNotFoundError", "netframe.app"],
            "netframe.spread": ["ModuleNotFoundError", "netframe.spread"],
        }
