# copy_receiver.tac (SCOPE.md PB9/AP10, L12539-12585)
#
# Python 3 port on netframe: netframe import names, print() calls.
# Adaptations: the port (8800) comes from PB_PORT and the listening interface
# (all) from PB_INTERFACE.  copy_sender must be importable (the directory of
# this file on PYTHONPATH), as in the listing.

"""
PB copy receiver example.

This is a Twisted Application Configuration (tac) file.  Run with e.g.
   netframe-twistd -ny copy_receiver.tac

See the twistd(1) man page or
http://twistedmatrix.com/documents/current/howto/application for details.
"""

import os
import sys

if __name__ == "__main__":
    print(__doc__)
    sys.exit(1)

from copy_sender import CopyPond, LilyPond

from netframe.app import internet, service
from netframe.core import reactor
from netframe.spread import pb

# from netframe.logger import legacy as log
# log.startLogging(sys.stdout)

PB_PORT = int(os.environ.get("PB_PORT", "8800"))
PB_INTERFACE = os.environ.get("PB_INTERFACE", "")


class ReceiverPond(pb.RemoteCopy, LilyPond):
    pass


pb.setUnjellyableForClass(CopyPond, ReceiverPond)


class Receiver(pb.Root):
    def remote_takePond(self, pond):
        print(" got pond:", pond)
        pond.countFrogs()
        return "safe and sound"  # positive acknowledgement

    def remote_shutdown(self):
        reactor.stop()


application = service.Application("copy_receiver")
internet.TCPServer(
    PB_PORT, pb.PBServerFactory(Receiver()), interface=PB_INTERFACE
).setServiceParent(service.IServiceCollection(application))
