"""
The netframe showcase: a finger service (RFC 1288) built only from netframe
parts, in the spirit of the "Evolution of Finger" tutorial.

  - L{finger.query}: the query parser (pure);
  - L{finger.protocol}: the finger protocol and its factory;
  - L{finger.store}: users and statuses in sqlite3 through
    netframe.enterprise.adbapi;
  - L{finger.perspective}: the Perspective Broker interface (password login,
    an avatar per user);
  - L{finger.tap}: the C{netframe-twistd finger} subcommand;
  - L{finger.client}: C{python -m finger.client}, the PB command-line client.
"""

from finger._version import __version__

__all__ = ["__version__"]
