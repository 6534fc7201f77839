"""Tests for netframe.cred.checkers."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypedDict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from zope.interface.verify import verifyObject

from netframe.core.defer import succeed
from netframe.cred import checkers, credentials, error
from netframe.cred.checkers import (
    ANONYMOUS,
    AllowAnonymousAccess,
    FilePasswordDB,
    HashedPasswordFileChecker,
    ICredentialsChecker,
    InMemoryUsernamePasswordDatabaseDontUse,
    hashPassword,
    verifyPassword,
)
from netframe.cred.credentials import UsernameHashedPassword, UsernamePassword

WritePath = Callable[[str, bytes], Path]


class _ScryptParameters(TypedDict):
    """Keyword arguments of hashPassword's scrypt parameters."""

    n: int
    r: int
    p: int


#: Cheap scrypt parameters for tests (128 * 16 * 1 * 1 = 2048 bytes of work).
CHEAP: _ScryptParameters = {"n": 16, "r": 1, "p": 1}


def cheapEntry(name: bytes, password: bytes) -> bytes:
    """A hashed-file line with cheap parameters."""
    return name + b":" + hashPassword(password, **CHEAP).encode("ascii")


def malformedLines(events: list[dict[str, Any]]) -> list[int]:
    """The line numbers of the malformed-line warnings logged."""
    return [e["lineNumber"] for e in events if "lineNumber" in e]


class VerifyObjectTests:
    """Every checker provides ICredentialsChecker."""

    def test_checkersProvide(self, writeFile: WritePath) -> None:
        """verifyObject holds for each built-in checker."""
        path = writeFile("pw", b"")
        for checker in (
            AllowAnonymousAccess(),
            InMemoryUsernamePasswordDatabaseDontUse(),
            FilePasswordDB(path),
            FilePasswordDB(path, hash=lambda u, p, s: p),
            HashedPasswordFileChecker(path),
        ):
            assert verifyObject(ICredentialsChecker, checker)

    def test_publicModule(self) -> None:
        """Public names point at netframe.cred.checkers."""
        for name in checkers.__all__:
            obj = getattr(checkers, name)
            if hasattr(obj, "__module__") and callable(obj):
                assert obj.__module__ == "netframe.cred.checkers", name


class AnonymousTests:
    """AllowAnonymousAccess lets anyone in as ANONYMOUS."""

    def test_anonymous(self, results: Any) -> None:
        """Anonymous credentials give ANONYMOUS."""
        d = AllowAnonymousAccess().requestAvatarId(credentials.Anonymous())
        assert results.succeeded(d) == ANONYMOUS == ()


class InMemoryTests:
    """InMemoryUsernamePasswordDatabaseDontUse checks plaintext users."""

    def test_keywordUsers(self, results: Any) -> None:
        """Users given as keywords log in; the avatar ID is the name as bytes."""
        checker = InMemoryUsernamePasswordDatabaseDontUse(bob="pw")
        assert checker.users == {b"bob": b"pw"}
        assert results.succeeded(checker.requestAvatarId(UsernamePassword("bob", "pw"))) == b"bob"

    def test_addUserStrOrBytes(self, results: Any) -> None:
        """A user added as text logs in with bytes and the other way round."""
        checker = InMemoryUsernamePasswordDatabaseDontUse()
        checker.addUser("zoë", "pässword")
        checker.addUser(b"\xffraw", b"\xfe")
        byBytes = UsernamePassword("zoë".encode(), "pässword".encode())
        assert results.succeeded(checker.requestAvatarId(byBytes)) == "zoë".encode()
        byText = UsernamePassword(b"\xffraw".decode("utf-8", "surrogateescape"), b"\xfe")
        assert results.succeeded(checker.requestAvatarId(byText)) == b"\xffraw"

    def test_addUserReplaces(self, results: Any) -> None:
        """addUser for an existing name changes the password."""
        checker = InMemoryUsernamePasswordDatabaseDontUse(bob="old")
        checker.addUser("bob", "new")
        results.failed(
            checker.requestAvatarId(UsernamePassword("bob", "old")), error.UnauthorizedLogin
        )
        assert results.succeeded(checker.requestAvatarId(UsernamePassword("bob", "new"))) == b"bob"

    def test_hashedCredentials(self, results: Any) -> None:
        """IUsernameHashedPassword credentials are checked too."""
        checker = InMemoryUsernamePasswordDatabaseDontUse(bob="pw")
        assert (
            results.succeeded(checker.requestAvatarId(UsernameHashedPassword("bob", "pw")))
            == b"bob"
        )

    def test_unknownAndWrongIdentical(self, results: Any) -> None:
        """Unknown user and wrong password fail alike after one checkPassword each."""
        checker = InMemoryUsernamePasswordDatabaseDontUse(bob="pw")
        calls: list[bytes] = []

        class Counting(UsernamePassword):
            def checkPassword(self, password: str | bytes) -> bool:
                calls.append(b"")
                return super().checkPassword(password)

        wrong = results.failed(
            checker.requestAvatarId(Counting("bob", "nope")), error.UnauthorizedLogin
        )
        assert len(calls) == 1
        unknown = results.failed(
            checker.requestAvatarId(Counting("eve", "nope")), error.UnauthorizedLogin
        )
        assert len(calls) == 2
        assert str(wrong.value) == str(unknown.value) == error.UNAUTHORIZED_MESSAGE

    def test_unknownUserMatchingDummyFails(self, results: Any) -> None:
        """An unknown user whose password equals the dummy still fails."""
        checker = InMemoryUsernamePasswordDatabaseDontUse(bob="pw")
        results.failed(
            checker.requestAvatarId(UsernamePassword("eve", "")), error.UnauthorizedLogin
        )

    def test_deferredCheckPassword(self, results: Any) -> None:
        """A checkPassword returning a Deferred is waited for."""

        class Later(UsernamePassword):
            def checkPassword(self, password: str | bytes) -> Any:
                return succeed(super().checkPassword(password))

        checker = InMemoryUsernamePasswordDatabaseDontUse(bob="pw")
        assert results.succeeded(checker.requestAvatarId(Later("bob", "pw"))) == b"bob"

    def test_checkPasswordBug(self, results: Any, events: list[dict[str, Any]]) -> None:
        """A checkPassword raising is logged and becomes UnauthorizedLogin."""

        class Buggy(UsernamePassword):
            def checkPassword(self, password: str | bytes) -> bool:
                raise RuntimeError("internal")

        checker = InMemoryUsernamePasswordDatabaseDontUse(bob="pw")
        failure = results.failed(
            checker.requestAvatarId(Buggy("bob", "pw")), error.UnauthorizedLogin
        )
        assert "internal" not in str(failure.value)
        assert any(e.get("log_failure") and e["log_failure"].check(RuntimeError) for e in events)

    def test_credentialsWithoutUsername(self, results: Any) -> None:
        """Credentials with no usable user name are refused."""
        checker = InMemoryUsernamePasswordDatabaseDontUse(bob="pw")
        results.failed(checker.requestAvatarId(object()), error.UnauthorizedLogin)

    @pytest.mark.parametrize("password", [b"", b"x" * 2**20, b"\xff\xfe\x00"])
    def test_hostilePasswords(self, password: bytes, results: Any) -> None:
        """Empty, 1 MB and non-UTF-8 passwords are refused if wrong, accepted if right."""
        checker = InMemoryUsernamePasswordDatabaseDontUse(bob="pw", alice=password)
        results.failed(
            checker.requestAvatarId(UsernamePassword("bob", password)), error.UnauthorizedLogin
        )
        assert (
            results.succeeded(checker.requestAvatarId(UsernamePassword("alice", password)))
            == b"alice"
        )


class FilePasswordDBTests:
    """FilePasswordDB checks a passwd-style file."""

    def test_plaintext(self, writeFile: WritePath, results: Any) -> None:
        """name:password lines log in; the avatar ID is the name."""
        checker = FilePasswordDB(writeFile("pw", b"alice:one\nbob:two\n"))
        assert results.succeeded(checker.requestAvatarId(UsernamePassword("bob", "two"))) == b"bob"
        results.failed(
            checker.requestAvatarId(UsernamePassword("bob", "one")), error.UnauthorizedLogin
        )

    def test_strPathAndDelimiter(self, writeFile: WritePath, results: Any) -> None:
        """A text delimiter and other field positions are honoured."""
        path = writeFile("pw", b"x|two|bob\n")
        checker = FilePasswordDB(str(path), delim="|", usernameField=2, passwordField=1)
        assert checker.delim == b"|"
        assert results.succeeded(checker.requestAvatarId(UsernamePassword("bob", "two"))) == b"bob"

    def test_commentsBlankAndCrlf(self, writeFile: WritePath, results: Any) -> None:
        """Comments and blank lines are ignored; CRLF endings are removed."""
        checker = FilePasswordDB(writeFile("pw", b"# bob:zero\n\nbob:one\r\n"))
        assert results.succeeded(checker.requestAvatarId(UsernamePassword("bob", "one"))) == b"bob"
        results.failed(
            checker.requestAvatarId(UsernamePassword("bob", "zero")), error.UnauthorizedLogin
        )

    def test_spacesKept(self, writeFile: WritePath, results: Any) -> None:
        """Spaces are part of the password."""
        checker = FilePasswordDB(writeFile("pw", b"bob: two \n"))
        assert (
            results.succeeded(checker.requestAvatarId(UsernamePassword("bob", " two "))) == b"bob"
        )

    def test_firstLineWins(self, writeFile: WritePath, results: Any) -> None:
        """A user named twice uses the first line."""
        checker = FilePasswordDB(writeFile("pw", b"bob:one\nbob:two\n"))
        assert checker.getUser("bob") == (b"bob", b"one")
        with pytest.raises(KeyError):
            checker.getUser("eve")

    def test_caseInsensitive(self, writeFile: WritePath, results: Any) -> None:
        """With caseSensitive=False names match in any case and come back lower-cased."""
        path = writeFile("pw", b"Bob:one\n")
        insensitive = FilePasswordDB(path, caseSensitive=False)
        assert (
            results.succeeded(insensitive.requestAvatarId(UsernamePassword("BOB", "one"))) == b"bob"
        )
        sensitive = FilePasswordDB(path)
        results.failed(
            sensitive.requestAvatarId(UsernamePassword("bob", "one")), error.UnauthorizedLogin
        )

    def test_hashedCredentialsWithoutHash(self, writeFile: WritePath, results: Any) -> None:
        """Without hash, IUsernameHashedPassword credentials compare with the stored text."""
        checker = FilePasswordDB(writeFile("pw", b"bob:abc\n"))
        assert credentials.IUsernameHashedPassword in checker.credentialInterfaces
        assert (
            results.succeeded(checker.requestAvatarId(UsernameHashedPassword("bob", "abc")))
            == b"bob"
        )

    def test_hashFunction(self, writeFile: WritePath, results: Any) -> None:
        """With hash, the client's password is hashed and compared with the stored one."""
        digest = hashlib.sha256(b"salt" + b"two").hexdigest().encode()
        seen: list[tuple[bytes, bytes, bytes]] = []

        def hasher(username: bytes, password: bytes, stored: bytes) -> bytes:
            seen.append((username, password, stored))
            return hashlib.sha256(b"salt" + password).hexdigest().encode()

        checker = FilePasswordDB(writeFile("pw", b"bob:" + digest + b"\n"), hash=hasher)
        assert checker.credentialInterfaces == (credentials.IUsernamePassword,)
        assert results.succeeded(checker.requestAvatarId(UsernamePassword("bob", "two"))) == b"bob"
        assert seen == [(b"bob", b"two", digest)]
        results.failed(
            checker.requestAvatarId(UsernamePassword("bob", "one")), error.UnauthorizedLogin
        )

    def test_hashUnknownAndWrongIdentical(self, writeFile: WritePath, results: Any) -> None:
        """With hash, an unknown user costs one hash call, like a wrong password."""
        calls: list[bytes] = []

        def hasher(username: bytes, password: bytes, stored: bytes) -> bytes:
            calls.append(password)
            return password

        checker = FilePasswordDB(writeFile("pw", b"bob:two\n"), hash=hasher)
        wrong = results.failed(
            checker.requestAvatarId(UsernamePassword("bob", "x")), error.UnauthorizedLogin
        )
        unknown = results.failed(
            checker.requestAvatarId(UsernamePassword("eve", "two")), error.UnauthorizedLogin
        )
        assert calls == [b"x", b"two"]
        assert str(wrong.value) == str(unknown.value)

    def test_hashRaising(
        self, writeFile: WritePath, results: Any, events: list[dict[str, Any]]
    ) -> None:
        """A hash function raising is logged and becomes UnauthorizedLogin."""

        def hasher(username: bytes, password: bytes, stored: bytes) -> bytes:
            raise RuntimeError("hash bug")

        checker = FilePasswordDB(writeFile("pw", b"bob:two\n"), hash=hasher)
        results.failed(
            checker.requestAvatarId(UsernamePassword("bob", "two")), error.UnauthorizedLogin
        )
        assert any(e.get("log_failure") and e["log_failure"].check(RuntimeError) for e in events)

    def test_hashRefusesHashedCredentials(self, writeFile: WritePath, results: Any) -> None:
        """With hash, hashed credentials are unhandled."""
        checker = FilePasswordDB(writeFile("pw", b"bob:two\n"), hash=lambda u, p, s: p)
        results.failed(
            checker.requestAvatarId(UsernameHashedPassword("bob", "two")),
            error.UnhandledCredentials,
        )

    def test_unknownAndWrongIdentical(self, writeFile: WritePath, results: Any) -> None:
        """Without hash, unknown user and wrong password each call checkPassword once."""
        checker = FilePasswordDB(writeFile("pw", b"bob:two\n"))
        compared: list[bytes] = []

        class Counting(UsernamePassword):
            def checkPassword(self, password: str | bytes) -> bool:
                compared.append(bytes(password, "utf-8") if isinstance(password, str) else password)
                return super().checkPassword(password)

        results.failed(checker.requestAvatarId(Counting("bob", "x")), error.UnauthorizedLogin)
        results.failed(checker.requestAvatarId(Counting("eve", "two")), error.UnauthorizedLogin)
        assert len(compared) == 2

    def test_rereadWithoutCache(self, writeFile: WritePath, results: Any) -> None:
        """Without cache, edits of the file take effect at the next login."""
        path = writeFile("pw", b"bob:one\n")
        checker = FilePasswordDB(path)
        path.write_bytes(b"bob:two\n")
        assert results.succeeded(checker.requestAvatarId(UsernamePassword("bob", "two"))) == b"bob"

    def test_cacheReadsOnce(self, writeFile: WritePath, results: Any) -> None:
        """With cache, the file is read once, when the checker is made."""
        path = writeFile("pw", b"bob:one\n")
        checker = FilePasswordDB(path, cache=True)
        path.write_bytes(b"bob:two\n")
        assert results.succeeded(checker.requestAvatarId(UsernamePassword("bob", "one"))) == b"bob"

    def test_malformedLinesSkippedAndLogged(
        self, writeFile: WritePath, results: Any, events: list[dict[str, Any]]
    ) -> None:
        """Short lines and empty names are skipped, logged once with their number."""
        checker = FilePasswordDB(writeFile("pw", b"nodelimiter\nbob:two\n:empty\n"))
        assert results.succeeded(checker.requestAvatarId(UsernamePassword("bob", "two"))) == b"bob"
        results.succeeded(checker.requestAvatarId(UsernamePassword("bob", "two")))
        assert malformedLines(events) == [1, 3]
        assert all(b"nodelimiter" not in repr(e).encode() for e in events)

    def test_missingFile(self, tmp_path: Path) -> None:
        """A missing file is a FileNotFoundError naming it, when the checker is made."""
        with pytest.raises(FileNotFoundError, match="cannot read password file") as info:
            FilePasswordDB(tmp_path / "nope")
        assert info.value.filename == str(tmp_path / "nope")

    def test_unreadableFile(self, tmp_path: Path) -> None:
        """A path that cannot be read as a file is an OSError when the checker is made."""
        with pytest.raises(IsADirectoryError, match="cannot read password file"):
            FilePasswordDB(tmp_path)

    def test_fileVanishes(
        self, writeFile: WritePath, results: Any, events: list[dict[str, Any]]
    ) -> None:
        """A file gone at login time is logged and the login refused."""
        path = writeFile("pw", b"bob:two\n")
        checker = FilePasswordDB(path)
        path.unlink()
        failure = results.failed(
            checker.requestAvatarId(UsernamePassword("bob", "two")), error.UnauthorizedLogin
        )
        assert str(failure.value) == error.UNAUTHORIZED_MESSAGE
        assert any(e.get("filename") == str(path) and "error" in e for e in events)

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"delim": b""}, "delimiter"),
            ({"usernameField": -1}, "indices"),
            ({"usernameField": 1, "passwordField": 1}, "indices"),
        ],
    )
    def test_badArguments(self, writeFile: WritePath, kwargs: dict[str, Any], message: str) -> None:
        """An empty delimiter or bad field indices are a ValueError."""
        with pytest.raises(ValueError, match=message):
            FilePasswordDB(writeFile("pw", b""), **kwargs)

    @pytest.mark.parametrize("password", [b"", b"x" * 2**20, b"\xff\xfe\x00"])
    def test_hostilePasswords(self, writeFile: WritePath, password: bytes, results: Any) -> None:
        """Empty, 1 MB and non-UTF-8 passwords are refused if wrong, accepted if right."""
        checker = FilePasswordDB(writeFile("pw", b"bob:pw\nalice:" + password + b"\n"))
        results.failed(
            checker.requestAvatarId(UsernamePassword("bob", password)), error.UnauthorizedLogin
        )
        assert (
            results.succeeded(checker.requestAvatarId(UsernamePassword("alice", password)))
            == b"alice"
        )

    def test_repr(self, writeFile: WritePath) -> None:
        """repr names the file."""
        path = writeFile("pw", b"")
        assert str(path) in repr(FilePasswordDB(path))


class HashPasswordTests:
    """hashPassword writes salted scrypt hashes; verifyPassword checks them."""

    def test_format(self) -> None:
        """The hash is scrypt$n$r$p$salt$hash with a 16-byte salt and 32-byte key."""
        import base64

        scheme, n, r, p, salt, key = hashPassword("pw", **CHEAP).split("$")
        assert (scheme, n, r, p) == ("scrypt", "16", "1", "1")
        assert len(base64.b64decode(salt)) == checkers.SALT_LENGTH == 16
        assert len(base64.b64decode(key)) == checkers.HASH_LENGTH == 32

    def test_defaults(self) -> None:
        """Default parameters are n=2**15, r=8, p=1."""
        assert (checkers.SCRYPT_N, checkers.SCRYPT_R, checkers.SCRYPT_P) == (2**15, 8, 1)

    def test_randomSalt(self) -> None:
        """Two hashes of one password differ (per-password random salt)."""
        assert hashPassword("pw", **CHEAP) != hashPassword("pw", **CHEAP)

    def test_fixedSaltDeterministic(self) -> None:
        """With a given salt the hash is reproducible."""
        assert hashPassword("pw", salt=b"s", **CHEAP) == hashPassword(b"pw", salt=b"s", **CHEAP)

    def test_verify(self) -> None:
        """verifyPassword accepts the password and refuses others."""
        encoded = hashPassword("pässword", **CHEAP)
        assert verifyPassword("pässword", encoded) is True
        assert verifyPassword("pässword".encode(), encoded.encode()) is True
        assert verifyPassword("password", encoded) is False

    @pytest.mark.parametrize(
        ("password", "kwargs", "message"),
        [
            ("", {}, "empty password"),
            ("pw", {"n": 15}, "power of two"),
            ("pw", {"n": 1}, "power of two"),
            ("pw", {"r": 0}, "at least 1"),
            ("pw", {"p": 0}, "at least 1"),
            ("pw", {"n": 2**21, "r": 8}, "above the limit"),
            ("pw", {"salt": b""}, "salt"),
        ],
    )
    def test_refused(self, password: str, kwargs: dict[str, Any], message: str) -> None:
        """Empty passwords, invalid or too costly parameters and empty salts are refused."""
        arguments = {**CHEAP, **kwargs}
        with pytest.raises(ValueError, match=message):
            hashPassword(password, **arguments)

    @pytest.mark.parametrize(
        "encoded",
        [
            "",
            "scrypt$16$1$1$c2FsdA==",
            "bcrypt$16$1$1$c2FsdA==$a2V5",
            "scrypt$x$1$1$c2FsdA==$a2V5",
            "scrypt$16$1$1$not base64$a2V5",
            "scrypt$16$1$1$$a2V5",
            "scrypt$1234567890123$1$1$c2FsdA==$a2V5",
            "scrypt$١٦$1$1$c2FsdA==$a2V5",
        ],
    )
    def test_verifyMalformed(self, encoded: str) -> None:
        """verifyPassword on a malformed hash is a ValueError."""
        with pytest.raises(ValueError):
            verifyPassword("pw", encoded)

    @settings(max_examples=25, deadline=None)
    @given(st.binary(min_size=1, max_size=64), st.binary(min_size=1, max_size=32))
    def test_roundTrip(self, password: bytes, salt: bytes) -> None:
        """Any non-empty password verifies against its own hash (hypothesis)."""
        assert verifyPassword(password, hashPassword(password, salt=salt, **CHEAP))


class HashedPasswordFileCheckerTests:
    """HashedPasswordFileChecker checks a file of scrypt hashes."""

    def test_login(self, writeFile: WritePath, results: Any) -> None:
        """The right password logs in as the name (bytes); text or bytes alike."""
        checker = HashedPasswordFileChecker(writeFile("pw", cheapEntry(b"bob", b"pw") + b"\n"))
        assert results.succeeded(checker.requestAvatarId(UsernamePassword("bob", "pw"))) == b"bob"
        assert results.succeeded(checker.requestAvatarId(UsernamePassword(b"bob", b"pw"))) == b"bob"

    def test_wrongAndUnknownSameError(self, writeFile: WritePath, results: Any) -> None:
        """A wrong password and an unknown user fail with the same message."""
        checker = HashedPasswordFileChecker(writeFile("pw", cheapEntry(b"bob", b"pw") + b"\n"))
        wrong = results.failed(
            checker.requestAvatarId(UsernamePassword("bob", "x")), error.UnauthorizedLogin
        )
        unknown = results.failed(
            checker.requestAvatarId(UsernamePassword("eve", "pw")), error.UnauthorizedLogin
        )
        assert str(wrong.value) == str(unknown.value) == error.UNAUTHORIZED_MESSAGE

    def test_unknownAndWrongSameWork(
        self, writeFile: WritePath, results: Any, scryptCalls: list[bytes]
    ) -> None:
        """An unknown user costs exactly one scrypt computation, like a wrong password."""
        checker = HashedPasswordFileChecker(writeFile("pw", cheapEntry(b"bob", b"pw") + b"\n"))
        del scryptCalls[:]
        results.failed(
            checker.requestAvatarId(UsernamePassword("bob", "wrong")), error.UnauthorizedLogin
        )
        assert scryptCalls == [b"wrong"]
        results.failed(
            checker.requestAvatarId(UsernamePassword("eve", "other")), error.UnauthorizedLogin
        )
        assert scryptCalls == [b"wrong", b"other"]

    def test_dummyUsesFileParameters(
        self, writeFile: WritePath, results: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The unknown-user hash uses the parameters of the file's entries."""
        seen: list[tuple[int, int, int]] = []
        original = hashlib.scrypt

        def spy(password: bytes, **kwargs: Any) -> bytes:
            seen.append((kwargs["n"], kwargs["r"], kwargs["p"]))
            return original(password, **kwargs)

        checker = HashedPasswordFileChecker(writeFile("pw", cheapEntry(b"bob", b"pw") + b"\n"))
        monkeypatch.setattr(hashlib, "scrypt", spy)
        results.failed(
            checker.requestAvatarId(UsernamePassword("bob", "x")), error.UnauthorizedLogin
        )
        results.failed(
            checker.requestAvatarId(UsernamePassword("eve", "x")), error.UnauthorizedLogin
        )
        assert seen == [(16, 1, 1), (16, 1, 1)]

    def test_reloadOnChange(self, writeFile: WritePath, results: Any) -> None:
        """A changed file is read again at the next login."""
        path = writeFile("pw", cheapEntry(b"bob", b"one") + b"\n")
        checker = HashedPasswordFileChecker(path)
        path.write_bytes(cheapEntry(b"bob", b"two") + b"\n" + cheapEntry(b"amy", b"three") + b"\n")
        assert (
            results.succeeded(checker.requestAvatarId(UsernamePassword("amy", "three"))) == b"amy"
        )
        results.failed(
            checker.requestAvatarId(UsernamePassword("bob", "one")), error.UnauthorizedLogin
        )

    def test_unchangedFileNotReparsed(
        self, writeFile: WritePath, results: Any, events: list[dict[str, Any]]
    ) -> None:
        """An unchanged file is not parsed again (its malformed lines are logged once)."""
        checker = HashedPasswordFileChecker(
            writeFile("pw", b"junk\n" + cheapEntry(b"bob", b"pw") + b"\n")
        )
        for _ in range(3):
            results.succeeded(checker.requestAvatarId(UsernamePassword("bob", "pw")))
        assert malformedLines(events) == [1]

    def test_malformedLines(
        self, writeFile: WritePath, results: Any, events: list[dict[str, Any]]
    ) -> None:
        """Malformed lines are skipped and logged with their numbers; the rest works."""
        content = b"\n".join(
            [
                b"# a comment",
                b"no-colon",
                b":" + hashPassword("pw", **CHEAP).encode(),
                b"eve:bcrypt$whatever",
                b"eve:scrypt$16$1$1$!!!$a2V5",
                cheapEntry(b"bob", b"pw"),
                b"",
            ]
        )
        checker = HashedPasswordFileChecker(writeFile("pw", content))
        assert results.succeeded(checker.requestAvatarId(UsernamePassword("bob", "pw"))) == b"bob"
        assert malformedLines(events) == [2, 3, 4, 5]
        reasons = [e["reason"] for e in events if "reason" in e]
        assert reasons[0] == "no ':' separator"
        assert reasons[1] == "empty user name"

    def test_workLimitAtAndPast(
        self, writeFile: WritePath, results: Any, events: list[dict[str, Any]]
    ) -> None:
        """An entry at maxScryptWork is used; one past it is skipped and logged."""
        at = b"amy:" + hashPassword("pw", n=16, r=1, p=1).encode()
        past = b"bob:" + hashPassword("pw", n=32, r=1, p=1).encode()
        checker = HashedPasswordFileChecker(
            writeFile("pw", at + b"\n" + past + b"\n"), maxScryptWork=128 * 16
        )
        assert checker.maxScryptWork == 2048
        assert results.succeeded(checker.requestAvatarId(UsernamePassword("amy", "pw"))) == b"amy"
        results.failed(
            checker.requestAvatarId(UsernamePassword("bob", "pw")), error.UnauthorizedLogin
        )
        assert malformedLines(events) == [2]
        assert "above the limit of 2048" in events[0]["reason"]

    def test_defaultWorkLimit(self) -> None:
        """The default limit is 2**28 (256 MiB of scrypt memory at p=1)."""
        assert HashedPasswordFileChecker.maxScryptWork == checkers.MAX_SCRYPT_WORK == 2**28

    def test_emptyFileUnknownUser(
        self, writeFile: WritePath, results: Any, scryptCalls: list[bytes]
    ) -> None:
        """With no entries, a login still hashes once (default parameters) and fails."""
        checker = HashedPasswordFileChecker(writeFile("pw", b""))
        results.failed(
            checker.requestAvatarId(UsernamePassword("eve", "x")), error.UnauthorizedLogin
        )
        assert scryptCalls == [b"x"]

    def test_missingFile(self, tmp_path: Path) -> None:
        """A missing file is a FileNotFoundError naming it, at construction."""
        with pytest.raises(FileNotFoundError, match="cannot read password file"):
            HashedPasswordFileChecker(tmp_path / "nope")

    def test_unreadableFile(self, tmp_path: Path) -> None:
        """A directory is an IsADirectoryError at construction."""
        with pytest.raises(IsADirectoryError, match="cannot read password file"):
            HashedPasswordFileChecker(tmp_path)

    def test_fileVanishes(
        self, writeFile: WritePath, results: Any, events: list[dict[str, Any]]
    ) -> None:
        """A file gone at login time is logged and the login refused."""
        path = writeFile("pw", cheapEntry(b"bob", b"pw") + b"\n")
        checker = HashedPasswordFileChecker(path)
        os.unlink(path)
        results.failed(
            checker.requestAvatarId(UsernamePassword("bob", "pw")), error.UnauthorizedLogin
        )
        assert any(e.get("filename") == str(path) and "error" in e for e in events)

    def test_scryptFailure(
        self,
        writeFile: WritePath,
        results: Any,
        events: list[dict[str, Any]],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """An unexpected error while hashing is logged and becomes UnauthorizedLogin."""
        checker = HashedPasswordFileChecker(writeFile("pw", cheapEntry(b"bob", b"pw") + b"\n"))

        def broken(password: bytes, **kwargs: Any) -> bytes:
            raise MemoryError("scrypt exploded")

        monkeypatch.setattr(hashlib, "scrypt", broken)
        failure = results.failed(
            checker.requestAvatarId(UsernamePassword("bob", "pw")), error.UnauthorizedLogin
        )
        assert "exploded" not in str(failure.value)
        assert any(e.get("log_failure") and e["log_failure"].check(MemoryError) for e in events)

    def test_credentialsWithoutPassword(self, writeFile: WritePath, results: Any) -> None:
        """Credentials without name or password are refused."""
        checker = HashedPasswordFileChecker(writeFile("pw", b""))
        results.failed(checker.requestAvatarId(credentials.Anonymous()), error.UnauthorizedLogin)

    @pytest.mark.parametrize("password", [b"", b"x" * 2**20, b"\xff\xfe\x00"])
    def test_hostilePasswords(
        self, writeFile: WritePath, password: bytes, results: Any, scryptCalls: list[bytes]
    ) -> None:
        """Empty, 1 MB and non-UTF-8 passwords are hashed once and refused when wrong."""
        checker = HashedPasswordFileChecker(writeFile("pw", cheapEntry(b"bob", b"pw") + b"\n"))
        del scryptCalls[:]
        results.failed(
            checker.requestAvatarId(UsernamePassword("bob", password)), error.UnauthorizedLogin
        )
        assert scryptCalls == [password]

    def test_hostilePasswordsAccepted(self, writeFile: WritePath, results: Any) -> None:
        """1 MB and non-UTF-8 passwords stored in the file log in."""
        for password in (b"x" * 2**20, b"\xff\xfe\x00"):
            checker = HashedPasswordFileChecker(
                writeFile("pw", cheapEntry(b"bob", password) + b"\n")
            )
            assert (
                results.succeeded(checker.requestAvatarId(UsernamePassword("bob", password)))
                == b"bob"
            )

    def test_repr(self, writeFile: WritePath) -> None:
        """repr names the file."""
        path = writeFile("pw", b"")
        assert str(path) in repr(HashedPasswordFileChecker(path))
