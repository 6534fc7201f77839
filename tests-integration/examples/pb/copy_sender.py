#!/usr/bin/env python
"""
copy_sender.py (SCOPE.md PB9/AP10, L12483-12537): send a pb.Copyable pond.

Python 3 port on netframe: netframe import names, print() calls; the unused
import of twisted.python.log is dropped.  Adaptations: the receiver's host
(localhost) and port (8800) come from PB_HOST and PB_PORT.
"""

import os

from netframe.core import reactor
from netframe.spread import jelly, pb

PB_HOST = os.environ.get("PB_HOST", "localhost")
PB_PORT = int(os.environ.get("PB_PORT", "8800"))


class LilyPond:
    def setStuff(self, color, numFrogs):
        self.color = color
        self.numFrogs = numFrogs

    def countFrogs(self):
        print("%d frogs" % self.numFrogs)  # noqa: UP031


class CopyPond(LilyPond, pb.Copyable):
    pass


class Sender:
    def __init__(self, pond):
        self.pond = pond

    def got_obj(self, remote):
        self.remote = remote
        d = remote.callRemote("takePond", self.pond)
        d.addCallback(self.ok).addErrback(self.notOk)

    def ok(self, response):
        print("pond arrived", response)
        reactor.stop()

    def notOk(self, failure):
        print("error during takePond:")
        if failure.type == jelly.InsecureJelly:
            print(" InsecureJelly")
        else:
            print(failure)
        reactor.stop()
        return None


def main():
    from copy_sender import CopyPond  # so it's not __main__.CopyPond

    pond = CopyPond()
    pond.setStuff("green", 7)
    pond.countFrogs()
    # class name:
    print(".".join([pond.__class__.__module__, pond.__class__.__name__]))

    sender = Sender(pond)
    factory = pb.PBClientFactory()
    reactor.connectTCP(PB_HOST, PB_PORT, factory)
    deferred = factory.getRootObject()
    deferred.addCallback(sender.got_obj)
    reactor.run()


if __name__ == "__main__":
    main()
