# finger.py module (SCOPE.md F24/F25, L5412-5780): the tutorial's finger
# module, used by organized-finger.tac, simple-finger.tac and the finger
# plugin (tap.py).
#
# Python 3 port on netframe: netframe import names; @implementer replaces
# implements(); the protocols decode received lines and encode answers
# (bytes on transports, text in the services); open() replaces file();
# getUsers returns a list (a dict view cannot be sent over PB).
# Adaptations:
# - the package is named fingertutorial, not finger: the showcase
#   distribution installed beside these examples owns the name finger;
# - out of scope and removed: the IRC bot (IRCReplyBot, IIRCClientFactory),
#   the web and XML-RPC resources (UserStatusTree, UserStatus, UserStatusXR)
#   and the SSL context factory (pyOpenSSL); makeService ignores the
#   'templates', 'ircnick', 'ircserver' and 'ssl' options;
# - the finger port (1079) comes from FINGER_PORT, the listening interface
#   from FINGER_INTERFACE, the status file re-read interval (30 s) from
#   FINGER_REFRESH.
# Fix: makeService never attaches the FingerService to the MultiService, so
# its startService (which reads the users file) never runs and every query
# fails; it is attached (f.setServiceParent(s)).
import os

from zope.interface import Interface, implementer

from netframe.app import internet, service
from netframe.core import components, defer, protocol, reactor
from netframe.core.protocols import basic
from netframe.spread import pb

PORT = int(os.environ.get("FINGER_PORT", "1079"))
INTERFACE = os.environ.get("FINGER_INTERFACE", "")
REFRESH = float(os.environ.get("FINGER_REFRESH", "30"))


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
            self.transport.write((value + "\n").encode())
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


class IPerspectiveFinger(Interface):
    def remote_getUser(username):
        """
        Return a user's status.
        """

    def remote_getUsers():
        """
        Return a user's status.
        """


@implementer(IPerspectiveFinger)
class PerspectiveFingerFromService(pb.Root):
    def __init__(self, service):
        self.service = service

    def remote_getUser(self, username):
        return self.service.getUser(username)

    def remote_getUsers(self):
        return self.service.getUsers()


components.registerAdapter(PerspectiveFingerFromService, IFingerService, IPerspectiveFinger)


@implementer(IFingerService)
class FingerService(service.Service):
    def __init__(self, filename):
        self.filename = filename

    def _read(self):
        self.users = {}
        with open(self.filename) as f:
            for line in f:
                user, status = line.split(":", 1)
                user = user.strip()
                status = status.strip()
                self.users[user] = status
        self.call = reactor.callLater(REFRESH, self._read)

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


# Easy configuration


def makeService(config):
    # finger on port 79
    s = service.MultiService()
    f = FingerService(config["file"])
    f.setServiceParent(s)
    h = internet.TCPServer(PORT, IFingerFactory(f), interface=INTERFACE)
    h.setServiceParent(s)

    # (website on port 8000, ssl on port 443 and the irc fingerbot: out of scope)

    # Pespective Broker on port 8889
    if "pbport" in config:
        m = internet.TCPServer(
            int(config["pbport"]),
            pb.PBServerFactory(IPerspectiveFinger(f)),
            interface=INTERFACE,
        )
        m.setServiceParent(s)

    return s
