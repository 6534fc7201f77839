# fingerPBclient.py (SCOPE.md F21/F24, L4760-4786)
# test the PB finger on port 8889
# this code is essentially the same as
# the first example in howto/pb-usage
#
# Python 3 port on netframe: netframe import names, print() calls.
# Adaptations: the PB port (8889) comes from FINGER_PB_PORT, the user asked
# about (moshez) from FINGER_USER.
import os

from netframe.core import reactor
from netframe.spread import pb

PB_PORT = int(os.environ.get("FINGER_PB_PORT", "8889"))
USER = os.environ.get("FINGER_USER", "moshez")


def gotObject(object):
    print("got object:", object)
    object.callRemote("getUser", USER).addCallback(gotData)


# or
#   object.callRemote("getUsers").addCallback(gotData)


def gotData(data):
    print("server sent:", data)
    reactor.stop()


def gotNoObject(reason):
    print("no object:", reason)
    reactor.stop()


factory = pb.PBClientFactory()
reactor.connectTCP("127.0.0.1", PB_PORT, factory)
factory.getRootObject().addCallbacks(gotObject, gotNoObject)
reactor.run()
