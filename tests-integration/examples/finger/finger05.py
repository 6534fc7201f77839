"""
finger05.py (SCOPE.md F5, L1935-1949): read username, output error, drop
connections.

Python 3 port on netframe (bytes on the transport).  Adaptation: the port
(1079 in the tutorial) and the listening interface come from FINGER_PORT and
FINGER_INTERFACE.
"""

import os

from netframe.core import protocol, reactor
from netframe.core.protocols import basic

PORT = int(os.environ.get("FINGER_PORT", "1079"))
INTERFACE = os.environ.get("FINGER_INTERFACE", "")


class FingerProtocol(basic.LineReceiver):
    def lineReceived(self, user):
        self.transport.write(b"No such user\r\n")
        self.transport.loseConnection()


class FingerFactory(protocol.ServerFactory):
    protocol = FingerProtocol


reactor.listenTCP(PORT, FingerFactory(), interface=INTERFACE)
reactor.run()
