"""
Perspective Broker: remote references, calls, copies, caches and cred login
over Banana.

Implementation of L{netframe.spread.pb}; see that module's docstring.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sys
import weakref
from typing import Any, ClassVar

from zope.interface import Interface, implementer

from netframe.core.defer import Deferred, fail, succeed
from netframe.core.failure import Failure
from netframe.core.protocol import ClientFactory, ServerFactory
from netframe.cred.credentials import Anonymous as _Anonymous
from netframe.cred.credentials import IAnonymous, IUsernameHashedPassword
from netframe.cred.portal import Portal
from netframe.logger import Logger
from netframe.spread._banana import Banana
from netframe.spread._flavors import (
    Cacheable,
    Copyable,
    IPBRoot,
    Referenceable,
    RemoteCache,
    RemoteCacheObserver,
    RemoteCopy,
    Serializable,
    _callArgs,
    _remoteMethod,
)
from netframe.spread._jelly import (
    IJellyable,
    InsecureJelly,
    _qual,
    getInstanceState,
    globalSecurity,
    jelly,
    setUnjellyableForClass,
    unjelly,
)

_log = Logger(namespace="netframe.spread.pb")

#: The most local objects one connection may hold references to.
MAX_BROKER_REFS = 1024

#: The PB protocol version exchanged after the Banana handshake.
PROTOCOL_VERSION = 6

#: Wire names of PB's own types: netframe prefix -> Twisted prefix.
_WIRE_PREFIXES = (
    ("netframe.spread.pb.", "twisted.spread.pb."),
    ("netframe.spread.flavors.", "twisted.spread.flavors."),
    ("netframe.spread.jelly.", "twisted.spread.jelly."),
    ("netframe.spread.banana.", "twisted.spread.banana."),
    ("netframe.cred.error.", "twisted.cred.error."),
    ("netframe.core.error.", "twisted.internet.error."),
    ("netframe.core.defer.", "twisted.internet.defer."),
)


def _toWire(name: str) -> str:
    """
    Map a netframe qualified name to Twisted's spelling for the wire.

    @param name: a qualified class name.
    @return: the wire name (unchanged for user classes).
    """
    for ours, theirs in _WIRE_PREFIXES:
        if name.startswith(ours):
            return theirs + name[len(ours) :]
    return name


def _fromWire(name: str) -> str:
    """
    Map a Twisted wire name back to netframe's spelling.

    @param name: a qualified class name from the wire.
    @return: the local name (unchanged for user classes).
    """
    for ours, theirs in _WIRE_PREFIXES:
        if name.startswith(theirs):
            return ours + name[len(theirs) :]
    return name


def _limit() -> int:
    """
    Return the current L{MAX_BROKER_REFS} as set on the public module.
    """
    public = sys.modules.get("netframe.spread.pb")
    value: int = getattr(public, "MAX_BROKER_REFS", MAX_BROKER_REFS)
    return value


class ProtocolError(Exception):
    """
    The peer broke the PB protocol, or PB was used in a way it forbids.
    """


class DeadReferenceError(ProtocolError):
    """
    A call on a reference whose connection is gone (raised synchronously by
    C{callRemote}).
    """


class Error(Exception):
    """
    An expected remote error: raise subclasses in remote methods and the
    caller's errback gets a L{CopiedFailure} without the server logging a
    traceback.
    """


class RemoteError(Exception):
    """
    Raised locally for a remote exception whose class is not known here.

    @ivar remoteType: the remote class name.
    @ivar remoteTraceback: the remote traceback text.
    """

    def __init__(self, remoteType: str, value: str, remoteTraceback: str) -> None:
        """
        @param remoteType: the remote class name.
        @param value: the message.
        @param remoteTraceback: the remote traceback text.
        """
        super().__init__(value)
        self.remoteType = remoteType
        self.remoteTraceback = remoteTraceback


class PBConnectionLost(Exception):
    """
    The connection dropped while a call was waiting for its answer.
    """


class IPerspective(Interface):
    """
    An avatar PB can serve: its C{perspective_*} methods are remotely
    callable.
    """

    __module__ = "netframe.spread.pb"

    def perspectiveMessageReceived(broker: Any, message: Any, args: Any, kw: Any) -> Any:
        """
        Run C{perspective_<message>}.

        @param broker: the connection.
        @param message: the method name.
        @param args: jellied positional arguments.
        @param kw: jellied keyword arguments.
        @return: the jellied result.
        """


@implementer(IPerspective)
class Avatar:
    """
    A convenient avatar: its C{perspective_*} methods are remotely callable
    with the avatar as the serializing perspective.
    """

    def perspectiveMessageReceived(self, broker: Any, message: Any, args: Any, kw: Any) -> Any:
        """
        Run C{perspective_<message>} with the unserialized arguments.

        @param broker: the connection.
        @param message: the method name.
        @param args: jellied positional arguments.
        @param kw: jellied keyword arguments.
        @return: the jellied result (or a Deferred firing with it).
        @raise netframe.spread.flavors.NoSuchMethod: for an unknown method.
        """
        args, kw = _callArgs(broker.unserialize(args, self), broker.unserialize(kw, self))
        method = _remoteMethod(self, "perspective_", message)
        return broker.serialize(method(*args, **kw), self)


class AsReferenceable(Referenceable):
    """
    A Referenceable wrapping an object whose C{<messageType>MessageReceived}
    handles the calls (used to send avatars).
    """

    def __init__(self, object: Any, messageType: str = "remote") -> None:
        """
        @param object: the wrapped object.
        @param messageType: C{"perspective"} for avatars.
        """
        self.remoteMessageReceived = getattr(object, messageType + "MessageReceived")  # type: ignore[method-assign]


class CopyableFailure(Failure, Copyable):
    """
    A Failure that can be sent: type and message (and the traceback only
    when C{unsafeTracebacks}), under Twisted's wire name
    C{twisted.spread.pb.CopyableFailure}.
    """

    unsafeTracebacks = False

    def getStateToCopy(self) -> dict[str, Any]:
        """
        Return the state Twisted's CopiedFailure expects.

        @return: the state dictionary.
        """
        tb = self.getTraceback() if self.unsafeTracebacks else "Traceback unavailable\n"
        typeName = self.type if isinstance(self.type, str) else _qual(self.type)
        return {
            "type": _toWire(typeName).encode("utf-8"),
            "value": self.getErrorMessage(),
            "count": self.count,
            "captureVars": False,
            "tb": None,
            "unsafeTracebacks": bool(self.unsafeTracebacks),
            "parents": [_toWire(p) for p in self.parents],
            "frames": [],
            "stack": [],
            "traceback": tb,
        }

    def getTypeToCopy(self) -> bytes:
        """
        @return: C{b"twisted.spread.pb.CopyableFailure"}.
        """
        return b"twisted.spread.pb.CopyableFailure"


class CopiedFailure(RemoteCopy, Failure):
    """
    A failure that happened on the peer.  C{type} is the remote class name
    (text), C{value} the message, C{traceback} the remote traceback text
    (C{"Traceback unavailable"} unless the server sends them).  L{CopiedFailure.check} and
    L{CopiedFailure.trap} match by qualified name (Twisted's names for PB's own errors are
    mapped to netframe's).
    """

    _unjellyNoArgConstructor = False

    def setCopyableState(self, state: Any) -> None:
        """
        Install the received state.

        @param state: the dictionary sent by the peer's CopyableFailure.
        @raise InsecureJelly: if it is not a dictionary.
        """
        if not isinstance(state, dict):
            raise InsecureJelly(f"failure state must be a dict, not {state!r:.80}")

        def text(v: Any, default: str) -> str:
            if isinstance(v, bytes):
                return v.decode("utf-8", "replace")
            return v if isinstance(v, str) else default

        typeName = _fromWire(text(state.get("type"), "builtins.Exception"))
        parents = state.get("parents")
        if not isinstance(parents, list):
            parents = [typeName]
        self.type = typeName  # type: ignore[assignment]
        self.value = text(state.get("value"), "")  # type: ignore[assignment]
        self.tb = None
        self.count = state.get("count", 0) if isinstance(state.get("count"), int) else 0
        self.captureVars = False
        self.parents = [_fromWire(text(p, "")) for p in parents]
        self.frames = []
        self.stack = []
        self.traceback = text(state.get("traceback"), "Traceback unavailable\n")
        self.unsafeTracebacks = bool(state.get("unsafeTracebacks", False))
        self._description = (typeName, self.value)  # type: ignore[assignment]

    def check(self, *errorTypes: Any) -> Any:
        """
        Return the first of C{errorTypes} whose qualified name is among the
        remote type's parents.

        @param errorTypes: classes or qualified names.
        @return: the match, or C{None}.
        """
        for error in errorTypes:
            name = error if isinstance(error, str) else _qual(error)
            if name in self.parents or _fromWire(name) in self.parents:
                return error
        return None

    def getErrorMessage(self) -> str:
        """
        @return: the remote message.
        """
        return str(self.value)

    def _localException(self) -> BaseException:
        """
        Return an exception to raise locally: an instance of the remote
        class if a class of that name is already imported here (no import is
        done, no constructor is run), else a L{RemoteError}.
        """
        name = str(self.type)
        module, _, attr = name.rpartition(".")
        cls = getattr(sys.modules.get(module), attr, None) if module else None
        if isinstance(cls, type) and issubclass(cls, BaseException):
            try:
                exc = BaseException.__new__(cls)
                exc.args = (self.value,)
                return exc
            except Exception:
                pass
        return RemoteError(name, str(self.value), self.traceback)

    def raiseException(self) -> Any:
        """
        Raise the remote error locally (see L{_localException}).

        @raise BaseException: always.
        """
        raise self._localException()

    def throwExceptionIntoGenerator(self, g: Any) -> Any:
        """
        Throw the remote error into a generator.

        @param g: the generator.
        @return: what it yields next.
        """
        return g.throw(self._localException())

    def printTraceback(
        self, file: Any = None, elideFrameworkCode: Any = 0, detail: str = "default"
    ) -> None:
        """
        Write the remote traceback.

        @param file: where to write (default C{sys.stderr}).
        @param elideFrameworkCode: ignored.
        @param detail: ignored.
        """
        if file is None:
            file = sys.stderr
        file.write("Traceback from remote host -- ")
        file.write(self.traceback)
        file.write(f"{self.type}: {self.value}\n")

    def getTraceback(self, elideFrameworkCode: Any = 0, detail: str = "default") -> str:
        """
        @return: the remote traceback text.
        """
        return f"Traceback from remote host -- {self.traceback}{self.type}: {self.value}\n"


setUnjellyableForClass("twisted.spread.pb.CopyableFailure", CopiedFailure)


def failure2Copyable(fail: Failure, unsafeTracebacks: bool = False) -> CopyableFailure:
    """
    Make a sendable copy of a failure.

    @param fail: the failure.
    @param unsafeTracebacks: whether to include the traceback text.
    @return: the L{CopyableFailure}.
    """
    f = CopyableFailure.__new__(CopyableFailure)
    for slot in ("value", "type", "tb", "count", "captureVars"):
        setattr(f, slot, getattr(fail, slot))
    f._description = getattr(fail, "_description", None)
    if isinstance(fail, CopiedFailure):
        f.parents = list(fail.parents)
    f.unsafeTracebacks = unsafeTracebacks
    return f


class RemoteMethod:
    """
    A bound remote method: calling it calls C{callRemote}.
    """

    def __init__(self, obj: RemoteReference, name: str) -> None:
        """
        @param obj: the reference.
        @param name: the method name.
        """
        self.obj = obj
        self.name = name

    def __call__(self, *args: Any, **kw: Any) -> Deferred[Any]:
        """
        @return: C{obj.callRemote(name, *args, **kw)}.
        """
        return self.obj.callRemote(self.name, *args, **kw)


class RemoteReference(Serializable):
    """
    A reference to an object on the other side of a connection.

    @ivar broker: the connection.
    @ivar luid: the object's ID there.
    @ivar perspective: the perspective used to serialize arguments.
    """

    def __init__(self, perspective: Any, broker: Broker, luid: Any, doRefCount: bool | int) -> None:
        """
        @param perspective: the serializing perspective.
        @param broker: the connection.
        @param luid: the ID.
        @param doRefCount: whether to send C{decref} when garbage collected.
        """
        self.luid = luid
        self.broker = broker
        self.doRefCount = doRefCount
        self.perspective = perspective
        self.disconnectCallbacks: list[Any] = []

    def __repr__(self) -> str:
        """
        @return: C{<RemoteReference at ... with ID ...>}.
        """
        return f"<RemoteReference at {id(self):#x} with ID {self.luid!r}>"

    def __eq__(self, other: object) -> bool:
        """
        @return: whether C{other} refers to the same remote object.
        """
        if not isinstance(other, RemoteReference):
            return NotImplemented
        return self.broker is other.broker and self.luid == other.luid

    def __hash__(self) -> int:
        """
        @return: a hash consistent with equality.
        """
        return hash((id(self.broker), self.luid))

    def notifyOnDisconnect(self, callback: Any) -> None:
        """
        Call C{callback(self)} when the connection is lost.

        @param callback: a one-argument callable.
        @raise TypeError: if it is not callable.
        """
        if not callable(callback):
            raise TypeError(f"notifyOnDisconnect needs a callable, not {callback!r}")
        if not self.disconnectCallbacks:
            self.broker.notifyOnDisconnect(self._disconnected)
        self.disconnectCallbacks.append(callback)

    def dontNotifyOnDisconnect(self, callback: Any) -> None:
        """
        Undo L{notifyOnDisconnect}.

        @param callback: the callable registered.
        @raise ValueError: if it was not registered.
        """
        self.disconnectCallbacks.remove(callback)
        if not self.disconnectCallbacks:
            self.broker.dontNotifyOnDisconnect(self._disconnected)

    def _disconnected(self) -> None:
        """
        Run the disconnect callbacks.
        """
        for callback in self.disconnectCallbacks:
            try:
                callback(self)
            except Exception:
                _log.failure(
                    "Error in disconnect callback {callback!r}",
                    callback=callback,
                    log_system=self.broker._logSystem(),
                )
        self.disconnectCallbacks = []

    def jellyFor(self, jellier: Any) -> Any:
        """
        Send back to its owner as C{[b"local", id]}.

        @param jellier: the jellier at work.
        @return: the s-expression.
        @raise ProtocolError: if sent over another connection (references
            cannot be handed to third parties).
        """
        if jellier.invoker is None:
            return getInstanceState(self, jellier)
        if jellier.invoker is not self.broker:
            raise ProtocolError("Can't send references to brokers other than their own.")
        return [b"local", self.luid]

    def callRemote(self, _name: str, *args: Any, **kw: Any) -> Deferred[Any]:
        """
        Call a method on the remote object.

        @param _name: the method name (the peer runs C{remote_<_name>},
            C{perspective_<_name>}... depending on the object).  Named
            C{_name} so that C{name=} can be a keyword argument.
        @param args: positional arguments.
        @param kw: keyword arguments.
        @return: a Deferred firing with the result, or failing with a
            L{CopiedFailure}, L{InsecureJelly} (arguments not sendable) or
            L{PBConnectionLost}.
        @raise DeadReferenceError: if the connection is already gone.
        """
        return self.broker._sendMessage(b"", self.perspective, self.luid, _name, args, kw)

    def remoteMethod(self, key: str) -> RemoteMethod:
        """
        @param key: a method name.
        @return: a L{RemoteMethod} for it.
        """
        return RemoteMethod(self, key)

    def __del__(self) -> None:
        """
        Tell the peer we dropped this reference.
        """
        try:
            if self.doRefCount:
                self.broker.sendDecRef(self.luid)
        except Exception:
            pass


def _unjellyRemote(unjellier: Any, unjellyList: Any) -> Any:
    """
    Resolve C{[b"remote", id]} to a new L{RemoteReference}.
    """
    broker = unjellier.invoker
    if broker is None or len(unjellyList) != 2:
        raise InsecureJelly("remote reference outside PB or malformed")
    luid = unjellyList[1]
    if luid.__class__ is not int:
        raise InsecureJelly(f"remote reference id must be an integer, not {luid!r:.80}")
    return RemoteReference(broker.unserializingPerspective, broker, luid, 1)


setUnjellyableForClass("remote", _unjellyRemote)


class _Local:
    """
    A local object the peer holds references to, with a reference count.
    """

    __slots__ = ("object", "perspective", "refcount")

    def __init__(self, object: Any, perspective: Any = None) -> None:
        self.object = object
        self.perspective = perspective
        self.refcount = 1

    def incref(self) -> int:
        self.refcount += 1
        return self.refcount

    def decref(self) -> int:
        self.refcount -= 1
        return self.refcount


_COMMANDS = {
    b"version": (1, "proto_version"),
    b"didNotUnderstand": (1, "proto_didNotUnderstand"),
    b"message": (6, "proto_message"),
    b"cachemessage": (6, "proto_cachemessage"),
    b"answer": (2, "proto_answer"),
    b"error": (2, "proto_error"),
    b"decref": (1, "proto_decref"),
    b"decache": (1, "proto_decache"),
    b"uncache": (1, "proto_uncache"),
}


class Broker(Banana):
    """
    One PB connection (either side): reference tables, pending calls,
    caches.

    @cvar version: the PB protocol version (6).
    @ivar security: the jelly security options for what the peer sends.
    @ivar disconnected: whether the connection is gone.
    @ivar factory: the factory that built it.
    @cvar maxBrokerRefs: overrides L{MAX_BROKER_REFS} when not C{None}.
    """

    version = PROTOCOL_VERSION
    maxBrokerRefs: ClassVar[int | None] = None
    factory: Any = None
    unsafeTracebacks = False

    def __init__(self, isClient: int | bool = 1, security: Any = globalSecurity) -> None:
        """
        @param isClient: true on the connecting side.
        @param security: jelly security options for incoming data.
        """
        super().__init__(isClient)
        self.security = security
        self.disconnected = False
        self.disconnects: list[Any] = []
        self.connects: list[Any] = []
        self.localObjects: dict[Any, _Local] = {}
        self.luids: dict[Any, Any] = {}
        self.remotelyCachedObjects: dict[int, _Local] = {}
        self.remotelyCachedLUIDs: dict[int, int] = {}
        self.locallyCachedObjects: dict[int, weakref.ref[RemoteCache]] = {}
        self.waitingForAnswers: dict[int, Deferred[Any]] = {}
        self._localCleanup: dict[Any, Any] = {}
        self.currentRequestID = 0
        self.currentLocalID = 0
        self.serializingPerspective: Any = None
        self.unserializingPerspective: Any = None
        self._referenceCount = 0

    # -- connection life -------------------------------------------------------

    def connectionReady(self) -> None:
        """
        Send our version; run the connect notifiers; tell the factory.
        """
        self.sendCall(b"version", self.version)
        for notifier in self.connects:
            try:
                notifier()
            except Exception:
                _log.failure(
                    "Error in connect notifier {notifier!r}",
                    notifier=notifier,
                    log_system=self._logSystem(),
                )
        self.connects = []
        if self.factory is not None and hasattr(self.factory, "clientConnectionMade"):
            self.factory.clientConnectionMade(self)

    def connectionFailed(self) -> None:
        """
        Called when the connection could not be made; fails the waiters.
        """
        self.connectionLost(Failure(PBConnectionLost("connection failed")))

    def connectionLost(self, reason: Any = None) -> None:
        """
        Fail pending calls with L{PBConnectionLost}, tell caches and
        disconnect notifiers, and drop every reference.

        @param reason: why the connection ended.
        """
        if self.disconnected:
            return
        self.disconnected = True
        waiting, self.waitingForAnswers = self.waitingForAnswers, {}
        for d in waiting.values():
            try:
                d.errback(PBConnectionLost(reason))
            except Exception:
                _log.failure("Error failing a pending call", log_system=self._logSystem())
        cached, self.remotelyCachedObjects = self.remotelyCachedObjects, {}
        for local in cached.values():
            try:
                local.object.stoppedObserving(
                    local.perspective, RemoteCacheObserver(self, local.object, local.perspective)
                )
            except Exception:
                _log.failure("Error in stoppedObserving", log_system=self._logSystem())
        notifiers, self.disconnects = self.disconnects, []
        for notifier in notifiers:
            try:
                notifier()
            except Exception:
                _log.failure(
                    "Error in disconnect notifier {notifier!r}",
                    notifier=notifier,
                    log_system=self._logSystem(),
                )
        self.localObjects = {}
        self.luids = {}
        self.remotelyCachedLUIDs = {}
        self.locallyCachedObjects = {}
        self._localCleanup = {}
        self._referenceCount = 0

    def notifyOnDisconnect(self, notifier: Any) -> None:
        """
        Call C{notifier()} when the connection is lost.

        @param notifier: a no-argument callable.
        """
        self.disconnects.append(notifier)

    def dontNotifyOnDisconnect(self, notifier: Any) -> None:
        """
        Undo L{notifyOnDisconnect} (no error if it was not registered).

        @param notifier: the callable.
        """
        try:
            self.disconnects.remove(notifier)
        except ValueError:
            pass

    def notifyOnConnect(self, notifier: Any) -> None:
        """
        Call C{notifier()} once the connection is ready (now if it is).

        @param notifier: a no-argument callable.
        """
        if self.currentDialect is not None:
            notifier()
        else:
            self.connects.append(notifier)

    # -- sending ---------------------------------------------------------------

    def sendCall(self, *exp: Any) -> None:
        """
        Send one PB message.

        @param exp: the message elements.
        """
        self.sendEncoded(exp)

    def serialize(
        self,
        object: Any,
        perspective: Any = None,
        method: Any = None,
        args: Any = None,
        kw: Any = None,
    ) -> Any:
        """
        Jelly C{object} for this connection (a Deferred is serialized when it
        fires).

        @param object: the value.
        @param perspective: the perspective to serialize for (Viewables).
        @param method: unused (Twisted compatibility).
        @param args: unused.
        @param kw: unused.
        @return: the s-expression, or a Deferred firing with it.
        @raise InsecureJelly: if something cannot be sent.
        """
        if isinstance(object, Deferred):
            return object.addCallback(self.serialize, perspective)
        saved = self.serializingPerspective
        self.serializingPerspective = perspective
        try:
            return jelly(object, self.security, None, self)
        finally:
            self.serializingPerspective = saved

    def unserialize(self, sexp: Any, perspective: Any = None) -> Any:
        """
        Unjelly C{sexp} with this connection's security options.

        @param sexp: the s-expression.
        @param perspective: the perspective receiving it.
        @return: the object.
        @raise InsecureJelly: if the security options refuse it.
        """
        saved = self.unserializingPerspective
        self.unserializingPerspective = perspective
        try:
            return unjelly(sexp, self.security, None, self)
        finally:
            self.unserializingPerspective = saved

    def newRequestID(self) -> int:
        """
        @return: a fresh request ID.
        """
        self.currentRequestID += 1
        return self.currentRequestID

    def newLocalID(self) -> int:
        """
        @return: a fresh local object ID.
        """
        self.currentLocalID += 1
        return self.currentLocalID

    def _sendMessage(
        self,
        prefix: bytes,
        perspective: Any,
        objectID: Any,
        message: str | bytes,
        args: Any,
        kw: Any,
    ) -> Deferred[Any]:
        """
        Send a call and return the Deferred for its answer.

        @raise DeadReferenceError: if the connection is gone.
        """
        if self.disconnected:
            raise DeadReferenceError("Calling Stale Broker")
        name = message.encode("utf-8") if isinstance(message, str) else message
        try:
            netArgs = self.serialize(tuple(args), perspective)
            netKw = self.serialize(dict(kw), perspective)
        except Exception:
            return fail()
        requestID = self.newRequestID()
        d: Deferred[Any] = Deferred()
        self.waitingForAnswers[requestID] = d
        try:
            self.sendCall(prefix + b"message", requestID, objectID, name, 1, netArgs, netKw)
        except Exception:
            del self.waitingForAnswers[requestID]
            return fail()
        return d

    def sendDecRef(self, objectID: Any) -> None:
        """
        Tell the peer we dropped one reference to its object C{objectID}.

        @param objectID: the ID.
        """
        if not self.disconnected and self.transport is not None:
            self.sendCall(b"decref", objectID)

    def _sendAnswer(self, netResult: Any, requestID: int) -> None:
        """
        Send the (jellied) result of a call.
        """
        if not self.disconnected:
            self.sendCall(b"answer", requestID, netResult)

    def _sendFailureOrError(self, fail: Failure, requestID: int) -> None:
        """
        Send a failure, logging it unless it is an expected L{Error}.
        """
        if fail.check(Error) is None:
            _log.failure("Peer Will Receive PB Traceback", fail, log_system=self._logSystem())
        self._sendError(fail, requestID)

    def _sendError(self, fail: Failure, requestID: int) -> None:
        """
        Send a failure as a CopyableFailure.
        """
        if self.disconnected:
            return
        copyable = failure2Copyable(fail, self._unsafeTracebacks())
        try:
            net = self.serialize(copyable)
        except Exception:
            _log.failure("Could not serialize a failure for the peer", log_system=self._logSystem())
            net = self.serialize(failure2Copyable(Failure(Error(copyable.getErrorMessage()))))
        self.sendCall(b"error", requestID, net)

    def _unsafeTracebacks(self) -> bool:
        """
        @return: whether tracebacks are sent (the factory's setting).
        """
        return bool(getattr(self.factory, "unsafeTracebacks", self.unsafeTracebacks))

    # -- receiving -------------------------------------------------------------

    def expressionReceived(self, sexp: Any) -> None:
        """
        Dispatch one PB message; malformed ones drop the connection.

        @param sexp: the decoded message.
        """
        if sexp.__class__ is not list or not sexp:
            _log.error(
                "PB protocol error: message must be a non-empty list, not {sexp!r}",
                sexp=sexp,
                log_system=self._logSystem(),
            )
            self._drop()
            return
        command = sexp[0]
        entry = _COMMANDS.get(command) if isinstance(command, bytes) else None
        if entry is None:
            self.sendCall(b"didNotUnderstand", command)
            return
        argc, methodName = entry
        if len(sexp) != argc + 1:
            _log.error(
                "PB protocol error: malformed {command!r} message",
                command=command,
                log_system=self._logSystem(),
            )
            self._drop()
            return
        try:
            getattr(self, methodName)(*sexp[1:])
        except Exception:
            _log.failure(
                "PB protocol error handling {command!r}; dropping the connection",
                command=command,
                log_system=self._logSystem(),
            )
            self._drop()

    def _drop(self) -> None:
        """
        Drop the connection.
        """
        self.disconnecting = True
        if self.transport is not None:
            self.transport.loseConnection()

    def proto_version(self, vnum: Any) -> None:
        """
        Check the peer's protocol version.

        @param vnum: the version.
        @raise ProtocolError: if it is not ours.
        """
        if vnum != self.version:
            raise ProtocolError(f"Version Incompatibility: {self.version!r} {vnum!r}")

    def proto_didNotUnderstand(self, command: Any) -> None:
        """
        Log that the peer did not understand a message.

        @param command: what it did not understand.
        """
        _log.warn(
            "Peer did not understand {command!r}", command=command, log_system=self._logSystem()
        )

    def localObjectForID(self, luid: Any) -> Any:
        """
        @param luid: an object ID (or name).
        @return: the local object the peer refers to, or C{None}.
        """
        try:
            local = self.localObjects.get(luid)
        except TypeError:
            return None
        return None if local is None else local.object

    def _findLocal(self, objectID: Any) -> _Local | None:
        try:
            return self.localObjects.get(objectID)
        except TypeError:
            return None

    def _findCache(self, objectID: Any) -> _Local | None:
        if objectID.__class__ is not int:
            return None
        ref = self.locallyCachedObjects.get(objectID)
        obj = None if ref is None else ref()
        return None if obj is None else _Local(obj)

    def proto_message(
        self,
        requestID: Any,
        objectID: Any,
        message: Any,
        answerRequired: Any,
        netArgs: Any,
        netKw: Any,
    ) -> None:
        """
        Run a call on one of our objects and answer it.
        """
        self._recvMessage(
            self._findLocal, requestID, objectID, message, answerRequired, netArgs, netKw
        )

    def proto_cachemessage(
        self,
        requestID: Any,
        objectID: Any,
        message: Any,
        answerRequired: Any,
        netArgs: Any,
        netKw: Any,
    ) -> None:
        """
        Run an C{observe_*} call on one of our caches and answer it.
        """
        self._recvMessage(
            self._findCache, requestID, objectID, message, answerRequired, netArgs, netKw
        )

    def _recvMessage(
        self,
        find: Any,
        requestID: Any,
        objectID: Any,
        message: Any,
        answerRequired: Any,
        netArgs: Any,
        netKw: Any,
    ) -> None:
        if requestID.__class__ is not int:
            raise ProtocolError(f"request ID must be an integer, not {requestID!r:.80}")
        try:
            local = find(objectID)
            if local is None:
                raise Error("Invalid Object ID")
            result = local.object.remoteMessageReceived(self, message, netArgs, netKw)
        except Exception:
            if answerRequired:
                self._sendFailureOrError(Failure(), requestID)
            else:
                _log.failure("Error in a call that wanted no answer", log_system=self._logSystem())
            return
        if not answerRequired:
            return
        if isinstance(result, Deferred):
            result.addCallbacks(
                self._sendAnswer,
                self._sendFailureOrError,
                callbackArgs=(requestID,),
                errbackArgs=(requestID,),
            )
        else:
            self._sendAnswer(result, requestID)

    def proto_answer(self, requestID: Any, netResult: Any) -> None:
        """
        Deliver the answer to one of our calls (unknown IDs are logged and
        ignored).
        """
        d = self._popWaiting(requestID)
        if d is None:
            return
        try:
            result = self.unserialize(netResult)
        except Exception:
            d.errback(Failure())
            return
        d.callback(result)

    def proto_error(self, requestID: Any, fail: Any) -> None:
        """
        Deliver the failure of one of our calls (unknown IDs are logged and
        ignored).
        """
        d = self._popWaiting(requestID)
        if d is None:
            return
        try:
            result = self.unserialize(fail)
        except Exception:
            d.errback(Failure())
            return
        if isinstance(result, Failure):
            d.errback(result)
        else:
            d.errback(Failure(RemoteError("builtins.Exception", str(result), "")))

    def _popWaiting(self, requestID: Any) -> Deferred[Any] | None:
        try:
            d = self.waitingForAnswers.pop(requestID, None)
        except TypeError:
            d = None
        if d is None:
            _log.warn(
                "PB peer answered unknown request {requestID!r}; ignored",
                requestID=requestID,
                log_system=self._logSystem(),
            )
        return d

    def proto_decref(self, objectID: Any) -> None:
        """
        The peer dropped a reference to our object C{objectID}; forget the
        object when no reference is left.  Unknown IDs are logged and
        ignored.
        """
        local = self._findLocal(objectID) if objectID.__class__ is int else None
        if local is None:
            _log.warn(
                "PB peer released unknown object {objectID!r}; ignored",
                objectID=objectID,
                log_system=self._logSystem(),
            )
            return
        if local.decref() > 0:
            return
        del self.localObjects[objectID]
        self._referenceCount -= 1
        puid = local.object.processUniqueID()
        self.luids.pop(puid, None)
        cleanup = self._localCleanup.pop(puid, None)
        if cleanup is not None:
            cleanup()

    def proto_decache(self, objectID: Any) -> None:
        """
        The peer dropped its cache of our cacheable C{objectID}: stop
        observing and confirm with C{uncache}.  Unknown IDs are ignored.
        """
        local = (
            self.remotelyCachedObjects.pop(objectID, None) if objectID.__class__ is int else None
        )
        if local is None:
            _log.warn(
                "PB peer dropped unknown cache {objectID!r}; ignored",
                objectID=objectID,
                log_system=self._logSystem(),
            )
            return
        cacheable = local.object
        self.remotelyCachedLUIDs.pop(id(cacheable), None)
        try:
            cacheable.stoppedObserving(
                local.perspective, RemoteCacheObserver(self, cacheable, local.perspective)
            )
        except Exception:
            _log.failure("Error in stoppedObserving", log_system=self._logSystem())
        self.sendCall(b"uncache", objectID)

    def proto_uncache(self, objectID: Any) -> None:
        """
        The peer confirmed it forgot the cache we dropped.
        """
        if objectID.__class__ is int:
            self.locallyCachedObjects.pop(objectID, None)

    # -- reference tables (used by jelly through the invoker) -----------------

    def setNameForLocal(self, name: bytes, object: Any) -> None:
        """
        Publish C{object} under a name (C{b"root"}); not counted in
        L{MAX_BROKER_REFS} and never released by the peer.

        @param name: the name.
        @param object: the object.
        """
        self.localObjects[name] = _Local(object)

    def remoteForName(self, name: bytes) -> RemoteReference:
        """
        @param name: a name the peer published (C{b"root"}).
        @return: a reference to it.
        """
        return RemoteReference(None, self, name, 0)

    def registerReference(self, object: Any) -> int:
        """
        Give the peer one more reference to C{object}.

        @param object: a Referenceable.
        @return: its ID on this connection.
        @raise Error: if this would exceed C{maxBrokerRefs} objects.
        """
        puid = object.processUniqueID()
        known: int | None = self.luids.get(puid)
        if known is not None:
            self.localObjects[known].incref()
            return known
        limit = self.maxBrokerRefs if self.maxBrokerRefs is not None else _limit()
        if self._referenceCount >= limit:
            raise Error(f"Maximum PB reference count exceeded ({limit} objects).  Goodbye.")
        luid = self.newLocalID()
        self.localObjects[luid] = _Local(object, self.serializingPerspective)
        self.luids[puid] = luid
        self._referenceCount += 1
        return luid

    def cacheRemotely(self, cacheable: Cacheable) -> int:
        """
        Record that the peer will hold a cache of C{cacheable}.

        @param cacheable: the cacheable.
        @return: its cache ID.
        @raise Error: if this would exceed C{maxBrokerRefs} objects.
        """
        limit = self.maxBrokerRefs if self.maxBrokerRefs is not None else _limit()
        if len(self.remotelyCachedObjects) >= limit:
            raise Error(f"Maximum PB cache count exceeded ({limit} objects).")
        luid = self.newLocalID()
        self.remotelyCachedObjects[luid] = _Local(cacheable, self.serializingPerspective)
        self.remotelyCachedLUIDs[id(cacheable)] = luid
        return luid

    def cachedRemotelyAs(self, cacheable: Cacheable, incref: bool = False) -> int | None:
        """
        @param cacheable: a cacheable.
        @param incref: unused (Twisted compatibility).
        @return: its cache ID if the peer holds it, else C{None}.
        """
        return self.remotelyCachedLUIDs.get(id(cacheable))

    def remotelyCachedForLUID(self, luid: Any) -> Any:
        """
        @param luid: a cache ID.
        @return: our cacheable with that ID, or C{None}.
        """
        local = self.remotelyCachedObjects.get(luid) if luid.__class__ is int else None
        return None if local is None else local.object

    def cacheLocally(self, luid: int, cache: RemoteCache) -> None:
        """
        Remember the peer's cacheable C{luid} as C{cache} (weakly: when the
        cache is collected the peer is sent C{decache}).

        @param luid: the cache ID.
        @param cache: the local RemoteCache.
        @raise InsecureJelly: if that ID is already cached.
        """
        existing = self.locallyCachedObjects.get(luid)
        if existing is not None and existing() is not None:
            raise InsecureJelly(f"cache ID {luid} is already in use")
        selfRef = weakref.ref(self)

        def gone(_: object) -> None:
            broker = selfRef()
            if broker is not None and not broker.disconnected and broker.transport is not None:
                try:
                    broker.sendCall(b"decache", luid)
                except Exception:
                    pass

        self.locallyCachedObjects[luid] = weakref.ref(cache, gone)

    def cachedLocallyAs(self, luid: Any) -> Any:
        """
        @param luid: a cache ID from the peer.
        @return: our RemoteCache for it.
        @raise InsecureJelly: if there is none.
        """
        local = self._findCache(luid)
        if local is None:
            raise InsecureJelly(f"cached reference to unknown id {luid!r:.80}")
        return local.object


# -- factories -----------------------------------------------------------------


class PBServerFactory(ServerFactory):
    """
    Serve a root object (or a cred portal) over PB.

    @ivar root: the L{IPBRoot} provider.
    @ivar unsafeTracebacks: whether tracebacks are sent to clients.
    @ivar security: jelly security options for incoming data.
    """

    protocol = Broker

    def __init__(
        self, root: Any, unsafeTracebacks: bool = False, security: Any = globalSecurity
    ) -> None:
        """
        @param root: a L{netframe.spread.flavors.Root} (anything adaptable to
            L{IPBRoot}) or a L{Portal} (clients then log in).
        @param unsafeTracebacks: send tracebacks of remote errors (off by
            default: they reveal server internals).
        @param security: jelly security options.
        @raise TypeError: if C{root} is neither.
        """
        if isinstance(root, Portal):
            root = _PortalRoot(root)
        self.root = IPBRoot(root)
        self.unsafeTracebacks = unsafeTracebacks
        self.security = security

    def buildProtocol(self, addr: Any) -> Broker:
        """
        Make the Broker for a new connection and publish the root object.

        @param addr: the peer's address.
        @return: the broker.
        """
        proto = self.protocol(0, self.security)
        proto.factory = self
        proto.setNameForLocal(b"root", self.root.rootObject(proto))
        return proto

    def clientConnectionMade(self, protocol: Broker) -> None:
        """
        Called when a client connection is ready (a hook; does nothing).

        @param protocol: the broker.
        """


class PBClientFactory(ClientFactory):
    """
    Connect to a PB server: L{getRootObject} or L{login}.

    @ivar unsafeTracebacks: whether this side sends tracebacks.
    """

    protocol = Broker

    def __init__(self, unsafeTracebacks: bool = False, security: Any = globalSecurity) -> None:
        """
        @param unsafeTracebacks: send tracebacks of errors in our objects.
        @param security: jelly security options for incoming data.
        """
        self.unsafeTracebacks = unsafeTracebacks
        self.security = security
        self._reset()

    def _reset(self) -> None:
        self.rootObjectRequests: list[Deferred[Any]] = []
        self._broker: Broker | None = None
        self._root: RemoteReference | None = None

    def buildProtocol(self, addr: Any) -> Broker:
        """
        @param addr: the server address.
        @return: a client broker.
        """
        proto = self.protocol(1, self.security)
        proto.factory = self
        return proto

    def _failAll(self, reason: Any) -> None:
        requests, self.rootObjectRequests = self.rootObjectRequests, []
        for d in requests:
            d.errback(reason)

    def clientConnectionFailed(self, connector: Any, reason: Any) -> None:
        """
        Fail the waiting L{getRootObject}/L{login} calls.

        @param connector: the connector.
        @param reason: the failure.
        """
        self._failAll(reason)

    def clientConnectionLost(self, connector: Any, reason: Any, reconnecting: int = 0) -> None:
        """
        Forget the connection and fail waiting requests.

        @param connector: the connector.
        @param reason: the failure.
        @param reconnecting: true if a reconnection is under way (keep the
            waiters).
        """
        if not reconnecting:
            self._broker = None
            self._root = None
            self._failAll(reason)

    def clientConnectionMade(self, broker: Broker) -> None:
        """
        The connection is ready: give waiters the root reference.

        @param broker: the broker.
        """
        self._broker = broker
        self._root = broker.remoteForName(b"root")
        requests, self.rootObjectRequests = self.rootObjectRequests, []
        for d in requests:
            d.callback(self._root)

    def getRootObject(self) -> Deferred[Any]:
        """
        @return: a Deferred firing with a L{RemoteReference} to the server's
            root object once connected (failing if the connection fails or
            is lost first).
        """
        if self._broker is not None and not self._broker.disconnected:
            return succeed(self._root)
        d: Deferred[Any] = Deferred()
        self.rootObjectRequests.append(d)
        return d

    def disconnect(self) -> None:
        """
        Drop the connection, if any.
        """
        if self._broker is not None and self._broker.transport is not None:
            self._broker.transport.loseConnection()

    def login(self, credentials: Any, client: Any = None) -> Deferred[Any]:
        """
        Log in to a server built on a portal.

        @param credentials: L{netframe.cred.credentials.UsernamePassword}
            (sent as Twisted's MD5 challenge-response) or
            L{netframe.cred.credentials.Anonymous}.
        @param client: a Referenceable given to the realm as the mind.
        @return: a Deferred firing with a L{RemoteReference} to the avatar,
            or failing with the server's error (a L{CopiedFailure} for
            C{UnauthorizedLogin}).
        """
        d = self.getRootObject()
        if IAnonymous.providedBy(credentials) or isinstance(credentials, _Anonymous):
            d.addCallback(lambda root: root.callRemote("loginAnonymous", client))
        else:
            d.addCallback(self._cbSendUsername, credentials.username, credentials.password, client)
        return d

    def _cbSendUsername(
        self, root: RemoteReference, username: Any, password: Any, client: Any
    ) -> Deferred[Any]:
        if isinstance(username, str):
            username = username.encode("utf-8")
        if isinstance(password, str):
            password = password.encode("utf-8")
        d = root.callRemote("login", username)
        d.addCallback(self._cbResponse, password, client)
        return d

    def _cbResponse(self, challenges: Any, password: bytes, client: Any) -> Deferred[Any]:
        challenge, challenger = challenges
        return challenger.callRemote("respond", respond(challenge, password), client)  # type: ignore[no-any-return]


# -- cred login ------------------------------------------------------------------


def respond(challenge: bytes, password: bytes) -> bytes:
    """
    Answer a login challenge: C{MD5(MD5(password) + challenge)} (Twisted's
    scheme; see the module docstring for its risks).

    @param challenge: the server's challenge bytes.
    @param password: the password.
    @return: the 16-byte response.
    """
    hashed = hashlib.md5(password, usedforsecurity=False).digest()
    return hashlib.md5(hashed + challenge, usedforsecurity=False).digest()


def challenge() -> bytes:
    """
    Make a login challenge from C{secrets} (16 random bytes, the size of
    Twisted's).

    @return: the challenge.
    """
    return secrets.token_bytes(16)


@implementer(IPBRoot)
class _PortalRoot:
    """
    Root for a portal: each connection gets a L{_PortalWrapper}.
    """

    def __init__(self, portal: Portal) -> None:
        self.portal = portal

    def rootObject(self, broker: Broker) -> Any:
        return _PortalWrapper(self.portal, broker)


class _PortalWrapper(Referenceable):
    """
    The root object of a portal-based server: C{login} and
    C{loginAnonymous}.
    """

    def __init__(self, portal: Portal, broker: Broker) -> None:
        self.portal = portal
        self.broker = broker

    def remote_login(self, username: Any) -> tuple[bytes, Any]:
        """
        Start a login: return a challenge and an object to respond to.
        """
        if isinstance(username, str):
            username = username.encode("utf-8")
        if not isinstance(username, bytes):
            raise Error("user name must be bytes")
        c = challenge()
        return c, _PortalAuthChallenger(self.portal, self.broker, username, c)

    def remote_loginAnonymous(self, mind: Any) -> Deferred[Any]:
        """
        Log in anonymously.
        """
        d = self.portal.login(_Anonymous(), mind, IPerspective)
        d.addCallback(_cbLogin, self.broker)
        return d


def _cbLogin(result: Any, broker: Broker) -> Any:
    """
    Wrap a logged-in avatar for sending, and arrange its logout on release
    or disconnection.
    """
    _interface, avatar, logout = result
    if not IJellyable.providedBy(avatar):
        avatar = AsReferenceable(avatar, "perspective")
    puid = avatar.processUniqueID()
    done: list[bool] = []

    def maybeLogout() -> None:
        if done:
            return
        done.append(True)
        broker.dontNotifyOnDisconnect(maybeLogout)
        broker._localCleanup.pop(puid, None)
        if logout is not None:
            logout()

    broker._localCleanup[puid] = maybeLogout
    broker.notifyOnDisconnect(maybeLogout)
    return avatar


@implementer(IUsernameHashedPassword)
class _PortalAuthChallenger(Referenceable):
    """
    Credentials for one challenge: the client's response is checked against
    the password the checker knows.
    """

    def __init__(self, portal: Portal, broker: Broker, username: bytes, challenge: bytes) -> None:
        self.portal = portal
        self.broker = broker
        self.username = username
        self.challenge = challenge
        self.response: bytes | None = None

    def remote_respond(self, response: Any, mind: Any) -> Deferred[Any]:
        """
        Check the response and log in.
        """
        if self.response is not None:
            raise Error("this challenge was already answered")
        if not isinstance(response, bytes):
            raise Error("response must be bytes")
        self.response = response
        d = self.portal.login(self, mind, IPerspective)
        d.addCallback(_cbLogin, self.broker)
        return d

    def checkPassword(self, password: bytes) -> bool:
        """
        @param password: the correct password.
        @return: whether the response matches it.
        """
        return self.checkMD5Password(hashlib.md5(password, usedforsecurity=False).digest())

    def checkMD5Password(self, md5Password: bytes) -> bool:
        """
        @param md5Password: MD5 of the correct password.
        @return: whether the response matches it.
        """
        correct = hashlib.md5(md5Password + self.challenge, usedforsecurity=False).digest()
        return self.response is not None and hmac.compare_digest(self.response, correct)
