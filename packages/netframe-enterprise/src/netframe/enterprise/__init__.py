"""
netframe.enterprise: non-blocking DB-API 2.0 access for netframe: adbapi ConnectionPool.
"""

from netframe.enterprise._version import __version__

__all__ = ["__version__"]
