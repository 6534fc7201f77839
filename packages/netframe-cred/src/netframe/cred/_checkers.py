"""
Implementation of L{netframe.cred.checkers}.

Private module; the public names are re-exported by
C{netframe.cred.checkers}.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable
from typing import Any

from zope.interface import Attribute, Interface, implementer

from netframe.core.defer import Deferred, fail, maybeDeferred, succeed
from netframe.core.failure import Failure
from netframe.cred._bytes import toBytes
from netframe.cred._credentials import IAnonymous, IUsernameHashedPassword, IUsernamePassword
from netframe.cred._error import LoginFailed, UnhandledCredentials, unauthorized
from netframe.cred._hashing import (
    HASH_LENGTH,
    MAX_SCRYPT_WORK,
    SALT_LENGTH,
    SCRYPT_N,
    SCRYPT_P,
    SCRYPT_R,
    ScryptHash,
    parseHash,
)
from netframe.logger import Logger

__all__ = [
    "ANONYMOUS",
    "AllowAnonymousAccess",
    "FilePasswordDB",
    "HashedPasswordFileChecker",
    "ICredentialsChecker",
    "InMemoryUsernamePasswordDatabaseDontUse",
]

ANONYMOUS: tuple[()] = ()
"""The avatar ID a checker returns for an anonymous user."""

_log = Logger(namespace="netframe.cred.checkers")


class ICredentialsChecker(Interface):
    """
    Turns credentials into an avatar ID, or refuses them.
    """

    __module__ = "netframe.cred.checkers"

    credentialInterfaces = Attribute(
        "A sequence of the ICredentials subinterfaces this checker can check."
    )

    def requestAvatarId(credentials: Any) -> object:
        """
        Check credentials.

        @param credentials: an object providing one of
            C{credentialInterfaces}.
        @return: the avatar ID (for built-in checkers the user name as
            bytes, or L{ANONYMOUS}), or a Deferred firing with it.
        @raise netframe.cred.error.UnauthorizedLogin: (or fail the Deferred
            with it) if the credentials are not valid.
        """


@implementer(ICredentialsChecker)
class AllowAnonymousAccess:
    """
    A checker that lets every anonymous client in, as L{ANONYMOUS}.
    """

    credentialInterfaces = (IAnonymous,)

    def requestAvatarId(self, credentials: object) -> Deferred[tuple[()]]:
        """
        Accept anonymous credentials.

        @param credentials: credentials providing L{IAnonymous}.
        @return: a Deferred fired with L{ANONYMOUS}.
        """
        return succeed(ANONYMOUS)


def _verify(
    credentials: Any, username: bytes, stored: bytes | None, dummy: bytes
) -> Deferred[bytes]:
    """
    Check plaintext-stored credentials the same way whether or not the user
    exists.

    An unknown user's credentials are checked against C{dummy} exactly as
    a known user's are checked against the stored password, and fail with
    the same error as a wrong password.

    @param credentials: credentials with a C{checkPassword} method.
    @param username: the normalised user name (the avatar ID on success).
    @param stored: the user's password, or C{None} for an unknown user.
    @param dummy: what to check an unknown user's credentials against.
    @return: a Deferred firing with C{username}, or failing with
        L{UnauthorizedLogin}; an unexpected error from C{checkPassword} is
        logged and becomes L{UnauthorizedLogin}.
    """
    known = stored is not None
    d = maybeDeferred(credentials.checkPassword, stored if stored is not None else dummy)

    def checked(matched: object) -> bytes:
        if known and matched:
            return username
        raise unauthorized()

    return d.addCallback(checked).addErrback(_unexpected, credentials)


def _unexpected(failure: Failure, what: object) -> Failure:
    """
    Pass on a login error; log anything else and replace it by
    L{UnauthorizedLogin}.

    @param failure: the error.
    @param what: the object that failed, for the log.
    @return: the failure to continue with.
    """
    if failure.check(LoginFailed):
        return failure
    _log.failure("Checking {what!r} failed unexpectedly; refusing the login", failure, what=what)
    return Failure(unauthorized())


@implementer(ICredentialsChecker)
class InMemoryUsernamePasswordDatabaseDontUse:
    """
    Plaintext user names and passwords in a dictionary.

    For tests and examples only: the passwords sit in memory in clear.
    User names and passwords are normalised to bytes (text is encoded as
    UTF-8); the avatar ID is the user name as bytes.

    @ivar users: the passwords by user name (both bytes).
    """

    credentialInterfaces = (IUsernamePassword, IUsernameHashedPassword)

    def __init__(self, **users: str | bytes) -> None:
        """
        @param users: initial users, C{name=password}.
        @raise TypeError: if a password is neither text nor bytes.
        """
        self.users: dict[bytes, bytes] = {}
        for username, password in users.items():
            self.addUser(username, password)

    def addUser(self, username: str | bytes, password: str | bytes) -> None:
        """
        Add a user, or change the password of an existing one.

        @param username: the user name.
        @param password: the password.
        @raise TypeError: if either is neither text nor bytes.
        """
        self.users[toBytes(username, "username")] = toBytes(password, "password")

    def requestAvatarId(self, credentials: Any) -> Deferred[bytes]:
        """
        Check a user name and password (plain or hashed by the client).

        @param credentials: credentials providing L{IUsernamePassword} or
            L{IUsernameHashedPassword}.
        @return: a Deferred firing with the user name (bytes), or failing
            with L{UnauthorizedLogin} for an unknown user or a wrong
            password alike.
        """
        try:
            username = toBytes(credentials.username, "username")
        except (AttributeError, TypeError):
            return fail(unauthorized())
        return _verify(credentials, username, self.users.get(username), b"")


class _LineReporter:
    """
    Logs each malformed line of a password file once per checker (the file
    may be read at every login).
    """

    __slots__ = ("_reported",)

    def __init__(self) -> None:
        """
        Start with nothing reported.
        """
        self._reported: set[tuple[int, int]] = set()

    def report(self, filename: str, lineNumber: int, line: bytes, reason: str) -> None:
        """
        Log that a line was skipped, unless this very line was reported.

        The line itself is never logged: it may hold a password.

        @param filename: the file.
        @param lineNumber: the line's number, from 1.
        @param line: the line (only its hash is kept).
        @param reason: why it was skipped.
        """
        key = (lineNumber, hash(line))
        if key in self._reported:
            return
        self._reported.add(key)
        _log.warn(
            "Skipping malformed line {lineNumber} of password file {filename}: {reason}",
            filename=filename,
            lineNumber=lineNumber,
            reason=reason,
        )


def _readLines(filename: str) -> list[tuple[int, bytes]]:
    """
    Read the meaningful lines of a password file.

    @param filename: the file.
    @return: C{(lineNumber, line)} for each line that is neither empty nor a
        comment (starts with C{#}), without its line ending.
    @raise OSError: if the file cannot be read.
    """
    with open(filename, "rb") as f:
        data = f.read()
    lines = []
    for index, line in enumerate(data.split(b"\n"), 1):
        if line.endswith(b"\r"):
            line = line[:-1]
        if line and not line.startswith(b"#"):
            lines.append((index, line))
    return lines


def _checkReadable(filename: str) -> None:
    """
    Make sure a password file can be opened for reading.

    @param filename: the file.
    @raise OSError: of the same class as the failure (e.g.
        C{FileNotFoundError}, C{PermissionError}, C{IsADirectoryError}) with
        a message naming the file.
    """
    try:
        with open(filename, "rb"):
            pass
    except OSError as e:
        raise type(e)(e.errno, f"cannot read password file: {e.strerror}", filename) from e


@implementer(ICredentialsChecker)
class FilePasswordDB:
    """
    User names and passwords in a text file of delimited fields, one user a
    line (C{passwd(5)} style): C{alice:secret} with the defaults.

    The file is read as bytes.  Empty lines and lines starting with C{#} are
    ignored; only the line ending (C{\\n} or C{\\r\\n}) is removed, so
    spaces are part of the fields.  A line with too few fields or an empty
    user name is skipped and logged (namespace C{netframe.cred.checkers},
    level warn) with its line number, once per checker; the other lines
    still work.  When a user name appears twice, the first line wins.

    The file is opened when the checker is made, so a missing or
    unreadable file is an error at startup.  Without C{cache} it is read
    again at every login (edits take effect at once); if it cannot be read
    then, the error is logged and the login fails with L{UnauthorizedLogin}.

    An unknown user is checked against a dummy password exactly as a known
    user is against the stored one (through the same C{hash} call when
    there is one) and fails with the same error as a wrong password.

    @ivar filename: the file.
    @ivar delim: the field delimiter (bytes).
    @ivar usernameField: index of the user name field.
    @ivar passwordField: index of the password field.
    @ivar caseSensitive: whether user names match case-sensitively; when
        false, user names are compared (and returned as avatar IDs)
        lower-cased (ASCII letters only).
    @ivar hash: C{None} for plaintext passwords in the file; otherwise
        C{hash(username, password, storedPassword)} returns the form of the
        client's C{password} to compare with the stored one (all bytes).
    @ivar cache: whether the file is read once, when the checker is made.
    """

    def __init__(
        self,
        filename: str | os.PathLike[str],
        delim: str | bytes = b":",
        usernameField: int = 0,
        passwordField: int = 1,
        caseSensitive: bool = True,
        hash: Callable[[bytes, bytes, bytes], bytes] | None = None,
        cache: bool = False,
    ) -> None:
        """
        @param filename: the password file.
        @param delim: the field delimiter (text is encoded as UTF-8).
        @param usernameField: index of the user name field.
        @param passwordField: index of the password field.
        @param caseSensitive: whether user names are case-sensitive.
        @param hash: how to hash a client's password to compare it with the
            stored one, or C{None} when the file holds plaintext passwords.
        @param cache: read the file once, now, instead of at every login.
        @raise ValueError: if C{delim} is empty or a field index is negative
            or both indices are equal.
        @raise OSError: if the file cannot be read (see L{_checkReadable}).
        """
        self.filename = os.fspath(filename)
        self.delim = toBytes(delim, "delim")
        if not self.delim:
            raise ValueError("the field delimiter must not be empty")
        if usernameField < 0 or passwordField < 0 or usernameField == passwordField:
            raise ValueError(
                "usernameField and passwordField must be distinct non-negative indices, "
                f"not {usernameField} and {passwordField}"
            )
        self.usernameField = usernameField
        self.passwordField = passwordField
        self.caseSensitive = caseSensitive
        self.hash = hash
        self.cache = cache
        self.credentialInterfaces: tuple[Any, ...] = (
            (IUsernamePassword,)
            if hash is not None
            else (IUsernamePassword, IUsernameHashedPassword)
        )
        self._reporter = _LineReporter()
        self._users: dict[bytes, bytes] | None = None
        _checkReadable(self.filename)
        if cache:
            self._users = self._load()

    def __repr__(self) -> str:
        """
        @return: the class and file name.
        """
        return f"<FilePasswordDB {self.filename!r}>"

    def _normalise(self, username: bytes) -> bytes:
        """
        Apply the case rule to a user name.

        @param username: the name.
        @return: the name, lower-cased unless C{caseSensitive}.
        """
        return username if self.caseSensitive else username.lower()

    def _load(self) -> dict[bytes, bytes]:
        """
        Read the file.

        @return: the passwords by (normalised) user name.
        @raise OSError: if the file cannot be read.
        """
        users: dict[bytes, bytes] = {}
        needed = max(self.usernameField, self.passwordField) + 1
        for lineNumber, line in _readLines(self.filename):
            fields = line.split(self.delim)
            if len(fields) < needed:
                self._reporter.report(
                    self.filename,
                    lineNumber,
                    line,
                    f"{len(fields)} fields, at least {needed} needed",
                )
                continue
            username = self._normalise(fields[self.usernameField])
            if not username:
                self._reporter.report(self.filename, lineNumber, line, "empty user name")
                continue
            users.setdefault(username, fields[self.passwordField])
        return users

    def _currentUsers(self) -> dict[bytes, bytes]:
        """
        The users, from the cache or a fresh read.

        @return: the passwords by user name.
        @raise OSError: if the file cannot be read.
        """
        if self._users is not None:
            return self._users
        return self._load()

    def getUser(self, username: str | bytes) -> tuple[bytes, bytes]:
        """
        Look a user up.

        @param username: the user name (case-folded unless C{caseSensitive}).
        @return: C{(username, password)} as found (bytes).
        @raise KeyError: if there is no such user.
        @raise OSError: if the file cannot be read.
        """
        name = self._normalise(toBytes(username, "username"))
        return name, self._currentUsers()[name]

    def requestAvatarId(self, credentials: Any) -> Deferred[bytes]:
        """
        Check a user name and password against the file.

        @param credentials: credentials providing L{IUsernamePassword}, or
            L{IUsernameHashedPassword} when C{hash} is C{None}.
        @return: a Deferred firing with the user name (bytes, lower-cased
            unless C{caseSensitive}), or failing with L{UnauthorizedLogin}
            (unknown user, wrong password, unreadable file) or
            L{UnhandledCredentials} (hashed credentials while C{hash} is
            set).
        """
        try:
            users = self._currentUsers()
        except OSError as e:
            _log.error(
                "Cannot read password file {filename}: {error}; refusing the login",
                filename=self.filename,
                error=e.strerror or str(e),
            )
            return fail(unauthorized())
        try:
            username = self._normalise(toBytes(credentials.username, "username"))
        except (AttributeError, TypeError):
            return fail(unauthorized())
        stored = users.get(username)
        dummy = next(iter(users.values()), b"")
        if self.hash is None:
            return _verify(credentials, username, stored, dummy)
        if not IUsernamePassword.providedBy(credentials):
            return fail(UnhandledCredentials("FilePasswordDB with a hash needs IUsernamePassword"))
        try:
            password = toBytes(credentials.password, "password")
            target = stored if stored is not None else dummy
            matched = hmac.compare_digest(self.hash(username, password, target), target)
        except Exception:
            return fail(_unexpected(Failure(), self))
        if matched and stored is not None:
            return succeed(username)
        return fail(unauthorized())


@implementer(ICredentialsChecker)
class HashedPasswordFileChecker:
    """
    User names and scrypt password hashes in a text file, one user a line::

        alice:scrypt$32768$8$1$<salt base64>$<hash base64>

    Entries are written by L{hashPassword} or the command
    C{python -m netframe.cred.passwd FILE USERNAME}; every password has its
    own random salt.  User names are bytes (UTF-8 for text), case-sensitive,
    and cannot contain C{:}.  Empty lines and lines starting with C{#} are
    ignored.  A malformed line (no C{:}, empty user name, a hash that does
    not parse or needs more than L{maxScryptWork}) is skipped and logged
    (namespace C{netframe.cred.checkers}, level warn) with its line number,
    once per checker; the first line of a user name wins.

    The file is read when the checker is made (a missing or unreadable file
    is an error then) and again whenever its size, modification time or
    inode changes, so the C{passwd} tool's updates take effect without a
    restart.  If it cannot be read at a login, that is logged and the
    login fails with L{UnauthorizedLogin}.

    An unknown user costs the same as a wrong password: the client's
    password is hashed against a dummy entry with the parameters of the
    file's first entry (defaults when the file is empty), and both fail
    with the same error.  Hashing is synchronous and deliberately slow (tens
    of milliseconds with the default parameters).

    @ivar filename: the file.
    @ivar maxScryptWork: the largest C{128 * n * r * p} an entry may ask
        for; entries above it are skipped as malformed.  Set it on the
        class or an instance before the file is next read.
    """

    credentialInterfaces = (IUsernamePassword,)
    maxScryptWork: int = MAX_SCRYPT_WORK

    def __init__(self, filename: str | os.PathLike[str], maxScryptWork: int | None = None) -> None:
        """
        @param filename: the password file.
        @param maxScryptWork: overrides the class's L{maxScryptWork}.
        @raise OSError: if the file cannot be read, of the same class as the
            failure, with a message naming the file.
        """
        self.filename = os.fspath(filename)
        if maxScryptWork is not None:
            self.maxScryptWork = maxScryptWork
        self._reporter = _LineReporter()
        self._signature: tuple[int, int, int, int] | None = None
        self._entries: dict[bytes, ScryptHash] = {}
        self._dummy = ScryptHash(
            SCRYPT_N, SCRYPT_R, SCRYPT_P, os.urandom(SALT_LENGTH), os.urandom(HASH_LENGTH)
        )
        _checkReadable(self.filename)
        self._refresh()

    def __repr__(self) -> str:
        """
        @return: the class and file name.
        """
        return f"<HashedPasswordFileChecker {self.filename!r}>"

    def _refresh(self) -> None:
        """
        Read the file again if it changed since it was last read.

        @raise OSError: if the file cannot be read.
        """
        st = os.stat(self.filename)
        signature = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
        if signature == self._signature:
            return
        entries: dict[bytes, ScryptHash] = {}
        for lineNumber, line in _readLines(self.filename):
            username, colon, encoded = line.partition(b":")
            if not colon:
                self._reporter.report(self.filename, lineNumber, line, "no ':' separator")
                continue
            if not username:
                self._reporter.report(self.filename, lineNumber, line, "empty user name")
                continue
            try:
                parsed = parseHash(encoded, self.maxScryptWork)
            except ValueError as e:
                self._reporter.report(self.filename, lineNumber, line, str(e))
                continue
            entries.setdefault(username, parsed)
        first = next(iter(entries.values()), None)
        if first is not None:
            self._dummy = ScryptHash(
                first.n, first.r, first.p, os.urandom(len(first.salt)), os.urandom(len(first.key))
            )
        self._entries = entries
        self._signature = signature

    def requestAvatarId(self, credentials: Any) -> Deferred[bytes]:
        """
        Check a user name and password against the file.

        @param credentials: credentials providing L{IUsernamePassword}.
        @return: a Deferred firing with the user name (bytes), or failing
            with L{UnauthorizedLogin} for an unknown user, a wrong password
            or an unreadable file alike.
        """
        try:
            self._refresh()
        except OSError as e:
            _log.error(
                "Cannot read password file {filename}: {error}; refusing the login",
                filename=self.filename,
                error=e.strerror or str(e),
            )
            return fail(unauthorized())
        try:
            username = toBytes(credentials.username, "username")
            password = toBytes(credentials.password, "password")
        except (AttributeError, TypeError):
            return fail(unauthorized())
        entry = self._entries.get(username)
        try:
            matched = (entry if entry is not None else self._dummy).matches(password)
        except Exception:
            return fail(_unexpected(Failure(), self))
        if matched and entry is not None:
            return succeed(username)
        return fail(unauthorized())
