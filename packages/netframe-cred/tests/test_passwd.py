"""Tests for netframe.cred.passwd (the hashed password file tool)."""

from __future__ import annotations

import getpass
import io
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from netframe.cred.checkers import HashedPasswordFileChecker, verifyPassword
from netframe.cred.credentials import UsernamePassword
from netframe.cred.passwd import main, setPassword

CHEAP = {"n": 16, "r": 1, "p": 1}


def entries(path: Path) -> dict[bytes, bytes]:
    """The name -> hash lines of a file."""
    return dict(line.split(b":", 1) for line in path.read_bytes().splitlines() if b":" in line)


class SetPasswordTests:
    """setPassword adds or replaces a user atomically."""

    def test_createsFile(self, tmp_path: Path) -> None:
        """A missing file is created, mode 0600, with the user's hash."""
        path = tmp_path / "users"
        assert setPassword(path, "bob", "pw", **CHEAP) is False
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert verifyPassword("pw", entries(path)[b"bob"])

    def test_replacesKeepingOtherLines(self, tmp_path: Path) -> None:
        """Replacing keeps comments, other users and malformed lines, in place."""
        path = tmp_path / "users"
        path.write_bytes(b"# users\nbob:old\njunk\nbob:older\namy:x\n")
        os.chmod(path, 0o640)
        assert setPassword(path, b"bob", b"new", **CHEAP) is True
        lines = path.read_bytes().splitlines()
        assert lines[0] == b"# users" and lines[2:] == [b"junk", b"amy:x"]
        assert verifyPassword("new", lines[1].split(b":", 1)[1])
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o640

    def test_noTemporaryLeft(self, tmp_path: Path) -> None:
        """Only the password file is left in its directory."""
        setPassword(tmp_path / "users", "bob", "pw", **CHEAP)
        assert os.listdir(tmp_path) == ["users"]

    def test_checkerAcceptsResult(self, tmp_path: Path, results: Any) -> None:
        """A HashedPasswordFileChecker logs the user in, also after a change."""
        path = tmp_path / "users"
        setPassword(path, "zoë", "one", **CHEAP)
        checker = HashedPasswordFileChecker(path)
        assert (
            results.succeeded(checker.requestAvatarId(UsernamePassword("zoë", "one")))
            == "zoë".encode()
        )
        setPassword(path, "zoë", "two", **CHEAP)
        assert (
            results.succeeded(checker.requestAvatarId(UsernamePassword("zoë", "two")))
            == "zoë".encode()
        )

    @pytest.mark.parametrize(
        ("username", "message"),
        [
            ("", "empty"),
            ("#bob", "'#'"),
            ("a:b", "':'"),
            ("a\nb", "line feed"),
            ("a\rb", "carriage"),
        ],
    )
    def test_badUsername(self, tmp_path: Path, username: str, message: str) -> None:
        """User names that cannot be one line of the file are refused."""
        with pytest.raises(ValueError, match=message):
            setPassword(tmp_path / "users", username, "pw", **CHEAP)
        assert not (tmp_path / "users").exists()

    def test_emptyPassword(self, tmp_path: Path) -> None:
        """An empty password is refused."""
        with pytest.raises(ValueError, match="empty password"):
            setPassword(tmp_path / "users", "bob", "", **CHEAP)

    def test_writeFailureCleansUp(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """If the rename fails, the temporary file is removed and the error raised."""

        def failing(src: str, dst: str) -> None:
            raise PermissionError("no")

        monkeypatch.setattr(os, "replace", failing)
        with pytest.raises(PermissionError):
            setPassword(tmp_path / "users", "bob", "pw", **CHEAP)
        assert os.listdir(tmp_path) == []


class MainTests:
    """python -m netframe.cred.passwd FILE USERNAME."""

    def run(self, *argv: str, stdin: bytes = b"") -> tuple[int, str, str]:
        """Run main with piped stdin; return (status, stdout, stderr)."""
        out, err = io.StringIO(), io.StringIO()
        source = io.TextIOWrapper(io.BytesIO(stdin))
        status = main(list(argv), stdin=source, stdout=out, stderr=err)
        return status, out.getvalue(), err.getvalue()

    def test_addsFromStdin(self, tmp_path: Path) -> None:
        """The password is the first line of a non-terminal stdin."""
        path = tmp_path / "users"
        status, out, _ = self.run(
            "--scrypt-n", "16", "--scrypt-r", "1", str(path), "bob", stdin=b"s3cret\r\nmore\n"
        )
        assert status == 0
        assert "Added 'bob'" in out
        assert verifyPassword(b"s3cret", entries(path)[b"bob"])

    def test_replaceReported(self, tmp_path: Path) -> None:
        """Changing an existing user says so."""
        path = tmp_path / "users"
        self.run("--scrypt-n", "16", str(path), "bob", stdin=b"a\n")
        status, out, _ = self.run("--scrypt-n", "16", str(path), "bob", stdin=b"b\n")
        assert status == 0 and "Changed the password of 'bob'" in out

    def test_nonUtf8Password(self, tmp_path: Path) -> None:
        """A password that is not UTF-8 is stored as its bytes."""
        path = tmp_path / "users"
        assert self.run("--scrypt-n", "16", str(path), "bob", stdin=b"\xff\xfe\n")[0] == 0
        assert verifyPassword(b"\xff\xfe", entries(path)[b"bob"])

    def test_emptyPassword(self, tmp_path: Path) -> None:
        """An empty password exits 1 with a message."""
        status, _, err = self.run(str(tmp_path / "users"), "bob", stdin=b"\n")
        assert status == 1 and "empty password" in err

    @pytest.mark.parametrize(
        "argv", [(), ("only-file",), ("f", "u", "extra"), ("--scrypt-n", "3", "f", "u")]
    )
    def test_usageErrors(self, argv: tuple[str, ...]) -> None:
        """Wrong arguments exit 2 with the synopsis."""
        status, _, err = self.run(*argv)
        assert status == 2 and err.startswith("Usage: python -m netframe.cred.passwd")

    def test_terminalPrompts(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """On a terminal the password is asked twice; a mismatch exits 1."""
        answers = iter(["one", "two", "same", "same"])
        monkeypatch.setattr(getpass, "getpass", lambda prompt: next(answers))

        class Terminal(io.StringIO):
            def isatty(self) -> bool:
                return True

        out, err = io.StringIO(), io.StringIO()
        path = tmp_path / "users"
        argv = ["--scrypt-n", "16", str(path), "bob"]
        assert main(argv, stdin=Terminal(), stdout=out, stderr=err) == 1
        assert "do not match" in err.getvalue()
        assert main(argv, stdin=Terminal(), stdout=out, stderr=err) == 0
        assert verifyPassword("same", entries(path)[b"bob"])
