"""
The checker factories netframe-cred ships (the auth types of
C{--auth TYPE:ARGUMENTS}).

Private module; the plugin objects are bound in
C{netframe.cred.checkerfactories}.
"""

from __future__ import annotations

from zope.interface import implementer

from netframe.cred._checkers import (
    AllowAnonymousAccess,
    FilePasswordDB,
    HashedPasswordFileChecker,
    ICredentialsChecker,
    InMemoryUsernamePasswordDatabaseDontUse,
)
from netframe.cred._credentials import IUsernameHashedPassword, IUsernamePassword
from netframe.cred._strcred import ICheckerFactory, InvalidAuthArgumentString, StrcredException
from netframe.plugin import IPlugin

__all__ = [
    "AnonymousCheckerFactory",
    "FileCheckerFactory",
    "HashedCheckerFactory",
    "MemoryCheckerFactory",
    "UnixCheckerFactory",
]


@implementer(ICheckerFactory, IPlugin)
class MemoryCheckerFactory:
    """
    C{--auth memory:alice:pw1:bob:pw2}: an in-memory checker with the users
    given.
    """

    authType = "memory"
    argStringFormat = "A colon-separated list (name:password:name:password...)"
    authHelp = """
        Users and plaintext passwords given on the command line, for testing
        and examples: memory:alice:secret1:bob:secret2

        Neither names nor passwords can contain ':'.  Anyone who can list the
        machine's processes can read the passwords: do not use this in
        production; use 'hashed' instead.
        """
    credentialInterfaces = InMemoryUsernamePasswordDatabaseDontUse.credentialInterfaces

    def generateChecker(self, argstring: str = "") -> ICredentialsChecker:
        """
        Make an in-memory checker.

        @param argstring: C{name:password} pairs separated by C{:}.
        @return: an L{InMemoryUsernamePasswordDatabaseDontUse} with them.
        @raise InvalidAuthArgumentString: if C{argstring} is empty, has an
            odd number of fields, or an empty name.
        """
        fields = argstring.split(":")
        if not argstring or len(fields) % 2:
            raise InvalidAuthArgumentString(
                "memory needs name:password pairs separated by ':' (memory:alice:secret)"
            )
        checker = InMemoryUsernamePasswordDatabaseDontUse()
        for name, password in zip(fields[::2], fields[1::2], strict=True):
            if not name:
                raise InvalidAuthArgumentString("memory: a user name is empty")
            checker.addUser(name, password)
        return checker


def _path(authType: str, argstring: str) -> str:
    """
    Check that a factory was given a file name.

    @param authType: the auth type, for the message.
    @param argstring: the argument string.
    @return: C{argstring}.
    @raise InvalidAuthArgumentString: if it is empty.
    """
    if not argstring:
        raise InvalidAuthArgumentString(f"{authType} needs a file name ({authType}:/path/to/file)")
    return argstring


@implementer(ICheckerFactory, IPlugin)
class FileCheckerFactory:
    """
    C{--auth file:PATH}: a L{FilePasswordDB} on a file of plaintext
    C{name:password} lines.
    """

    authType = "file"
    argStringFormat = "Location of a file of name:password lines (plaintext passwords)"
    authHelp = """
        A text file with one user a line, 'name:password', passwords in
        plaintext.  Empty lines and lines starting with '#' are ignored;
        malformed lines are skipped and logged with their line number.  The
        file is read at every login.  Prefer 'hashed', which stores salted
        hashes instead of passwords.
        """
    credentialInterfaces = (IUsernamePassword, IUsernameHashedPassword)

    def generateChecker(self, argstring: str = "") -> ICredentialsChecker:
        """
        Make a file checker.

        @param argstring: the file name.
        @return: a L{FilePasswordDB} on it.
        @raise InvalidAuthArgumentString: if no file name is given.
        @raise OSError: if the file cannot be read.
        """
        return FilePasswordDB(_path(self.authType, argstring))


@implementer(ICheckerFactory, IPlugin)
class HashedCheckerFactory:
    """
    C{--auth hashed:PATH}: a L{HashedPasswordFileChecker} on a file of
    scrypt password hashes.
    """

    authType = "hashed"
    argStringFormat = "Location of a file of name:scrypt-hash lines"
    authHelp = """
        A text file with one user a line, 'name:scrypt$n$r$p$salt$hash',
        each password hashed with its own random salt.  Add or change a user
        with:

            python -m netframe.cred.passwd FILE USERNAME

        The file is read again when it changes.  Malformed lines are skipped
        and logged with their line number.
        """
    credentialInterfaces = HashedPasswordFileChecker.credentialInterfaces

    def generateChecker(self, argstring: str = "") -> ICredentialsChecker:
        """
        Make a hashed-file checker.

        @param argstring: the file name.
        @return: a L{HashedPasswordFileChecker} on it.
        @raise InvalidAuthArgumentString: if no file name is given.
        @raise OSError: if the file cannot be read.
        """
        return HashedPasswordFileChecker(_path(self.authType, argstring))


@implementer(ICheckerFactory, IPlugin)
class AnonymousCheckerFactory:
    """
    C{--auth anonymous}: let anonymous clients in.
    """

    authType = "anonymous"
    argStringFormat = "No argstring required."
    authHelp = """
        Accept anonymous logins (credentials providing IAnonymous) as the
        ANONYMOUS avatar ID.
        """
    credentialInterfaces = AllowAnonymousAccess.credentialInterfaces

    def generateChecker(self, argstring: str = "") -> ICredentialsChecker:
        """
        Make an anonymous checker.

        @param argstring: must be empty.
        @return: an L{AllowAnonymousAccess}.
        @raise InvalidAuthArgumentString: if C{argstring} is not empty.
        """
        if argstring:
            raise InvalidAuthArgumentString("anonymous takes no argument")
        return AllowAnonymousAccess()


UNIX_UNAVAILABLE = (
    "the 'unix' auth type cannot check system passwords: that needs the crypt module "
    "(deprecated, removed in Python 3.13) and the spwd module (likewise), which netframe "
    "does not use; use 'hashed' with a password file instead"
)
"""Why the C{unix} auth type refuses to make a checker."""


@implementer(ICheckerFactory, IPlugin)
class UnixCheckerFactory:
    """
    C{--auth unix}: system passwords -- not available (see
    L{UNIX_UNAVAILABLE}); the type exists so that asking for it gives a
    clear reason instead of "unknown auth type".
    """

    authType = "unix"
    argStringFormat = "Not available: see --help-auth-type unix"
    authHelp = f"""
        System (/etc/passwd, /etc/shadow) passwords.

        Not available: {UNIX_UNAVAILABLE}.
        """
    credentialInterfaces = (IUsernamePassword,)

    def generateChecker(self, argstring: str = "") -> ICredentialsChecker:
        """
        Refuse to make a checker.

        @param argstring: ignored.
        @return: never.
        @raise StrcredException: always, with L{UNIX_UNAVAILABLE}.
        """
        raise StrcredException(UNIX_UNAVAILABLE)
