"""
Tests for AMP over in-memory connections: the howto examples (A1-A3),
commands, errors both ways, fatal errors, unhandled commands, requests
without answers, connection loss, hostile boxes, limits, StartTLS and
Descriptor over fake transports.
"""

from __future__ import annotations

import os
import sys
import types
from pathlib import Path as FsPath
from typing import Any, Optional

import pytest
from zope.interface import implementer
from zope.interface.verify import verifyObject

from netframe.core import error
from netframe.core.defer import Deferred, succeed
from netframe.core.failure import Failure
from netframe.core.interfaces import IProtocol
from netframe.core.protocol import Factory
from netframe.core.protocols import amp
from netframe.core.testing import FakeTransport, StringTransport, connect, connectedServerAndClient
from netframe.logger import LogLevel, capturedLogs

# -- the howto's commands and locators ---------------------------------------------------------


class UsernameUnavailable(Exception):
    """The howto's declared error."""


class RegisterUser(amp.Command):
    """The howto's command (text names and code, as written there)."""

    arguments = [("username", amp.Unicode()), ("publickey", amp.String())]
    response = [("uid", amp.Integer())]
    errors = {UsernameUnavailable: "username-unavailable"}


class UserRegistration(amp.CommandLocator):
    """The howto's locator: one file per user in the current directory."""

    uidCounter = 0

    @RegisterUser.responder
    def register(self, username: str, publickey: bytes) -> int:
        path = FsPath(username)
        if path.exists():
            raise UsernameUnavailable()
        self.uidCounter += 1
        path.write_bytes(b"%d %s\n" % (self.uidCounter, publickey))
        return self.uidCounter


@implementer(amp.IBoxReceiver)
class BoxReflector:
    """The howto's box receiver: sends every box back."""

    boxSender: Any = None

    def startReceivingBoxes(self, boxSender: Any) -> None:
        self.boxSender = boxSender

    def ampBoxReceived(self, box: amp.AmpBox) -> None:
        self.boxSender.sendBox(box)

    def stopReceivingBoxes(self, reason: Failure) -> None:
        self.boxSender = None


@implementer(amp.IBoxReceiver)
class BoxRecorder:
    """Records what a BinaryBoxProtocol delivers."""

    def __init__(self) -> None:
        self.boxes: list[amp.AmpBox] = []
        self.sender: Any = None
        self.reason: Optional[Failure] = None

    def startReceivingBoxes(self, boxSender: Any) -> None:
        self.sender = boxSender

    def ampBoxReceived(self, box: amp.AmpBox) -> None:
        self.boxes.append(box)

    def stopReceivingBoxes(self, reason: Failure) -> None:
        self.reason = reason


# -- commands used by the tests ------------------------------------------------------------------


class Oops(Exception):
    """A declared error."""


class Doom(Exception):
    """A declared fatal error."""


class Sum(amp.Command):
    arguments = [(b"a", amp.Integer()), (b"b", amp.Integer())]
    response = [(b"total", amp.Integer())]


class Echo(amp.Command):
    arguments = [
        (b"i", amp.Integer()),
        (b"s", amp.String()),
        (b"u", amp.Unicode()),
        (b"f", amp.Float()),
        (b"flag", amp.Boolean()),
        (b"items", amp.ListOf(amp.Unicode())),
        (b"rows", amp.AmpList([(b"x", amp.Integer()), (b"y", amp.Unicode())])),
        (b"maybe", amp.Integer(optional=True)),
    ]
    response = arguments


class Fail(amp.Command):
    arguments = [(b"kind", amp.Unicode())]
    response = [(b"ok", amp.Boolean())]
    errors = {Oops: b"OOPS"}
    fatalErrors = {Doom: b"DOOM"}


class Notify(amp.Command):
    arguments = [(b"what", amp.Unicode())]
    requiresAnswer = False


class Later(amp.Command):
    arguments = [(b"x", amp.Integer())]
    response = [(b"x", amp.Integer())]


class Coro(amp.Command):
    arguments = [(b"x", amp.Integer())]
    response = [(b"y", amp.Integer())]


class Bad(amp.Command):
    response = [(b"n", amp.Integer())]


class Unknown(amp.Command):
    """Nobody responds to this one."""


class Renamed(amp.Command):
    commandName = "other-name"  # type: ignore[assignment]  # text is accepted too
    response = [(b"name", amp.String())]


class Peer(amp.AMP):
    """An AMP with responders for the test commands."""

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.notified: list[str] = []
        self.later: Optional[Deferred[dict[str, Any]]] = None

    @Sum.responder
    def sum(self, a: int, b: int) -> dict[str, int]:
        return {"total": a + b}

    @Echo.responder
    def echo(self, **kw: Any) -> dict[str, Any]:
        return kw

    @Fail.responder
    def fail(self, kind: str) -> dict[str, bool]:
        if kind == "oops":
            raise Oops("declared")
        if kind == "doom":
            raise Doom("fatal")
        if kind == "remote":
            raise amp.RemoteAmpError(b"CUSTOM", "custom code")
        raise ZeroDivisionError("undeclared")

    @Notify.responder
    def notify(self, what: str) -> None:
        self.notified.append(what)
        if what == "raise":
            raise ValueError("no answer wanted")

    @Later.responder
    def laterResponder(self, x: int) -> Deferred[dict[str, Any]]:
        self.later = Deferred()
        return self.later

    @Coro.responder
    async def coro(self, x: int) -> dict[str, int]:
        return {"y": await succeed(x * 2)}

    @Bad.responder
    def bad(self) -> Any:
        return {"n": "not an int"}

    @Renamed.responder
    def renamed(self) -> dict[str, bytes]:
        return {"name": b"ok"}

    def amp_RAW(self, box: amp.AmpBox) -> amp.AmpBox:
        return amp.AmpBox({b"got": box.get(b"value", b"")})

    def amp_BADUID(self, box: amp.AmpBox) -> amp.AmpBox:
        return amp.AmpBox({b"uid": b"abc"})


def pair(server: Any = Peer, client: Any = Peer) -> tuple[Any, Any, Any]:
    """Return C{(client, server, pump)} connected in memory."""
    return connectedServerAndClient(server, client)


def results(d: Optional[Deferred[Any]]) -> list[Any]:
    """Collect what C{d} fires with into a list."""
    assert d is not None
    out: list[Any] = []
    d.addBoth(out.append)
    return out


def onlyFailure(out: list[Any]) -> BaseException:
    """Return the exception of the single failure in C{out}."""
    assert len(out) == 1 and isinstance(out[0], Failure), out
    return out[0].value


# -- the howto examples ---------------------------------------------------------------------------


class HowtoExampleTests:
    """The AMP howto's examples (SCOPE.md A1-A3)."""

    def test_A1FactoryForProtocolConnects(self) -> None:
        """A1: Factory.forProtocol(AMP) builds connected AMP peers."""
        factory = Factory.forProtocol(amp.AMP)
        server = factory.buildProtocol(None)
        client = Factory.forProtocol(amp.AMP).buildProtocol(None)
        assert isinstance(server, amp.AMP) and isinstance(client, amp.AMP)
        connect(server, FakeTransport(server, True), client, FakeTransport(client, False))
        assert server.boxSender is server and client.boxSender is client

    def test_A2RegistrationResult(
        self, tmp_path: FsPath, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A2: the first registration prints its result and creates the user's file."""
        monkeypatch.chdir(tmp_path)
        client, _server, pump = pair(lambda: amp.AMP(locator=UserRegistration()), amp.AMP)
        d = client.callRemote(
            RegisterUser, username="alice", publickey=b"ssh-rsa AAAAB3NzaC1yc2 alice@actinium"
        )
        d.addCallback(lambda result: print("Registration result:", result))
        pump.flush()
        assert capsys.readouterr().out == "Registration result: {'uid': 1}\n"
        assert (tmp_path / "alice").read_bytes() == b"1 ssh-rsa AAAAB3NzaC1yc2 alice@actinium\n"

    def test_A2SecondRegistrationUnavailable(
        self, tmp_path: FsPath, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A2: registering the same name again errbacks with UsernameUnavailable."""
        monkeypatch.chdir(tmp_path)
        client, _server, pump = pair(lambda: amp.AMP(locator=UserRegistration()), amp.AMP)
        first = results(client.callRemote(RegisterUser, username="alice", publickey=b"k"))
        pump.flush()
        second = results(client.callRemote(RegisterUser, username="alice", publickey=b"k"))
        pump.flush()
        assert first == [{"uid": 1}]
        assert isinstance(onlyFailure(second), UsernameUnavailable)

    def test_A2ErrorCodeOnTheWire(self, tmp_path: FsPath, monkeypatch: pytest.MonkeyPatch) -> None:
        """A2: the declared error travels as code username-unavailable."""
        monkeypatch.chdir(tmp_path)
        (tmp_path / "bob").write_bytes(b"")
        server = amp.AMP(locator=UserRegistration())
        transport = StringTransport()
        server.makeConnection(transport)
        request = amp.AmpBox(
            {b"_command": b"RegisterUser", b"_ask": b"1", b"username": b"bob", b"publickey": b"k"}
        )
        server.dataReceived(request.serialize())
        (answer,) = amp.parseString(transport.value())
        assert answer[b"_error"] == b"1"
        assert answer[b"_error_code"] == b"username-unavailable"

    def test_A3BoxReflectorEchoes(self) -> None:
        """A3: an AMP with a BoxReflector sends every box back."""
        recorder = BoxRecorder()
        _client, _server, pump = pair(
            lambda: amp.AMP(boxReceiver=BoxReflector()), lambda: amp.BinaryBoxProtocol(recorder)
        )
        recorder.sender.sendBox(amp.AmpBox({b"username": b"alice"}))
        recorder.sender.sendBox(amp.AmpBox({b"n": b"2"}))
        pump.flush()
        assert recorder.boxes == [amp.AmpBox({b"username": b"alice"}), amp.AmpBox({b"n": b"2"})]

    def test_A3ReflectorStopped(self) -> None:
        """A3: stopReceivingBoxes is given the reason when the connection ends."""
        reflector = BoxReflector()
        client, server, pump = pair(lambda: amp.AMP(boxReceiver=reflector), amp.AMP)
        assert reflector.boxSender is server
        client.transport.loseConnection()
        pump.flush()
        assert reflector.boxSender is None


# -- interfaces ---------------------------------------------------------------------------------


class InterfaceTests:
    """The AMP classes provide their interfaces."""

    def test_binaryBoxProtocol(self) -> None:
        """BinaryBoxProtocol provides IBoxSender and IProtocol."""
        proto = amp.BinaryBoxProtocol(BoxRecorder())
        assert verifyObject(amp.IBoxSender, proto)
        assert verifyObject(IProtocol, proto)

    def test_boxDispatcher(self) -> None:
        """BoxDispatcher provides IBoxReceiver."""
        assert verifyObject(amp.IBoxReceiver, amp.BoxDispatcher(amp.CommandLocator()))

    def test_locators(self) -> None:
        """CommandLocator and SimpleStringLocator provide IResponderLocator."""
        assert verifyObject(amp.IResponderLocator, amp.CommandLocator())
        assert verifyObject(amp.IResponderLocator, amp.SimpleStringLocator())

    def test_amp(self) -> None:
        """AMP provides all of them."""
        proto = amp.AMP()
        for iface in (amp.IBoxSender, amp.IBoxReceiver, amp.IResponderLocator, IProtocol):
            assert verifyObject(iface, proto)

    def test_reflector(self) -> None:
        """The howto's BoxReflector provides IBoxReceiver."""
        assert verifyObject(amp.IBoxReceiver, BoxReflector())

    def test_publicModule(self) -> None:
        """Public names report the public module."""
        assert amp.AMP.__module__ == "netframe.core.protocols.amp"
        assert amp.IBoxSender.__module__ == "netframe.core.protocols.amp"
        assert amp.Integer.__module__ == "netframe.core.protocols.amp"


# -- Command declarations ------------------------------------------------------------------------


class CommandTests:
    """Command subclasses normalize their declarations."""

    def test_defaultCommandName(self) -> None:
        """commandName defaults to the class name as bytes."""
        assert Sum.commandName == b"Sum"

    def test_textCommandName(self) -> None:
        """A text commandName is encoded."""
        name: object = Renamed.commandName
        assert name == b"other-name"

    def test_badCommandName(self) -> None:
        """A commandName that is neither bytes nor str is refused."""
        with pytest.raises(TypeError):
            type("X", (amp.Command,), {"commandName": 3})

    def test_errorTables(self) -> None:
        """errors and fatalErrors become byte codes both ways."""
        assert RegisterUser.allErrors == {UsernameUnavailable: b"username-unavailable"}
        assert Fail.reverseErrors == {b"OOPS": Oops, b"DOOM": Doom}

    def test_makeAndParseArguments(self) -> None:
        """makeArguments/parseArguments convert both ways."""
        box = Sum.makeArguments({"a": 1, "b": 2}, None)
        assert box == {b"a": b"1", b"b": b"2"}
        assert Sum.parseArguments(box, None) == {"a": 1, "b": 2}

    def test_makeAndParseResponse(self) -> None:
        """makeResponse/parseResponse convert both ways."""
        box = Sum.makeResponse({"total": 3}, None)
        assert Sum.parseResponse(box, None) == {"total": 3}

    def test_makeResponseBadValue(self) -> None:
        """A response that cannot be serialized raises BadLocalReturn."""
        with pytest.raises(amp.BadLocalReturn):
            Sum.makeResponse({"total": "x"}, None)

    def test_responderInherited(self) -> None:
        """Responders of a base locator are found on subclasses, overrides win."""

        class Base(amp.CommandLocator):
            @Sum.responder
            def s(self, a: int, b: int) -> dict[str, int]:
                return {"total": 0}

        class Child(Base):
            @Renamed.responder
            def r(self) -> dict[str, bytes]:
                return {"name": b""}

        child = Child()
        assert child.locateResponder(b"Sum") is not None
        assert child.locateResponder(b"other-name") is not None
        assert Base().locateResponder(b"other-name") is None

    def test_locateResponderBoxLevel(self) -> None:
        """locateResponder returns a box-in, box-out callable."""
        responder = Peer().locateResponder(b"Sum")
        assert responder is not None
        answer = responder(amp.AmpBox({b"a": b"2", b"b": b"3"}))
        assert answer == {b"total": b"5"}

    def test_locateResponderDeclaredError(self) -> None:
        """A declared error comes out of the box-level responder as RemoteAmpError."""
        responder = Peer().locateResponder(b"Fail")
        assert responder is not None
        with pytest.raises(amp.RemoteAmpError) as info:
            responder(amp.AmpBox({b"kind": b"oops"}))
        assert info.value.errorCode == b"OOPS" and not info.value.fatal
        assert info.value.local is not None

    def test_locateResponderUnknown(self) -> None:
        """Unknown names give None."""
        assert Peer().locateResponder(b"Nope") is None
        assert Peer().locateResponder(b"\xff") is None


# -- calling commands --------------------------------------------------------------------------


class CallRemoteTests:
    """callRemote over an in-memory connection."""

    def test_sum(self) -> None:
        """The answer's values come back as a dict."""
        client, _server, pump = pair()
        out = results(client.callRemote(Sum, a=13, b=81))
        pump.flush()
        assert out == [{"total": 94}]

    def test_eitherSideCalls(self) -> None:
        """The server can call the client too."""
        _client, server, pump = pair()
        out = results(server.callRemote(Sum, a=1, b=2))
        pump.flush()
        assert out == [{"total": 3}]

    def test_allTypes(self) -> None:
        """Every simple type, ListOf and AmpList travel both ways."""
        client, _server, pump = pair()
        args = {
            "i": -7,
            "s": b"\x00bytes",
            "u": "t\xe9xt",
            "f": 2.5,
            "flag": True,
            "items": ["a", "\u2603"],
            "rows": [{"x": 1, "y": "one"}, {"x": 2, "y": "two"}],
            "maybe": None,
        }
        out = results(client.callRemote(Echo, **args))
        pump.flush()
        assert out == [args]

    def test_askTagsAreHexCounters(self) -> None:
        """Requests are tagged 1, 2, ... in lowercase hex."""
        proto = amp.AMP()
        transport = StringTransport()
        proto.makeConnection(transport)
        for _ in range(11):
            proto.callRemote(Sum, a=1, b=2)
        tags = [box[b"_ask"] for box in amp.parseString(transport.value())]
        assert tags == [b"1", b"2", b"3", b"4", b"5", b"6", b"7", b"8", b"9", b"a", b"b"]
        for d in list(proto._outstandingRequests.values()):
            d.addErrback(lambda f: None)

    def test_requestWireFormat(self) -> None:
        """A request box carries _command, _ask and the arguments."""
        proto = amp.AMP()
        transport = StringTransport()
        proto.makeConnection(transport)
        d = proto.callRemote(Sum, a=13, b=81)
        assert amp.parseString(transport.value()) == [
            {b"a": b"13", b"b": b"81", b"_command": b"Sum", b"_ask": b"1"}
        ]
        proto.dataReceived(amp.AmpBox({b"_answer": b"1", b"total": b"94"}).serialize())
        assert results(d) == [{"total": 94}]

    def test_renamedCommand(self) -> None:
        """commandName is what goes on the wire."""
        client, _server, pump = pair()
        out = results(client.callRemote(Renamed))
        pump.flush()
        assert out == [{"name": b"ok"}]

    def test_deferredResponder(self) -> None:
        """A responder's Deferred result is answered when it fires."""
        client, server, pump = pair()
        out = results(client.callRemote(Later, x=5))
        pump.flush()
        assert out == [] and server.later is not None
        server.later.callback({"x": 6})
        pump.flush()
        assert out == [{"x": 6}]

    def test_deferredResponderDeclaredError(self) -> None:
        """A Deferred failing with a declared error maps it too."""

        class LaterFail(amp.Command):
            commandName = b"Later"
            arguments = [(b"x", amp.Integer())]
            response = [(b"x", amp.Integer())]
            errors = {Oops: b"OOPS"}

        class P(Peer):
            @LaterFail.responder
            def laterFail(self, x: int) -> Deferred[Any]:
                return Deferred.fromCoroutine(self._raise())

            async def _raise(self) -> Any:
                raise Oops("later")

        client, _server, pump = pair(P, amp.AMP)
        out = results(client.callRemote(LaterFail, x=1))
        pump.flush()
        assert isinstance(onlyFailure(out), Oops)

    def test_coroutineResponder(self) -> None:
        """An async def responder works."""
        client, _server, pump = pair()
        out = results(client.callRemote(Coro, x=21))
        pump.flush()
        assert out == [{"y": 42}]

    def test_callRemoteString(self) -> None:
        """callRemoteString sends raw values and returns the raw answer box."""
        client, _server, pump = pair()
        out = results(client.callRemoteString(b"RAW", value=b"v"))
        pump.flush()
        assert out[0][b"got"] == b"v"
        assert out[0][b"_answer"] == b"1"

    def test_simpleStringLocator(self) -> None:
        """SimpleStringLocator finds amp_<NAME> methods."""

        class Loc(amp.SimpleStringLocator):
            def amp_HELLO(self, box: amp.AmpBox) -> amp.AmpBox:
                return amp.AmpBox({b"hi": box[b"who"]})

        client, _server, pump = pair(lambda: amp.AMP(locator=Loc()), amp.AMP)
        out = results(client.callRemoteString(b"hello", who=b"me"))
        pump.flush()
        assert out[0][b"hi"] == b"me"

    def test_separateLocator(self) -> None:
        """AMP(locator=...) answers with the locator's responders only."""
        client, server, pump = pair(lambda: amp.AMP(locator=UserRegistration()), amp.AMP)
        assert server.locator is not server
        out = results(client.callRemote(Sum, a=1, b=1))
        pump.flush()
        assert isinstance(onlyFailure(out), amp.UnhandledCommand)

    def test_missingArgument(self) -> None:
        """A missing argument raises InvalidSignature at once."""
        client, _server, _pump = pair()
        with pytest.raises(amp.InvalidSignature, match="'b'"):
            client.callRemote(Sum, a=1)

    def test_unknownArgument(self) -> None:
        """An unknown argument raises InvalidSignature at once."""
        client, _server, _pump = pair()
        with pytest.raises(amp.InvalidSignature, match="'c'"):
            client.callRemote(Sum, a=1, b=2, c=3)

    def test_wrongType(self) -> None:
        """A value of the wrong type raises TypeError at once."""
        client, _server, _pump = pair()
        with pytest.raises(TypeError):
            client.callRemote(Sum, a="1", b=2)

    def test_valueTooLongToSend(self) -> None:
        """A value over the limit raises TooLong and leaves no pending request."""
        client, _server, _pump = pair()
        with pytest.raises(amp.TooLong):
            client.callRemote(Echo, i=1, s=b"x" * 65536, u="", f=1.0, flag=True, items=[], rows=[])
        assert client._outstandingRequests == {}

    def test_beforeConnection(self) -> None:
        """callRemote before the connection is made raises AmpError."""
        with pytest.raises(amp.AmpError, match="before the connection"):
            amp.AMP().callRemote(Sum, a=1, b=2)


class RemoteErrorTests:
    """Errors raised by responders reach the caller."""

    def test_declaredError(self) -> None:
        """A declared error is raised on the caller as the same class."""
        client, _server, pump = pair()
        out = results(client.callRemote(Fail, kind="oops"))
        pump.flush()
        exc = onlyFailure(out)
        assert isinstance(exc, Oops) and exc.args == ("declared",)
        assert not client.transport.disconnected

    def test_declaredErrorFromClientResponder(self) -> None:
        """Errors map the same way when the server calls the client."""
        _client, server, pump = pair()
        out = results(server.callRemote(Fail, kind="oops"))
        pump.flush()
        assert isinstance(onlyFailure(out), Oops)

    def test_declaredErrorWire(self) -> None:
        """The error box carries _error, _error_code and _error_description."""
        server = Peer()
        transport = StringTransport()
        server.makeConnection(transport)
        server.dataReceived(
            amp.AmpBox({b"_command": b"Fail", b"_ask": b"5", b"kind": b"oops"}).serialize()
        )
        assert amp.parseString(transport.value()) == [
            {b"_error": b"5", b"_error_code": b"OOPS", b"_error_description": b"declared"}
        ]

    def test_undeclaredError(self) -> None:
        """An undeclared error arrives as UnknownRemoteError and is logged locally."""
        client, _server, pump = pair()
        with capturedLogs() as events:
            out = results(client.callRemote(Fail, kind="zero"))
            pump.flush()
        exc = onlyFailure(out)
        assert isinstance(exc, amp.UnknownRemoteError)
        assert exc.errorCode == amp.UNKNOWN_ERROR_CODE and exc.description == "Unknown Error"
        logged = [e for e in events if "log_failure" in e]
        assert logged and logged[0]["log_failure"].check(ZeroDivisionError)
        assert logged[0]["log_level"] is LogLevel.error
        again = results(client.callRemote(Sum, a=1, b=1))
        pump.flush()
        assert again == [{"total": 2}]

    def test_remoteAmpErrorRaisedDirectly(self) -> None:
        """A responder raising RemoteAmpError sends its code as is."""
        client, _server, pump = pair()
        out = results(client.callRemote(Fail, kind="remote"))
        pump.flush()
        exc = onlyFailure(out)
        assert type(exc) is amp.RemoteAmpError
        assert exc.errorCode == b"CUSTOM" and exc.description == "custom code"
        assert str(exc) == "Code<CUSTOM>: custom code"

    def test_fatalErrorClosesConnection(self) -> None:
        """A fatal error is delivered, then the connection is closed."""
        client, server, pump = pair()
        out = results(client.callRemote(Fail, kind="doom"))
        pump.flush()
        assert isinstance(onlyFailure(out), Doom)
        assert server.transport.disconnected and client.transport.disconnected
        later = results(client.callRemote(Sum, a=1, b=1))
        assert later and isinstance(later[0], Failure)

    def test_unhandledCommand(self) -> None:
        """A command without responder fails with UnhandledCommand (UNHANDLED)."""
        client, _server, pump = pair()
        out = results(client.callRemote(Unknown))
        pump.flush()
        exc = onlyFailure(out)
        assert isinstance(exc, amp.UnhandledCommand)
        assert exc.errorCode == amp.UNHANDLED_ERROR_CODE
        assert "Unknown" in exc.description

    def test_badArgumentValue(self) -> None:
        """A request whose Integer is b'abc' gets an UNKNOWN error; the connection stays up."""
        client, _server, pump = pair()
        with capturedLogs():
            out = results(client.callRemoteString(b"Sum", a=b"abc", b=b"1"))
            pump.flush()
        exc = onlyFailure(out)
        assert isinstance(exc, amp.UnknownRemoteError)
        again = results(client.callRemote(Sum, a=1, b=1))
        pump.flush()
        assert again == [{"total": 2}]

    def test_badResponseValue(self) -> None:
        """An answer whose Integer is b'abc' fails the call with ValueError."""

        class BadUid(amp.Command):
            commandName = b"BADUID"
            response = [(b"uid", amp.Integer())]

        client, _server, pump = pair()
        out = results(client.callRemote(BadUid))
        pump.flush()
        assert isinstance(onlyFailure(out), ValueError)
        assert not client.transport.disconnected

    def test_badLocalReturn(self) -> None:
        """A responder returning an unserializable value: UNKNOWN remotely, BadLocalReturn logged."""
        client, _server, pump = pair()
        with capturedLogs() as events:
            out = results(client.callRemote(Bad))
            pump.flush()
        assert isinstance(onlyFailure(out), amp.UnknownRemoteError)
        assert any(
            e.get("log_failure") and e["log_failure"].check(amp.BadLocalReturn) for e in events
        )

    def test_nonDictReturnForManyValues(self) -> None:
        """A bare value is refused when the response has several values."""

        class Two(amp.Command):
            response = [(b"a", amp.Integer()), (b"b", amp.Integer())]

        class P(Peer):
            @Two.responder
            def two(self) -> int:
                return 1

        client, _server, pump = pair(P, amp.AMP)
        with capturedLogs() as events:
            out = results(client.callRemote(Two))
            pump.flush()
        assert isinstance(onlyFailure(out), amp.UnknownRemoteError)
        assert any(
            e.get("log_failure") and e["log_failure"].check(amp.BadLocalReturn) for e in events
        )


class NoAnswerTests:
    """Commands with requiresAnswer = False."""

    def test_returnsNone(self) -> None:
        """callRemote returns None and the responder runs."""
        client, server, pump = pair()
        assert client.callRemote(Notify, what="hi") is None
        pump.flush()
        assert server.notified == ["hi"]

    def test_noAskNoAnswer(self) -> None:
        """The request has no _ask and nothing is written back."""
        server = Peer()
        transport = StringTransport()
        server.makeConnection(transport)
        server.dataReceived(amp.AmpBox({b"_command": b"Notify", b"what": b"x"}).serialize())
        assert server.notified == ["x"]
        assert transport.value() == b""

    def test_errorLoggedNotSent(self) -> None:
        """A responder error is logged, nothing is sent, the connection stays."""
        client, server, pump = pair()
        with capturedLogs() as events:
            client.callRemote(Notify, what="raise")
            pump.flush()
        assert any(e.get("log_failure") and e["log_failure"].check(ValueError) for e in events)
        assert not server.transport.disconnected
        assert client._outstandingRequests == {}

    def test_unhandledNoAnswer(self) -> None:
        """An unknown command without _ask is dropped silently."""

        class Gone(amp.Command):
            requiresAnswer = False

        client, server, pump = pair()
        assert client.callRemote(Gone) is None
        pump.flush()
        assert not server.transport.disconnected

    def test_requestWire(self) -> None:
        """The request box has no _ask key."""
        proto = amp.AMP()
        transport = StringTransport()
        proto.makeConnection(transport)
        proto.callRemote(Notify, what="w")
        assert amp.parseString(transport.value()) == [{b"_command": b"Notify", b"what": b"w"}]


class ConnectionLossTests:
    """Pending calls when the connection goes away."""

    def test_pendingCallsFail(self) -> None:
        """Every outstanding call fails with the connection-lost reason."""
        client, server, pump = pair()
        first = results(client.callRemote(Later, x=1))
        second = results(client.callRemote(Later, x=2))
        pump.flush()
        server.transport.abortConnection()
        pump.flush()
        assert isinstance(onlyFailure(first), error.ConnectionLost)
        assert isinstance(onlyFailure(second), error.ConnectionLost)

    def test_laterCallsFailAtOnce(self) -> None:
        """callRemote after the loss fails at once with the same reason."""
        client, _server, pump = pair()
        client.transport.loseConnection()
        pump.flush()
        out = results(client.callRemote(Sum, a=1, b=2))
        assert isinstance(onlyFailure(out), error.ConnectionDone)
        assert client.callRemote(Notify, what="x") is None

    def test_failAllOutgoing(self) -> None:
        """failAllOutgoing fails the outstanding requests with the given reason."""
        client, _server, _pump = pair()
        out = results(client.callRemote(Later, x=1))
        client.failAllOutgoing(Failure(RuntimeError("stop")))
        assert isinstance(onlyFailure(out), RuntimeError)


class HostileBoxTests:
    """Malformed input closes the connection with a logged protocol error."""

    def _server(self, cls: Any = Peer) -> tuple[Any, StringTransport]:
        server = cls()
        transport = StringTransport()
        server.makeConnection(transport)
        return server, transport

    def _assertProtocolError(self, data: bytes, match: str, cls: Any = Peer) -> Any:
        server, transport = self._server(cls)
        with capturedLogs() as events:
            server.dataReceived(data)
        assert transport.disconnecting
        errors = [e for e in events if e.get("log_level") is LogLevel.error]
        assert errors and match in str(errors[0]["log_failure"].value)
        return server

    def test_keyTooLong(self) -> None:
        """A key length over 255 closes the connection."""
        self._assertProtocolError(b"\x01\x00" + b"k" * 256, "key of 256 bytes")

    def test_emptyBox(self) -> None:
        """An empty box closes the connection."""
        self._assertProtocolError(b"\x00\x00", "empty AMP box")

    def test_noSpecialKeys(self) -> None:
        """A box that is neither request nor answer closes the connection."""
        self._assertProtocolError(
            amp.AmpBox({b"x": b"y"}).serialize(), "neither a request nor an answer"
        )

    def test_valueOverProtocolLimit(self) -> None:
        """A value over the protocol's (lowered) MAX_VALUE_LENGTH closes the connection."""

        class Small(Peer):
            MAX_VALUE_LENGTH = 10

        self._assertProtocolError(b"\x00\x01k\x00\x0b", "value of 11 bytes", Small)

    def test_valueAtProtocolLimit(self) -> None:
        """A value of exactly MAX_VALUE_LENGTH is fine."""

        class Small(Peer):
            MAX_VALUE_LENGTH = 10

        server, transport = self._server(Small)
        server.dataReceived(amp.AmpBox({b"_command": b"RAW", b"value": b"v" * 10}).serialize())
        assert not transport.disconnecting

    def test_sendOverProtocolLimit(self) -> None:
        """Sending a value over the protocol's MAX_VALUE_LENGTH raises TooLong."""

        class Small(Peer):
            MAX_VALUE_LENGTH = 10

        server, _transport = self._server(Small)
        with pytest.raises(amp.TooLong):
            server.sendBox(amp.AmpBox({b"k": b"v" * 11}))
        server.sendBox(amp.AmpBox({b"k": b"v" * 10}))

    def test_tooManyKeys(self) -> None:
        """A box with more than MAX_BOX_KEYS pairs closes the connection."""

        class Few(Peer):
            MAX_BOX_KEYS = 2

        self._assertProtocolError(
            amp.AmpBox({b"_command": b"RAW", b"a": b"", b"b": b""}).serialize(),
            "more than 2 keys",
            Few,
        )

    def test_boxesBeforeGarbageHandled(self) -> None:
        """Complete boxes before the malformed part are handled first."""
        server = self._assertProtocolError(
            amp.AmpBox({b"_command": b"Notify", b"what": b"first"}).serialize() + b"\x00\x00",
            "empty",
        )
        assert server.notified == ["first"]

    def test_nothingAfterClose(self) -> None:
        """Data after a protocol error is ignored."""
        server, _transport = self._server()
        with capturedLogs():
            server.dataReceived(b"\x00\x00")
        server.dataReceived(amp.AmpBox({b"_command": b"Notify", b"what": b"late"}).serialize())
        assert server.notified == []

    def test_fatalErrorStopsTheChunk(self) -> None:
        """Requests after a fatal error in the same chunk are not handled."""
        server, transport = self._server()
        data = (
            amp.AmpBox({b"_command": b"Fail", b"_ask": b"1", b"kind": b"doom"}).serialize()
            + amp.AmpBox({b"_command": b"Notify", b"what": b"late"}).serialize()
        )
        server.dataReceived(data)
        assert transport.disconnecting and server.notified == []

    def test_answerForUnknownTag(self) -> None:
        """An answer nobody asked for is logged and ignored; the connection stays."""
        server, transport = self._server()
        with capturedLogs() as events:
            server.dataReceived(amp.AmpBox({b"_answer": b"99", b"x": b""}).serialize())
            server.dataReceived(amp.AmpBox({b"_error": b"98", b"_error_code": b"X"}).serialize())
        assert not transport.disconnecting
        assert [e["tag"] for e in events if e.get("log_level") is LogLevel.warn] == [b"99", b"98"]

    def test_receiverErrorClosesConnection(self) -> None:
        """An exception from the box receiver is logged and closes the connection."""

        class Boom(BoxRecorder):
            def ampBoxReceived(self, box: amp.AmpBox) -> None:
                raise RuntimeError("receiver broke")

        proto = amp.BinaryBoxProtocol(Boom())
        transport = StringTransport()
        proto.makeConnection(transport)
        with capturedLogs() as events:
            proto.dataReceived(amp.AmpBox({b"a": b"b"}).serialize())
        assert transport.disconnecting
        assert any(e.get("log_failure") and e["log_failure"].check(RuntimeError) for e in events)

    def test_unhandledErrorClosesConnection(self) -> None:
        """unhandledError logs the failure and closes the connection."""
        proto = amp.BinaryBoxProtocol(BoxRecorder())
        transport = StringTransport()
        proto.makeConnection(transport)
        with capturedLogs() as events:
            proto.unhandledError(Failure(KeyError("k")))
        assert transport.disconnecting
        assert events[0]["log_failure"].check(KeyError)

    def test_sendBoxWithoutTransport(self) -> None:
        """sendBox without a transport raises ProtocolSwitched."""
        with pytest.raises(amp.ProtocolSwitched):
            amp.BinaryBoxProtocol(BoxRecorder()).sendBox(amp.AmpBox({b"a": b"b"}))


# -- StartTLS (fake TLS transports) ------------------------------------------------------------


class FakeCertificate:
    """Stands in for a PrivateCertificate: options() records the authorities."""

    def __init__(self, name: str) -> None:
        self.name = name

    def options(self, *authorities: Any) -> tuple[str, str, tuple[Any, ...]]:
        return ("options", self.name, authorities)


class TLSFakeTransport(FakeTransport):
    """A FakeTransport recording writes and startTLS calls, in order."""

    def __init__(self, protocol: Any, isServer: bool, events: list[Any]) -> None:
        super().__init__(protocol, isServer)
        self.events = events
        self.side = "server" if isServer else "client"

    def write(self, data: bytes) -> None:
        for box in amp.parseString(data):
            self.events.append((self.side, "write", dict(box)))
        super().write(data)

    def startTLS(self, contextFactory: Any) -> None:
        self.events.append((self.side, "startTLS", contextFactory))


class TLSPeer(Peer):
    """Answers StartTLS with a server certificate."""

    @amp.StartTLS.responder
    def startTLS(self) -> dict[str, Any]:
        return {"tls_localCertificate": FakeCertificate("server"), "tls_verifyAuthorities": ["ca"]}


def tlsPair() -> tuple[Any, Any, Any, list[Any]]:
    """Connect a TLSPeer server and an AMP client over recording transports."""
    events: list[Any] = []
    server = TLSPeer()
    client = Peer()
    pump = connect(
        server,
        TLSFakeTransport(server, True, events),
        client,
        TLSFakeTransport(client, False, events),
    )
    return client, server, pump, events


class StartTLSTests:
    """StartTLS switches transports after the answer, in the right order."""

    def test_answerWrittenBeforeStartTLS(self) -> None:
        """The responder writes the answer, then starts TLS with its certificate."""
        client, server, pump, events = tlsPair()
        out = results(
            client.callRemote(amp.StartTLS, tls_localCertificate=FakeCertificate("client"))
        )
        pump.flush()
        serverEvents = [e for e in events if e[0] == "server"]
        assert serverEvents[0][1] == "write" and serverEvents[0][2] == {b"_answer": b"1"}
        assert serverEvents[1] == ("server", "startTLS", ("options", "server", ("ca",)))
        assert out == [{}]
        assert server.hostCertificate.name == "server"

    def test_requesterStartsOnAnswer(self) -> None:
        """The caller starts TLS when the answer arrives, after its request."""
        client, _server, pump, events = tlsPair()
        cert = FakeCertificate("client")
        client.callRemote(amp.StartTLS, tls_localCertificate=cert, tls_verifyAuthorities=["ca2"])
        assert [e for e in events if e[0] == "client"] == [
            ("client", "write", {b"_command": b"StartTLS", b"_ask": b"1"})
        ]
        pump.flush()
        clientEvents = [e for e in events if e[0] == "client"]
        assert clientEvents[1] == ("client", "startTLS", ("options", "client", ("ca2",)))
        assert events.index(clientEvents[1]) > events.index(("server", "write", {b"_answer": b"1"}))

    def test_boxesHeldUntilTLS(self) -> None:
        """Boxes sent while waiting for the answer are written after startTLS."""
        client, _server, pump, events = tlsPair()
        client.callRemote(amp.StartTLS, tls_localCertificate=FakeCertificate("client"))
        out = results(client.callRemote(Sum, a=1, b=2))
        assert len([e for e in events if e[0] == "client"]) == 1
        pump.flush()
        clientEvents = [e for e in events if e[0] == "client"]
        assert [e[1] for e in clientEvents] == ["write", "startTLS", "write"]
        assert clientEvents[2][2][b"_command"] == b"Sum"
        assert out == [{"total": 3}]

    def test_onlyOneTLS(self) -> None:
        """A second StartTLS raises OnlyOneTLS on the caller."""
        client, _server, pump, _events = tlsPair()
        client.callRemote(amp.StartTLS, tls_localCertificate=FakeCertificate("client"))
        with pytest.raises(amp.OnlyOneTLS):
            client.callRemote(amp.StartTLS, tls_localCertificate=FakeCertificate("client"))
        pump.flush()
        with pytest.raises(amp.OnlyOneTLS):
            client.callRemote(amp.StartTLS, tls_localCertificate=FakeCertificate("client"))

    def test_failedStartTLSReleasesHeldBoxes(self) -> None:
        """If the StartTLS request fails, held boxes are sent in the clear."""
        events: list[Any] = []
        server = Peer()
        client = Peer()
        pump = connect(
            server,
            TLSFakeTransport(server, True, events),
            client,
            TLSFakeTransport(client, False, events),
        )
        tls = results(client.callRemote(amp.StartTLS))
        out = results(client.callRemote(Sum, a=2, b=2))
        pump.flush()
        assert isinstance(onlyFailure(tls), amp.UnhandledCommand)
        assert out == [{"total": 4}]
        assert not [e for e in events if e[1] == "startTLS"]

    def test_noCertificateUsesCertificateOptions(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without a local certificate the options come from netframe.core.ssl."""
        fakeSSL = types.ModuleType("netframe.core.ssl")
        made: list[Any] = []

        def CertificateOptions(**kw: Any) -> Any:
            made.append(kw)
            return ("CertificateOptions", kw)

        fakeSSL.CertificateOptions = CertificateOptions  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, "netframe.core.ssl", fakeSSL)
        proto = amp.AMP()
        authority = types.SimpleNamespace(original="x509")
        assert proto._tlsContextFactory(None, [authority]) == (
            "CertificateOptions",
            {"verify": True, "caCerts": ["x509"]},
        )
        assert proto._tlsContextFactory(None, None) == ("CertificateOptions", {})


# -- Descriptor over a fake UNIX transport -------------------------------------------------------


class SendFile(amp.Command):
    arguments = [(b"fd", amp.Descriptor())]
    response = [(b"content", amp.String())]


class FileReader(Peer):
    """Reads from the descriptor it is given."""

    @SendFile.responder
    def sendFile(self, fd: int) -> dict[str, bytes]:
        try:
            return {"content": os.read(fd, 100)}
        finally:
            os.close(fd)


class FDFakeTransport(FakeTransport):
    """A FakeTransport that 'passes' descriptors by duplicating them for the peer."""

    peerProtocol: Any = None

    def sendFileDescriptor(self, descriptor: int) -> None:
        self.peerProtocol.fileDescriptorReceived(os.dup(descriptor))


class DescriptorTransportTests:
    """Descriptor arguments over a transport with sendFileDescriptor."""

    def test_passDescriptor(self) -> None:
        """The responder gets its own descriptor for the same pipe."""
        server = FileReader()
        client = Peer()
        serverIO = FDFakeTransport(server, True)
        clientIO = FDFakeTransport(client, False)
        clientIO.peerProtocol = server
        pump = connect(server, serverIO, client, clientIO)
        r, w = os.pipe()
        try:
            os.write(w, b"through the pipe")
            out = results(client.callRemote(SendFile, fd=r))
            pump.flush()
        finally:
            os.close(r)
            os.close(w)
        assert out == [{"content": b"through the pipe"}]

    def test_noSendFileDescriptor(self) -> None:
        """A transport that cannot pass descriptors makes callRemote raise."""
        client, _server, _pump = pair()
        with pytest.raises(AttributeError, match="sendFileDescriptor"):
            client.callRemote(SendFile, fd=0)

    def test_unknownOrdinalIsRemoteError(self) -> None:
        """A request naming a descriptor never received gets an UNKNOWN error."""
        client, _server, pump = pair(FileReader, amp.AMP)
        with capturedLogs():
            out = results(client.callRemoteString(b"SendFile", fd=b"0"))
            pump.flush()
        assert isinstance(onlyFailure(out), amp.UnknownRemoteError)


def test_reprShowsPeer() -> None:
    """AMP's repr names the class (and the peer once connected)."""
    assert repr(amp.AMP()).startswith("<AMP at 0x")
    client, _server, _pump = pair()
    assert "to IPv4Address" in repr(client)
