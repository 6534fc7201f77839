"""
AMP protocol objects: commands, locators, the box dispatcher, the binary
box protocol and L{AMP} itself.

Implementation module of L{netframe.core.protocols.amp}; import the names
from there.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Optional, TypeVar, Union

from zope.interface import Interface, implementer

from netframe.core.defer import Deferred, fail
from netframe.core.failure import Failure
from netframe.core.interfaces import IFileDescriptorReceiver
from netframe.core.protocol import Protocol, connectionDone
from netframe.core.protocols._ampbox import (
    ANSWER,
    ASK,
    COMMAND,
    ERROR,
    ERROR_CODE,
    ERROR_DESCRIPTION,
    MAX_BOX_KEYS,
    MAX_KEY_LENGTH,
    MAX_VALUE_LENGTH,
    UNHANDLED_ERROR_CODE,
    UNKNOWN_ERROR_CODE,
    AmpBox,
    AmpBoxParser,
    AmpError,
    MalformedAmpBox,
    serializeBox,
)
from netframe.core.protocols._amptypes import (
    Argument,
    _LocalArgument,
    normalizeArguments,
    objectsToStrings,
    stringsToObjects,
)
from netframe.logger import Logger, LogLevel

__all__ = [
    "AMP",
    "BadLocalReturn",
    "BinaryBoxProtocol",
    "BoxDispatcher",
    "Command",
    "CommandLocator",
    "IBoxReceiver",
    "IBoxSender",
    "IResponderLocator",
    "IncompatibleVersions",
    "OnlyOneTLS",
    "ProtocolSwitched",
    "RemoteAmpError",
    "SimpleStringLocator",
    "StartTLS",
    "UnhandledCommand",
    "UnknownRemoteError",
]

_F = TypeVar("_F", bound=Callable[..., Any])

#: Attribute of a responder function listing the commands it answers.
_RESPONDS_TO = "_netframeAmpCommands"


class IncompatibleVersions(AmpError):
    """The two sides of a connection speak incompatible protocol versions."""


class ProtocolSwitched(AmpError):
    """The connection was switched to another protocol; no box can be sent."""


class OnlyOneTLS(AmpError):
    """TLS was already started (or is starting) on this connection."""


class BadLocalReturn(AmpError):
    """
    A local responder returned something that cannot be serialized as the
    command's response (not a dict, a missing or unknown key, a bad value).
    """


class RemoteAmpError(AmpError):
    """
    The peer answered a request with an error.

    @ivar errorCode: The error code (bytes) from the error box.
    @ivar description: The description (text) from the error box.
    @ivar fatal: Whether the error closes the connection.
    @ivar local: The local failure this error was made from, on the side
        that raised it; None on the side that received it.
    """

    def __init__(
        self,
        errorCode: Union[bytes, str],
        description: Union[str, bytes],
        fatal: bool = False,
        local: Optional[Failure] = None,
    ) -> None:
        """
        @param errorCode: The error code.
        @param description: What went wrong (bytes are decoded as UTF-8).
        @param fatal: Whether the connection is closed after the error.
        @param local: The local failure, when raised on the responder side.
        """
        if isinstance(description, bytes):
            description = description.decode("utf-8", "replace")
        if isinstance(errorCode, str):
            errorCode = errorCode.encode("utf-8")
        self.errorCode: bytes = errorCode
        self.description: str = description
        self.fatal = fatal
        self.local = local
        code = errorCode.decode("utf-8", "replace")
        super().__init__(f"Code<{code}>{' (fatal)' if fatal else ''}: {description}")


class UnknownRemoteError(RemoteAmpError):
    """The peer failed with an error its command did not declare (UNKNOWN)."""


class UnhandledCommand(RemoteAmpError):
    """
    A command has no responder (UNHANDLED): raised on the responder side and
    received as the error of the call on the calling side.
    """


#: Error codes whose remote errors get a dedicated class.
_PROTOCOL_ERRORS: dict[bytes, type[RemoteAmpError]] = {
    UNHANDLED_ERROR_CODE: UnhandledCommand,
    UNKNOWN_ERROR_CODE: UnknownRemoteError,
}


# -- interfaces ------------------------------------------------------------------


class IBoxSender(Interface):
    """Something boxes can be sent through (the transport side of AMP)."""

    __module__ = "netframe.core.protocols.amp"

    def sendBox(box: AmpBox) -> None:
        """
        Send C{box} to the peer.

        @param box: The box.
        @raise TooLong: If a key or value is too long.
        @raise NoEmptyBoxes: If the box is empty.
        """

    def unhandledError(failure: Failure) -> None:
        """
        Report an error that happened while handling a box and that nothing
        else handled.

        @param failure: The error.
        """


class IBoxReceiver(Interface):
    """Something that receives boxes (the application side of AMP)."""

    __module__ = "netframe.core.protocols.amp"

    def startReceivingBoxes(boxSender: IBoxSender) -> None:
        """
        Boxes are about to arrive; replies go through C{boxSender}.

        @param boxSender: Where to send boxes.
        """

    def ampBoxReceived(box: AmpBox) -> None:
        """
        A complete box arrived.

        @param box: The box.
        """

    def stopReceivingBoxes(reason: Failure) -> None:
        """
        No more boxes will arrive or can be sent.

        @param reason: Why the conversation ended.
        """


class IResponderLocator(Interface):
    """Finds the responder of a command."""

    __module__ = "netframe.core.protocols.amp"

    def locateResponder(name: bytes) -> Optional[Callable[[AmpBox], Any]]:
        """
        Find the responder of command C{name}.

        @param name: The command name.
        @return: A callable taking the request box and returning the answer
            box (or a Deferred firing with it), or None if there is none.
        """


# -- commands ----------------------------------------------------------------------


def _codeBytes(code: Union[bytes, str]) -> bytes:
    """Return an error code as bytes."""
    if isinstance(code, str):
        return code.encode("utf-8")
    if not isinstance(code, bytes):
        raise TypeError(f"AMP error codes must be bytes or str, not {type(code).__name__}")
    return code


def _instantiateError(excType: type[BaseException], description: str) -> BaseException:
    """Build a declared exception from a received description."""
    try:
        return excType(description) if description else excType()
    except Exception:
        exc = excType.__new__(excType)
        exc.args = (description,)
        return exc


class Command:
    """
    A kind of request: subclass it and declare the signature.

    Class attributes:

      - C{arguments}: C{[(name, Argument()), ...]} of the request.
      - C{response}: C{[(name, Argument()), ...]} of the answer.
      - C{errors}: C{{ExceptionClass: b"CODE"}}: exceptions the responder
        may raise and the caller receives as the same class.
      - C{fatalErrors}: like C{errors}, but the connection is closed after
        the error is sent.
      - C{requiresAnswer}: False for requests that get no answer (the
        caller's C{callRemote} then returns None).
      - C{commandName}: the name on the wire; the class name by default.
      - C{commandType} / C{responseType}: the box classes built.

    Names may be given as bytes or text.  A responder is registered with
    L{responder}.  A responder returning a single non-dict value for a
    command with exactly one response value is taken as that value (so
    C{return uid} works for C{response = [("uid", Integer())]}).
    """

    arguments: ClassVar[Sequence[tuple[Union[bytes, str], Argument]]] = []
    response: ClassVar[Sequence[tuple[Union[bytes, str], Argument]]] = []
    errors: ClassVar[dict[type[BaseException], Union[bytes, str]]] = {}
    fatalErrors: ClassVar[dict[type[BaseException], Union[bytes, str]]] = {}
    requiresAnswer: ClassVar[bool] = True
    commandName: ClassVar[bytes] = b"Command"
    commandType: ClassVar[type[AmpBox]] = AmpBox
    responseType: ClassVar[type[AmpBox]] = AmpBox

    #: The normalized signatures and error tables (computed per subclass).
    _argList: ClassVar[list[tuple[bytes, Argument]]] = []
    _responseList: ClassVar[list[tuple[bytes, Argument]]] = []
    allErrors: ClassVar[dict[type[BaseException], bytes]] = {}
    reverseErrors: ClassVar[dict[bytes, type[BaseException]]] = {}
    _fatalCodes: ClassVar[frozenset[bytes]] = frozenset()

    structured: dict[str, Any]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """
        Compute the wire name, normalized signatures and error tables.

        @raise TypeError: If a declaration is malformed.
        @raise ValueError: If a name is empty or too long.
        """
        super().__init_subclass__(**kwargs)
        declared: Any = cls.__dict__.get("commandName", cls.__name__)
        if isinstance(declared, str):
            declared = declared.encode("utf-8")
        if not isinstance(declared, bytes):
            raise TypeError(
                f"AMP command names must be bytes or str, not {type(declared).__name__}"
            )
        cls.commandName = declared
        if not 0 < len(cls.commandName) <= MAX_VALUE_LENGTH:
            raise ValueError(f"AMP command name {cls.commandName!r} has a bad length")
        cls._argList = normalizeArguments(cls.arguments)
        cls._responseList = normalizeArguments(cls.response)
        allErrors: dict[type[BaseException], bytes] = {}
        for excType, code in cls.errors.items():
            allErrors[excType] = _codeBytes(code)
        fatal = {excType: _codeBytes(code) for excType, code in cls.fatalErrors.items()}
        allErrors.update(fatal)
        cls.allErrors = allErrors
        cls.reverseErrors = {code: excType for excType, code in allErrors.items()}
        cls._fatalCodes = frozenset(fatal.values())

    def __init__(self, **kw: Any) -> None:
        """
        @param kw: The arguments of the request, by name.
        """
        self.structured = kw

    @classmethod
    def responder(cls, methodfunc: _F) -> _F:
        """
        Decorator registering C{methodfunc} as this command's responder in
        the L{CommandLocator} subclass (or L{AMP} subclass) defining it.

        The method is called with the parsed arguments as keyword arguments
        and returns the response dict (or a Deferred firing with it).

        @param methodfunc: The responder method.
        @return: C{methodfunc}, unchanged apart from the registration mark.
        """
        commands = getattr(methodfunc, _RESPONDS_TO, None)
        if commands is None:
            commands = []
            setattr(methodfunc, _RESPONDS_TO, commands)
        commands.append(cls)
        return methodfunc

    @classmethod
    def makeArguments(cls, objects: dict[str, Any], proto: Any) -> AmpBox:
        """
        Serialize request arguments.

        @param objects: The arguments by name.
        @param proto: The protocol the request goes through.
        @return: The request box (without C{_command}/C{_ask}).
        @raise InvalidSignature: If a required argument is missing or an
            unknown one is given.
        @raise TypeError: If an argument has the wrong type.
        """
        return objectsToStrings(objects, cls._argList, cls.commandType(), proto)  # type: ignore[return-value]

    @classmethod
    def parseArguments(cls, box: dict[bytes, bytes], proto: Any) -> dict[str, Any]:
        """
        Parse a request box.

        @param box: The request box.
        @param proto: The protocol it came from.
        @return: The arguments by name.
        @raise InvalidSignature: If a required argument is missing.
        @raise Exception: Whatever an argument type raises for a bad value.
        """
        return stringsToObjects(box, cls._argList, proto)

    @classmethod
    def makeResponse(cls, objects: dict[str, Any], proto: Any) -> AmpBox:
        """
        Serialize a response.

        @param objects: The response values by name.
        @param proto: The protocol the answer goes through.
        @return: The answer box (without C{_answer}).
        @raise BadLocalReturn: If C{objects} does not match the signature.
        """
        try:
            return objectsToStrings(objects, cls._responseList, cls.responseType(), proto)  # type: ignore[return-value]
        except Exception as e:
            raise BadLocalReturn(
                f"responder of {cls.commandName!r} returned {objects!r}, which cannot be sent: {e}"
            ) from e

    @classmethod
    def parseResponse(cls, box: dict[bytes, bytes], proto: Any) -> dict[str, Any]:
        """
        Parse an answer box.

        @param box: The answer box.
        @param proto: The protocol it came from.
        @return: The response values by name.
        @raise InvalidSignature: If a required value is missing.
        @raise Exception: Whatever an argument type raises for a bad value.
        """
        return stringsToObjects(box, cls._responseList, proto)

    @classmethod
    def _codeFor(cls, exc: BaseException) -> Optional[bytes]:
        """Return the declared error code of C{exc}, or None."""
        allErrors = cls.allErrors
        if not allErrors:
            return None
        for klass in type(exc).__mro__:
            code = allErrors.get(klass)
            if code is not None:
                return code
        return None

    @classmethod
    def _massageError(cls, failure: Failure, proto: Any) -> Failure:
        """
        Turn a received declared error into its exception class (closing the
        connection for a fatal one); pass anything else through.
        """
        exc = failure.value
        if isinstance(exc, RemoteAmpError) and exc.local is None:
            excType = cls.reverseErrors.get(exc.errorCode)
            if excType is not None:
                if exc.errorCode in cls._fatalCodes:
                    _loseConnection(proto)
                return Failure(_instantiateError(excType, exc.description))
        return failure

    def _doCommand(self, proto: BoxDispatcher) -> Optional[Deferred[dict[str, Any]]]:
        """
        Send this request through C{proto}.

        @param proto: The dispatcher.
        @return: A Deferred firing with the parsed response, or None when
            the command requires no answer.
        @raise InvalidSignature: If the arguments do not match.
        @raise TooLong: If a value is too long.
        """
        cls = type(self)
        box = cls.makeArguments(self.structured, proto)
        if not cls.requiresAnswer:
            proto._sendBoxCommand(cls.commandName, box, False)
            return None
        d = proto._sendBoxCommand(cls.commandName, box)
        assert d is not None
        return d.addCallbacks(cls.parseResponse, cls._massageError, (proto,), None, (proto,))


def _loseConnection(proto: Any) -> None:
    """Close the transport of C{proto} (or of its box sender), if any."""
    transport = getattr(proto, "transport", None)
    if transport is None:
        sender = getattr(proto, "boxSender", None)
        transport = getattr(sender, "transport", None)
    if transport is not None:
        transport.loseConnection()


# -- locators ----------------------------------------------------------------------


@implementer(IResponderLocator)
class CommandLocator:
    """
    Finds responders registered with C{@SomeCommand.responder} on the
    methods of (subclasses of) this class.
    """

    _commandDispatch: ClassVar[dict[bytes, tuple[type[Command], str]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Collect the responders of this class and its bases."""
        super().__init_subclass__(**kwargs)
        dispatch: dict[bytes, tuple[type[Command], str]] = {}
        for klass in reversed(cls.__mro__):
            for attrName, value in vars(klass).items():
                func = value.__func__ if isinstance(value, (staticmethod, classmethod)) else value
                for command in getattr(func, _RESPONDS_TO, ()):
                    dispatch[command.commandName] = (command, attrName)
        cls._commandDispatch = dispatch

    def _responderFor(self, name: bytes) -> Optional[tuple[type[Command], Callable[..., Any]]]:
        """Return the command class and bound responder for C{name}, or None."""
        found = self._commandDispatch.get(name)
        if found is None:
            return None
        return found[0], getattr(self, found[1])

    def lookupFunction(self, name: bytes) -> Optional[Callable[[AmpBox], Any]]:
        """
        Same as L{locateResponder}.

        @param name: The command name.
        @return: The box-level responder, or None.
        """
        return self.locateResponder(name)

    def locateResponder(self, name: bytes) -> Optional[Callable[[AmpBox], Any]]:
        """
        Find the responder of command C{name}.

        @param name: The command name.
        @return: A callable taking the request box and returning the answer
            box or a Deferred firing with it; declared errors come out as
            L{RemoteAmpError} with the declared code.  None if no responder
            is registered.
        """
        found = self._responderFor(name)
        if found is None:
            return None
        command, method = found

        def doit(box: AmpBox) -> Any:
            return _callResponder(command, method, box, self)

        return doit


def _mapError(failure: Failure, command: type[Command]) -> Failure:
    """Turn a declared exception into a L{RemoteAmpError}; pass others on."""
    exc = failure.value
    if isinstance(exc, RemoteAmpError):
        return failure
    code = command._codeFor(exc)
    if code is None:
        return failure
    return Failure(RemoteAmpError(code, str(exc), code in command._fatalCodes, local=failure))


def _makeResponse(result: Any, command: type[Command], proto: Any) -> AmpBox:
    """Serialize a responder's result (a dict, or a bare single value)."""
    if not isinstance(result, dict):
        if len(command._responseList) == 1 and result is not None:
            result = {command._responseList[0][0].decode("utf-8"): result}
        else:
            raise BadLocalReturn(
                f"responder of {command.commandName!r} returned {result!r}; expected a dict"
            )
    return command.makeResponse(result, proto)


def _callResponder(
    command: type[Command],
    method: Callable[..., Any],
    box: AmpBox,
    proto: Any,
    wantAnswer: bool = True,
) -> Any:
    """
    Parse C{box}, call C{method}, serialize its result (unless no answer is
    wanted: then the result is ignored, only errors matter).

    @return: The answer box, or a Deferred firing with it.
    @raise RemoteAmpError: For a declared error (synchronous case).
    @raise Exception: Anything else the parsing or the responder raised.
    """
    try:
        result = method(**command.parseArguments(box, proto))
    except RemoteAmpError:
        raise
    except Exception as e:
        code = command._codeFor(e)
        if code is None:
            raise
        raise RemoteAmpError(code, str(e), code in command._fatalCodes, local=Failure()) from e
    if isinstance(result, dict) and wantAnswer:
        return command.makeResponse(result, proto)
    if inspect.iscoroutine(result):
        result = Deferred.fromCoroutine(result)
    if isinstance(result, Deferred):
        if not wantAnswer:
            return result.addErrback(_mapError, command)
        return result.addCallbacks(_makeResponse, _mapError, (command, proto), None, (command,))
    if not wantAnswer:
        return None
    return _makeResponse(result, command, proto)


@implementer(IResponderLocator)
class SimpleStringLocator:
    """
    Finds responders by method name: command C{b"foo"} is answered by
    C{amp_FOO(box)}, which gets the raw request box and returns the answer
    box (or a Deferred firing with it).
    """

    baseDispatchPrefix: ClassVar[str] = "amp_"

    def locateResponder(self, name: bytes) -> Optional[Callable[[AmpBox], Any]]:
        """
        @param name: The command name.
        @return: The bound C{amp_<NAME>} method, or None.
        """
        try:
            text = name.decode("ascii")
        except UnicodeDecodeError:
            return None
        if not text.isidentifier():
            return None
        method: Optional[Callable[[AmpBox], Any]] = getattr(
            self, self.baseDispatchPrefix + text.upper(), None
        )
        return method


# -- dispatcher -----------------------------------------------------------------------


@implementer(IBoxReceiver)
class BoxDispatcher:
    """
    Turns boxes into requests and answers: sends requests (L{callRemote},
    L{callRemoteString}), fires their Deferreds when answers arrive, and
    answers requests through the responders of its locator.

    When the conversation stops, every request still waiting for its
    answer fails with the reason, and later requests fail at once.

    @ivar locator: The L{IResponderLocator} finding responders.
    @ivar boxSender: The L{IBoxSender} boxes go through (set by
        L{startReceivingBoxes}).
    """

    _log: ClassVar[Logger] = Logger()

    boxSender: Optional[Any]
    locator: Any

    def __init__(self, locator: Any) -> None:
        """
        @param locator: An L{IResponderLocator}.
        """
        self.locator = locator
        self.boxSender = None
        self._outstandingRequests: dict[bytes, Deferred[Any]] = {}
        self._counter = 0
        self._failAllReason: Optional[Failure] = None

    # sending

    def _nextTag(self) -> bytes:
        """Return a new request tag (lowercase hex counter starting at 1)."""
        self._counter += 1
        return b"%x" % self._counter

    def _sendBoxCommand(
        self, command: bytes, box: AmpBox, requiresAnswer: bool = True
    ) -> Optional[Deferred[AmpBox]]:
        """
        Send request C{box} for C{command}.

        @return: A Deferred firing with the answer box (or failing with a
            L{RemoteAmpError}), or None without C{requiresAnswer}.
        @raise AmpError: If the conversation has not started.
        """
        if self._failAllReason is not None:
            if requiresAnswer:
                return fail(self._failAllReason)
            return None
        sender = self.boxSender
        if sender is None:
            raise AmpError("cannot send an AMP request before the connection is made")
        box[COMMAND] = command
        if not requiresAnswer:
            box._sendTo(sender)
            return None
        self._counter += 1
        tag = b"%x" % self._counter
        box[ASK] = tag
        d: Deferred[AmpBox] = Deferred()
        self._outstandingRequests[tag] = d
        try:
            box._sendTo(sender)
        except BaseException:
            del self._outstandingRequests[tag]
            raise
        return d

    def callRemoteString(
        self, command: bytes, requiresAnswer: bool = True, **kw: bytes
    ) -> Optional[Deferred[AmpBox]]:
        """
        Send a request made of raw byte values.

        @param command: The command name.
        @param requiresAnswer: Whether an answer is expected.
        @param kw: The box values (names are encoded as UTF-8 keys).
        @return: A Deferred firing with the raw answer box, or None.
        @raise TooLong: If a key or value is too long.
        """
        box = AmpBox({k.encode("utf-8"): v for k, v in kw.items()})
        return self._sendBoxCommand(command, box, requiresAnswer)

    def callRemote(self, commandType: type[Command], *a: Any, **kw: Any) -> Optional[Deferred[Any]]:
        """
        Send a request for C{commandType} with the given arguments.

        @param commandType: The L{Command} subclass.
        @param kw: The arguments by name.
        @return: A Deferred firing with the response dict (or failing with
            the declared exception, L{UnhandledCommand},
            L{UnknownRemoteError} or L{RemoteAmpError}, or the reason the
            connection was lost), or None if the command requires no answer.
        @raise InvalidSignature: If the arguments do not match the command.
        @raise TooLong: If a value is too long for the wire.
        @raise TypeError: If a value has the wrong type.
        """
        co = commandType(*a, **kw)
        return co._doCommand(self)

    def unhandledError(self, failure: Failure) -> None:
        """
        Pass an error nothing handled to the box sender.

        @param failure: The error.
        """
        sender = self.boxSender
        if sender is not None:
            sender.unhandledError(failure)
        else:
            self._log.failure("Unhandled error in AMP box dispatcher", failure)

    def failAllOutgoing(self, reason: Failure) -> None:
        """
        Fail every request waiting for an answer, and every later one.

        @param reason: The failure they get.
        """
        self._failAllReason = reason
        outstanding = self._outstandingRequests
        self._outstandingRequests = {}
        for d in outstanding.values():
            d.errback(reason)

    # IBoxReceiver

    def startReceivingBoxes(self, boxSender: Any) -> None:
        """
        @param boxSender: Where boxes are sent.
        """
        self.boxSender = boxSender

    def stopReceivingBoxes(self, reason: Failure) -> None:
        """
        Fail the outstanding requests with C{reason}.

        @param reason: Why the conversation ended.
        """
        self.failAllOutgoing(reason)

    def ampBoxReceived(self, box: AmpBox) -> None:
        """
        Handle a request, an answer or an error answer.

        @param box: The box.
        @raise MalformedAmpBox: If it is none of those.
        """
        tag = box.get(ANSWER)
        if tag is not None:
            d = self._outstandingRequests.pop(tag, None)
            if d is None:
                self._log.warn("AMP answer for unknown request tag {tag!r} ignored", tag=tag)
                return
            d.callback(box)
            return
        if COMMAND in box:
            self._commandReceived(box)
            return
        tag = box.get(ERROR)
        if tag is not None:
            self._errorReceived(tag, box)
            return
        raise MalformedAmpBox(f"AMP box is neither a request nor an answer: keys {sorted(box)!r}")

    def _errorReceived(self, tag: bytes, box: AmpBox) -> None:
        """Fail the request C{tag} with the received error."""
        d = self._outstandingRequests.pop(tag, None)
        if d is None:
            self._log.warn("AMP error for unknown request tag {tag!r} ignored", tag=tag)
            return
        code = box.get(ERROR_CODE, UNKNOWN_ERROR_CODE)
        description = box.get(ERROR_DESCRIPTION, b"")
        excType = _PROTOCOL_ERRORS.get(code, RemoteAmpError)
        d.errback(Failure(excType(code, description)))

    def dispatchCommand(self, box: AmpBox) -> Deferred[AmpBox]:
        """
        Run the responder of the request C{box}.

        @param box: The request box.
        @return: A Deferred firing with the answer box, or failing with
            L{UnhandledCommand}, L{RemoteAmpError} for a declared error, or
            whatever else the responder raised.
        """
        name = box[COMMAND]
        try:
            result = self._respond(name, box)
        except Exception:
            return fail()
        if isinstance(result, Deferred):
            return result
        d: Deferred[AmpBox] = Deferred()
        d.callback(result)
        return d

    def _respond(self, name: bytes, box: AmpBox, wantAnswer: bool = True) -> Any:
        """
        Find and call the responder for C{name}.

        @raise UnhandledCommand: If there is none.
        """
        locator = self.locator
        if isinstance(locator, CommandLocator):
            found = locator._responderFor(name)
            if found is not None:
                return _callResponder(found[0], found[1], box, self.boxSender, wantAnswer)
            if not isinstance(locator, SimpleStringLocator):
                raise UnhandledCommand(UNHANDLED_ERROR_CODE, f"Unhandled Command: {name!r}")
        responder = locator.locateResponder(name)
        if responder is None:
            raise UnhandledCommand(UNHANDLED_ERROR_CODE, f"Unhandled Command: {name!r}")
        return responder(box)

    def _commandReceived(self, box: AmpBox) -> None:
        """Answer the request C{box} (if it asks for an answer)."""
        ask = box.get(ASK)
        try:
            result = self._respond(box[COMMAND], box, ask is not None)
        except Exception:
            self._commandFailed(Failure(), ask)
            return
        if isinstance(result, Deferred):
            if ask is None:
                result.addErrback(self._commandFailed, None)
            else:
                result.addCallbacks(self._sendAnswer, self._commandFailed, (ask,), None, (ask,))
            result.addErrback(self.unhandledError)
        elif ask is not None:
            self._sendAnswer(result, ask)

    def _sendAnswer(self, answer: AmpBox, ask: bytes) -> None:
        """Send C{answer} to request C{ask}; errors become an UNKNOWN error."""
        answer[ANSWER] = ask
        try:
            answer._sendTo(self.boxSender)
        except Exception:
            self._commandFailed(Failure(), ask)

    def _commandFailed(self, failure: Failure, ask: Optional[bytes]) -> None:
        """
        Send the error answer for C{failure} (if C{ask}), closing the
        connection for a fatal one; undeclared errors are logged and sent as
        C{UNKNOWN}.
        """
        exc = failure.value
        if isinstance(exc, RemoteAmpError):
            code = exc.errorCode
            description = exc.description
            fatal = exc.fatal
        else:
            self._log.failure("Unhandled error in AMP responder", failure, level=LogLevel.error)
            code = UNKNOWN_ERROR_CODE
            description = "Unknown Error"
            fatal = False
        if ask is not None:
            errorBox = AmpBox(
                {
                    ERROR: ask,
                    ERROR_CODE: code,
                    ERROR_DESCRIPTION: description.encode("utf-8")[:MAX_VALUE_LENGTH],
                }
            )
            sender = self.boxSender
            if sender is not None:
                try:
                    sender.sendBox(errorBox)
                except Exception:
                    self._log.failure("Could not send AMP error answer", level=LogLevel.error)
        if fatal:
            _loseConnection(self.boxSender)


# -- binary box protocol ---------------------------------------------------------------


@implementer(IBoxSender, IFileDescriptorReceiver)
class BinaryBoxProtocol(Protocol):
    """
    Frames boxes on a stream connection and hands them to a box receiver.

    Received bytes go through an L{AmpBoxParser}; a malformed stream is
    logged as a protocol error and closes the connection.  Boxes sent with
    L{sendBox} are serialized with this protocol's limits.

    @cvar MAX_KEY_LENGTH: The longest key sent or accepted (255).
    @cvar MAX_VALUE_LENGTH: The longest value sent or accepted (65535, the
        most a 16-bit length allows).
    @cvar MAX_BOX_KEYS: The most key/value pairs accepted in a received box.
    @ivar boxReceiver: The L{IBoxReceiver} receiving the boxes.
    @ivar hostCertificate: The certificate this side used for TLS, if any.
    @ivar noPeerCertificate: Whether TLS was started without verifying the
        peer.
    """

    MAX_KEY_LENGTH: ClassVar[int] = MAX_KEY_LENGTH
    MAX_VALUE_LENGTH: ClassVar[int] = MAX_VALUE_LENGTH
    MAX_BOX_KEYS: ClassVar[int] = MAX_BOX_KEYS

    _log: ClassVar[Logger] = Logger()

    hostCertificate: Any = None
    noPeerCertificate: bool = False

    def __init__(self, boxReceiver: Any) -> None:
        """
        @param boxReceiver: An L{IBoxReceiver}.
        """
        self.boxReceiver = boxReceiver
        self._parser: Optional[AmpBoxParser] = None
        self._closing = False
        self._tlsStarted = False
        self._startingTLSBuffer: Optional[list[bytes]] = None
        self._descriptorsSent = 0
        self._descriptorsReceived = 0
        self._receivedDescriptors: dict[int, int] = {}

    def makeConnection(self, transport: Any) -> None:
        """
        Attach the transport and start the box receiver.

        @param transport: The stream transport.
        """
        self._parser = AmpBoxParser(self.MAX_KEY_LENGTH, self.MAX_VALUE_LENGTH, self.MAX_BOX_KEYS)
        Protocol.makeConnection(self, transport)
        self.boxReceiver.startReceivingBoxes(self)

    def dataReceived(self, data: bytes) -> None:
        """
        Parse C{data} and deliver the completed boxes.

        @param data: Bytes from the peer.
        """
        if self._closing:
            return
        parser = self._parser
        assert parser is not None, "dataReceived before makeConnection"
        error: Optional[MalformedAmpBox] = None
        try:
            boxes = parser.feed(data)
        except MalformedAmpBox as e:
            boxes = e.boxes
            error = e
        receiver = self.boxReceiver
        transport = self.transport
        for box in boxes:
            try:
                receiver.ampBoxReceived(box)
            except Exception:
                self._log.failure(
                    "Error while handling an AMP box from {peer}; closing the connection",
                    level=LogLevel.error,
                    peer=_peerOf(transport),
                )
                self._closeForError()
                return
            if self._closing or getattr(transport, "disconnecting", False):
                self._closing = True
                return
        if error is not None:
            self._log.failure(
                "AMP protocol error from {peer}: {error}; closing the connection",
                Failure(error),
                level=LogLevel.error,
                peer=_peerOf(transport),
                error=str(error),
            )
            self._closeForError()

    def _closeForError(self) -> None:
        """Stop handling input and close the connection."""
        self._closing = True
        if self.transport is not None:
            self.transport.loseConnection()

    def sendBox(self, box: AmpBox) -> None:
        """
        Serialize C{box} and write it (held back while TLS is starting).

        @param box: The box.
        @raise TooLong: If a key or value is too long.
        @raise NoEmptyBoxes: If the box is empty.
        @raise TypeError: If a key or value is not bytes.
        @raise ProtocolSwitched: If there is no transport.
        """
        data = serializeBox(box, self.MAX_KEY_LENGTH, self.MAX_VALUE_LENGTH)
        if self._startingTLSBuffer is not None:
            self._startingTLSBuffer.append(data)
            return
        transport = self.transport
        if transport is None:
            raise ProtocolSwitched("this AMP protocol has no transport to send boxes through")
        transport.write(data)

    def unhandledError(self, failure: Failure) -> None:
        """
        Log an error nothing handled and close the connection.

        @param failure: The error.
        """
        self._log.failure(
            "Unhandled error in AMP conversation with {peer}; closing the connection",
            failure,
            level=LogLevel.error,
            peer=_peerOf(self.transport),
        )
        self._closeForError()

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        """
        Stop the box receiver with C{reason}.

        @param reason: Why the connection was lost.
        """
        self._closing = True
        self.connected = 0
        self.boxReceiver.stopReceivingBoxes(reason)

    # file descriptors (Descriptor arguments)

    def _sendFileDescriptor(self, descriptor: int) -> int:
        """
        Send C{descriptor} with the transport; return its ordinal.

        @raise AttributeError: If the transport cannot pass descriptors.
        """
        sendFileDescriptor = getattr(self.transport, "sendFileDescriptor", None)
        if sendFileDescriptor is None:
            raise AttributeError(
                f"cannot send file descriptors over {self.transport!r}: it has no sendFileDescriptor"
            )
        sendFileDescriptor(descriptor)
        ordinal = self._descriptorsSent
        self._descriptorsSent += 1
        return ordinal

    def fileDescriptorReceived(self, descriptor: int) -> None:
        """
        Remember a descriptor received by the transport, for the
        L{Descriptor} argument that refers to it.

        @param descriptor: The received descriptor.
        """
        self._receivedDescriptors[self._descriptorsReceived] = descriptor
        self._descriptorsReceived += 1

    def _getDescriptor(self, ordinal: int) -> int:
        """
        Return (and forget) the received descriptor with C{ordinal}.

        @raise KeyError: If none was received with it.
        """
        try:
            return self._receivedDescriptors.pop(ordinal)
        except KeyError:
            raise KeyError(f"no file descriptor with ordinal {ordinal} was received") from None

    # TLS

    def _prepareTLS(self, certificate: Any, verifyAuthorities: Any) -> None:
        """
        Hold back outgoing boxes until L{_startTLS} (the requesting side of
        StartTLS, while it waits for the answer).

        @raise OnlyOneTLS: If TLS was already started or is starting.
        """
        if self._tlsStarted or self._startingTLSBuffer is not None:
            raise OnlyOneTLS("TLS was already started on this AMP connection")
        self._startingTLSBuffer = []

    def _startTLS(self, certificate: Any, verifyAuthorities: Any) -> None:
        """
        Switch the transport to TLS, then send the boxes held back.

        @param certificate: The local private certificate, or None.
        @param verifyAuthorities: Certificates of the authorities the
            peer's certificate must be signed by, or None.
        @raise OnlyOneTLS: If TLS was already started.
        """
        if self._tlsStarted:
            raise OnlyOneTLS("TLS was already started on this AMP connection")
        self._tlsStarted = True
        held = self._startingTLSBuffer
        self._startingTLSBuffer = None
        transport = self.transport
        assert transport is not None
        transport.startTLS(self._tlsContextFactory(certificate, verifyAuthorities))  # type: ignore[attr-defined]
        self.hostCertificate = certificate
        self.noPeerCertificate = not verifyAuthorities
        if held:
            transport.writeSequence(held)

    def _tlsContextFactory(self, certificate: Any, verifyAuthorities: Any) -> Any:
        """
        Build the TLS options for StartTLS.

        With a local certificate, its C{options(*verifyAuthorities)}; without
        one, C{netframe.core.ssl.CertificateOptions} verifying against
        C{verifyAuthorities} (if any).

        @return: The context factory given to C{transport.startTLS}.
        """
        authorities = list(verifyAuthorities or ())
        if certificate is not None:
            return certificate.options(*authorities)
        ssl = importlib.import_module("netframe.core.ssl")
        if authorities:
            return ssl.CertificateOptions(verify=True, caCerts=[a.original for a in authorities])
        return ssl.CertificateOptions()


def _peerOf(transport: Any) -> Any:
    """Return the peer address of C{transport}, or None."""
    try:
        return transport.getPeer()
    except Exception:
        return None


# -- AMP --------------------------------------------------------------------------------


class AMP(BinaryBoxProtocol, BoxDispatcher, CommandLocator, SimpleStringLocator):
    """
    The AMP protocol: a L{BinaryBoxProtocol} whose boxes go to a
    L{BoxDispatcher}; either side can call commands (L{callRemote}) and
    answer them (responders registered with C{@Command.responder} on a
    subclass, or on a separate locator).

    @ivar boxReceiver: Where received boxes go: this AMP itself unless
        another receiver was given.
    @ivar locator: Where responders are looked up: this AMP itself unless
        another locator was given.
    """

    def __init__(self, boxReceiver: Any = None, locator: Any = None) -> None:
        """
        @param boxReceiver: An L{IBoxReceiver} to get the boxes instead of
            this AMP's own dispatcher.
        @param locator: An L{IResponderLocator} to answer commands instead
            of this AMP's own responders.
        """
        BoxDispatcher.__init__(self, self if locator is None else locator)
        BinaryBoxProtocol.__init__(self, self if boxReceiver is None else boxReceiver)

    def locateResponder(self, name: bytes) -> Optional[Callable[[AmpBox], Any]]:
        """
        Find the responder of C{name}: a C{@Command.responder} method first,
        then an C{amp_<NAME>} method.

        @param name: The command name.
        @return: The box-level responder, or None.
        """
        responder = CommandLocator.locateResponder(self, name)
        if responder is None:
            responder = SimpleStringLocator.locateResponder(self, name)
        return responder

    def __repr__(self) -> str:
        """@return: C{<AMP at 0x...>} (with the peer once connected)."""
        peer = _peerOf(self.transport) if self.transport is not None else None
        where = f" to {peer}" if peer is not None else ""
        return f"<{self.__class__.__name__}{where} at 0x{id(self):x}>"


# -- StartTLS ---------------------------------------------------------------------------


class _TLSBox(AmpBox):
    """An answer box that switches the connection to TLS once sent."""

    __slots__ = ()

    def _sendTo(self, proto: Any) -> None:
        """Send this answer, then start TLS on C{proto}."""
        certificate = self.pop(b"tls_localCertificate", None)
        authorities = self.pop(b"tls_verifyAuthorities", None)
        proto.sendBox(self)
        proto._startTLS(certificate, authorities)


class StartTLS(Command):
    """
    Switch the connection to TLS.

    The caller may pass C{tls_localCertificate} (a private certificate with
    an C{options(*authorities)} method) and C{tls_verifyAuthorities} (the
    certificates the peer's certificate must be signed by); the responder
    returns the same keys for its side.  Neither is sent on the wire.  The
    responder's side starts TLS right after writing the answer; the caller's
    side when the answer arrives, and it holds back any box sent meanwhile.
    Starting TLS twice raises L{OnlyOneTLS}.
    """

    commandName = b"StartTLS"
    arguments = [
        (b"tls_localCertificate", _LocalArgument(optional=True)),
        (b"tls_verifyAuthorities", _LocalArgument(optional=True)),
    ]
    response = [
        (b"tls_localCertificate", _LocalArgument(optional=True)),
        (b"tls_verifyAuthorities", _LocalArgument(optional=True)),
    ]
    responseType = _TLSBox

    def __init__(self, **kw: Any) -> None:
        """
        @param kw: C{tls_localCertificate}, C{tls_verifyAuthorities} and any
            arguments a subclass declares.
        """
        self.certificate = kw.pop("tls_localCertificate", None)
        self.authorities = kw.pop("tls_verifyAuthorities", None)
        super().__init__(**kw)

    def _doCommand(self, proto: BoxDispatcher) -> Optional[Deferred[dict[str, Any]]]:
        """
        Send the request, hold back other boxes, and start TLS when the
        answer arrives.

        @raise OnlyOneTLS: If TLS was already started or is starting.
        """
        sender: Any = proto.boxSender
        if sender is not None and (sender._tlsStarted or sender._startingTLSBuffer is not None):
            raise OnlyOneTLS("TLS was already started on this AMP connection")
        d = super()._doCommand(proto)
        assert d is not None
        if d.called:
            return d
        sender._prepareTLS(self.certificate, self.authorities)
        certificate = self.certificate
        authorities = self.authorities

        def actuallyStart(response: dict[str, Any]) -> dict[str, Any]:
            sender._startTLS(certificate, authorities)
            return response

        def abandon(failure: Failure) -> Failure:
            held = sender._startingTLSBuffer
            sender._startingTLSBuffer = None
            if held and sender.transport is not None:
                sender.transport.writeSequence(held)
            return failure

        return d.addCallbacks(actuallyStart, abandon)
