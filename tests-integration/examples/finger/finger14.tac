# finger14.tac (SCOPE.md F14, L2342-2399): read status file.
#
# Python 3 port on netframe: the protocol decodes the received line and
# encodes the answer (bytes on the transport, text in the service); open()
# replaces Python 2's file().
# Adaptations: the finger port (79) comes from FINGER_PORT, the listening
# interface from FINGER_INTERFACE, the users file (/etc/users) from
# FINGER_USERS, the re-read interval (30 s) from FINGER_REFRESH, and the
# application's uid/gid (1/1) from FINGER_UID/FINGER_GID.
import os

from netframe.app import internet, service
from netframe.core import defer, protocol, reactor
from netframe.core.protocols import basic

PORT = int(os.environ.get("FINGER_PORT", "79"))
INTERFACE = os.environ.get("FINGER_INTERFACE", "")
USERS = os.environ.get("FINGER_USERS", "/etc/users")
REFRESH = float(os.environ.get("FINGER_REFRESH", "30"))
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


class FingerService(service.Service):
    def __init__(self, filename):
        self.users = {}
        self.filename = filename

    def _read(self):
        with open(self.filename) as f:
            for line in f:
                user, status = line.split(":", 1)
                user = user.strip()
                status = status.strip()
                self.users[user] = status
        self.call = reactor.callLater(REFRESH, self._read)

    def startService(self):
        self._read()
        service.Service.startService(self)

    def stopService(self):
        service.Service.stopService(self)
        self.call.cancel()

    def getUser(self, user):
        return defer.succeed(self.users.get(user, "No such user"))

    def getFingerFactory(self):
        f = protocol.ServerFactory()
        f.protocol = FingerProtocol
        f.getUser = self.getUser
        return f


application = service.Application("finger", uid=UID, gid=GID)
f = FingerService(USERS)
finger = internet.TCPServer(PORT, f.getFingerFactory(), interface=INTERFACE)

finger.setServiceParent(service.IServiceCollection(application))
f.setServiceParent(service.IServiceCollection(application))
