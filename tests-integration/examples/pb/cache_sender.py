#!/usr/bin/env python
"""
cache_sender.py (SCOPE.md PB11/AP10, L12820-12866): send a pb.Cacheable
pond, change it, let the receiver drop it, then shut the receiver down.

Python 3 port on netframe: netframe import names (twisted.python.log is
netframe.logger.legacy), print() calls.  Adaptations: the receiver's host
(localhost) and port (8800) come from PB_HOST and PB_PORT.
"""

import os

from cache_classes import MasterDuckPond

from netframe.core import reactor
from netframe.logger import legacy as log
from netframe.spread import pb

PB_HOST = os.environ.get("PB_HOST", "localhost")
PB_PORT = int(os.environ.get("PB_PORT", "8800"))


class Sender:
    def __init__(self, pond):
        self.pond = pond

    def phase1(self, remote):
        self.remote = remote
        d = remote.callRemote("takePond", self.pond)
        d.addCallback(self.phase2).addErrback(log.err)

    def phase2(self, response):
        self.pond.addDuck("ugly duckling")
        self.pond.count()
        reactor.callLater(1, self.phase3)

    def phase3(self):
        d = self.remote.callRemote("checkDucks")
        d.addCallback(self.phase4).addErrback(log.err)

    def phase4(self, dummy):
        self.pond.removeDuck("one duck")
        self.pond.count()
        self.remote.callRemote("checkDucks")
        d = self.remote.callRemote("ignorePond")
        d.addCallback(self.phase5)

    def phase5(self, dummy):
        d = self.remote.callRemote("shutdown")
        d.addCallback(self.phase6)

    def phase6(self, dummy):
        reactor.stop()


def main():
    master = MasterDuckPond(["one duck", "two duck"])
    master.count()

    sender = Sender(master)
    factory = pb.PBClientFactory()
    reactor.connectTCP(PB_HOST, PB_PORT, factory)
    deferred = factory.getRootObject()
    deferred.addCallback(sender.phase1)
    reactor.run()


if __name__ == "__main__":
    main()
