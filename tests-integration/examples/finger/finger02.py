"""
finger02.py (SCOPE.md F2, L1869-1880): do nothing.

Python 3 port on netframe.  Adaptation: the port (1079 in the tutorial) and
the listening interface come from FINGER_PORT and FINGER_INTERFACE, so a test
can use a free loopback port.
"""

import os

from netframe.core import protocol, reactor

PORT = int(os.environ.get("FINGER_PORT", "1079"))
INTERFACE = os.environ.get("FINGER_INTERFACE", "")


class FingerProtocol(protocol.Protocol):
    pass


class FingerFactory(protocol.ServerFactory):
    protocol = FingerProtocol


reactor.listenTCP(PORT, FingerFactory(), interface=INTERFACE)
reactor.run()
