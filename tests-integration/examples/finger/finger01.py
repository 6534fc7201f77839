"""
finger01.py (SCOPE.md F1, L1852-1855): refuse connections.

Python 3 port on netframe: only runs the reactor, listens on nothing, so a
connection to the finger port is refused.
"""

from netframe.core import reactor

reactor.run()
