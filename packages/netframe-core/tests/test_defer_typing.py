"""
The typed user snippet (tests/typing/defer_snippet.py) runs as it reads.

Its static check is done by the types environment, not here (mypy is not in
the test environment): C{hatch run types:check packages/netframe-core/src
packages/netframe-core/tests/typing}.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

SNIPPET = Path(__file__).parent / "typing" / "defer_snippet.py"


def loadSnippet() -> ModuleType:
    """
    Import the snippet from its path (it is not a package module).
    """
    spec = importlib.util.spec_from_file_location("_netframe_defer_snippet", SNIPPET)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class TypedSnippetTests:
    """
    The snippet mypy checks in strict mode also behaves as its types say.
    """

    def test_snippetRuns(self) -> None:
        """chained, coroutineStyle, generatorStyle and gatherResults give the typed results."""
        results = loadSnippet().run()
        assert results == ("n=42", 41, "4", [1, 2])
