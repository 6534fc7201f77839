"""
The auth types netframe-cred ships, as L{netframe.cred.strcred.ICheckerFactory}
plugins (this module is named by netframe-cred's entry point of group
C{netframe.plugins}):

  - C{memory:name:password:...}: L{InMemoryUsernamePasswordDatabaseDontUse}
    (tests and examples only);
  - C{file:PATH}: L{netframe.cred.checkers.FilePasswordDB} on plaintext
    C{name:password} lines;
  - C{hashed:PATH}: L{netframe.cred.checkers.HashedPasswordFileChecker} on
    salted scrypt hashes (use this one);
  - C{anonymous}: L{netframe.cred.checkers.AllowAnonymousAccess};
  - C{unix}: system passwords, B{not available}: checking them needs the
    C{crypt} and C{spwd} modules, deprecated and removed in Python 3.13;
    asking for it fails with a message saying so.
"""

from netframe.cred._factories import (
    AnonymousCheckerFactory,
    FileCheckerFactory,
    HashedCheckerFactory,
    MemoryCheckerFactory,
    UnixCheckerFactory,
)

__all__ = [
    "AnonymousCheckerFactory",
    "FileCheckerFactory",
    "HashedCheckerFactory",
    "MemoryCheckerFactory",
    "UnixCheckerFactory",
    "anonymousCheckerFactory",
    "fileCheckerFactory",
    "hashedCheckerFactory",
    "memoryCheckerFactory",
    "unixCheckerFactory",
]

for _public in (
    AnonymousCheckerFactory,
    FileCheckerFactory,
    HashedCheckerFactory,
    MemoryCheckerFactory,
    UnixCheckerFactory,
):
    _public.__module__ = __name__
del _public

memoryCheckerFactory = MemoryCheckerFactory()
"""C{--auth memory:name:password:...}"""

fileCheckerFactory = FileCheckerFactory()
"""C{--auth file:PATH}"""

hashedCheckerFactory = HashedCheckerFactory()
"""C{--auth hashed:PATH}"""

anonymousCheckerFactory = AnonymousCheckerFactory()
"""C{--auth anonymous}"""

unixCheckerFactory = UnixCheckerFactory()
"""C{--auth unix} (not available; says why)"""
