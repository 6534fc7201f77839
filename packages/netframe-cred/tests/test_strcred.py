"""Tests for netframe.cred.strcred and the built-in checker factories."""

from __future__ import annotations

import importlib.metadata
import io
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from zope.interface.verify import verifyObject

from netframe.core import usage
from netframe.cred import checkerfactories, checkers, credentials, strcred
from netframe.cred.strcred import (
    AuthOptionMixin,
    ICheckerFactory,
    InvalidAuthArgumentString,
    InvalidAuthType,
    StrcredException,
    UnsupportedInterfaces,
    findCheckerFactories,
    findCheckerFactory,
    makeChecker,
)
from netframe.plugin import IPlugin, getPlugins


class ServerOptions(usage.Options, AuthOptionMixin):
    """Options supporting username/password credentials only."""

    supportedInterfaces = (credentials.IUsernamePassword,)
    optParameters = [["port", "p", 1234, "Server port number"]]


class AnyOptions(usage.Options, AuthOptionMixin):
    """Options supporting every credentials interface."""


def parse(options: usage.Options, *argv: str) -> io.StringIO:
    """Parse argv, with help output going to the returned buffer."""
    out = io.StringIO()
    options.authOutput = out  # type: ignore[attr-defined]
    options.parseOptions(list(argv))
    return out


class FactoryTests:
    """The built-in factories are plugins and make their checkers."""

    def test_entryPointRegistered(self) -> None:
        """netframe-cred declares its factories module in group netframe.plugins."""
        values = [ep.value for ep in importlib.metadata.entry_points(group="netframe.plugins")]
        assert "netframe.cred.checkerfactories" in values

    def test_foundByGetPlugins(self) -> None:
        """getPlugins(ICheckerFactory) finds the built-in factories."""
        types = {f.authType for f in getPlugins(ICheckerFactory)}
        assert {"memory", "file", "hashed", "anonymous", "unix"} <= types

    def test_findCheckerFactoriesOnce(self) -> None:
        """findCheckerFactories lists each factory object once."""
        found = findCheckerFactories()
        assert len({id(f) for f in found}) == len(found)
        assert [f.authType for f in found].count("memory") == 1

    def test_verifyObject(self) -> None:
        """Every built-in factory provides ICheckerFactory and IPlugin."""
        for name in ("memory", "file", "hashed", "anonymous", "unix"):
            factory = findCheckerFactory(name)
            assert verifyObject(ICheckerFactory, factory)
            assert verifyObject(IPlugin, factory)
            assert factory.__class__.__module__ == "netframe.cred.checkerfactories"

    def test_unknownType(self) -> None:
        """An unknown auth type is InvalidAuthType."""
        with pytest.raises(InvalidAuthType):
            makeChecker("nosuch:x")

    def test_memory(self, results: Any) -> None:
        """memory:name:password:... makes an in-memory checker with those users."""
        checker = makeChecker("memory:alice:one:bob:two")
        assert isinstance(checker, checkers.InMemoryUsernamePasswordDatabaseDontUse)
        assert checker.users == {b"alice": b"one", b"bob": b"two"}

    @pytest.mark.parametrize("description", ["memory", "memory:", "memory:alice", "memory::pw"])
    def test_memoryBadArguments(self, description: str) -> None:
        """memory without pairs, with an odd count or an empty name is refused."""
        with pytest.raises(InvalidAuthArgumentString):
            makeChecker(description)

    def test_file(self, tmp_path: Path) -> None:
        """file:PATH makes a FilePasswordDB on PATH (the path may hold ':')."""
        path = tmp_path / "a:b"
        path.write_bytes(b"bob:pw\n")
        checker = makeChecker(f"file:{path}")
        assert isinstance(checker, checkers.FilePasswordDB)
        assert checker.filename == str(path)

    def test_hashed(self, tmp_path: Path) -> None:
        """hashed:PATH makes a HashedPasswordFileChecker."""
        path = tmp_path / "h"
        path.write_bytes(b"")
        assert isinstance(makeChecker(f"hashed:{path}"), checkers.HashedPasswordFileChecker)

    @pytest.mark.parametrize("authType", ["file", "hashed"])
    def test_fileMissingArgument(self, authType: str) -> None:
        """file and hashed without a path are refused."""
        with pytest.raises(InvalidAuthArgumentString, match="needs a file name"):
            makeChecker(authType)

    @pytest.mark.parametrize("authType", ["file", "hashed"])
    def test_fileMissing(self, authType: str, tmp_path: Path) -> None:
        """file and hashed on a missing file raise FileNotFoundError."""
        with pytest.raises(FileNotFoundError):
            makeChecker(f"{authType}:{tmp_path / 'nope'}")

    def test_anonymous(self) -> None:
        """anonymous makes AllowAnonymousAccess and takes no argument."""
        assert isinstance(makeChecker("anonymous"), checkers.AllowAnonymousAccess)
        with pytest.raises(InvalidAuthArgumentString):
            makeChecker("anonymous:x")

    def test_unixUnavailable(self) -> None:
        """unix refuses with a message saying why."""
        with pytest.raises(StrcredException, match="crypt"):
            makeChecker("unix")


class AuthOptionMixinTests:
    """AuthOptionMixin adds --auth, --help-auth and --help-auth-type."""

    def test_noAuthDefaults(self) -> None:
        """Without --auth, credCheckers is empty and credInterfaces maps to empty lists."""
        options = ServerOptions()
        parse(options)
        assert options["credCheckers"] == []
        assert options["credInterfaces"][credentials.IUsernamePassword] == []
        with pytest.raises(KeyError):
            options["nosuch"]

    def test_auth(self) -> None:
        """--auth adds a checker to credCheckers and credInterfaces."""
        options = ServerOptions()
        parse(options, "--auth", "memory:bob:pw")
        [checker] = options["credCheckers"]
        assert options["credInterfaces"][credentials.IUsernamePassword] == [checker]
        assert credentials.IUsernameHashedPassword not in options["credInterfaces"]

    def test_authRepeatable(self, tmp_path: Path) -> None:
        """--auth may be given several times; checkers keep command-line order."""
        path = tmp_path / "pw"
        path.write_bytes(b"")
        options = AnyOptions()
        parse(options, "--auth", "memory:a:b", "--auth=anonymous", f"--auth=file:{path}")
        kinds = [type(c).__name__ for c in options["credCheckers"]]
        assert kinds == [
            "InMemoryUsernamePasswordDatabaseDontUse",
            "AllowAnonymousAccess",
            "FilePasswordDB",
        ]
        byInterface = options["credInterfaces"]
        assert len(byInterface[credentials.IUsernamePassword]) == 2
        assert len(byInterface[credentials.IAnonymous]) == 1

    def test_portalFromOptions(self, realm: Any, thing: Any, results: Any) -> None:
        """options['credCheckers'] builds a Portal that logs users in (AP8's makeService)."""
        from netframe.cred.portal import Portal

        options = ServerOptions()
        parse(options, "--auth", "memory:bob:pw")
        portal = Portal(realm, options["credInterfaces"][credentials.IUsernamePassword])
        _, avatar, _ = results.succeeded(
            portal.login(credentials.UsernamePassword("bob", "pw"), None, thing)
        )
        assert avatar.avatarId == b"bob"

    def test_unknownType(self) -> None:
        """An unknown auth type is a UsageError."""
        with pytest.raises(usage.UsageError, match="not recognized"):
            parse(ServerOptions(), "--auth", "nosuch")

    def test_unsupportedFactory(self) -> None:
        """A type whose checkers handle no supported interface is a UsageError."""
        with pytest.raises(usage.UsageError, match="not supported"):
            parse(ServerOptions(), "--auth", "anonymous")

    def test_badArguments(self) -> None:
        """A factory refusing its arguments is a UsageError."""
        with pytest.raises(usage.UsageError, match="--auth memory: "):
            parse(ServerOptions(), "--auth", "memory:odd")

    def test_missingFile(self, tmp_path: Path) -> None:
        """A missing password file is a UsageError at startup, naming the file."""
        with pytest.raises(usage.UsageError, match="cannot read password file"):
            parse(ServerOptions(), "--auth", f"file:{tmp_path / 'nope'}")

    def test_addCheckerUnsupported(self) -> None:
        """addChecker with an unusable checker raises UnsupportedInterfaces."""
        with pytest.raises(UnsupportedInterfaces, match="IAnonymous"):
            ServerOptions().addChecker(checkers.AllowAnonymousAccess())

    def test_supportsInterface(self) -> None:
        """An interface extending a supported one is supported; others are not."""
        from zope.interface import Interface

        class IFancy(credentials.IUsernamePassword):
            """An extension."""

        options = ServerOptions()
        assert options.supportsInterface(IFancy)
        assert not options.supportsInterface(credentials.IAnonymous)
        assert AnyOptions().supportsInterface(Interface)

    def test_helpAuth(self) -> None:
        """--help-auth lists the supported types with their formats and exits 0."""
        options = ServerOptions()
        out = io.StringIO()
        options.authOutput = out
        with pytest.raises(SystemExit) as exit:
            options.parseOptions(["--help-auth"])
        assert exit.value.code == 0
        text = out.getvalue()
        assert text.startswith("Usage: --auth AuthType[:ArgString]\n")
        assert "  memory" in text and "  file" in text and "  hashed" in text
        assert "anonymous" not in text

    def test_helpAuthToStdout(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Without authOutput the help goes to sys.stdout."""
        with pytest.raises(SystemExit):
            AnyOptions().parseOptions(["--help-auth"])
        assert "anonymous" in capsys.readouterr().out

    def test_helpAuthType(self) -> None:
        """--help-auth-type TYPE prints that type's help and exits 0."""
        options = ServerOptions()
        out = io.StringIO()
        options.authOutput = out
        with pytest.raises(SystemExit):
            options.parseOptions(["--help-auth-type", "file"])
        text = out.getvalue()
        assert text.startswith("Usage: --auth file[:ArgString]\nArgString format: ")
        assert "  A text file with one user a line" in text

    def test_helpAuthTypeUnknown(self) -> None:
        """--help-auth-type with an unknown or unsupported type is a UsageError."""
        with pytest.raises(usage.UsageError, match="not recognized"):
            ServerOptions().parseOptions(["--help-auth-type", "nosuch"])
        with pytest.raises(usage.UsageError, match="not supported"):
            ServerOptions().parseOptions(["--help-auth-type", "anonymous"])

    def test_helpListsOptions(self) -> None:
        """The options' help shows --auth, --help-auth and --help-auth-type."""
        text = str(ServerOptions()).replace("_", "-")  # netframe.core shows opt_ names as written
        assert "--auth=" in text and "--help-auth " in text and "--help-auth-type=" in text

    def test_otherOptionsStillWork(self) -> None:
        """The program's own options parse next to the auth ones."""
        options = ServerOptions()
        parse(options, "--port", "99", "--auth", "memory:a:b")
        assert options["port"] == "99"


SPECIAL_PLUGIN = '''
from zope.interface import implementer

from netframe import plugin
from netframe.cred.checkers import ICredentialsChecker
from netframe.cred.credentials import IUsernamePassword
from netframe.cred.strcred import ICheckerFactory


@implementer(ICredentialsChecker)
class SpecialChecker:
    credentialInterfaces = (IUsernamePassword,)

    def __init__(self, **kwargs):
        self.kwargs = kwargs

    def requestAvatarId(self, credentials):
        return credentials.username


@implementer(ICheckerFactory, plugin.IPlugin)
class SpecialCheckerFactory:
    """A checker factory for a specialized (fictional) API."""

    authType = "special"
    argStringFormat = "A colon-separated key=value list."
    authHelp = """Some help text goes here ..."""
    credentialInterfaces = (IUsernamePassword,)

    def generateChecker(self, argstring=""):
        argdict = dict((x.split("=") for x in argstring.split(":")))
        return SpecialChecker(**argdict)


theSpecialCheckerFactory = SpecialCheckerFactory()
'''


@pytest.fixture
def specialPlugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A drop-in netframe/plugins/myapp_plugins.py defining the 'special' type."""
    plugins = tmp_path / "netframe" / "plugins"
    plugins.mkdir(parents=True)
    (plugins / "myapp_plugins.py").write_text(textwrap.dedent(SPECIAL_PLUGIN))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    sys.modules.pop("netframe.plugins.myapp_plugins", None)


class SpecialPluginTests:
    """CR3: a third-party checker factory dropped in as a plugin."""

    def test_makeChecker(self, specialPlugin: None) -> None:
        """special:a=1:b=2 builds SpecialChecker(a='1', b='2')."""
        checker = makeChecker("special:a=1:b=2")
        assert type(checker).__name__ == "SpecialChecker"
        assert checker.kwargs == {"a": "1", "b": "2"}  # type: ignore[attr-defined]

    def test_authOption(self, specialPlugin: None) -> None:
        """--auth special:a=1:b=2 adds the checker to the options."""
        options = ServerOptions()
        parse(options, "--auth", "special:a=1:b=2")
        assert options["credCheckers"][0].kwargs == {"a": "1", "b": "2"}

    def test_helpAuthType(self, specialPlugin: None) -> None:
        """--help-auth-type special shows the factory's authHelp."""
        options = ServerOptions()
        out = io.StringIO()
        options.authOutput = out
        with pytest.raises(SystemExit):
            options.parseOptions(["--help-auth-type", "special"])
        assert "Some help text goes here ..." in out.getvalue()
        assert "A colon-separated key=value list." in out.getvalue()

    def test_listed(self, specialPlugin: None) -> None:
        """--help-auth lists the special type."""
        options = ServerOptions()
        out = io.StringIO()
        options.authOutput = out
        with pytest.raises(SystemExit):
            options.parseOptions(["--help-auth"])
        assert "  special" in out.getvalue()


def test_publicModules() -> None:
    """Public names of strcred name their public module."""
    for name in strcred.__all__:
        assert getattr(strcred, name).__module__ == "netframe.cred.strcred", name
    assert checkerfactories.memoryCheckerFactory.authType == "memory"
