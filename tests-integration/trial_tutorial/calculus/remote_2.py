# -*- test-case-name: calculus.test.test_remote_3 -*-

from calculus.base_3 import Calculation
from netframe.core import protocol
from netframe.core.protocols import basic
from netframe.logger import legacy as log


class CalculationProxy:
    def __init__(self):
        self.calc = Calculation()
        for m in ["add", "subtract", "multiply", "divide"]:
            setattr(self, f"remote_{m}", getattr(self.calc, m))


class RemoteCalculationProtocol(basic.LineReceiver):
    def __init__(self):
        self.proxy = CalculationProxy()

    def lineReceived(self, line):
        op, a, b = line.decode().split()
        op = getattr(self.proxy, f"remote_{op}")
        try:
            result = op(a, b)
        except TypeError:
            log.err()
            self.sendLine(b"error")
        else:
            self.sendLine(str(result).encode())


class RemoteCalculationFactory(protocol.Factory):
    protocol = RemoteCalculationProtocol
