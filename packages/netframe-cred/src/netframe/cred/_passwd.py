"""
Implementation of L{netframe.cred.passwd}: add or replace users in a
L{HashedPasswordFileChecker} file.

Private module; the public names are re-exported by C{netframe.cred.passwd}.
"""

from __future__ import annotations

import getpass
import os
import stat
import sys
import tempfile
from collections.abc import Sequence
from typing import IO, Any

from netframe.core.usage import Options, UsageError
from netframe.cred._bytes import toBytes
from netframe.cred._hashing import SCRYPT_N, SCRYPT_P, SCRYPT_R, hashPassword

__all__ = ["PasswdOptions", "main", "setPassword"]

NEW_FILE_MODE = 0o600
"""Permissions of a password file the tool creates."""


def _checkUsername(username: bytes) -> None:
    """
    Refuse a user name that cannot be written as one line of the file.

    @param username: the name.
    @raise ValueError: if it is empty, starts with C{#}, or holds C{:},
        a line feed or a carriage return.
    """
    if not username:
        raise ValueError("the user name must not be empty")
    if username.startswith(b"#"):
        raise ValueError("the user name must not start with '#'")
    for forbidden, label in ((b":", "':'"), (b"\n", "a line feed"), (b"\r", "a carriage return")):
        if forbidden in username:
            raise ValueError(f"the user name must not contain {label}")


def setPassword(
    filename: str | os.PathLike[str],
    username: str | bytes,
    password: str | bytes,
    *,
    n: int = SCRYPT_N,
    r: int = SCRYPT_R,
    p: int = SCRYPT_P,
) -> bool:
    """
    Add a user to a hashed password file, or replace the user's password.

    The new line is C{username:}L{hashPassword}C{(password)} with a fresh
    salt.  Every other line (comments, other users, even malformed lines)
    is kept as it is; other lines of the same user are removed.  The file
    is rewritten atomically: the new content goes to a temporary file in
    the same directory, which is flushed to disk and renamed over the old
    one, so a reader sees either the old or the new file.  An existing
    file keeps its permissions; a new one gets L{NEW_FILE_MODE}.  Two
    simultaneous updates of one file may lose one of them.

    @param filename: the file (created if missing).
    @param username: the user name (text is encoded as UTF-8).
    @param password: the password (text is encoded as UTF-8).
    @param n: scrypt cost (see L{hashPassword}).
    @param r: scrypt block size.
    @param p: scrypt parallelism.
    @return: C{True} if the user existed and was replaced, C{False} if added.
    @raise ValueError: if the user name cannot be stored (empty, starts with
        C{#}, holds C{:} or a line break), the password is empty, or the
        scrypt parameters are invalid.
    @raise OSError: if the file cannot be read or written.
    """
    path = os.fspath(filename)
    name = toBytes(username, "username")
    _checkUsername(name)
    entry = name + b":" + hashPassword(password, n=n, r=r, p=p).encode("ascii")
    try:
        with open(path, "rb") as f:
            old = f.read()
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        old = b""
        mode = NEW_FILE_MODE
    lines = old.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    out: list[bytes] = []
    replaced = False
    for line in lines:
        bare = line[:-1] if line.endswith(b"\r") else line
        if not bare.startswith(b"#") and bare.partition(b":")[0] == name and b":" in bare:
            if not replaced:
                out.append(entry)
                replaced = True
            continue
        out.append(line)
    if not replaced:
        out.append(entry)
    directory = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".")
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), mode)
            f.write(b"\n".join(out) + b"\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    try:
        dirfd = os.open(directory, os.O_RDONLY)
    except OSError:
        return replaced
    try:
        os.fsync(dirfd)
    except OSError:
        pass
    finally:
        os.close(dirfd)
    return replaced


def _powerOfTwo(value: str) -> int:
    """
    Coerce the C{--scrypt-n} option.

    @param value: the text given.
    @return: the number.
    @raise ValueError: if it is not a power of two above 1.
    """
    number = int(value)
    if number < 2 or number & (number - 1):
        raise ValueError(f"{value} is not a power of two greater than 1")
    return number


_powerOfTwo.coerceDoc = "A power of two greater than 1."  # type: ignore[attr-defined]


def _positive(value: str) -> int:
    """
    Coerce the C{--scrypt-r} and C{--scrypt-p} options.

    @param value: the text given.
    @return: the number.
    @raise ValueError: if it is not an integer of at least 1.
    """
    number = int(value)
    if number < 1:
        raise ValueError(f"{value} is not at least 1")
    return number


class PasswdOptions(Options):
    """
    The command line of C{python -m netframe.cred.passwd FILE USERNAME}.
    """

    synopsis = "Usage: python -m netframe.cred.passwd [options] FILE USERNAME"
    longdesc = (
        "Add USERNAME to the hashed password file FILE (for --auth hashed:FILE), or "
        "replace its password.  The password is read from the terminal (asked twice) "
        "or, when standard input is not a terminal, from its first line."
    )
    optParameters = [
        ["scrypt-n", None, SCRYPT_N, "scrypt CPU/memory cost.", _powerOfTwo],
        ["scrypt-r", None, SCRYPT_R, "scrypt block size.", _positive],
        ["scrypt-p", None, SCRYPT_P, "scrypt parallelism.", _positive],
    ]

    def parseArgs(self, filename: str, username: str) -> None:
        """
        Take the two positional arguments.

        @param filename: the password file.
        @param username: the user to add or change.
        """
        self["filename"] = filename
        self["username"] = username


def _readPassword(stdin: IO[Any]) -> bytes:
    """
    Get the new password.

    @param stdin: standard input: a terminal (prompt twice, without echo)
        or anything else (its first line, without the line ending, as bytes).
    @return: the password.
    @raise ValueError: if the two typed passwords differ.
    """
    if stdin.isatty():
        first = getpass.getpass("Password: ")
        second = getpass.getpass("Password (again): ")
        if first != second:
            raise ValueError("the passwords do not match")
        return toBytes(first, "password")
    source = getattr(stdin, "buffer", stdin)
    line = source.readline()
    data = toBytes(line, "password")
    if data.endswith(b"\n"):
        data = data[:-1]
    if data.endswith(b"\r"):
        data = data[:-1]
    return data


def main(
    argv: Sequence[str] | None = None,
    stdin: IO[Any] | None = None,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
) -> int:
    """
    Run C{python -m netframe.cred.passwd FILE USERNAME}.

    @param argv: the arguments (without the program name); C{None} means
        C{sys.argv[1:]}.
    @param stdin: where the password comes from (default C{sys.stdin}).
    @param stdout: where the result is reported (default C{sys.stdout}).
    @param stderr: where errors are reported (default C{sys.stderr}).
    @return: the exit status: 0 on success, 1 if the password or user name
        is refused or the file cannot be written, 2 on a command-line error.
    """
    stdin = sys.stdin if stdin is None else stdin
    stdout = sys.stdout if stdout is None else stdout
    stderr = sys.stderr if stderr is None else stderr
    options = PasswdOptions()
    try:
        options.parseOptions(list(sys.argv[1:] if argv is None else argv))
    except UsageError as e:
        stderr.write(f"{options.synopsis}\nerror: {e}\n")
        return 2
    filename, username = options["filename"], options["username"]
    try:
        password = _readPassword(stdin)
        replaced = setPassword(
            filename,
            username,
            password,
            n=options["scrypt-n"],
            r=options["scrypt-r"],
            p=options["scrypt-p"],
        )
    except (ValueError, OSError) as e:
        stderr.write(f"error: {e}\n")
        return 1
    stdout.write(
        f"{'Changed the password of' if replaced else 'Added'} {username!r} in {filename}\n"
    )
    return 0
