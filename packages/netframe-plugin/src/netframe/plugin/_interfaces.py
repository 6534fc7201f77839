"""
The plugin marker interface, L{IPlugin}.

Private module; the public name is re-exported by C{netframe.plugin}.
"""

from __future__ import annotations

from zope.interface import Interface

__all__ = ["IPlugin"]


class IPlugin(Interface):
    """
    Marker interface for plugins.

    An object that provides both C{IPlugin} and some interface C{IFoo}, bound
    to any name at module level of a plugin module, is returned by
    C{getPlugins(IFoo)}. C{IPlugin} has no methods or attributes of its own.
    """

    __module__ = "netframe.plugin"
