"""
AMP, the Asynchronous Messaging Protocol (Twisted's C{twisted.protocols.amp}),
wire-compatible with Twisted's implementation.

AMP is a bidirectional request/response protocol over a stream connection:
either side sends requests (C{callRemote(SomeCommand, **arguments)} returns a
Deferred firing with the response dict) and answers the other side's
requests with responders (C{@SomeCommand.responder} methods of an L{AMP} or
L{CommandLocator} subclass).

Wire format
===========
Every message is a I{box}: key/value pairs, each item written as a 16-bit
big-endian length and that many bytes, ended by a zero-length key.  Keys are
1 to L{MAX_KEY_LENGTH} (255) bytes, values at most L{MAX_VALUE_LENGTH}
(65535) bytes.  A request carries C{_command} (the command name) and, when
it wants an answer, C{_ask} (a tag: a lowercase hex counter from 1); the
answer carries C{_answer} with the tag, an error answer C{_error},
C{_error_code} and C{_error_description}.  C{UNHANDLED} means the command
has no responder, C{UNKNOWN} that the responder failed with an undeclared
error.

Limits and errors
=================
  - Sending a key or value that is too long raises L{TooLong}, an empty
    box L{NoEmptyBoxes}, arguments that do not match the command
    L{InvalidSignature}, values of the wrong type C{TypeError}/C{ValueError}
    (all raised by C{callRemote} itself).
  - Receiving a malformed stream (key over C{MAX_KEY_LENGTH}, value over
    C{MAX_VALUE_LENGTH}, an empty box, more than C{MAX_BOX_KEYS} pairs, a
    repeated key, a box that is neither request nor answer) logs a protocol
    error and closes the connection; the limits are attributes of
    L{BinaryBoxProtocol} that subclasses may lower.
  - A request whose values do not parse (C{Integer} of C{b"abc"}) is
    answered with an C{UNKNOWN} error; an answer whose values do not parse
    fails the caller's Deferred with the parsing error.  The connection
    stays up in both cases.
  - Requests still waiting when the connection is lost fail with the
    reason; later C{callRemote}s fail at once with it.

Choices where Twisted's documentation leaves room:
  - C{Integer} only sends integers (C{operator.index}); C{Float} sends
    floats and ints; C{Path} uses C{pathlib.Path}.
  - A responder of a command with exactly one response value may return
    that value alone instead of a dict (as the howto's C{return
    self.uidCounter} does).
  - Responders may be coroutines (C{async def}).
  - The description of an C{UNKNOWN} error is C{"Unknown Error"}; the
    local failure is logged, never sent.
"""

from __future__ import annotations

from netframe.core.protocols._amp import (
    AMP,
    BadLocalReturn,
    BinaryBoxProtocol,
    BoxDispatcher,
    Command,
    CommandLocator,
    IBoxReceiver,
    IBoxSender,
    IncompatibleVersions,
    IResponderLocator,
    OnlyOneTLS,
    ProtocolSwitched,
    RemoteAmpError,
    SimpleStringLocator,
    StartTLS,
    UnhandledCommand,
    UnknownRemoteError,
)
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
    NoEmptyBoxes,
    QuitBox,
    TooLong,
    parseString,
)
from netframe.core.protocols._amptypes import (
    AmpList,
    Argument,
    Boolean,
    Bytes,
    DateTime,
    Decimal,
    Descriptor,
    Float,
    IArgumentType,
    Integer,
    InvalidSignature,
    ListOf,
    Path,
    String,
    Unicode,
    utc,
)

__all__ = [
    "AMP",
    "ANSWER",
    "ASK",
    "COMMAND",
    "ERROR",
    "ERROR_CODE",
    "ERROR_DESCRIPTION",
    "MAX_BOX_KEYS",
    "MAX_KEY_LENGTH",
    "MAX_VALUE_LENGTH",
    "UNHANDLED_ERROR_CODE",
    "UNKNOWN_ERROR_CODE",
    "AmpBox",
    "AmpBoxParser",
    "AmpError",
    "AmpList",
    "Argument",
    "BadLocalReturn",
    "BinaryBoxProtocol",
    "Boolean",
    "BoxDispatcher",
    "Bytes",
    "Command",
    "CommandLocator",
    "DateTime",
    "Decimal",
    "Descriptor",
    "Float",
    "IArgumentType",
    "IBoxReceiver",
    "IBoxSender",
    "IResponderLocator",
    "IncompatibleVersions",
    "Integer",
    "InvalidSignature",
    "ListOf",
    "MalformedAmpBox",
    "NoEmptyBoxes",
    "OnlyOneTLS",
    "Path",
    "ProtocolSwitched",
    "QuitBox",
    "RemoteAmpError",
    "SimpleStringLocator",
    "StartTLS",
    "String",
    "TooLong",
    "UnhandledCommand",
    "Unicode",
    "UnknownRemoteError",
    "parseString",
    "utc",
]

for _obj in (
    AMP,
    AmpBox,
    AmpBoxParser,
    AmpError,
    AmpList,
    Argument,
    BadLocalReturn,
    BinaryBoxProtocol,
    Boolean,
    BoxDispatcher,
    Bytes,
    Command,
    CommandLocator,
    DateTime,
    Decimal,
    Descriptor,
    Float,
    IncompatibleVersions,
    Integer,
    InvalidSignature,
    ListOf,
    MalformedAmpBox,
    NoEmptyBoxes,
    OnlyOneTLS,
    Path,
    ProtocolSwitched,
    QuitBox,
    RemoteAmpError,
    SimpleStringLocator,
    StartTLS,
    String,
    TooLong,
    UnhandledCommand,
    Unicode,
    UnknownRemoteError,
    parseString,
):
    _obj.__module__ = __name__
del _obj
