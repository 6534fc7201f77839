# qotd.tac (SCOPE.md C15): the TwistedQuotes package (L5849-6071) wired into
# an application, as the reference's quotetap.makeService (002 L163-200)
# wires it: a QOTDFactory around a StaticQuoter, or a FortuneQuoter when a
# fortune file is given, served by a TCPServer.
#
# Adaptations (the reference has no .tac for the package; this one only
# connects its pieces): the port (8007) comes from QOTD_PORT, the quote file
# from QOTD_FILE (unset: the static quote), and the server listens on
# 127.0.0.1 only. TwistedQuotes must be importable (PYTHONPATH).
import os

from netframe.app import internet, service

from TwistedQuotes import quoteproto, quoters

PORT = int(os.environ.get("QOTD_PORT", "8007"))
QUOTES = os.environ.get("QOTD_FILE")

if QUOTES:
    quoter = quoters.FortuneQuoter([QUOTES])
else:
    quoter = quoters.StaticQuoter("An apple a day keeps the doctor away.")

application = service.Application("qotd")
internet.TCPServer(
    PORT, quoteproto.QOTDFactory(quoter), interface="127.0.0.1"
).setServiceParent(service.IServiceCollection(application))
