# quotes_plugin.py (SCOPE.md C16, 002 L163-219): the TwistedQuotes "qotd"
# server as a netframe-twistd plugin.
#
# Python 3 port of quotetap.py. The legacy mktap registration (plugins.tml)
# is replaced by its modern form: an IServiceMaker/IPlugin drop-in module in
# a netframe/plugins/ directory on sys.path, named "qotd", so
# `netframe-twistd -n qotd [--port P] [--static Q | --file F]` runs it.
# Adaptation: the server listens on 127.0.0.1 only.
from TwistedQuotes import (
    quoteproto,  # Protocol and Factory
    quoters,  # "give me a quote" code
)
from zope.interface import implementer

from netframe.app import internet  # services that run TCP/SSL/etc.
from netframe.app.service import IServiceMaker
from netframe.core import usage  # command-line processing
from netframe.plugin import IPlugin


class Options(usage.Options):
    optParameters = [
        ["port", "p", 8007, "Port number to listen on for QOTD protocol."],
        ["static", "s", "An apple a day keeps the doctor away.", "A static quote to display."],
        ["file", "f", None, "A fortune-format text file to read quotes from."],
    ]


def makeService(config):
    """Return a service that will be attached to the application."""
    if config["file"]:  # If I was given a "file" option...
        # Read quotes from a file, selecting a random one each time,
        quoter = quoters.FortuneQuoter([config["file"]])
    else:  # otherwise,
        # read a single quote from the command line (or use the default).
        quoter = quoters.StaticQuoter(config["static"])
    port = int(config["port"])  # TCP port to listen on
    factory = quoteproto.QOTDFactory(quoter)  # here we create a QOTDFactory
    # Finally, set up our factory, with its custom quoter, to create QOTD
    # protocol instances when events arrive on the specified port.
    return internet.TCPServer(port, factory, interface="127.0.0.1")


@implementer(IServiceMaker, IPlugin)
class QuoteServiceMaker:
    tapname = "qotd"
    description = "Quote of the Day TAP Builder: an example of a twistd plugin."
    options = Options

    def makeService(self, options):
        return makeService(options)


serviceMaker = QuoteServiceMaker()
