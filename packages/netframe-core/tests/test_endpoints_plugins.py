"""
Tests for third-party endpoint string parsers found through the entry-point
group C{netframe.endpoints} by C{serverFromString} and C{clientFromString}.

Each test installs a temporary distribution: a C{.dist-info} directory with
C{entry_points.txt} and a parser module, on a temporary C{sys.path} entry
(importlib.metadata finds it there); the path, the imported modules and the
import caches are cleaned afterwards.
"""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from netframe.core import endpoints
from netframe.core.testing import MemoryReactor

#: The plugin module: a server parser ("fake"), a client parser ("fake"), a
#: parser providing both ("both"), one with no interface ("plain"), one whose
#: prefix differs from its entry point name ("liar"), and one claiming the
#: built-in "tcp" prefix.
_PLUGIN_SOURCE = textwrap.dedent(
    '''
    """Endpoint string parsers used by netframe-core's tests."""

    from zope.interface import implementer

    from netframe.core.interfaces import (
        IStreamClientEndpointStringParserWithReactor,
        IStreamServerEndpointStringParser,
    )


    class Endpoint:
        """Records how it was built."""

        def __init__(self, kind, reactor, args, kwargs):
            self.kind = kind
            self.reactor = reactor
            self.args = args
            self.kwargs = kwargs


    @implementer(IStreamServerEndpointStringParser)
    class ServerParser:
        prefix = "fake"

        def parseStreamServer(self, reactor, *args, **kwargs):
            return Endpoint("server", reactor, args, kwargs)


    @implementer(IStreamClientEndpointStringParserWithReactor)
    class ClientParser:
        prefix = "fake"

        def parseStreamClient(self, reactor, *args, **kwargs):
            return Endpoint("client", reactor, args, kwargs)


    @implementer(
        IStreamServerEndpointStringParser, IStreamClientEndpointStringParserWithReactor
    )
    class BothParser:
        prefix = "both"

        def parseStreamServer(self, reactor, *args, **kwargs):
            return Endpoint("both-server", reactor, args, kwargs)

        def parseStreamClient(self, reactor, *args, **kwargs):
            return Endpoint("both-client", reactor, args, kwargs)


    @implementer(IStreamServerEndpointStringParser)
    class TcpParser:
        prefix = "tcp"

        def parseStreamServer(self, reactor, *args, **kwargs):
            return Endpoint("hijacked", reactor, args, kwargs)


    @implementer(IStreamServerEndpointStringParser)
    class LiarParser:
        prefix = "other"

        def parseStreamServer(self, reactor, *args, **kwargs):
            return Endpoint("liar", reactor, args, kwargs)


    class Plain:
        prefix = "plain"


    serverParser = ServerParser()
    clientParser = ClientParser()
    bothParser = BothParser()
    tcpParser = TcpParser()
    liarParser = LiarParser()
    plain = Plain()
    '''
)

_MODULE = "nf_test_endpoint_plugin"
_BROKEN_MODULE = "nf_test_endpoint_plugin_broken"


def _install(root: Path, distName: str, entryPoints: str, modules: dict[str, str]) -> None:
    """Write a minimal installed distribution with C{entryPoints} under C{root}."""
    distInfo = root / f"{distName}-1.0.dist-info"
    distInfo.mkdir()
    (distInfo / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {distName}\nVersion: 1.0\n")
    (distInfo / "entry_points.txt").write_text(entryPoints)
    for name, source in modules.items():
        (root / f"{name}.py").write_text(source)


@pytest.fixture
def pluginPath(tmp_path: Path) -> Iterator[Callable[[str, str, dict[str, str]], None]]:
    """
    Put C{tmp_path} on C{sys.path} and return a function installing a
    distribution there; afterwards remove the path entry, the plugin modules
    and the import caches.
    """
    root = str(tmp_path)
    sys.path.insert(0, root)
    importlib.invalidate_caches()

    def install(distName: str, entryPoints: str, modules: dict[str, str]) -> None:
        _install(tmp_path, distName, entryPoints, modules)
        importlib.invalidate_caches()

    try:
        yield install
    finally:
        sys.path.remove(root)
        sys.path_importer_cache.pop(root, None)
        for name in (_MODULE, _BROKEN_MODULE):
            sys.modules.pop(name, None)
        importlib.invalidate_caches()


_GOOD_ENTRY_POINTS = textwrap.dedent(
    f"""
    [netframe.endpoints]
    fake = {_MODULE}:serverParser
    both = {_MODULE}:bothParser
    tcp = {_MODULE}:tcpParser
    plain = {_MODULE}:plain
    liar = {_MODULE}:liarParser
    """
)


@pytest.fixture
def goodPlugin(pluginPath: Callable[[str, str, dict[str, str]], None]) -> None:
    """A distribution with the parsers of L{_PLUGIN_SOURCE}, server side for 'fake'."""
    pluginPath("nf-test-endpoints", _GOOD_ENTRY_POINTS, {_MODULE: _PLUGIN_SOURCE})


class ServerPluginTests:
    """serverFromString hands unknown prefixes to netframe.endpoints plugins."""

    def test_pluginParsesServer(self, goodPlugin: None) -> None:
        """A plugin prefix builds the endpoint with the reactor, positional and keyword fields."""
        reactor = MemoryReactor()
        ep = endpoints.serverFromString(reactor, r"fake:one:two\:x:key=v\=1")
        assert ep.kind == "server"
        assert ep.reactor is reactor
        assert ep.args == ("one", "two:x")
        assert ep.kwargs == {"key": "v=1"}

    def test_pluginProvidingBoth(self, goodPlugin: None) -> None:
        """One object providing both interfaces serves both functions."""
        reactor = MemoryReactor()
        assert endpoints.serverFromString(reactor, "both:1").kind == "both-server"
        assert endpoints.clientFromString(reactor, "both:1").kind == "both-client"

    def test_builtinPrefixWins(self, goodPlugin: None) -> None:
        """A plugin registered under a built-in prefix ('tcp') is ignored."""
        ep = endpoints.serverFromString(MemoryReactor(), "tcp:8080")
        assert isinstance(ep, endpoints.TCP4ServerEndpoint)

    def test_wrongInterface(self, goodPlugin: None) -> None:
        """A plugin object without the parser interface gives a ValueError naming it and the prefix."""
        with pytest.raises(ValueError) as info:
            endpoints.serverFromString(MemoryReactor(), "plain:1")
        message = str(info.value)
        assert f"{_MODULE}:plain" in message
        assert "'plain'" in message
        assert "IStreamServerEndpointStringParser" in message
        assert "nf-test-endpoints" in message

    def test_serverOnlyPluginForClient(self, goodPlugin: None) -> None:
        """A server-only parser used by clientFromString gives a ValueError naming the interface."""
        with pytest.raises(ValueError) as info:
            endpoints.clientFromString(MemoryReactor(), "fake:1")
        message = str(info.value)
        assert f"{_MODULE}:serverParser" in message
        assert "'fake'" in message
        assert "IStreamClientEndpointStringParserWithReactor" in message

    def test_prefixMismatch(self, goodPlugin: None) -> None:
        """A parser whose prefix differs from its entry point name is refused."""
        with pytest.raises(ValueError, match=r"'liar' but declares prefix 'other'"):
            endpoints.serverFromString(MemoryReactor(), "liar:1")

    def test_unknownPrefixStillRejected(self, goodPlugin: None) -> None:
        """A prefix neither built in nor registered gets the usual unknown-type error."""
        with pytest.raises(ValueError, match=r"unknown server endpoint type 'nothing'"):
            endpoints.serverFromString(MemoryReactor(), "nothing:1")


class ClientPluginTests:
    """clientFromString hands unknown prefixes to netframe.endpoints plugins."""

    def test_pluginParsesClient(
        self, pluginPath: Callable[[str, str, dict[str, str]], None]
    ) -> None:
        """A client parser builds the endpoint from the description's fields."""
        pluginPath(
            "nf-test-client",
            f"[netframe.endpoints]\nfake = {_MODULE}:clientParser\n",
            {_MODULE: _PLUGIN_SOURCE},
        )
        reactor = MemoryReactor()
        ep = endpoints.clientFromString(reactor, "fake:host=example:port=1")
        assert ep.kind == "client"
        assert ep.reactor is reactor
        assert ep.args == ()
        assert ep.kwargs == {"host": "example", "port": "1"}

    def test_importError(self, pluginPath: Callable[[str, str, dict[str, str]], None]) -> None:
        """A plugin module that fails to import gives a ValueError naming the plugin and prefix."""
        pluginPath(
            "nf-test-broken",
            f"[netframe.endpoints]\nbroken = {_BROKEN_MODULE}:parser\n",
            {_BROKEN_MODULE: "import nf_test_no_such_module_anywhere\n"},
        )
        for parse in (endpoints.clientFromString, endpoints.serverFromString):
            with pytest.raises(ValueError) as info:
                parse(MemoryReactor(), "broken:1")
            message = str(info.value)
            assert f"{_BROKEN_MODULE}:parser" in message
            assert "'broken'" in message
            assert "nf-test-broken" in message
            assert "nf_test_no_such_module_anywhere" in message

    def test_missingAttribute(self, pluginPath: Callable[[str, str, dict[str, str]], None]) -> None:
        """An entry point naming an attribute the module lacks gives a ValueError."""
        pluginPath(
            "nf-test-missing",
            f"[netframe.endpoints]\nmissing = {_MODULE}:noSuchParser\n",
            {_MODULE: _PLUGIN_SOURCE},
        )
        with pytest.raises(ValueError, match=r"noSuchParser.*'missing' failed to load"):
            endpoints.clientFromString(MemoryReactor(), "missing:1")


class CleanupTests:
    """Without the temporary distribution the plugin prefixes are unknown again."""

    def test_noPluginsLeftBehind(self) -> None:
        """After the plugin tests, 'fake' is an unknown type (the path and caches were cleaned)."""
        with pytest.raises(ValueError, match=r"unknown client endpoint type 'fake'"):
            endpoints.clientFromString(MemoryReactor(), "fake:1")
        assert _MODULE not in sys.modules
