#!/usr/bin/env python
"""
cache_receiver.py (SCOPE.md PB11/AP10, L12868-12898): a .py file run as a
tac, C{netframe-twistd -n -y cache_receiver.py}; it keeps a pb.RemoteCache
of the sender's pond.

Python 3 port on netframe: netframe import names, print() calls.
Adaptations: the port (8800) comes from PB_PORT and the listening interface
(all) from PB_INTERFACE.  cache_classes must be importable (the directory of
this file on PYTHONPATH), as in the listing.
"""

import os

import cache_classes  # noqa: F401  (registers SlaveDuckPond for MasterDuckPond)

from netframe.app import internet, service
from netframe.core import reactor
from netframe.spread import pb

PB_PORT = int(os.environ.get("PB_PORT", "8800"))
PB_INTERFACE = os.environ.get("PB_INTERFACE", "")


class Receiver(pb.Root):
    def remote_takePond(self, pond):
        self.pond = pond
        print("got pond:", pond)  # a DuckPondCache
        self.remote_checkDucks()

    def remote_checkDucks(self):
        print("[%d] ducks: " % self.pond.count(), self.pond.getDucks())  # noqa: UP031

    def remote_ignorePond(self):
        # stop watching the pond
        print("dropping pond")
        # gc causes __del__ causes 'decache' msg causes stoppedObserving
        self.pond = None

    def remote_shutdown(self):
        reactor.stop()


application = service.Application("copy_receiver")
internet.TCPServer(
    PB_PORT, pb.PBServerFactory(Receiver()), interface=PB_INTERFACE
).setServiceParent(service.IServiceCollection(application))
