"""
AMP interoperability with Twisted: a real Twisted AMP peer runs in a
subprocess (Twisted is installed in the integration environment for this
test only) and talks to netframe's AMP over loopback TCP, both ways:

  - netframe client -> Twisted server;
  - Twisted client -> netframe server.

(The Float argument is not called ``f``: Twisted's own AMP cannot receive an
argument of that name, it collides with a parameter of its responder call.)

Each direction covers Integer, String, Unicode, Boolean, Float, ListOf,
AmpList and DateTime values, a declared error and an unknown command.  Ports
are chosen by the kernel (port 0) and passed to the other side; every run is
bounded by a watchdog.
"""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

from netframe.core.defer import Deferred, inlineCallbacks
from netframe.core.endpoints import TCP4ClientEndpoint, TCP4ServerEndpoint
from netframe.core.epollreactor import EPollReactor
from netframe.core.protocol import Factory
from netframe.core.protocols import amp

#: Seconds each direction may take before the watchdog stops it.
WATCHDOG_SECONDS = 30.0

#: The Twisted side: the same commands, a responder class, and two modes.
TWISTED_PEER = r"""
import datetime, json, sys
from twisted.internet import reactor
from twisted.internet.endpoints import TCP4ClientEndpoint, TCP4ServerEndpoint
from twisted.internet.protocol import Factory
from twisted.protocols import amp


class Oops(Exception):
    pass


class Sum(amp.Command):
    arguments = [(b"a", amp.Integer()), (b"b", amp.Integer())]
    response = [(b"total", amp.Integer())]


class Echo(amp.Command):
    arguments = [
        (b"i", amp.Integer()),
        (b"s", amp.String()),
        (b"u", amp.Unicode()),
        (b"flag", amp.Boolean()),
        (b"real", amp.Float()),
        (b"items", amp.ListOf(amp.Integer())),
        (b"rows", amp.AmpList([(b"x", amp.Integer()), (b"y", amp.Unicode())])),
        (b"when", amp.DateTime()),
    ]
    response = arguments


class Fail(amp.Command):
    arguments = [(b"kind", amp.Unicode())]
    response = [(b"ok", amp.Boolean())]
    errors = {Oops: b"OOPS"}


class Unknown(amp.Command):
    pass


class Peer(amp.AMP):
    @Sum.responder
    def sum(self, a, b):
        return {"total": a + b}

    @Echo.responder
    def echo(self, **kw):
        return kw

    @Fail.responder
    def fail(self, kind):
        raise Oops("declared " + kind)


def jsonable(value):
    if isinstance(value, bytes):
        return {"bytes": value.decode("latin-1")}
    if isinstance(value, datetime.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


def report(name, value):
    print(json.dumps([name, jsonable(value)]), flush=True)


def failed(name):
    def eb(failure):
        value = failure.value
        report(name, {"error": type(value).__name__, "code": getattr(value, "errorCode", b"").decode()})
    return eb


def runClient(port):
    tz = datetime.timezone(datetime.timedelta(hours=5, minutes=45))

    def connected(proto):
        d = proto.callRemote(Sum, a=13, b=81)
        d.addCallback(lambda r: report("sum", r))
        d.addCallback(lambda _: proto.callRemote(
            Echo, i=-(10 ** 20), s=b"\x00\xffbytes", u="t\u00e9xt \u2603", flag=False, real=-1.5e-7,
            items=[1, 2, 3], rows=[{"x": 1, "y": "one"}, {"x": 2, "y": "two"}],
            when=datetime.datetime(2024, 2, 29, 23, 59, 58, 123456, tzinfo=tz)))
        d.addCallback(lambda r: report("echo", r))
        d.addCallback(lambda _: proto.callRemote(Fail, kind="x"))
        d.addCallbacks(lambda r: report("fail", r), failed("fail"))
        d.addCallback(lambda _: proto.callRemote(Unknown))
        d.addCallbacks(lambda r: report("unknown", r), failed("unknown"))
        d.addBoth(lambda _: proto.transport.loseConnection())
        return d

    d = TCP4ClientEndpoint(reactor, "127.0.0.1", port).connect(Factory.forProtocol(amp.AMP))
    d.addCallback(connected)
    d.addErrback(failed("connect"))
    d.addBoth(lambda _: reactor.callLater(0, reactor.stop))
    reactor.callLater(25, reactor.stop)
    reactor.run()


def runServer():
    d = TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1").listen(Factory.forProtocol(Peer))
    d.addCallback(lambda port: print("PORT", port.getHost().port, flush=True))
    reactor.callLater(25, reactor.stop)
    reactor.run()


if sys.argv[1] == "server":
    runServer()
else:
    runClient(int(sys.argv[2]))
"""


# -- the netframe side: the same commands ----------------------------------------------------------


class Oops(Exception):
    """The declared error."""


class Sum(amp.Command):
    arguments = [(b"a", amp.Integer()), (b"b", amp.Integer())]
    response = [(b"total", amp.Integer())]


class Echo(amp.Command):
    arguments = [
        (b"i", amp.Integer()),
        (b"s", amp.String()),
        (b"u", amp.Unicode()),
        (b"flag", amp.Boolean()),
        (b"real", amp.Float()),
        (b"items", amp.ListOf(amp.Integer())),
        (b"rows", amp.AmpList([(b"x", amp.Integer()), (b"y", amp.Unicode())])),
        (b"when", amp.DateTime()),
    ]
    response = arguments


class Fail(amp.Command):
    arguments = [(b"kind", amp.Unicode())]
    response = [(b"ok", amp.Boolean())]
    errors = {Oops: b"OOPS"}


class Unknown(amp.Command):
    """No responder on either side."""


class Peer(amp.AMP):
    """netframe's responders (the same behaviour as the Twisted peer's)."""

    @Sum.responder
    def sum(self, a: int, b: int) -> dict[str, int]:
        return {"total": a + b}

    @Echo.responder
    def echo(self, **kw: Any) -> dict[str, Any]:
        return kw

    @Fail.responder
    def fail(self, kind: str) -> dict[str, bool]:
        raise Oops("declared " + kind)


ECHO_ARGS: dict[str, Any] = {
    "i": 12345678901234567890,
    "s": b"\x00\x01raw\xff",
    "u": "caf\xe9 \u2603",
    "flag": True,
    "real": 3.141592653589793,
    "items": [0, -1, 2**40],
    "rows": [{"x": 7, "y": "seven"}, {"x": -8, "y": ""}],
    "when": datetime.datetime(
        1999,
        12,
        31,
        23,
        59,
        59,
        999999,
        tzinfo=datetime.timezone(datetime.timedelta(hours=-3, minutes=-30)),
    ),
}


def startTwisted(*args: str) -> subprocess.Popen[str]:
    """Start the Twisted peer script with C{args}."""
    return subprocess.Popen(
        [sys.executable, "-c", TWISTED_PEER, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
class TwistedInteropTests:
    """netframe's AMP and Twisted's AMP understand each other."""

    def test_netframeClientTwistedServer(
        self, reactor: EPollReactor, runUntil: Callable[[Any], Any]
    ) -> None:
        """A netframe client calls a Twisted server: values, a declared error, an unknown command."""
        proc = startTwisted("server")
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert line.startswith("PORT "), (line, proc.stderr.read() if proc.stderr else "")
            port = int(line.split()[1])

            @inlineCallbacks
            def scenario() -> Any:
                endpoint = TCP4ClientEndpoint(reactor, "127.0.0.1", port)
                client = yield endpoint.connect(Factory.forProtocol(amp.AMP))
                out: dict[str, Any] = {}
                out["sum"] = yield client.callRemote(Sum, a=13, b=81)
                out["echo"] = yield client.callRemote(Echo, **ECHO_ARGS)
                try:
                    yield client.callRemote(Fail, kind="x")
                except Oops as e:
                    out["fail"] = e
                try:
                    yield client.callRemote(Unknown)
                except amp.UnhandledCommand as e:
                    out["unknown"] = e
                client.transport.loseConnection()
                return out

            out = runUntil(scenario())
        finally:
            proc.terminate()
            proc.communicate(timeout=WATCHDOG_SECONDS)
        assert out["sum"] == {"total": 94}
        assert out["echo"] == ECHO_ARGS
        assert out["echo"]["when"].utcoffset() == ECHO_ARGS["when"].utcoffset()
        assert isinstance(out["fail"], Oops) and out["fail"].args == ("declared x",)
        assert out["unknown"].errorCode == b"UNHANDLED"

    def test_twistedClientNetframeServer(
        self, reactor: EPollReactor, runUntil: Callable[[Any], Any]
    ) -> None:
        """A Twisted client calls a netframe server: values, a declared error, an unknown command."""

        @inlineCallbacks
        def scenario() -> Any:
            port = yield TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1").listen(
                Factory.forProtocol(Peer)
            )
            proc = startTwisted("client", str(port.getHost().port))
            finished: Deferred[None] = Deferred()

            def poll() -> None:
                if proc.poll() is None:
                    reactor.callLater(0.02, poll)
                else:
                    finished.callback(None)

            poll()
            try:
                yield finished
            finally:
                yield port.stopListening()
            stdout, stderr = proc.communicate()
            return proc.returncode, stdout, stderr

        returncode, stdout, stderr = runUntil(scenario())
        assert returncode == 0, stderr
        results = dict(json.loads(line) for line in stdout.splitlines())
        assert results["sum"] == {"total": 94}
        assert results["echo"] == {
            "i": -(10**20),
            "s": {"bytes": "\x00\xffbytes"},
            "u": "t\xe9xt \u2603",
            "flag": False,
            "real": -1.5e-7,
            "items": [1, 2, 3],
            "rows": [{"x": 1, "y": "one"}, {"x": 2, "y": "two"}],
            "when": {"datetime": "2024-02-29T23:59:58.123456+05:45"},
        }
        assert results["fail"] == {"error": "Oops", "code": ""}
        assert results["unknown"]["error"] == "UnhandledCommand"
