"""
finger04.py (SCOPE.md F4, L1906-1919): read username, drop connections.

Python 3 port on netframe.  Adaptation: the port (1079 in the tutorial) and
the listening interface come from FINGER_PORT and FINGER_INTERFACE.
"""

import os

from netframe.core import protocol, reactor
from netframe.core.protocols import basic

PORT = int(os.environ.get("FINGER_PORT", "1079"))
INTERFACE = os.environ.get("FINGER_INTERFACE", "")


class FingerProtocol(basic.LineReceiver):
    def lineReceived(self, user):
        self.transport.loseConnection()


class FingerFactory(protocol.ServerFactory):
    protocol = FingerProtocol


reactor.listenTCP(PORT, FingerFactory(), interface=INTERFACE)
reactor.run()
