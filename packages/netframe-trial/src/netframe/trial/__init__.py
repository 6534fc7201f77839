"""
netframe.trial: asynchronous unit testing for netframe: TestCase, runner, reporters, netframe-trial, pytest plugin.
"""

from netframe.trial._version import __version__

__all__ = ["__version__"]
