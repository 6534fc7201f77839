"""
The interim main job of `python3 tools/dev.py serve`: netframe's most complete service
until the finger showcase lands (issue 12).

Run it with ``netframe-twistd -n --pidfile= -y examples/demo/demo.tac``. It serves, on
loopback by default:

- a chat room (the reference manual's chat example, SCOPE C7) on tcp port 8123:
  ``nc 127.0.0.1 8123`` asks "What's your name?", then relays lines to everyone else;
- an AMP calculator on tcp port 8124 (``Sum`` of two integers), for AMP clients;
- echo (port 8125) and quote of the day (port 8126) from netframe.core.protocols.wire.

Each listening address is a server endpoint string and can be replaced through an
environment variable (NETFRAME_DEMO_CHAT, NETFRAME_DEMO_AMP, NETFRAME_DEMO_ECHO,
NETFRAME_DEMO_QOTD), e.g. ``NETFRAME_DEMO_CHAT=tcp:port=0:interface=127.0.0.1``.
"""

import os

from netframe.app import service, strports
from netframe.core.protocol import Factory
from netframe.core.protocols import amp, wire
from netframe.core.protocols.basic import LineReceiver


class Chat(LineReceiver):
    """One chat participant: asks for a unique name, then relays each line."""

    def __init__(self, users: dict[bytes, "Chat"]) -> None:
        self.users = users
        self.name: bytes | None = None

    def connectionMade(self) -> None:
        self.sendLine(b"What's your name?")

    def connectionLost(self, reason: object = None) -> None:
        if self.name is not None and self.users.get(self.name) is self:
            del self.users[self.name]

    def lineReceived(self, line: bytes) -> None:
        if self.name is None:
            self._chooseName(line)
        else:
            self._relay(line)

    def _chooseName(self, name: bytes) -> None:
        if not name or name in self.users:
            self.sendLine(b"Name taken, please choose another.")
            return
        self.name = name
        self.users[name] = self
        self.sendLine(b"Welcome, " + name + b"!")

    def _relay(self, message: bytes) -> None:
        assert self.name is not None
        text = b"<" + self.name + b"> " + message
        for other in list(self.users.values()):
            if other is not self:
                other.sendLine(text)


class ChatFactory(Factory):
    """Shares one table of participants between the chat connections."""

    def __init__(self) -> None:
        self.users: dict[bytes, Chat] = {}

    def buildProtocol(self, addr: object) -> Chat:
        protocol = Chat(self.users)
        protocol.factory = self
        return protocol


class Sum(amp.Command):
    """Add two integers."""

    arguments = [(b"a", amp.Integer()), (b"b", amp.Integer())]
    response = [(b"total", amp.Integer())]


class Calculator(amp.AMP):
    """Answers L{Sum}."""

    @Sum.responder
    def sum(self, a: int, b: int) -> dict[str, int]:
        return {"total": a + b}


def _endpoint(variable: str, port: int) -> str:
    return os.environ.get(variable, f"tcp:port={port}:interface=127.0.0.1")


application = service.Application("netframe-demo")
for description, factory in [
    (_endpoint("NETFRAME_DEMO_CHAT", 8123), ChatFactory()),
    (_endpoint("NETFRAME_DEMO_AMP", 8124), Factory.forProtocol(Calculator)),
    (_endpoint("NETFRAME_DEMO_ECHO", 8125), Factory.forProtocol(wire.Echo)),
    (_endpoint("NETFRAME_DEMO_QOTD", 8126), Factory.forProtocol(wire.QOTD)),
]:
    strports.service(description, factory).setServiceParent(application)
