"""
netframe.cred: pluggable authentication for netframe: portals, realms, credentials, checkers, strcred.
"""

from netframe.cred._version import __version__

__all__ = ["__version__"]
