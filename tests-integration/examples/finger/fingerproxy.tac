# fingerproxy.tac (SCOPE.md F23, L5149-5260): finger proxy.
#
# Python 3 port on netframe: netframe import names; @implementer replaces
# implements(); the server protocol decodes the received line and encodes
# the answer, the client encodes the user and decodes what the remote server
# sent (bytes on transports, text in the service); the bare except around
# the user@host split catches the ValueError it is there for.
# Adaptations: the proxy port (7779) comes from FINGER_PROXY_PORT, the
# remote finger port (79) from FINGER_REMOTE_PORT, the listening interface
# from FINGER_INTERFACE and the application's uid/gid (1/1) from
# FINGER_UID/FINGER_GID.
import os

from zope.interface import Interface, implementer

from netframe.app import internet, service
from netframe.core import components, defer, protocol, reactor
from netframe.core.protocols import basic

PROXY_PORT = int(os.environ.get("FINGER_PROXY_PORT", "7779"))
REMOTE_PORT = int(os.environ.get("FINGER_REMOTE_PORT", "79"))
INTERFACE = os.environ.get("FINGER_INTERFACE", "")
UID = int(os.environ.get("FINGER_UID", "1"))
GID = int(os.environ.get("FINGER_GID", "1"))


def catchError(err):
    return "Internal error in server"


class IFingerService(Interface):
    def getUser(user):
        """Return a deferred returning a string"""

    def getUsers():
        """Return a deferred returning a list of strings"""


class IFingerFactory(Interface):
    def getUser(user):
        """Return a deferred returning a string"""

    def buildProtocol(addr):
        """Return a protocol returning a string"""


class FingerProtocol(basic.LineReceiver):
    def lineReceived(self, user):
        d = self.factory.getUser(user.decode())
        d.addErrback(catchError)

        def writeValue(value):
            self.transport.write(value.encode())
            self.transport.loseConnection()

        d.addCallback(writeValue)


@implementer(IFingerFactory)
class FingerFactoryFromService(protocol.ClientFactory):
    protocol = FingerProtocol

    def __init__(self, service):
        self.service = service

    def getUser(self, user):
        return self.service.getUser(user)


components.registerAdapter(FingerFactoryFromService, IFingerService, IFingerFactory)


class FingerClient(protocol.Protocol):
    def connectionMade(self):
        self.transport.write((self.factory.user + "\r\n").encode())
        self.buf = []

    def dataReceived(self, data):
        self.buf.append(data)

    def connectionLost(self, reason):
        self.factory.gotData(b"".join(self.buf).decode())


class FingerClientFactory(protocol.ClientFactory):
    protocol = FingerClient

    def __init__(self, user):
        self.user = user
        self.d = defer.Deferred()

    def clientConnectionFailed(self, _, reason):
        self.d.errback(reason)

    def gotData(self, data):
        self.d.callback(data)


def finger(user, host, port=REMOTE_PORT):
    f = FingerClientFactory(user)
    reactor.connectTCP(host, port, f)
    return f.d


@implementer(IFingerService)
class ProxyFingerService(service.Service):
    def getUser(self, user):
        try:
            user, host = user.split("@", 1)
        except ValueError:
            user = user.strip()
            host = "127.0.0.1"
        ret = finger(user, host)
        ret.addErrback(lambda _: "Could not connect to remote host")
        return ret

    def getUsers(self):
        return defer.succeed([])


application = service.Application("finger", uid=UID, gid=GID)
f = ProxyFingerService()
internet.TCPServer(PROXY_PORT, IFingerFactory(f), interface=INTERFACE).setServiceParent(
    service.IServiceCollection(application)
)
