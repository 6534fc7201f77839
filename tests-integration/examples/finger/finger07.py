"""
finger07.py (SCOPE.md F7, L1980-2002): read username, output from non-empty
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

    def __init__(self, **kwargs):
        self.users = kwargs

    def getUser(self, user):
        return self.users.get(user, "No such user")


reactor.listenTCP(PORT, FingerFactory(moshez="Happy and well"), interface=INTERFACE)
reactor.run()
