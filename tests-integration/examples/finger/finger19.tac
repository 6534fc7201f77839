# finger19.tac (SCOPE.md F19, L2901-3172): do everything properly, and
# componentize.
#
# Python 3 port on netframe: netframe import names (twisted.python.components
# is netframe.core.components); @implementer replaces implements(); the
# protocols decode received lines and encode answers (bytes on the
# transport, text in the services); open() replaces file(); getUsers returns
# a list instead of a dict view.
# Out of scope and removed: the IRC bot (IRCReplyBot, IIRCClientFactory,
# IRCClientFactoryFromService, the TCPClient to irc.freenode.org) and the web
# and XML-RPC resources (UserStatusTree, UserStatus, UserStatusXR, the Site on
# port 8000): netframe has no web or words.
# Adaptations: the finger port (79) comes from FINGER_PORT, the listening
# interface from FINGER_INTERFACE, the users file (/etc/users) from
# FINGER_USERS and the application's uid/gid (1/1) from FINGER_UID/FINGER_GID.
import os

from zope.interface import Interface, implementer

from netframe.app import internet, service
from netframe.core import components, defer, protocol, reactor
from netframe.core.protocols import basic

PORT = int(os.environ.get("FINGER_PORT", "79"))
INTERFACE = os.environ.get("FINGER_INTERFACE", "")
USERS = os.environ.get("FINGER_USERS", "/etc/users")
UID = int(os.environ.get("FINGER_UID", "1"))
GID = int(os.environ.get("FINGER_GID", "1"))


class IFingerService(Interface):
    def getUser(user):
        """
        Return a deferred returning a string.
        """

    def getUsers():
        """
        Return a deferred returning a list of strings.
        """


class IFingerSetterService(Interface):
    def setUser(user, status):
        """
        Set the user's status to something.
        """


def catchError(err):
    return "Internal error in server"


class FingerProtocol(basic.LineReceiver):
    def lineReceived(self, user):
        d = self.factory.getUser(user.decode())
        d.addErrback(catchError)

        def writeValue(value):
            self.transport.write((value + "\r\n").encode())
            self.transport.loseConnection()

        d.addCallback(writeValue)


class IFingerFactory(Interface):
    def getUser(user):
        """
        Return a deferred returning a string.
        """

    def buildProtocol(addr):
        """
        Return a protocol returning a string.
        """


@implementer(IFingerFactory)
class FingerFactoryFromService(protocol.ServerFactory):
    protocol = FingerProtocol

    def __init__(self, service):
        self.service = service

    def getUser(self, user):
        return self.service.getUser(user)


components.registerAdapter(FingerFactoryFromService, IFingerService, IFingerFactory)


class FingerSetterProtocol(basic.LineReceiver):
    def connectionMade(self):
        self.lines = []

    def lineReceived(self, line):
        self.lines.append(line.decode())

    def connectionLost(self, reason):
        if len(self.lines) == 2:
            self.factory.setUser(*self.lines)


class IFingerSetterFactory(Interface):
    def setUser(user, status):
        """
        Return a deferred returning a string.
        """

    def buildProtocol(addr):
        """
        Return a protocol returning a string.
        """


@implementer(IFingerSetterFactory)
class FingerSetterFactoryFromService(protocol.ServerFactory):
    protocol = FingerSetterProtocol

    def __init__(self, service):
        self.service = service

    def setUser(self, user, status):
        self.service.setUser(user, status)


components.registerAdapter(
    FingerSetterFactoryFromService, IFingerSetterService, IFingerSetterFactory
)


@implementer(IFingerService)
class FingerService(service.Service):
    def __init__(self, filename):
        self.filename = filename
        self.users = {}

    def _read(self):
        self.users.clear()
        with open(self.filename) as f:
            for line in f:
                user, status = line.split(":", 1)
                user = user.strip()
                status = status.strip()
                self.users[user] = status
        self.call = reactor.callLater(30, self._read)

    def getUser(self, user):
        return defer.succeed(self.users.get(user, "No such user"))

    def getUsers(self):
        return defer.succeed(list(self.users.keys()))

    def startService(self):
        self._read()
        service.Service.startService(self)

    def stopService(self):
        service.Service.stopService(self)
        self.call.cancel()


application = service.Application("finger", uid=UID, gid=GID)
f = FingerService(USERS)
serviceCollection = service.IServiceCollection(application)
f.setServiceParent(serviceCollection)
internet.TCPServer(PORT, IFingerFactory(f), interface=INTERFACE).setServiceParent(serviceCollection)
