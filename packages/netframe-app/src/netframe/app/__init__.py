"""
netframe.app: services, Application, internet services, strports, .tac files and netframe-twistd.
"""

from netframe.app._version import __version__

__all__ = ["__version__"]
