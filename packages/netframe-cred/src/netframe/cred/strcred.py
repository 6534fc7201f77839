"""
Checkers from command-line descriptions (Twisted's C{twisted.cred.strcred}).

A program's L{netframe.core.usage.Options} mixes in L{AuthOptionMixin} to
get C{--auth TYPE[:ARGUMENTS]} (repeatable), C{--help-auth} and
C{--help-auth-type TYPE}; the checkers end up in C{options["credCheckers"]}
and C{options["credInterfaces"]}.  Each auth type is an L{ICheckerFactory}
plugin found through L{netframe.plugin}: a drop-in file
C{netframe/plugins/myapp_plugins.py} on C{sys.path}, or a module named by an
entry point of group C{netframe.plugins}.  The built-in types are in
L{netframe.cred.checkerfactories}.
"""

from netframe.cred._strcred import (
    AuthOptionMixin,
    ICheckerFactory,
    InvalidAuthArgumentString,
    InvalidAuthType,
    StrcredException,
    UnsupportedInterfaces,
    findCheckerFactories,
    findCheckerFactory,
    makeChecker,
)

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

for _public in (
    AuthOptionMixin,
    findCheckerFactories,
    findCheckerFactory,
    makeChecker,
):
    _public.__module__ = __name__
del _public
