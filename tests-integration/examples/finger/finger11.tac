# finger11.tac (SCOPE.md F11, L2141-2176): use Application, run with
# netframe-twistd -ny finger11.tac (or -y to daemonize).
#
# Python 3 port on netframe: the protocol decodes the received line and
# encodes the answer (bytes on the transport, text in the service).
# Adaptations: the finger port (79 in the tutorial) comes from FINGER_PORT and
# the listening interface from FINGER_INTERFACE; the application's uid/gid
# (1/1) from FINGER_UID/FINGER_GID, so the file also runs without root.
import os

from netframe.app import internet, service
from netframe.core import defer, protocol
from netframe.core.protocols import basic

PORT = int(os.environ.get("FINGER_PORT", "79"))
INTERFACE = os.environ.get("FINGER_INTERFACE", "")
UID = int(os.environ.get("FINGER_UID", "1"))
GID = int(os.environ.get("FINGER_GID", "1"))


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


application = service.Application("finger", uid=UID, gid=GID)
factory = FingerFactory(moshez="Happy and well")
internet.TCPServer(PORT, factory, interface=INTERFACE).setServiceParent(
    service.IServiceCollection(application)
)
