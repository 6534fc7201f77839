"""
netframe.plugin: plugin discovery for netframe: getPlugins, IPlugin, drop-in directories and entry points.
"""

from netframe.plugin._version import __version__

__all__ = ["__version__"]
