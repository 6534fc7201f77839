# organized-finger.tac (SCOPE.md F24, L5276-5308)
# eg:  netframe-twistd -ny organized-finger.tac
#
# Python 3 port on netframe: netframe import names; the finger module is the
# package fingertutorial (see its header).
# Adaptations: the web site (8000), the SSL site (443) and the IRC bot are
# out of scope and removed; the finger port (79) comes from FINGER_PORT, the
# PB port (8889) from FINGER_PB_PORT, the users file (/etc/users) from
# FINGER_USERS, the listening interface from FINGER_INTERFACE and the
# application's uid/gid (1/1) from FINGER_UID/FINGER_GID.
# Fix: the listing never attaches the FingerService to the application, so
# its startService (which reads the users file) never runs and every query
# fails; it is attached here, as finger14.tac does.
import os

import fingertutorial as finger

from netframe.app import internet, service
from netframe.spread import pb

PORT = int(os.environ.get("FINGER_PORT", "79"))
PB_PORT = int(os.environ.get("FINGER_PB_PORT", "8889"))
USERS = os.environ.get("FINGER_USERS", "/etc/users")
INTERFACE = os.environ.get("FINGER_INTERFACE", "")
UID = int(os.environ.get("FINGER_UID", "1"))
GID = int(os.environ.get("FINGER_GID", "1"))

application = service.Application("finger", uid=UID, gid=GID)
f = finger.FingerService(USERS)
serviceCollection = service.IServiceCollection(application)
f.setServiceParent(serviceCollection)
internet.TCPServer(PORT, finger.IFingerFactory(f), interface=INTERFACE).setServiceParent(
    serviceCollection
)

internet.TCPServer(
    PB_PORT, pb.PBServerFactory(finger.IPerspectiveFinger(f)), interface=INTERFACE
).setServiceParent(serviceCollection)
