"""
Credential checkers: turn credentials into avatar IDs (Twisted's
C{twisted.cred.checkers}).

  - L{AllowAnonymousAccess}: every anonymous client, as L{ANONYMOUS}.
  - L{InMemoryUsernamePasswordDatabaseDontUse}: plaintext users in a
    dictionary, for tests and examples.
  - L{FilePasswordDB}: a C{passwd(5)}-style file of delimited fields,
    plaintext or hashed by a function you give.
  - L{HashedPasswordFileChecker}: a file of salted scrypt hashes written by
    L{hashPassword} or C{python -m netframe.cred.passwd FILE USERNAME}; the
    one to use for real deployments.

Security properties of the built-in checkers:

  - user names and passwords are bytes (see L{netframe.cred.credentials});
    the avatar ID is the user name as bytes;
  - secrets are compared with C{hmac.compare_digest};
  - an unknown user goes through the same work as a wrong password (the
    password is checked or hashed against a dummy entry) and fails with the
    same L{UnauthorizedLogin} message;
  - an unexpected error inside a checker is logged (namespace
    C{netframe.cred.checkers}) and the login fails with
    L{UnauthorizedLogin}; the error never reaches the peer;
  - a missing or unreadable password file is an C{OSError} (of the
    original class, with a message naming the file) when the checker is
    made, so a server fails at startup rather than at the first login.

Password hash format (L{HashedPasswordFileChecker}): each line is
C{username:scrypt$n$r$p$salt$hash}, C{n}, C{r}, C{p} in decimal and salt
and hash in standard base64.
"""

from netframe.cred._checkers import (
    ANONYMOUS,
    AllowAnonymousAccess,
    FilePasswordDB,
    HashedPasswordFileChecker,
    ICredentialsChecker,
    InMemoryUsernamePasswordDatabaseDontUse,
)
from netframe.cred._hashing import (
    HASH_LENGTH,
    MAX_SCRYPT_WORK,
    SALT_LENGTH,
    SCRYPT_N,
    SCRYPT_P,
    SCRYPT_R,
    hashPassword,
    verifyPassword,
)

__all__ = [
    "ANONYMOUS",
    "HASH_LENGTH",
    "MAX_SCRYPT_WORK",
    "SALT_LENGTH",
    "SCRYPT_N",
    "SCRYPT_P",
    "SCRYPT_R",
    "AllowAnonymousAccess",
    "FilePasswordDB",
    "HashedPasswordFileChecker",
    "ICredentialsChecker",
    "InMemoryUsernamePasswordDatabaseDontUse",
    "hashPassword",
    "verifyPassword",
]

for _public in (
    AllowAnonymousAccess,
    FilePasswordDB,
    HashedPasswordFileChecker,
    InMemoryUsernamePasswordDatabaseDontUse,
    hashPassword,
    verifyPassword,
):
    _public.__module__ = __name__
del _public
