"""
netframe.spread: perspective Broker for netframe: banana, jelly, flavors, pb.
"""

from netframe.spread._version import __version__

__all__ = ["__version__"]
