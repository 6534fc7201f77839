#!/usr/bin/env python3
"""
The two quick-start commands of netframe, runnable on a fresh machine with only python3.

    python3 tools/dev.py serve   # the main job: the most complete netframe service so far
    python3 tools/dev.py test    # every distribution's tests, then tests-integration/

Both install what they need: hatch goes into ``.venv-hatch/`` beside the repository (never
into the system Python), and hatch builds the environments from ``hatch.toml``.
``.ci/run`` calls ``python3 tools/dev.py test`` verbatim.

Other subcommands: ``hatch ARGS...`` runs the bootstrapped hatch with ARGS (so
``python3 tools/dev.py hatch run lint:check`` works without installing hatch yourself).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HATCH_VENV = ROOT / ".venv-hatch"
HATCH_REQUIREMENT = "hatch>=1.16"


def _hatchExecutable() -> Path:
    """Return the path of hatch inside the bootstrap venv, creating it when missing."""
    exe = HATCH_VENV / "bin" / "hatch"
    if exe.exists():
        return exe
    print(f"dev.py: installing {HATCH_REQUIREMENT} into {HATCH_VENV}", flush=True)
    if HATCH_VENV.exists():
        shutil.rmtree(HATCH_VENV)
    venv.EnvBuilder(with_pip=True).create(HATCH_VENV)
    pip = [str(HATCH_VENV / "bin" / "python"), "-m", "pip"]
    subprocess.run([*pip, "install", "--quiet", HATCH_REQUIREMENT], check=True)
    return exe


def _hatch(*args: str) -> int:
    """Run the bootstrapped hatch with ``args`` from the repository root."""
    env = dict(os.environ)
    # Keep hatch's environments inside the checkout so a clean clone is self-contained.
    env.setdefault("HATCH_DATA_DIR", str(ROOT / ".venv-hatch" / "data"))
    return subprocess.run([str(_hatchExecutable()), *args], cwd=ROOT, env=env).returncode


def _test(extra: list[str]) -> int:
    """Run the unit tests of every distribution, then the integration suite."""
    code = _hatch("run", "test:unit", *extra)
    if code != 0:
        return code
    return _hatch("run", "integration:run")


def _serve(extra: list[str]) -> int:
    """Run the main job: the most complete real netframe service at this point."""
    return _hatch("run", "serve:run", *extra)


def main(argv: list[str]) -> int:
    """Dispatch ``argv`` to a subcommand and return the process exit code."""
    if not argv or argv[0] in {"-h", "--help"}:
        print(__doc__.strip())
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == "test":
        return _test(rest)
    if command == "serve":
        return _serve(rest)
    if command == "hatch":
        return _hatch(*rest)
    print(f"dev.py: unknown command {command!r}; try --help", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
