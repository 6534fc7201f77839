"""
finger03.py (SCOPE.md F3, L1888-1900): drop connections.

Python 3 port on netframe.  Adaptation: the port (1079 in the tutorial) and
the listening interface come from FINGER_PORT and FINGER_INTERFACE.
"""

import os

from netframe.core import protocol, reactor

PORT = int(os.environ.get("FINGER_PORT", "1079"))
INTERFACE = os.environ.get("FINGER_INTERFACE", "")


class FingerProtocol(protocol.Protocol):
    def connectionMade(self):
        self.transport.loseConnection()


class FingerFactory(protocol.ServerFactory):
    protocol = FingerProtocol


reactor.listenTCP(PORT, FingerFactory(), interface=INTERFACE)
reactor.run()
