"""
netframe.logger: structured logging for netframe (Twisted's twisted.logger).
"""

from netframe.logger._version import __version__

__all__ = ["__version__"]
