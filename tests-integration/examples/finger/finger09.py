"""
finger09.py (SCOPE.md F9, L2049-2076): run 'finger' locally.

Python 3 port on netframe: the answer is the program's output (bytes), so
the error message is bytes too.  Adaptations: the port (1079 in the
tutorial) and the listening interface come from FINGER_PORT and
FINGER_INTERFACE, and the program run (C{finger}, which few machines have)
from FINGER_COMMAND, so a test can substitute a script.
"""

import os

from netframe.core import protocol, reactor, utils
from netframe.core.protocols import basic

PORT = int(os.environ.get("FINGER_PORT", "1079"))
INTERFACE = os.environ.get("FINGER_INTERFACE", "")
COMMAND = os.environ.get("FINGER_COMMAND", "finger")


class FingerProtocol(basic.LineReceiver):
    def lineReceived(self, user):
        d = self.factory.getUser(user)

        def onError(err):
            return b"Internal error in server"

        d.addErrback(onError)

        def writeResponse(message):
            self.transport.write(message + b"\r\n")
            self.transport.loseConnection()

        d.addCallback(writeResponse)


class FingerFactory(protocol.ServerFactory):
    protocol = FingerProtocol

    def getUser(self, user):
        return utils.getProcessOutput(COMMAND, [user])


reactor.listenTCP(PORT, FingerFactory(), interface=INTERFACE)
reactor.run()
