"""
Perspective Broker: remote objects over the network (Twisted's
C{twisted.spread.pb}), wire-compatible with Twisted's PB (protocol
version 6 over Banana's C{"pb"} profile).

Serve a L{Root} (or a cred L{netframe.cred.portal.Portal}) with
L{PBServerFactory}; connect with L{PBClientFactory} and call
L{PBClientFactory.getRootObject} or L{PBClientFactory.login}; call methods
with L{RemoteReference.callRemote}.  Exceptions derived from L{Error} reach
the caller's errback as a L{CopiedFailure}; other exceptions too, but the
server also logs "Peer Will Receive PB Traceback".  Tracebacks are only sent
with C{unsafeTracebacks=True}.  When the connection drops, pending calls fail
with L{PBConnectionLost} and later calls raise L{DeadReferenceError}.

Wire names: PB's own types travel under Twisted's names
(C{twisted.spread.pb.CopyableFailure}, and error class names such as
C{twisted.cred.error.UnauthorizedLogin} in failures) so Twisted peers
understand them; user classes travel under their own qualified names.

Limits: L{MAX_BROKER_REFS} (1024) local objects referenced by the peer per
connection (and as many caches); past it the call that would send one more
fails with L{Error}.  Banana's and jelly's limits apply to every message.
Peer mistakes that cannot be answered (an answer or error for an unknown
request, a decref or decache of an unknown ID) are logged and ignored;
malformed messages drop the connection.

Login scheme and its risk
=========================
L{PBClientFactory.login} speaks Twisted's scheme, required to interoperate:
the client calls C{login(username)} on the root, the server answers a
challenge and a challenger reference, the client calls C{respond(
MD5(MD5(password) + challenge), mind)}, and gets a reference to its avatar.
Here the challenge is 16 bytes from C{secrets} (Twisted uses C{random}).

The risks are those of MD5 challenge-response: the server must know the
password (or its MD5) in a form equivalent to the password itself, the
exchange is not bound to the connection, and anyone observing one exchange
can brute-force the password offline (MD5 is fast).  Use it only over TLS
(C{ssl:}/C{tls:} endpoints), or with trusted networks; the scheme exists for
compatibility with Twisted peers, not for strength.  Anonymous login
(L{netframe.cred.credentials.Anonymous}) calls C{loginAnonymous(mind)}.
"""

from __future__ import annotations

from netframe.spread._flavors import (
    Cacheable,
    Copyable,
    IPBRoot,
    NoSuchMethod,
    Referenceable,
    RemoteCache,
    RemoteCacheObserver,
    RemoteCopy,
    Root,
    Serializable,
    Viewable,
    ViewPoint,
)
from netframe.spread._jelly import setUnjellyableForClass, setUnjellyableForClassTree
from netframe.spread._pb import (
    MAX_BROKER_REFS,
    PROTOCOL_VERSION,
    AsReferenceable,
    Avatar,
    Broker,
    CopiedFailure,
    CopyableFailure,
    DeadReferenceError,
    Error,
    IPerspective,
    PBClientFactory,
    PBConnectionLost,
    PBServerFactory,
    ProtocolError,
    RemoteError,
    RemoteMethod,
    RemoteReference,
    challenge,
    failure2Copyable,
    respond,
)

__all__ = [
    "MAX_BROKER_REFS",
    "PROTOCOL_VERSION",
    "AsReferenceable",
    "Avatar",
    "Broker",
    "Cacheable",
    "CopiedFailure",
    "Copyable",
    "CopyableFailure",
    "DeadReferenceError",
    "Error",
    "IPBRoot",
    "IPerspective",
    "NoSuchMethod",
    "PBClientFactory",
    "PBConnectionLost",
    "PBServerFactory",
    "ProtocolError",
    "Referenceable",
    "RemoteCache",
    "RemoteCacheObserver",
    "RemoteCopy",
    "RemoteError",
    "RemoteMethod",
    "RemoteReference",
    "Root",
    "Serializable",
    "ViewPoint",
    "Viewable",
    "challenge",
    "failure2Copyable",
    "respond",
    "setUnjellyableForClass",
    "setUnjellyableForClassTree",
]

for _public in (
    AsReferenceable,
    Avatar,
    Broker,
    CopiedFailure,
    CopyableFailure,
    DeadReferenceError,
    Error,
    PBClientFactory,
    PBConnectionLost,
    PBServerFactory,
    ProtocolError,
    RemoteError,
    RemoteMethod,
    RemoteReference,
    challenge,
    failure2Copyable,
    respond,
):
    _public.__module__ = __name__
del _public
