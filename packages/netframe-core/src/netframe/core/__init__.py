"""
netframe.core: reactors, Deferred, protocols, endpoints, TLS, processes, threads, task, usage, components and testing fakes.
"""

from netframe.core._version import __version__

__all__ = ["__version__"]
