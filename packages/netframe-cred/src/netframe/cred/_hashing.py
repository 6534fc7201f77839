"""
Password hashes for L{HashedPasswordFileChecker}: scrypt with a random salt
per password, in a self-describing text form.

Format (ASCII, no spaces)::

    scrypt$<n>$<r>$<p>$<salt>$<hash>

where C{n}, C{r} and C{p} are scrypt's cost parameters in decimal (C{n} a
power of two greater than 1), and C{salt} and C{hash} are standard base64
(with padding) of the salt and of the derived key.

Private module; the public names are re-exported by
C{netframe.cred.checkers}.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass

from netframe.cred._bytes import toBytes

__all__ = [
    "HASH_LENGTH",
    "SALT_LENGTH",
    "SCRYPT_N",
    "SCRYPT_P",
    "SCRYPT_R",
    "ScryptHash",
    "hashPassword",
    "parseHash",
    "verifyPassword",
]

SCRYPT_N = 2**15
"""Default scrypt CPU/memory cost (with r=8: 32 MiB and tens of ms a hash)."""

SCRYPT_R = 8
"""Default scrypt block size."""

SCRYPT_P = 1
"""Default scrypt parallelism."""

SALT_LENGTH = 16
"""Bytes of random salt per password."""

HASH_LENGTH = 32
"""Bytes of derived key stored per password."""

MAX_SCRYPT_WORK = 2**28
"""
Default bound on C{128 * n * r * p} (the memory scrypt needs, times C{p}):
a hash asking for more is refused as malformed, so a corrupted or hostile
password file cannot make a login take gigabytes or minutes.
"""

_SCHEME = "scrypt"
_MAX_FIELD_DIGITS = 12


@dataclass(frozen=True, slots=True)
class ScryptHash:
    """
    A parsed password hash.

    @ivar n: scrypt CPU/memory cost (a power of two, at least 2).
    @ivar r: scrypt block size (at least 1).
    @ivar p: scrypt parallelism (at least 1).
    @ivar salt: the salt.
    @ivar key: the derived key of the password.
    """

    n: int
    r: int
    p: int
    salt: bytes
    key: bytes

    def derive(self, password: bytes) -> bytes:
        """
        Derive the key of C{password} with this hash's salt and parameters.

        @param password: the password to hash.
        @return: the derived key, as long as L{key}.
        """
        n, r, p = self.n, self.r, self.p
        return hashlib.scrypt(
            password,
            salt=self.salt,
            n=n,
            r=r,
            p=p,
            maxmem=128 * r * (n + p + 2) + 2**20,
            dklen=len(self.key),
        )

    def matches(self, password: bytes) -> bool:
        """
        Say whether C{password} is the password this hash was made from,
        comparing in constant time.

        @param password: the password to check.
        @return: whether its key equals L{key}.
        """
        return hmac.compare_digest(self.derive(password), self.key)

    def encode(self) -> str:
        """
        Write this hash in the text form of this module.

        @return: C{scrypt$n$r$p$salt$hash}.
        """
        salt = base64.b64encode(self.salt).decode("ascii")
        key = base64.b64encode(self.key).decode("ascii")
        return f"{_SCHEME}${self.n}${self.r}${self.p}${salt}${key}"


def _checkParameters(n: int, r: int, p: int, maxWork: int) -> None:
    """
    Refuse scrypt parameters that are invalid or too costly.

    @param n: the cost.
    @param r: the block size.
    @param p: the parallelism.
    @param maxWork: the bound on C{128 * n * r * p}.
    @raise ValueError: if C{n} is not a power of two above 1, C{r} or C{p}
        is below 1, or the work is above C{maxWork}.
    """
    if n < 2 or n & (n - 1):
        raise ValueError(f"scrypt n must be a power of two greater than 1, not {n}")
    if r < 1 or p < 1:
        raise ValueError(f"scrypt r and p must be at least 1, not r={r} p={p}")
    if 128 * n * r * p > maxWork:
        raise ValueError(
            f"scrypt parameters n={n} r={r} p={p} need {128 * n * r * p} bytes of work, "
            f"above the limit of {maxWork}"
        )


def parseHash(encoded: str | bytes, maxWork: int = MAX_SCRYPT_WORK) -> ScryptHash:
    """
    Parse a password hash written by L{hashPassword}.

    @param encoded: the hash text (C{scrypt$n$r$p$salt$hash}).
    @param maxWork: the largest C{128 * n * r * p} accepted.
    @return: the parsed hash.
    @raise ValueError: if the text is not in that form, names another
        scheme, has invalid or too costly parameters, or empty salt or key.
    """
    text = encoded.decode("ascii", "replace") if isinstance(encoded, bytes) else encoded
    parts = text.split("$")
    if len(parts) != 6:
        raise ValueError(f"a password hash has 6 fields separated by '$', not {len(parts)}")
    scheme, nText, rText, pText, saltText, keyText = parts
    if scheme != _SCHEME:
        raise ValueError(f"unknown password hash scheme {scheme[:20]!r}")
    numbers = []
    for name, value in (("n", nText), ("r", rText), ("p", pText)):
        if not value.isascii() or not value.isdigit() or len(value) > _MAX_FIELD_DIGITS:
            raise ValueError(f"scrypt {name} must be a decimal number, not {value[:20]!r}")
        numbers.append(int(value))
    n, r, p = numbers
    _checkParameters(n, r, p, maxWork)
    try:
        salt = base64.b64decode(saltText, validate=True)
        key = base64.b64decode(keyText, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the salt and hash of a password hash must be base64")
    if not salt or not key:
        raise ValueError("the salt and hash of a password hash must not be empty")
    return ScryptHash(n, r, p, salt, key)


def hashPassword(
    password: str | bytes,
    *,
    n: int = SCRYPT_N,
    r: int = SCRYPT_R,
    p: int = SCRYPT_P,
    salt: bytes | None = None,
) -> str:
    """
    Hash a password for a L{HashedPasswordFileChecker} file.

    @param password: the password (text is encoded as UTF-8).
    @param n: scrypt CPU/memory cost, a power of two above 1.
    @param r: scrypt block size.
    @param p: scrypt parallelism.
    @param salt: the salt; C{None} (the default, and the only safe choice
        outside tests) draws L{SALT_LENGTH} random bytes.
    @return: the hash, C{scrypt$n$r$p$salt$hash}.
    @raise ValueError: if the password is empty, the parameters are invalid
        or need more than L{MAX_SCRYPT_WORK}, or C{salt} is empty.
    @raise TypeError: if the password is neither text nor bytes.
    """
    secret = toBytes(password, "password")
    if not secret:
        raise ValueError("an empty password cannot be hashed")
    _checkParameters(n, r, p, MAX_SCRYPT_WORK)
    if salt is None:
        salt = os.urandom(SALT_LENGTH)
    elif not salt:
        raise ValueError("the salt must not be empty")
    template = ScryptHash(n, r, p, salt, bytes(HASH_LENGTH))
    return ScryptHash(n, r, p, salt, template.derive(secret)).encode()


def verifyPassword(password: str | bytes, encoded: str | bytes) -> bool:
    """
    Say whether C{password} is the one C{encoded} was made from.

    @param password: the password to check (text is encoded as UTF-8).
    @param encoded: a hash written by L{hashPassword}.
    @return: whether they match (compared in constant time).
    @raise ValueError: if C{encoded} is malformed (see L{parseHash}).
    @raise TypeError: if the password is neither text nor bytes.
    """
    return parseHash(encoded).matches(toBytes(password, "password"))
