# finger/tap.py (SCOPE.md F25, L5782-5803): the finger plugin's options.
#
# Python 3 port on netframe (netframe import names; the package is
# fingertutorial, see its header). The 'templates', 'ircnick', 'ircserver'
# and 'ssl' options are still accepted (so the documented command line
# parses) but the parts using them are out of scope.
import fingertutorial as finger
from netframe.core import usage


class Options(usage.Options):
    optParameters = [
        ["file", "f", "/etc/users"],
        ["templates", "t", "/usr/share/finger/templates"],
        ["ircnick", "n", "fingerbot"],
        ["ircserver", None, "irc.freenode.net"],
        ["pbport", "p", 8889],
    ]

    optFlags = [["ssl", "s"]]


def makeService(config):
    return finger.makeService(config)
