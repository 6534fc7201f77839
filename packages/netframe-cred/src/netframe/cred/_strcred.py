"""
Implementation of L{netframe.cred.strcred}.

Private module; the public names are re-exported by
C{netframe.cred.strcred}.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Sequence
from typing import IO, Any, ClassVar, NoReturn, cast

from zope.interface import Attribute, Interface

from netframe.core.usage import UsageError
from netframe.cred._checkers import ICredentialsChecker
from netframe.plugin import getPlugins

__all__ = [
    "AuthOptionMixin",
    "ICheckerFactory",
    "InvalidAuthArgumentString",
    "InvalidAuthType",
    "StrcredException",
    "UnsupportedInterfaces",
    "findCheckerFactories",
    "findCheckerFactory",
    "makeChecker",
]


class ICheckerFactory(Interface):
    """
    Makes a credentials checker from a command-line description
    (C{--auth TYPE:ARGUMENTS}).

    A checker factory is found as a plugin: a module-level object providing
    both this interface and L{netframe.plugin.IPlugin} in a plugin module
    (a C{netframe/plugins/*.py} drop-in file or a module named by an entry
    point of group C{netframe.plugins}).
    """

    __module__ = "netframe.cred.strcred"

    authType = Attribute("The auth type: one word, as written before ':' in --auth.")
    authHelp = Attribute("Help text for --help-auth-type; may have several lines.")
    argStringFormat = Attribute("One line saying what the argument string holds.")
    credentialInterfaces = Attribute("The credentials interfaces the checkers it makes check.")

    def generateChecker(argstring: str = "") -> ICredentialsChecker:
        """
        Make a checker.

        @param argstring: what followed C{TYPE:} on the command line (the
            factory parses it).
        @return: the checker.
        @raise InvalidAuthArgumentString: if C{argstring} is not valid.
        @raise OSError: if a file the checker needs cannot be read.
        """


class StrcredException(Exception):
    """
    The base class of the errors of L{netframe.cred.strcred}.
    """

    __module__ = "netframe.cred.strcred"


class InvalidAuthType(StrcredException):
    """
    No checker factory has the auth type asked for.
    """

    __module__ = "netframe.cred.strcred"


class InvalidAuthArgumentString(StrcredException):
    """
    A checker factory could not use the argument string it was given.
    """

    __module__ = "netframe.cred.strcred"


class UnsupportedInterfaces(StrcredException):
    """
    A checker handles none of the credentials interfaces the program
    supports.
    """

    __module__ = "netframe.cred.strcred"


def _builtinFactories() -> list[ICheckerFactory]:
    """
    The checker factories netframe-cred ships.

    @return: them, in their module's order.
    """
    from netframe.cred import checkerfactories

    candidates = [getattr(checkerfactories, name) for name in checkerfactories.__all__]
    return [c for c in candidates if ICheckerFactory.providedBy(c)]


def findCheckerFactories() -> list[ICheckerFactory]:
    """
    Find every checker factory.

    The factories are the L{ICheckerFactory} plugins found by
    L{netframe.plugin.getPlugins} (drop-in files first, then entry points),
    followed by the built-in ones of L{netframe.cred.checkerfactories} in
    case netframe-cred's entry point is not installed (each object once).

    @return: the factories, in discovery order.
    """
    found: list[ICheckerFactory] = []
    seen: set[int] = set()
    for factory in [*getPlugins(ICheckerFactory), *_builtinFactories()]:
        if id(factory) not in seen:
            seen.add(id(factory))
            found.append(factory)
    return found


def findCheckerFactory(authType: str) -> ICheckerFactory:
    """
    Find the checker factory of an auth type.

    @param authType: the type (e.g. C{"file"}).
    @return: the first factory found (see L{findCheckerFactories}) with
        that C{authType}; a drop-in file can thus replace a built-in type.
    @raise InvalidAuthType: if there is none.
    """
    for factory in findCheckerFactories():
        if factory.authType == authType:
            return factory
    raise InvalidAuthType(authType)


def _split(description: str) -> tuple[str, str]:
    """
    Split C{TYPE[:ARGUMENTS]}.

    @param description: the description.
    @return: C{(authType, argstring)}; the argstring is C{""} when absent.
    """
    authType, _, argstring = description.partition(":")
    return authType, argstring


def makeChecker(description: str) -> ICredentialsChecker:
    """
    Make a checker from a description C{TYPE[:ARGUMENTS]} (e.g.
    C{"file:/etc/myapp/passwords"}).

    @param description: the description; everything after the first C{:}
        goes to the factory.
    @return: the checker the factory of C{TYPE} makes.
    @raise InvalidAuthType: if no factory has that type.
    @raise InvalidAuthArgumentString: if the factory refuses the arguments.
    @raise OSError: if the checker cannot read a file it needs.
    """
    authType, argstring = _split(description)
    return findCheckerFactory(authType).generateChecker(argstring)


class _CheckersByInterface(dict[Any, list[ICredentialsChecker]]):
    """
    C{options["credInterfaces"]}: checkers by credentials interface, with
    an empty list for an interface no checker handles.
    """

    def __missing__(self, key: Any) -> list[ICredentialsChecker]:
        """
        @param key: an interface no checker handles.
        @return: a new empty list (not stored).
        """
        return []


class AuthOptionMixin:
    """
    Adds authentication options to a L{netframe.core.usage.Options}
    subclass::

        class ServerOptions(usage.Options, strcred.AuthOptionMixin):
            supportedInterfaces = (credentials.IUsernamePassword,)

    Options added:

      - C{--auth TYPE[:ARGUMENTS]}, repeatable: makes a checker with
        L{makeChecker} and adds it with L{addChecker};
      - C{--help-auth}: lists the auth types that support the program's
        interfaces, then exits;
      - C{--help-auth-type TYPE}: prints that type's help, then exits.

    Results: C{options["credCheckers"]}, the list of checkers in command-line
    order, and C{options["credInterfaces"]}, a dictionary mapping each
    supported credentials interface to the list of checkers that handle it
    (an interface without checkers maps to an empty list).  Both exist
    (empty) when no C{--auth} was given.

    @cvar supportedInterfaces: the credentials interfaces the program can
        use, or C{None} for any.
    @cvar authOutput: where the help options write; C{None} means
        C{sys.stdout} at the time they run.
    """

    supportedInterfaces: ClassVar[Sequence[Any] | None] = None
    authOutput: IO[str] | None = None

    def __missing__(self, key: str) -> Any:
        """
        Give C{credCheckers} and C{credInterfaces} their empty defaults.

        @param key: the key looked up and not found.
        @return: the new (stored) default.
        @raise KeyError: for any other key.
        """
        if key == "credCheckers":
            value: Any = []
        elif key == "credInterfaces":
            value = _CheckersByInterface()
        else:
            raise KeyError(key)
        self._results()[key] = value
        return value

    def _results(self) -> dict[str, Any]:
        """
        @return: this options object as the dictionary it is.
        """
        return cast(dict[str, Any], self)

    def _output(self) -> IO[str]:
        """
        @return: where the help goes.
        """
        return self.authOutput if self.authOutput is not None else sys.stdout

    def supportsInterface(self, interface: Any) -> bool:
        """
        Say whether the program can use credentials of C{interface}.

        @param interface: a credentials interface.
        @return: C{True} if L{supportedInterfaces} is C{None} or C{interface}
            is or extends one of them.
        """
        if self.supportedInterfaces is None:
            return True
        return any(interface.isOrExtends(supported) for supported in self.supportedInterfaces)

    def supportsCheckerFactory(self, factory: ICheckerFactory) -> bool:
        """
        Say whether a factory makes checkers this program can use.

        @param factory: the factory.
        @return: whether any of its C{credentialInterfaces} is supported.
        """
        return any(self.supportsInterface(i) for i in factory.credentialInterfaces)

    def addChecker(self, checker: ICredentialsChecker) -> None:
        """
        Add a checker to C{credCheckers} and to C{credInterfaces} under each
        of its supported interfaces.

        @param checker: the checker.
        @raise UnsupportedInterfaces: if it handles no supported interface.
        """
        supported = [i for i in checker.credentialInterfaces if self.supportsInterface(i)]
        if not supported:
            raise UnsupportedInterfaces(
                "the checker handles none of the supported credentials interfaces: "
                + ", ".join(i.__identifier__ for i in checker.credentialInterfaces)
            )
        results = self._results()
        results["credCheckers"].append(checker)
        byInterface = results["credInterfaces"]
        for iface in supported:
            byInterface.setdefault(iface, []).append(checker)

    def opt_auth(self, description: str) -> None:
        """Specify an authentication method for the server (TYPE[:ARGUMENTS]); may be given more than once; --help-auth lists the types."""
        authType, argstring = _split(description)
        try:
            factory = findCheckerFactory(authType)
        except InvalidAuthType:
            raise UsageError(f"Auth plugin not recognized: {authType!r} (see --help-auth)")
        if not self.supportsCheckerFactory(factory):
            raise UsageError(f"Auth plugin not supported by this program: {authType!r}")
        try:
            self.addChecker(factory.generateChecker(argstring))
        except (StrcredException, OSError) as e:
            raise UsageError(f"--auth {authType}: {e}")

    def opt_help_auth(self) -> NoReturn:
        """Show the authentication methods this program supports, then exit."""
        factories = [f for f in findCheckerFactories() if self.supportsCheckerFactory(f)]
        out = self._output()
        out.write("Usage: --auth AuthType[:ArgString]\n")
        out.write("For detailed help: --help-auth-type AuthType\n\n")
        width = max((len(f.authType) for f in factories), default=0) + 2
        for factory in factories:
            out.write(f"  {factory.authType.ljust(width)}{factory.argStringFormat}\n")
        out.flush()
        raise SystemExit(0)

    def opt_help_auth_type(self, authType: str) -> NoReturn:
        """Show help for one authentication method (TYPE), then exit."""
        try:
            factory = findCheckerFactory(authType)
        except InvalidAuthType:
            raise UsageError(f"Auth plugin not recognized: {authType!r} (see --help-auth)")
        if not self.supportsCheckerFactory(factory):
            raise UsageError(f"Auth plugin not supported by this program: {authType!r}")
        out = self._output()
        out.write(f"Usage: --auth {authType}[:ArgString]\n")
        out.write(f"ArgString format: {factory.argStringFormat}\n\n")
        for line in inspect.cleandoc(str(factory.authHelp)).splitlines():
            out.write(f"  {line}\n" if line else "\n")
        out.flush()
        raise SystemExit(0)
