# finger12.tac (SCOPE.md F12, L2198-2254): setting message by local users.
#
# Python 3 port on netframe: the protocols decode the received lines and
# encode the answer (bytes on the transport, text in the factories).
# Adaptations: the finger port (79) comes from FINGER_PORT, the setter port
# (1079) from FINGER_SETTER_PORT, the listening interface from
# FINGER_INTERFACE; the application's uid/gid (1/1) from FINGER_UID/FINGER_GID.
import os

from netframe.app import internet, service
from netframe.core import defer, protocol
from netframe.core.protocols import basic

PORT = int(os.environ.get("FINGER_PORT", "79"))
SETTER_PORT = int(os.environ.get("FINGER_SETTER_PORT", "1079"))
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


class FingerSetterProtocol(basic.LineReceiver):
    def connectionMade(self):
        self.lines = []

    def lineReceived(self, line):
        self.lines.append(line.decode())

    def connectionLost(self, reason):
        user = self.lines[0]
        status = self.lines[1]
        self.factory.setUser(user, status)


class FingerSetterFactory(protocol.ServerFactory):
    protocol = FingerSetterProtocol

    def __init__(self, fingerFactory):
        self.fingerFactory = fingerFactory

    def setUser(self, user, status):
        self.fingerFactory.users[user] = status


ff = FingerFactory(moshez="Happy and well")
fsf = FingerSetterFactory(ff)

application = service.Application("finger", uid=UID, gid=GID)
serviceCollection = service.IServiceCollection(application)
internet.TCPServer(PORT, ff, interface=INTERFACE).setServiceParent(serviceCollection)
internet.TCPServer(SETTER_PORT, fsf, interface=INTERFACE).setServiceParent(serviceCollection)
