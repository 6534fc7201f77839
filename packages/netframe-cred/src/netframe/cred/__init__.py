"""
netframe.cred: pluggable authentication for netframe (Twisted's
C{twisted.cred}): portals, realms, credentials, checkers, strcred.

  - L{netframe.cred.portal}: L{Portal <netframe.cred.portal.Portal>} and
    C{IRealm};
  - L{netframe.cred.credentials}: what clients present (user names and
    passwords are bytes; text is encoded as UTF-8 where it enters);
  - L{netframe.cred.checkers}: checkers, including the scrypt-hashed
    password file;
  - L{netframe.cred.error}: login errors;
  - L{netframe.cred.strcred}: C{--auth TYPE:ARGS} command-line options and
    checker-factory plugins (built-in types in
    L{netframe.cred.checkerfactories});
  - L{netframe.cred.passwd}: C{python -m netframe.cred.passwd FILE USERNAME}.
"""

from netframe.cred._version import __version__

__all__ = ["__version__"]
