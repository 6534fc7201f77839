"""TR9 before the fix: the logged TypeError is not flushed, so the test errors."""

from calculus.remote_2 import RemoteCalculationFactory
from netframe.core import testing as proto_helpers
from netframe.trial import unittest


class RemoteCalculationTestCase(unittest.TestCase):
    def setUp(self):
        factory = RemoteCalculationFactory()
        self.proto = factory.buildProtocol(("127.0.0.1", 0))
        self.tr = proto_helpers.StringTransport()
        self.proto.makeConnection(self.tr)

    def test_invalidParameters(self):
        self.proto.dataReceived(b"add foo bar\r\n")
        self.assertEqual(self.tr.value(), b"error\r\n")
