"""
The C{finger} subcommand of netframe-twistd: its options and the service it
runs::

    netframe-twistd -n --pidfile= finger [--port ENDPOINT] [--db FILE]
        [--auth hashed:PASSWORD_FILE [--pb-port ENDPOINT]]

Services, in the order they start:

  - the user store (L{finger.store.FingerService}) on the sqlite3 file
    C{--db} (default C{finger.sqlite} in the working directory, created
    with the demo users alice and bob on first start);
  - the finger protocol (L{finger.protocol.FingerFactory}) on C{--port};
  - the Perspective Broker interface (L{finger.perspective.FingerPBRoot})
    on C{--pb-port}, only when C{--auth} gives at least one checker of user
    names and passwords.
"""

from __future__ import annotations

from typing import Any

from finger.perspective import FingerPBRoot, FingerRealm
from finger.protocol import FingerFactory
from finger.store import FingerService, UserStore, makePool
from netframe.app import strports
from netframe.app.service import MultiService
from netframe.core import usage
from netframe.cred import credentials, strcred
from netframe.cred.portal import Portal
from netframe.logger import Logger
from netframe.spread import pb

__all__ = ["DEFAULT_DB", "DEFAULT_PB_PORT", "DEFAULT_PORT", "Options", "makeService"]

_log = Logger(namespace="finger.tap")

DEFAULT_PORT = "tcp:port=7079:interface=127.0.0.1"
"""Where finger listens unless C{--port} says otherwise."""

DEFAULT_PB_PORT = "tcp:port=7080:interface=127.0.0.1"
"""Where the PB interface listens unless C{--pb-port} says otherwise."""

DEFAULT_DB = "finger.sqlite"
"""The database file unless C{--db} says otherwise."""


class Options(usage.Options, strcred.AuthOptionMixin):
    """
    The options of C{netframe-twistd finger}.
    """

    synopsis = "Usage: netframe-twistd [options] finger [finger options]"
    longdesc = (
        "A finger service (RFC 1288) with its users in sqlite3, and a Perspective "
        "Broker interface to read and set statuses (started when --auth is given, "
        "e.g. --auth hashed:PASSWORD_FILE; make the file with "
        "'python -m netframe.cred.passwd PASSWORD_FILE USER'). Endpoints use the "
        "server endpoint syntax, e.g. tcp:port=7079:interface=127.0.0.1."
    )
    supportedInterfaces = (credentials.IUsernamePassword,)
    optParameters = [
        ["port", "p", DEFAULT_PORT, "The finger endpoint."],
        ["pb-port", None, DEFAULT_PB_PORT, "The PB endpoint (used with --auth)."],
        ["db", None, DEFAULT_DB, "The sqlite3 database file (created if missing)."],
    ]

    def postOptions(self) -> None:
        """
        Check the values.

        @raise netframe.core.usage.UsageError: for an empty endpoint or
            database name.
        """
        for key in ("port", "pb-port", "db"):
            if not self[key]:
                raise usage.UsageError(f"--{key} must not be empty")


def makeService(options: Any, reactor: Any = None) -> MultiService:
    """
    Make the finger application's services.

    @param options: the parsed L{Options}.
    @param reactor: the reactor; C{None} means the global one.
    @return: a L{MultiService} holding them.
    @raise ValueError: if an endpoint description is malformed.
    """
    if reactor is None:
        # Imported here, not at module level: netframe-twistd installs the
        # reactor it was asked for (-r) before it calls makeService.
        from netframe.core import reactor

    top = MultiService()
    store = UserStore(makePool(options["db"], reactor))
    FingerService(store, options["db"], reactor).setServiceParent(top)
    strports.service(options["port"], FingerFactory(store), reactor).setServiceParent(top)
    checkers = options["credCheckers"]
    if checkers:
        portal = Portal(FingerRealm(store), checkers)
        factory = pb.PBServerFactory(FingerPBRoot(portal))
        strports.service(options["pb-port"], factory, reactor).setServiceParent(top)
    else:
        _log.info("The PB interface is off: give --auth (e.g. --auth hashed:FILE) to start it")
    return top
