"""
The showcase under a real netframe-twistd exits with status 1 when its user
database cannot be prepared (so systemd's C{Restart=on-failure} and scripts
see the failure). One subprocess, bounded in time.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

#: The longest the showcase may take to start, fail and stop (seconds).
BOUND = 60.0

_SRC = Path(__file__).resolve().parent.parent / "src"

#: The finger subcommand's service, built by its own option parser and
#: makeService (the example is not installed in the test environment, so the
#: plugin's entry point is not there: a .tac does what the subcommand does).
FINGER_TAC = """
from finger import tap
from netframe.app import service

options = tap.Options()
options.parseOptions(["--port", "tcp:port=0:interface=127.0.0.1", "--db", {database!r}])
application = service.Application("finger")
tap.makeService(options).setServiceParent(application)
"""


class ExitStatusTests:
    """A database that cannot be created stops the showcase with exit status 1."""

    def test_databaseUnusable(self, tmp_path: Path) -> None:
        """The database under a regular file: exit status 1, the reason in the log."""
        blocker = tmp_path / "not-a-directory"
        blocker.write_text("a file, so no database can be created under it\n")
        database = blocker / "finger.sqlite"
        (tmp_path / "finger.tac").write_text(FINGER_TAC.format(database=str(database)))
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [str(_SRC), *filter(None, [os.environ.get("PYTHONPATH")])]
        )
        env["NETFRAME_PLUGIN_CACHE"] = "off"
        env.pop("NOTIFY_SOCKET", None)
        result = subprocess.run(
            [sys.executable, "-m", "netframe.app", "-n", "--pidfile=", "-y", "finger.tac"],
            cwd=str(tmp_path),
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=BOUND,
        )
        assert result.returncode == 1, (result.stdout, result.stderr)
        assert f"Stopping with exit status 1: Cannot prepare the user database {database}" in (
            result.stdout
        )
        assert "Application started" in result.stdout
        assert "Server Shut Down." in result.stdout
        assert not database.exists()
