"""
The flavors of objects PB can send: referenced, viewed, copied, cached.

Implementation of L{netframe.spread.flavors}; see that module's docstring.
"""

from __future__ import annotations

from typing import Any

from zope.interface import Interface, implementer

from netframe.spread._jelly import (
    InsecureJelly,
    Jellyable,
    Unjellyable,
    _qual,
    _stateDict,
    getInstanceState,
    setInstanceState,
    setUnjellyableForClass,
)


class NoSuchMethod(AttributeError):
    """
    The peer asked for a method that does not exist or is not remotely
    callable (it lacks the C{remote_}, C{perspective_}, C{view_} or
    C{observe_} prefix).
    """


class IPBRoot(Interface):
    """
    Factory for the first object a PB connection sees.
    """

    __module__ = "netframe.spread.flavors"

    def rootObject(broker: Any) -> Any:
        """
        Return the root object for a new connection.

        @param broker: the connection's L{netframe.spread.pb.Broker}.
        @return: a L{Referenceable} (or other remotely usable object).
        """


def _remoteMethod(obj: object, prefix: str, message: object) -> Any:
    """
    Find a remotely callable method by name.

    @param obj: the object.
    @param prefix: C{"remote_"}, C{"perspective_"}, C{"view_"} or
        C{"observe_"}.
    @param message: the method name from the wire (bytes or text).
    @return: the bound method.
    @raise NoSuchMethod: if there is no such callable attribute.
    """
    if isinstance(message, bytes):
        try:
            message = message.decode("utf-8")
        except UnicodeDecodeError:
            raise NoSuchMethod(f"No such method: {prefix}{message!r}") from None
    if not isinstance(message, str):
        raise NoSuchMethod(f"No such method: {prefix}{message!r:.80}")
    method = getattr(obj, prefix + message, None)
    if method is None or not callable(method):
        raise NoSuchMethod(f"No such method: {prefix}{message}")
    return method


def _callArgs(args: Any, kw: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """
    Check unserialized call arguments.

    @param args: should be a tuple (or list).
    @param kw: should be a dict with text (or UTF-8 bytes) keys.
    @return: C{(args, kw)} ready for a call.
    @raise InsecureJelly: if they have the wrong shape.
    """
    if not isinstance(args, (tuple, list)):
        raise InsecureJelly(f"call arguments must be a tuple, not {args!r:.80}")
    if not isinstance(kw, dict):
        raise InsecureJelly(f"call keywords must be a dict, not {kw!r:.80}")
    clean: dict[str, Any] = {}
    for key, value in kw.items():
        if isinstance(key, bytes):
            key = key.decode("utf-8", "replace")
        if not isinstance(key, str):
            raise InsecureJelly(f"keyword names must be text, not {key!r:.80}")
        clean[key] = value
    return tuple(args), clean


class Serializable(Jellyable):
    """
    Base of the objects PB knows how to send.
    """

    def processUniqueID(self) -> int:
        """
        Return an ID that identifies this object within the process (its
        C{id()}), used to give it one reference ID per connection.

        @return: the ID.
        """
        return id(self)


class Referenceable(Serializable):
    """
    An object the peer gets a L{netframe.spread.pb.RemoteReference} to; its
    C{remote_*} methods can be called remotely.

    @cvar perspective: the perspective that serializes the answers (set on
        L{ViewPoint}s; C{None} here).
    """

    perspective: Any = None

    def remoteMessageReceived(self, broker: Any, message: Any, args: Any, kw: Any) -> Any:
        """
        Run C{remote_<message>} with the unserialized arguments.

        @param broker: the connection.
        @param message: the method name.
        @param args: the jellied positional arguments.
        @param kw: the jellied keyword arguments.
        @return: the jellied result (or a Deferred firing with it).
        @raise NoSuchMethod: if there is no such remote method.
        @raise Exception: whatever the method raises.
        """
        args, kw = _callArgs(broker.unserialize(args), broker.unserialize(kw))
        method = _remoteMethod(self, "remote_", message)
        state = method(*args, **kw)
        return broker.serialize(state, self.perspective)

    def jellyFor(self, jellier: Any) -> Any:
        """
        Send as C{[b"remote", id]} within PB, registering the reference.

        @param jellier: the jellier at work.
        @return: the s-expression.
        @raise netframe.spread.pb.Error: if the connection already holds
            C{MAX_BROKER_REFS} references.
        """
        if jellier.invoker is None:
            return getInstanceState(self, jellier)
        return [b"remote", jellier.invoker.registerReference(self)]


@implementer(IPBRoot)
class Root(Referenceable):
    """
    A root object: give one to L{netframe.spread.pb.PBServerFactory}.
    """

    def rootObject(self, broker: Any) -> Any:
        """
        Return C{self} as the root of every connection.

        @param broker: the connection.
        @return: C{self}.
        """
        return self


class ViewPoint(Referenceable):
    """
    A L{Viewable} as seen from one perspective: calls run C{view_*} with
    that perspective inserted as the first argument.

    @ivar perspective: the perspective (avatar) holding the reference.
    @ivar object: the L{Viewable}.
    """

    def __init__(self, perspective: Any, object: Any) -> None:
        """
        @param perspective: the perspective.
        @param object: the viewable.
        """
        self.perspective = perspective
        self.object = object

    def processUniqueID(self) -> Any:
        """
        Return an ID that is the same for the same (perspective, object)
        pair, so one viewpoint is registered per pair.

        @return: the ID.
        """
        return (id(self.perspective), id(self.object))

    def remoteMessageReceived(self, broker: Any, message: Any, args: Any, kw: Any) -> Any:
        """
        Run C{view_<message>(perspective, *args, **kw)}.

        @param broker: the connection.
        @param message: the method name.
        @param args: the jellied positional arguments.
        @param kw: the jellied keyword arguments.
        @return: the jellied result.
        @raise NoSuchMethod: if there is no such view method.
        """
        args, kw = _callArgs(
            broker.unserialize(args, self.perspective), broker.unserialize(kw, self.perspective)
        )
        method = _remoteMethod(self.object, "view_", message)
        state = method(self.perspective, *args, **kw)
        return broker.serialize(state, self.perspective)


class Viewable(Serializable):
    """
    An object whose C{view_*} methods receive the caller's perspective as
    their first argument (so a caller cannot claim to be someone else).
    """

    def jellyFor(self, jellier: Any) -> Any:
        """
        Send a L{ViewPoint} for the perspective being served.

        @param jellier: the jellier at work.
        @return: the s-expression.
        """
        if jellier.invoker is None:
            return getInstanceState(self, jellier)
        return ViewPoint(jellier.invoker.serializingPerspective, self).jellyFor(jellier)


class Copyable(Serializable):
    """
    An object sent by copy: the peer gets C{[class name, state]} and builds
    its registered L{RemoteCopy}.
    """

    def getStateToCopy(self) -> Any:
        """
        Return the state to send; the default is C{__dict__}.

        @return: the state.
        """
        return self.__dict__

    def getStateToCopyFor(self, perspective: Any) -> Any:
        """
        Return the state to send to C{perspective}; the default is
        L{getStateToCopy}.

        @param perspective: who receives it (or C{None}).
        @return: the state.
        """
        return self.getStateToCopy()

    def getTypeToCopy(self) -> bytes:
        """
        Return the type name sent; the default is the qualified class name.

        @return: the name as bytes.
        """
        return _qual(self.__class__).encode("utf-8")

    def getTypeToCopyFor(self, perspective: Any) -> bytes:
        """
        Return the type name sent to C{perspective}.

        @param perspective: who receives it.
        @return: the name.
        """
        return self.getTypeToCopy()

    def jellyFor(self, jellier: Any) -> Any:
        """
        Return C{[type name, jellied state]}.

        @param jellier: the jellier at work.
        @return: the s-expression.
        """
        if jellier.invoker is None:
            return getInstanceState(self, jellier)
        p = jellier.invoker.serializingPerspective
        sxp = jellier.prepare(self)
        sxp.extend([self.getTypeToCopyFor(p), jellier.jelly(self.getStateToCopyFor(p))])
        return jellier.preserve(self, sxp)


class RemoteCopy(Unjellyable):
    """
    The local stand-in for a peer's L{Copyable}; register it with
    L{setUnjellyableForClass}.  It is built with a no-argument call, then
    L{setCopyableState} gets the state.
    """

    _unjellyNoArgConstructor = True

    def setCopyableState(self, state: Any) -> None:
        """
        Install the received state; the default replaces C{__dict__}.

        @param state: the state (a dict by default).
        @raise InsecureJelly: for the default, if it is not a dict with text
            keys.
        """
        self.__dict__ = _stateDict(state)

    def unjellyFor(self, unjellier: Any, jellyList: Any) -> Any:
        """
        Unjelly the state and give it to L{setCopyableState}.

        @param unjellier: the unjellier at work.
        @param jellyList: C{[type name, state]}.
        @return: C{self}.
        @raise InsecureJelly: if malformed.
        """
        if len(jellyList) != 2:
            raise InsecureJelly(f"copy expression needs a state: {jellyList!r:.80}")
        self.setCopyableState(unjellier.unjelly(jellyList[1]))
        return self


class Cacheable(Copyable):
    """
    An object copied once per connection and then kept up to date: the
    sender calls C{observer.callRemote(...)}, the receiver's L{RemoteCache}
    runs the matching C{observe_*} method.
    """

    def getStateToCacheAndObserveFor(self, perspective: Any, observer: RemoteCacheObserver) -> Any:
        """
        Return the initial state and remember C{observer}; the default
        returns L{getStateToCopyFor}.

        @param perspective: who receives it.
        @param observer: the L{RemoteCacheObserver} to send updates to.
        @return: the state.
        """
        return self.getStateToCopyFor(perspective)

    def stoppedObserving(self, perspective: Any, observer: RemoteCacheObserver) -> None:
        """
        Called when the peer dropped its cache (or the connection was lost);
        forget C{observer} here.

        @param perspective: the perspective it was sent to.
        @param observer: an observer equal to the one given before.
        """

    def jellyFor(self, jellier: Any) -> Any:
        """
        Send C{[type name, id, state]} the first time on a connection, then
        C{[b"cached", id]}.

        @param jellier: the jellier at work.
        @return: the s-expression.
        """
        if jellier.invoker is None:
            return getInstanceState(self, jellier)
        broker = jellier.invoker
        luid = broker.cachedRemotelyAs(self, True)
        if luid is not None:
            return [b"cached", luid]
        luid = broker.cacheRemotely(self)
        p = broker.serializingPerspective
        observer = RemoteCacheObserver(broker, self, p)
        state = self.getStateToCacheAndObserveFor(p, observer)
        sxp = jellier.prepare(self)
        sxp.extend([self.getTypeToCopyFor(p), luid, jellier.jelly(state)])
        return jellier.preserve(self, sxp)


class RemoteCache(RemoteCopy):
    """
    The local stand-in for a peer's L{Cacheable}: filled once with
    L{setCopyableState}, then updated by the peer through C{observe_*}
    methods.  When it is garbage collected the peer is told (C{decache}) and
    stops observing.  Register it with L{setUnjellyableForClass}.

    @ivar broker: the connection it came from (C{None} once it is gone).
    @ivar luid: its ID on that connection.
    """

    broker: Any = None
    luid: Any = None

    def remoteMessageReceived(self, broker: Any, message: Any, args: Any, kw: Any) -> Any:
        """
        Run C{observe_<message>} with the unserialized arguments.

        @param broker: the connection.
        @param message: the method name.
        @param args: the jellied positional arguments.
        @param kw: the jellied keyword arguments.
        @return: the jellied result.
        @raise NoSuchMethod: if there is no such observe method.
        """
        args, kw = _callArgs(broker.unserialize(args), broker.unserialize(kw))
        method = _remoteMethod(self, "observe_", message)
        return broker.serialize(method(*args, **kw))

    def unjellyFor(self, unjellier: Any, jellyList: Any) -> Any:
        """
        Fill from C{[type name, id, state]} and become the connection's cache
        for that id.

        @param unjellier: the unjellier at work.
        @param jellyList: the s-expression.
        @return: C{self}.
        @raise InsecureJelly: if malformed or the id is already cached.
        """
        if unjellier.invoker is None:
            return setInstanceState(self, unjellier, jellyList)
        if len(jellyList) != 3 or jellyList[1].__class__ is not int:
            raise InsecureJelly(f"cache expression needs an id and a state: {jellyList!r:.80}")
        broker = unjellier.invoker
        self.broker = broker
        self.luid = jellyList[1]
        broker.cacheLocally(self.luid, self)
        self.setCopyableState(unjellier.unjelly(jellyList[2]))
        return self

    def __eq__(self, other: object) -> bool:
        """
        @return: identity.
        """
        return self is other

    def __hash__(self) -> int:
        """
        @return: the identity hash.
        """
        return id(self)


class RemoteCacheObserver:
    """
    The sender's handle on one peer's L{RemoteCache}: C{callRemote} runs an
    C{observe_*} method there.  Observers for the same cacheable, connection
    and perspective compare equal.

    @ivar broker: the connection.
    @ivar cached: the L{Cacheable}.
    @ivar perspective: the perspective it was sent to.
    """

    def __init__(self, broker: Any, cached: Cacheable, perspective: Any) -> None:
        """
        @param broker: the connection.
        @param cached: the cacheable.
        @param perspective: the perspective.
        """
        self.broker = broker
        self.cached = cached
        self.perspective = perspective

    def __repr__(self) -> str:
        """
        @return: a description naming the cacheable and the connection.
        """
        return f"<RemoteCacheObserver({self.broker!r}, {self.cached!r}, {self.perspective!r}) at {id(self):#x}>"

    def __eq__(self, other: object) -> bool:
        """
        @return: whether C{other} observes the same thing.
        """
        if not isinstance(other, RemoteCacheObserver):
            return NotImplemented
        return (self.broker, self.cached, self.perspective) == (
            other.broker,
            other.cached,
            other.perspective,
        )

    def __hash__(self) -> int:
        """
        @return: a hash consistent with equality.
        """
        return hash((id(self.broker), id(self.cached), id(self.perspective)))

    def callRemote(self, _name: str, *args: Any, **kw: Any) -> Any:
        """
        Call C{observe_<_name>} on the peer's cache.

        @param _name: the method name (C{_name} so C{name=} stays a user
            keyword).
        @param args: positional arguments.
        @param kw: keyword arguments.
        @return: a Deferred firing with the result.
        @raise netframe.spread.pb.DeadReferenceError: if the connection is
            gone.
        @raise netframe.spread.pb.ProtocolError: if the peer no longer (or
            never) holds the cache.
        """
        luid = self.broker.cachedRemotelyAs(self.cached)
        if luid is None:
            from netframe.spread._pb import DeadReferenceError, ProtocolError

            if self.broker.disconnected:
                raise DeadReferenceError("Calling Stale Broker")
            raise ProtocolError("the cached object is not held by the peer")
        return self.broker._sendMessage(b"cache", self.perspective, luid, _name, args, kw)

    def remoteMethod(self, key: str) -> Any:
        """
        Return a callable that calls C{observe_<key>} remotely.

        @param key: the method name.
        @return: C{lambda *a, **k: self.callRemote(key, *a, **k)}.
        """

        def call(*args: Any, **kw: Any) -> Any:
            return self.callRemote(key, *args, **kw)

        return call


def _unjellyCached(unjellier: Any, unjellyList: Any) -> Any:
    """
    Resolve C{[b"cached", id]} to the connection's existing cache.
    """
    if unjellier.invoker is None or len(unjellyList) != 2:
        raise InsecureJelly("cached reference outside PB or malformed")
    return unjellier.invoker.cachedLocallyAs(unjellyList[1])


def _unjellyLocal(unjellier: Any, unjellyList: Any) -> Any:
    """
    Resolve C{[b"local", id]} (our own object coming back) to the object.
    """
    if unjellier.invoker is None or len(unjellyList) != 2:
        raise InsecureJelly("local reference outside PB or malformed")
    obj = unjellier.invoker.localObjectForID(unjellyList[1])
    if obj is None:
        raise InsecureJelly(f"local reference to unknown id {unjellyList[1]!r:.80}")
    return obj


def _unjellyLCache(unjellier: Any, unjellyList: Any) -> Any:
    """
    Resolve C{[b"lcache", id]} (our own cacheable coming back).
    """
    if unjellier.invoker is None or len(unjellyList) != 2:
        raise InsecureJelly("lcache reference outside PB or malformed")
    obj = unjellier.invoker.remotelyCachedForLUID(unjellyList[1])
    if obj is None:
        raise InsecureJelly(f"lcache reference to unknown id {unjellyList[1]!r:.80}")
    return obj


setUnjellyableForClass("cached", _unjellyCached)
setUnjellyableForClass("local", _unjellyLocal)
setUnjellyableForClass("lcache", _unjellyLCache)
