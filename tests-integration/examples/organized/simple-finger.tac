# simple-finger.tac (SCOPE.md F24, L5358-5375)
# eg:  netframe-twistd -ny simple-finger.tac
#
# Python 3 port on netframe: netframe import names; the finger module is the
# package fingertutorial (see its header; its makeService leaves out the
# web, SSL and IRC parts, so 'templates', 'ircnick', 'ircserver' and 'ssl'
# are unused).
# Adaptations: the users file (/etc/users) comes from FINGER_USERS, the PB
# port (8889) from FINGER_PB_PORT and the application's uid/gid (1/1) from
# FINGER_UID/FINGER_GID (the finger port: FINGER_PORT, read by the module).
import os

import fingertutorial as finger

from netframe.app import service

options = {
    "file": os.environ.get("FINGER_USERS", "/etc/users"),
    "templates": "/usr/share/finger/templates",
    "ircnick": "fingerbot",
    "ircserver": "irc.freenode.net",
    "pbport": int(os.environ.get("FINGER_PB_PORT", "8889")),
    "ssl": "ssl=0",
}

ser = finger.makeService(options)
application = service.Application(
    "finger", uid=int(os.environ.get("FINGER_UID", "1")), gid=int(os.environ.get("FINGER_GID", "1"))
)
ser.setServiceParent(service.IServiceCollection(application))
