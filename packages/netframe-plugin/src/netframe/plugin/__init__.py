"""
netframe.plugin: plugin discovery for netframe (Twisted's C{twisted.plugin}).

Define an interface, have plugin authors bind objects providing both it and
L{IPlugin} at module level of a plugin module, and collect them with
L{getPlugins}::

    from netframe.plugin import getPlugins
    for material in getPlugins(IMaterial):
        ...

Plugin modules are found in three places:

 - drop-in files: every C{*.py} file in a C{netframe/plugins/} directory on
   C{sys.path} that has no C{__init__.py} (loaded as C{netframe.plugins.<stem>});
 - installed distributions: entry points of group C{netframe.plugins}, whose
   name is the plugin module's name and whose value is the module to import;
 - a custom plugin package passed to L{getPlugins}, whose C{__init__.py}
   extends its C{__path__} with L{pluginPackagePaths}.

Discovery never writes into the installation. It keeps an optional cache of
which interfaces each module's plugins provide in the user's cache directory
(C{$XDG_CACHE_HOME/netframe/plugins} or C{~/.cache/netframe/plugins}; the
environment variable C{NETFRAME_PLUGIN_CACHE} names another directory, or
C{off} disables it). The cache only saves imports: a stale, corrupt or
unwritable cache makes discovery slower, never wrong.
"""

from netframe.plugin._discovery import PluginImportsReactorError, getPlugins, pluginPackagePaths
from netframe.plugin._interfaces import IPlugin
from netframe.plugin._version import __version__

for _name in (getPlugins, pluginPackagePaths, PluginImportsReactorError):
    _name.__module__ = __name__
del _name

__all__ = [
    "IPlugin",
    "PluginImportsReactorError",
    "__version__",
    "getPlugins",
    "pluginPackagePaths",
]
