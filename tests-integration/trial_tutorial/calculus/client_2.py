# -*- test-case-name: calculus.test.test_client_2 -*-

from netframe.core import defer
from netframe.core.protocols import basic


class ClientTimeoutError(Exception):
    pass


def _reactorCallLater(*args, **kwargs):
    # The tutorial binds reactor.callLater at import time; importing the reactor
    # lazily keeps "no reactor installed at import" for the test runner's choice.
    from netframe.core import reactor

    return reactor.callLater(*args, **kwargs)


class RemoteCalculationClient(basic.LineReceiver):
    callLater = staticmethod(_reactorCallLater)
    timeOut = 60

    def __init__(self):
        self.results = []

    def lineReceived(self, line):
        d, callID = self.results.pop(0)
        callID.cancel()
        d.callback(int(line))

    def _cancel(self, d):
        d.errback(ClientTimeoutError())

    def _sendOperation(self, op, a, b):
        d = defer.Deferred()
        callID = self.callLater(self.timeOut, self._cancel, d)
        self.results.append((d, callID))
        line = f"{op} {a} {b}"
        self.sendLine(line.encode())
        return d

    def add(self, a, b):
        return self._sendOperation("add", a, b)

    def subtract(self, a, b):
        return self._sendOperation("subtract", a, b)

    def multiply(self, a, b):
        return self._sendOperation("multiply", a, b)

    def divide(self, a, b):
        return self._sendOperation("divide", a, b)
