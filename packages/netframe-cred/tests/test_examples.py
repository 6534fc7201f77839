"""
The cred examples of the reference documents as tests: CR1 (a POP3-like
USER/PASS/DELE line protocol, L8958-9022) and CR2 (SimpleRealm deployed with
an in-memory checker, L9027-9063, with a line protocol standing in for PB).
CR3 (a checker-factory drop-in plugin) is in test_strcred.py.
"""

from __future__ import annotations

from typing import Any

from zope.interface import Interface, implementer
from zope.interface.verify import verifyObject

from netframe.core.defer import maybeDeferred
from netframe.core.failure import Failure
from netframe.core.protocols import basic
from netframe.core.testing import StringTransport
from netframe.cred import credentials, error
from netframe.cred.checkers import InMemoryUsernamePasswordDatabaseDontUse
from netframe.cred.portal import IRealm, Portal


class IMailbox(Interface):
    """Interface specification for a mailbox."""

    def deleteMessage(index: int) -> None:
        """Delete message number index."""


@implementer(IMailbox)
class Mailbox:
    """A mailbox remembering deletions."""

    def __init__(self) -> None:
        self.deleted: list[int] = []

    def deleteMessage(self, index: int) -> None:
        """Record the deletion."""
        self.deleted.append(index)


@implementer(IRealm)
class MailRealm:
    """A realm of mailboxes."""

    def __init__(self) -> None:
        self.boxes: dict[object, Mailbox] = {}
        self.loggedOut: list[object] = []

    def requestAvatar(self, avatarId: object, mind: object, *interfaces: Any) -> object:
        """Return the user's mailbox."""
        if IMailbox not in interfaces:
            raise NotImplementedError("no interface")
        box = self.boxes.setdefault(avatarId, Mailbox())
        return IMailbox, box, lambda: self.loggedOut.append(avatarId)


class POP3(basic.LineReceiver):
    """The sketch of L8968-9022, completed with +OK/-ERR responses."""

    delimiter = b"\r\n"

    def __init__(self, portal: Portal | None) -> None:
        self.portal = portal
        self._userIs: bytes | None = None
        self.mbox: Any = None
        self._onLogout: Any = None

    def successResponse(self, text: str = "") -> None:
        self.sendLine(b"+OK " + text.encode())

    def failResponse(self, text: str = "") -> None:
        self.sendLine(b"-ERR " + text.encode())

    def lineReceived(self, line: bytes) -> None:
        command, _, argument = line.partition(b" ")
        getattr(self, "do_" + command.decode("ascii", "replace").upper())(argument)

    def do_DELE(self, i: bytes) -> None:
        if self.mbox is None:
            self.failResponse("Not logged in")
            return
        self.mbox.deleteMessage(int(i) - 1)
        self.successResponse()

    def do_USER(self, user: bytes) -> None:
        self._userIs = user
        self.successResponse("USER accepted, send PASS")

    def do_PASS(self, password: bytes) -> None:
        if self._userIs is None:
            self.failResponse("USER required before PASS")
            return
        user = self._userIs
        self._userIs = None
        d = maybeDeferred(self.authenticateUserPASS, user, password)
        d.addCallbacks(self._cbMailbox, self._ebMailbox, callbackArgs=(user,))

    def authenticateUserPASS(self, user: bytes, password: bytes) -> Any:
        if self.portal is not None:
            return self.portal.login(credentials.UsernamePassword(user, password), None, IMailbox)
        raise error.UnauthorizedLogin()

    def _cbMailbox(self, ial: tuple[Any, Any, Any], user: bytes) -> None:
        interface, avatar, logout = ial
        if interface is not IMailbox:
            self.failResponse("Authentication failed")
            return
        self.mbox = avatar
        self._onLogout = logout
        self.successResponse("Authentication succeeded")

    def _ebMailbox(self, failure: Failure) -> None:
        failure.trap(error.UnauthorizedLogin)
        self.failResponse(str(failure.value))

    def connectionLost(self, reason: Failure | None = None) -> None:
        if self._onLogout is not None:
            self._onLogout()
            self._onLogout = None


def pop3(portal: Portal | None) -> tuple[POP3, StringTransport]:
    """A connected POP3 server protocol and its transport."""
    protocol = POP3(portal)
    transport = StringTransport()
    protocol.makeConnection(transport)
    return protocol, transport


def mailPortal(realm: MailRealm) -> Portal:
    """A portal over the realm with bob/secret in memory."""
    return Portal(realm, [InMemoryUsernamePasswordDatabaseDontUse(bob="secret")])


class CR1Tests:
    """CR1: a POP3-like protocol logs in through a portal."""

    def test_loginThenDelete(self) -> None:
        """USER/PASS logs in; DELE then acts on the user's mailbox."""
        realm = MailRealm()
        protocol, transport = pop3(mailPortal(realm))
        protocol.dataReceived(b"USER bob\r\nPASS secret\r\nDELE 3\r\n")
        assert transport.value() == (
            b"+OK USER accepted, send PASS\r\n+OK Authentication succeeded\r\n+OK \r\n"
        )
        assert realm.boxes[b"bob"].deleted == [2]

    def test_wrongPassword(self) -> None:
        """A wrong password is refused with the generic message; DELE stays refused."""
        protocol, transport = pop3(mailPortal(MailRealm()))
        protocol.dataReceived(b"USER bob\r\nPASS nope\r\nDELE 1\r\n")
        lines = transport.value().split(b"\r\n")
        assert lines[1] == b"-ERR " + error.UNAUTHORIZED_MESSAGE.encode()
        assert lines[2] == b"-ERR Not logged in"

    def test_unknownUserSameAnswer(self) -> None:
        """An unknown user gets exactly the answer of a wrong password."""
        answers = []
        for user in (b"bob", b"eve"):
            protocol, transport = pop3(mailPortal(MailRealm()))
            protocol.dataReceived(b"USER " + user + b"\r\nPASS nope\r\n")
            answers.append(transport.value())
        assert answers[0] == answers[1]

    def test_passBeforeUser(self) -> None:
        """PASS without USER is refused."""
        protocol, transport = pop3(mailPortal(MailRealm()))
        protocol.dataReceived(b"PASS secret\r\n")
        assert transport.value() == b"-ERR USER required before PASS\r\n"

    def test_noPortal(self) -> None:
        """Without a portal every login is unauthorized."""
        protocol, transport = pop3(None)
        protocol.dataReceived(b"USER bob\r\nPASS secret\r\n")
        assert transport.value().endswith(b"-ERR \r\n")

    def test_logoutOnDisconnect(self) -> None:
        """Losing the connection calls the avatar's logout once."""
        realm = MailRealm()
        protocol, _ = pop3(mailPortal(realm))
        protocol.dataReceived(b"USER bob\r\nPASS secret\r\n")
        protocol.connectionLost(None)
        protocol.connectionLost(None)
        assert realm.loggedOut == [b"bob"]

    def test_mailboxProvides(self) -> None:
        """verifyObject(IMailbox, Mailbox()) and verifyObject(IRealm, MailRealm()) hold."""
        assert verifyObject(IMailbox, Mailbox())
        assert verifyObject(IRealm, MailRealm())


class IPerspective(Interface):
    """Stands in for pb.IPerspective."""

    def perspective_echo(text: str) -> str:
        """Echo text."""


@implementer(IPerspective)
class SimplePerspective:
    """L9033-9040, printing into a list."""

    def __init__(self, printed: list[str]) -> None:
        self.printed = printed

    def perspective_echo(self, text: str) -> str:
        self.printed.append(f"echoing {text}")
        return text

    def logout(self) -> None:
        self.printed.append("logged out")


@implementer(IRealm)
class SimpleRealm:
    """L9043-9048."""

    def __init__(self) -> None:
        self.printed: list[str] = []

    def requestAvatar(self, avatarId: object, mind: object, *interfaces: Any) -> object:
        if IPerspective in interfaces:
            avatar = SimplePerspective(self.printed)
            return IPerspective, avatar, avatar.logout
        raise NotImplementedError("no interface")


class EchoLine(basic.LineReceiver):
    """LOGIN user password, then ECHO text: a line protocol standing in for PB."""

    delimiter = b"\n"

    def __init__(self, portal: Portal) -> None:
        self.portal = portal
        self.avatar: Any = None
        self.logout: Any = None

    def lineReceived(self, line: bytes) -> None:
        command, _, rest = line.partition(b" ")
        if command == b"LOGIN":
            user, _, password = rest.partition(b" ")
            d = self.portal.login(credentials.UsernamePassword(user, password), None, IPerspective)
            d.addCallbacks(self._loggedIn, self._refused)
        elif command == b"ECHO" and self.avatar is not None:
            self.sendLine(self.avatar.perspective_echo(rest.decode()).encode())
        else:
            self.sendLine(b"ERROR")

    def _loggedIn(self, result: tuple[Any, Any, Any]) -> None:
        _, self.avatar, self.logout = result
        self.sendLine(b"OK")

    def _refused(self, failure: Failure) -> None:
        failure.trap(error.UnauthorizedLogin)
        self.sendLine(b"DENIED")

    def connectionLost(self, reason: Failure | None = None) -> None:
        if self.logout is not None:
            self.logout()


class CR2Tests:
    """CR2: SimpleRealm with InMemoryUsernamePasswordDatabaseDontUse and registerChecker."""

    def deploy(self) -> tuple[SimpleRealm, EchoLine, StringTransport]:
        """L9053-9060 with the line protocol in place of PBServerFactory."""
        realm = SimpleRealm()
        portal = Portal(realm)
        checker = InMemoryUsernamePasswordDatabaseDontUse()
        checker.addUser("guest", "password")
        portal.registerChecker(checker)
        protocol = EchoLine(portal)
        transport = StringTransport()
        protocol.makeConnection(transport)
        return realm, protocol, transport

    def test_loginEchoLogout(self) -> None:
        """guest/password logs in, echo returns x and prints 'echoing x', logout on disconnect."""
        realm, protocol, transport = self.deploy()
        protocol.dataReceived(b"LOGIN guest password\nECHO x\n")
        assert transport.value() == b"OK\nx\n"
        assert realm.printed == ["echoing x"]
        protocol.connectionLost(None)
        assert realm.printed == ["echoing x", "logged out"]

    def test_badPassword(self) -> None:
        """A wrong password is denied and echo is refused."""
        realm, protocol, transport = self.deploy()
        protocol.dataReceived(b"LOGIN guest nope\nECHO x\n")
        assert transport.value() == b"DENIED\nERROR\n"
        assert realm.printed == []

    def test_realmProvides(self) -> None:
        """verifyObject holds for SimpleRealm and SimplePerspective."""
        assert verifyObject(IRealm, SimpleRealm())
        assert verifyObject(IPerspective, SimplePerspective([]))
