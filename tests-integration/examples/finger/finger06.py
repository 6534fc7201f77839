"""
finger06.py (SCOPE.md F6, L1955-1974): read username, output from empty
factory, drop connections.

Python 3 port on netframe: the protocol decodes the received line and
encodes the answer (bytes on the transport, text in the factory).
Adaptation: the port (1079 in the tutorial) and the listening interface come
from FINGER_PORT and FINGER_INTERFACE.
"""

import os

from netframe.core import protocol, reactor
from netframe.core.protocols import basic

PORT = int(os.environ.get("FINGER_PORT", "1079"))
INTERFACE = os.environ.get("FINGER_INTERFACE", "")


class FingerProtocol(basic.LineReceiver):
    def lineReceived(self, user):
        self.transport.write((self.factory.getUser(user.decode()) + "\r\n").encode())
        self.transport.loseConnection()


class FingerFactory(protocol.ServerFactory):
    protocol = FingerProtocol

    def getUser(self, user):
        return "No such user"


reactor.listenTCP(PORT, FingerFactory(), interface=INTERFACE)
reactor.run()
