"""TR14: SkipTest, the skip attribute on methods and classes, todo (L15029-15083)."""

from netframe.trial import unittest

haveThing = False
haveSSL = False


class SSHClientTests(unittest.TestCase):
    def test_sshClient(self):
        raise unittest.SkipTest("cannot find ssh, nothing to test")


class SomeThingTests(unittest.TestCase):
    def test_thing(self):
        pass

    test_thing.skip = "disabled locally"


class MyTests(unittest.TestCase):
    def test_one(self):
        pass

    def test_thing(self):
        pass


if not haveThing:
    MyTests.test_thing.skip = "cannot test without Thing"


class SSLTests(unittest.TestCase):
    if not haveSSL:
        skip = "cannot test without SSL support"

    def test_handshake(self):
        pass


class TodoTests(unittest.TestCase):
    def test_notWrittenYet(self):
        self.fail("feature not implemented")

    test_notWrittenYet.todo = "feature in progress"

    def test_nowWorks(self):
        pass

    test_nowWorks.todo = "feature in progress"
