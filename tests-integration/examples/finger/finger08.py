"""
finger08.py (SCOPE.md F8, L2008-2039): use Deferreds.

Python 3 port on netframe: the protocol decodes the received line and
encodes the answer (bytes on the transport, text in the factory).
Adaptation: the port (1079 in the tutorial) and the listening interface come
from FINGER_PORT and FINGER_INTERFACE.
"""

import os

from netframe.core import defer, protocol, reactor
from netframe.core.protocols import basic

PORT = int(os.environ.get("FINGER_PORT", "1079"))
INTERFACE = os.environ.get("FINGER_INTERFACE", "")


class FingerProtocol(basic.LineReceiver):
    def lineReceived(self, user):
        d = self.factory.getUser(user.decode())

        def onError(err):
            return "Internal error in server"

        d.addErrback(onError)

        def writeResponse(message):
            self.transport.write((message + "\r\n").encode())
            self.transport.loseConnection()

        d.addCallback(writeResponse)


class FingerFactory(protocol.ServerFactory):
    protocol = FingerProtocol

    def __init__(self, **kwargs):
        self.users = kwargs

    def getUser(self, user):
        return defer.succeed(self.users.get(user, "No such user"))


reactor.listenTCP(PORT, FingerFactory(moshez="Happy and well"), interface=INTERFACE)
reactor.run()
