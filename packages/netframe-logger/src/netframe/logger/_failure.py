"""
L{Failure}: an exception together with its traceback, usable after the
C{except} block that caught it has ended (Twisted's C{twisted.python.failure}).

This module is private to netframe-logger (the logger must capture failures);
the public home of these names is C{netframe.core.failure}.

Construction is on hot paths (every Deferred errback), so a L{Failure} only
stores the exception, its type and its traceback object; the frame list, the
type's MRO names and every text rendering are computed on first use.
"""

from __future__ import annotations

import builtins
import linecache
import pickle
import sys
from collections.abc import Generator
from itertools import count as _count
from types import TracebackType
from typing import IO, Any, NoReturn, TypeVar

__all__ = ["Failure", "NoCurrentExceptionError"]

_T = TypeVar("_T")

#: A frame as kept by L{Failure.frames}: function name, file name, line
#: number, local variables and global variables (the last two as lists of
#: C{(name, value)} pairs, empty unless variables were captured).
FrameInfo = tuple[str, str, int, list[tuple[str, Any]], list[tuple[str, Any]]]

_CAUGHT_HERE = "--- <exception caught here> ---\n"

_counter = _count(1)


class NoCurrentExceptionError(Exception):
    """
    Raised by L{Failure} when it is asked to capture the current exception but
    no exception is being handled.
    """


class _UnpicklableExceptionError(Exception):
    """
    Stands in for an exception value that could not be pickled together with
    its L{Failure}; its message is a text description of the original.
    """


def _qual(cls: object) -> str:
    """
    Return the fully qualified name C{module.QualName} of a class, without
    ever raising.

    @param cls: a class (or any object; other objects give their type's name).
    @return: the dotted name.
    """
    try:
        module = getattr(cls, "__module__", None)
        name = getattr(cls, "__qualname__", None)
        if isinstance(module, str) and isinstance(name, str):
            return f"{module}.{name}"
    except Exception:
        pass
    try:
        return object.__repr__(cls)
    except Exception:  # pragma: no cover - object.__repr__ does not fail
        return "<unknown>"


def _safeStr(obj: object) -> str:
    """
    Return C{str(obj)}, or a description of C{obj} if its C{__str__} raises
    or returns something that is not text.

    @param obj: any object.
    @return: text; never raises.
    """
    try:
        return str(obj)
    except Exception as e:
        problem = _describeError(e)
    return f"<{_qual(type(obj))} instance at 0x{id(obj):x} with str error {problem}>"


def _safeRepr(obj: object) -> str:
    """
    Return C{repr(obj)}, or a description of C{obj} if its C{__repr__} raises.

    @param obj: any object.
    @return: text; never raises.
    """
    try:
        return repr(obj)
    except Exception as e:
        problem = _describeError(e)
    return f"<{_qual(type(obj))} instance at 0x{id(obj):x} with repr error {problem}>"


def _describeError(e: BaseException) -> str:
    """
    Describe an exception raised while describing something else, using only
    operations that cannot fail.

    @param e: the exception.
    @return: C{module.Type} of the exception.
    """
    return _qual(type(e))


def _extractFrames(tb: TracebackType | None, captureVars: bool) -> list[FrameInfo]:
    """
    Turn a traceback chain into a list of frame tuples.

    @param tb: the first traceback entry (or C{None}).
    @param captureVars: whether to copy the frames' local and global variables.
    @return: the frames, outermost first.
    """
    frames: list[FrameInfo] = []
    append = frames.append
    while tb is not None:
        frame = tb.tb_frame
        code = frame.f_code
        if captureVars:
            localsItems = list(frame.f_locals.copy().items())
            globalsItems = [(k, v) for k, v in frame.f_globals.items() if not k.startswith("__")]
        else:
            localsItems = []
            globalsItems = []
        append((code.co_name, code.co_filename, tb.tb_lineno, localsItems, globalsItems))
        tb = tb.tb_next
    return frames


class _ReprText(str):
    """
    The C{repr} of a captured variable, stored in place of the variable by
    L{Failure.cleanFailure} and pickling (so it is shown as-is, not re-repr'd).
    """

    __slots__ = ()


def _reprItems(items: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """
    Replace the values of C{(name, value)} pairs by their safe C{repr}.

    @param items: variables as captured by L{_extractFrames}.
    @return: a new list whose values are L{_ReprText} strings.
    """
    return [
        (name, value if value.__class__ is _ReprText else _ReprText(_safeRepr(value)))
        for name, value in items
    ]


class Failure:
    """
    An exception, its type and its traceback, kept so that the error can be
    examined, reported or re-raised later (typically in a Deferred errback).

    @ivar value: the exception instance.
    @ivar type: the exception's class.
    @ivar tb: the traceback object, or C{None} when there is none or after
        L{cleanFailure} / unpickling.
    @ivar count: a number unique to this failure within the process.
    @ivar captureVars: whether the frames' variables were captured.
    @ivar pickled: whether this failure was reconstructed by unpickling.
    @ivar stack: frames above the point where the exception was caught; not
        recorded (always an empty list) because walking the stack on every
        Failure would make errbacks slow.
    """

    __slots__ = (
        "__weakref__",
        "_description",
        "_frames",
        "_parents",
        "_pickled",
        "_stack",
        "captureVars",
        "count",
        "tb",
        "type",
        "value",
    )

    value: BaseException
    type: builtins.type[BaseException]
    tb: TracebackType | None
    count: int
    captureVars: bool
    # _pickled, _stack, _frames and _parents are left unset on the hot path
    # (construction) and read with getattr defaults.
    _pickled: bool
    _stack: list[FrameInfo]
    _frames: list[FrameInfo] | None
    _parents: list[str] | None
    # (type name, message) kept after pickling so text output stays identical
    # even when the value had to be replaced.
    _description: tuple[str, str] | None

    def __init__(
        self,
        exc_value: BaseException | Failure | None = None,
        exc_type: builtins.type[BaseException] | None = None,
        exc_tb: TracebackType | None = None,
        captureVars: bool = False,
    ) -> None:
        """
        Capture an exception.

        @param exc_value: the exception instance; when C{None}, the exception
            currently being handled (C{Failure()} inside an C{except} block).
            A L{Failure} gives a failure with the same state.
        @param exc_type: the exception class; defaults to the value's class.
            If C{exc_value} is not an instance of it, C{exc_type(exc_value)}
            is used as the value (the old C{raise Type, value} convention).
        @param exc_tb: the traceback; defaults to the value's
            C{__traceback__}.
        @param captureVars: if true, copy each frame's local and global
            variables now (expensive; used for verbose tracebacks).
        @raise NoCurrentExceptionError: if C{exc_value} is C{None} and no
            exception is being handled.
        @raise TypeError: if C{exc_value} is neither an exception, a
            L{Failure} nor C{None} and no C{exc_type} is given.
        """
        self.count = next(_counter)
        self.captureVars = captureVars
        self._description = None
        if exc_value is None:
            exc_type, exc_value, exc_tb = sys.exc_info()
            if exc_value is None:
                raise NoCurrentExceptionError(
                    "Failure() was called with no exception and no exception is being handled"
                )
        elif isinstance(exc_value, Failure):
            other = exc_value
            self.value = other.value
            self.type = other.type
            self.tb = other.tb
            self._description = getattr(other, "_description", None)
            for slot in _OPTIONAL_SLOTS:
                try:
                    setattr(self, slot, getattr(other, slot))
                except AttributeError:
                    pass
            if captureVars and getattr(self, "_frames", None) is None:
                self._frames = _extractFrames(self.tb, True)
            return
        elif exc_type is None:
            if not isinstance(exc_value, BaseException):
                raise TypeError(f"Failure needs an exception instance, not {_safeRepr(exc_value)}")
            exc_type = exc_value.__class__
            if exc_tb is None:
                exc_tb = exc_value.__traceback__
        else:
            if not isinstance(exc_value, exc_type):
                exc_value = exc_type(exc_value)
            if exc_tb is None:
                exc_tb = exc_value.__traceback__
        self.value = exc_value
        self.type = exc_type  # type: ignore[assignment]
        self.tb = exc_tb
        if captureVars:
            self._frames = _extractFrames(exc_tb, True)

    # -- lazily computed attributes -------------------------------------------

    @property
    def frames(self) -> list[FrameInfo]:
        """
        The traceback's frames, outermost first, as C{(funcName, fileName,
        lineNumber, localsItems, globalsItems)} tuples (variables are empty
        lists unless C{captureVars} was true).  Computed on first access.
        """
        frames = getattr(self, "_frames", None)
        if frames is None:
            frames = self._frames = _extractFrames(self.tb, False)
        return frames

    @frames.setter
    def frames(self, frames: list[FrameInfo]) -> None:
        """
        Replace the recorded frames.

        @param frames: the new frame list.
        """
        self._frames = frames

    @property
    def parents(self) -> list[str]:
        """
        The fully qualified names of the exception type and all its bases (its
        MRO), used by L{check} with string arguments.
        """
        parents = getattr(self, "_parents", None)
        if parents is None:
            parents = self._parents = [_qual(c) for c in self.type.__mro__]
        return parents

    @parents.setter
    def parents(self, parents: list[str]) -> None:
        """
        Replace the recorded type names.

        @param parents: the new list of qualified names.
        """
        self._parents = parents

    @property
    def stack(self) -> list[FrameInfo]:
        """
        Frames above the point where the exception was caught: not recorded
        (an empty list unless set), because walking the stack for every
        failure would make errbacks slow.
        """
        try:
            return self._stack
        except AttributeError:
            stack: list[FrameInfo] = []
            self._stack = stack
            return stack

    @stack.setter
    def stack(self, stack: list[FrameInfo]) -> None:
        """
        Replace the recorded stack frames.

        @param stack: frame tuples, outermost first.
        """
        self._stack = stack

    @property
    def pickled(self) -> bool:
        """
        Whether this failure was reconstructed by unpickling.
        """
        return getattr(self, "_pickled", False)

    @pickled.setter
    def pickled(self, pickled: bool) -> None:
        """
        Set whether this failure counts as unpickled.

        @param pickled: the new value.
        """
        self._pickled = pickled

    # -- inspecting ------------------------------------------------------------

    def check(self, *errorTypes: builtins.type[BaseException] | str) -> Any:
        """
        Return the first of C{errorTypes} that matches the wrapped exception.

        @param errorTypes: exception classes (matched by subclassing) or fully
            qualified class names such as C{"builtins.ValueError"} (matched
            against L{parents}).
        @return: the matching argument, or C{None} if none matches.
        """
        excType = self.type
        for error in errorTypes:
            if error.__class__ is str:
                if error in self.parents:
                    return error
            elif isinstance(error, type) and issubclass(excType, error):
                return error
            elif (
                isinstance(error, type)
                and getattr(self, "_description", None) is not None
                and _qual(error) in self.parents
            ):
                # Unpickled with a stand-in value: fall back to names.
                return error
        return None

    def trap(self, *errorTypes: builtins.type[BaseException] | str) -> Any:
        """
        Return the first of C{errorTypes} that matches, or re-raise the wrapped
        exception (Python 3 behaviour) so the next errback sees it.

        @param errorTypes: as for L{check}.
        @return: the matching argument.
        @raise BaseException: the wrapped exception, if nothing matches.
        """
        error = self.check(*errorTypes)
        if error is None:
            self.raiseException()
        return error

    def getErrorMessage(self) -> str:
        """
        Return the exception's message, C{str(value)}.

        @return: text; if C{str()} of the exception fails a description is
            returned instead (never raises).
        """
        description: tuple[str, str] | None = getattr(self, "_description", None)
        if description is not None:
            return description[1]
        return _safeStr(self.value)

    def _typeName(self) -> str:
        """
        Return the qualified name of the exception type used in tracebacks.
        """
        description: tuple[str, str] | None = getattr(self, "_description", None)
        if description is not None:
            return description[0]
        return _qual(self.type)

    def raiseException(self) -> NoReturn:
        """
        Raise the wrapped exception with its original traceback.

        @raise BaseException: always, the wrapped exception.
        """
        raise self.value.with_traceback(self.tb)

    def throwExceptionIntoGenerator(self, g: Generator[Any, Any, _T]) -> Any:
        """
        Throw the wrapped exception into a generator, as C{g.throw} does.

        @param g: a suspended generator.
        @return: the next value the generator yields.
        @raise BaseException: whatever the generator raises (including the
            wrapped exception and C{StopIteration}).
        """
        return g.throw(self.value.with_traceback(self.tb))

    # -- text ------------------------------------------------------------------

    def getTraceback(self, elideFrameworkCode: int | bool = 0, detail: str = "default") -> str:
        """
        Return the traceback as text.

        @param elideFrameworkCode: if true, runs of frames from netframe's own
            packages (other than the frame that raised) are replaced by one
            line saying how many were elided.
        @param detail: C{"default"} (like Python's own traceback, with the
            C{--- <exception caught here> ---} marker), C{"brief"} (one line
            per frame) or C{"verbose"} (with local and global variables).
        @return: the text, ending in a newline; never raises for hostile
            exception values.
        @raise ValueError: if C{detail} is not one of the three values.
        """
        lines: list[str] = []
        self.printTraceback(_LineCollector(lines), elideFrameworkCode, detail)
        return "".join(lines)

    def getBriefTraceback(self) -> str:
        """
        Return the traceback in the dense C{"brief"} format.

        @return: the text.
        """
        return self.getTraceback(detail="brief")

    def printTraceback(
        self,
        file: IO[str] | Any | None = None,
        elideFrameworkCode: int | bool = False,
        detail: str = "default",
    ) -> None:
        """
        Write the traceback to C{file}.

        @param file: an object with a C{write(str)} method; C{sys.stderr} when
            C{None}.
        @param elideFrameworkCode: see L{getTraceback}.
        @param detail: see L{getTraceback}.
        @raise ValueError: if C{detail} is not C{"default"}, C{"brief"} or
            C{"verbose"}.
        """
        if detail not in ("default", "brief", "verbose"):
            raise ValueError(f"detail must be 'default', 'brief' or 'verbose', not {detail!r}")
        if file is None:
            file = sys.stderr
        w = file.write
        frames = self.frames
        if elideFrameworkCode:
            frames = _elide(frames)
        typeName = self._typeName()
        message = self.getErrorMessage()
        if detail == "brief":
            w(f"Traceback: {typeName}: {message}\n")
            for frame in frames:
                if frame[0] == _ELIDED:
                    w(f"{frame[1]}\n")
                else:
                    w(f"{frame[1]}:{frame[2]}:{frame[0]}\n")
            return
        if detail == "verbose":
            w(f"*--- Failure #{self.count}{' (pickled)' if self.pickled else ''} ---\n")
            _formatFrames(self.stack, w, True)
            w(_CAUGHT_HERE)
            _formatFrames(frames, w, True)
            w(f"{typeName}: {message}\n")
            w(f"*--- End of Failure #{self.count} ---\n")
            return
        if not frames and not self.stack:
            w(f"Traceback (failure with no frames): {typeName}: {message}\n")
            return
        w("Traceback (most recent call last):\n")
        _formatFrames(self.stack, w, False)
        w(_CAUGHT_HERE)
        _formatFrames(frames, w, False)
        w(f"{typeName}: {message}\n")

    def printBriefTraceback(
        self, file: IO[str] | Any | None = None, elideFrameworkCode: int | bool = 0
    ) -> None:
        """
        Write the traceback in the C{"brief"} format.

        @param file: as for L{printTraceback}.
        @param elideFrameworkCode: as for L{printTraceback}.
        """
        self.printTraceback(file, elideFrameworkCode, detail="brief")

    def printDetailedTraceback(
        self, file: IO[str] | Any | None = None, elideFrameworkCode: int | bool = 0
    ) -> None:
        """
        Write the traceback in the C{"verbose"} format, with variables.

        @param file: as for L{printTraceback}.
        @param elideFrameworkCode: as for L{printTraceback}.
        """
        self.printTraceback(file, elideFrameworkCode, detail="verbose")

    # -- reference management and serialisation --------------------------------

    def cleanFailure(self) -> None:
        """
        Drop the references this failure holds to traceback and frame objects
        (and replace captured variables by their C{repr}), so it keeps no
        frames alive.  The text of every traceback rendering is unchanged.
        """
        frames = self.frames
        if self.captureVars:
            self._frames = [
                (name, filename, line, _reprItems(loc), _reprItems(glob))
                for name, filename, line, loc, glob in frames
            ]
        self.tb = None
        try:
            self.value.__traceback__ = None
        except Exception:
            pass

    def __getstate__(self) -> dict[str, Any]:
        """
        Return a picklable state: frames as plain data with variables as
        C{repr} strings, no traceback object, and the exception value if it
        can be pickled, else a stand-in whose message describes it.

        @return: the state dictionary.
        """
        frames = [
            (name, filename, line, _reprItems(loc), _reprItems(glob))
            for name, filename, line, loc, glob in self.frames
        ]
        stack = [
            (name, filename, line, _reprItems(loc), _reprItems(glob))
            for name, filename, line, loc, glob in self.stack
        ]
        value: BaseException = self.value
        excType: type[BaseException] = self.type
        description = (self._typeName(), self.getErrorMessage())
        savedTb = getattr(value, "__traceback__", None)
        try:
            value.__traceback__ = None
            pickle.dumps((value, excType))
        except Exception:
            value = _UnpicklableExceptionError(f"{description[0]}: {description[1]}")
            excType = _UnpicklableExceptionError
        finally:
            try:
                self.value.__traceback__ = savedTb
            except Exception:
                pass
        return {
            "value": value,
            "type": excType,
            "count": self.count,
            "captureVars": self.captureVars,
            "frames": frames,
            "stack": stack,
            "parents": list(self.parents),
            "description": description,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        """
        Restore a failure from L{__getstate__}'s state; it is marked
        C{pickled} and has no traceback object.

        @param state: the state dictionary.
        """
        self.value = state["value"]
        self.type = state["type"]
        self.tb = None
        self.count = state["count"]
        self.captureVars = state["captureVars"]
        self._frames = state["frames"]
        self._stack = state["stack"]
        self._parents = state["parents"]
        self._description = state["description"]
        self._pickled = True

    def __copy__(self) -> Failure:
        """
        Return a shallow copy sharing the exception, traceback and frames.
        """
        new = Failure.__new__(self.__class__)
        for slot in _REQUIRED_SLOTS:
            setattr(new, slot, getattr(self, slot))
        for slot in _OPTIONAL_SLOTS:
            try:
                setattr(new, slot, getattr(self, slot))
            except AttributeError:
                pass
        dictionary = getattr(self, "__dict__", None)
        if dictionary:
            new.__dict__.update(dictionary)
        return new

    def __repr__(self) -> str:
        """
        Return C{<module.Failure module.ExcType: message>}.
        """
        return f"<{_qual(self.__class__)} {self._typeName()}: {self.getErrorMessage()}>"

    def __str__(self) -> str:
        """
        Return C{[Failure instance: <brief traceback>]}.
        """
        return f"[Failure instance: {self.getBriefTraceback()}]"


_REQUIRED_SLOTS = ("value", "type", "tb", "count", "captureVars")
_OPTIONAL_SLOTS = ("_description", "_frames", "_parents", "_pickled", "_stack")


class _LineCollector:
    """
    A minimal file-like object collecting written text into a list.
    """

    __slots__ = ("write",)

    def __init__(self, lines: list[str]) -> None:
        """
        @param lines: the list that receives each written string.
        """
        self.write = lines.append


_ELIDED = "<elided>"


def _frameworkDirectories() -> tuple[str, ...]:
    """
    Return the directories of netframe's own packages (for frame eliding).
    """
    netframe = sys.modules.get("netframe")
    paths = getattr(netframe, "__path__", None) or []
    return tuple(str(p).rstrip("/\\") + "/" for p in paths)


def _elide(frames: list[FrameInfo]) -> list[FrameInfo]:
    """
    Replace runs of netframe-internal frames (except the last frame) with one
    marker frame.

    @param frames: the frames to filter.
    @return: a new list.
    """
    dirs = _frameworkDirectories()
    out: list[FrameInfo] = []
    run = 0
    last = len(frames) - 1
    for index, frame in enumerate(frames):
        if index != last and frame[1].startswith(dirs):
            run += 1
            continue
        if run:
            out.append((_ELIDED, f"  ... {run} framework frame(s) elided ...", 0, [], []))
            run = 0
        out.append(frame)
    return out


def _formatFrames(frames: list[FrameInfo], w: Any, verbose: bool) -> None:
    """
    Write frames in Python's traceback style.

    @param frames: frame tuples.
    @param w: a C{write} callable.
    @param verbose: if true, also write each frame's variables.
    """
    for name, filename, lineno, localsItems, globalsItems in frames:
        if name == _ELIDED:
            w(f"{filename}\n")
            continue
        w(f'  File "{filename}", line {lineno}, in {name}\n')
        source = linecache.getline(filename, lineno).strip()
        if source:
            w(f"    {source}\n")
        if verbose:
            w("    [ Locals ]\n")
            for varName, varValue in localsItems:
                w(f"      {varName} : {_shown(varValue)}\n")
            w("    ( Globals )\n")
            for varName, varValue in globalsItems:
                w(f"      {varName} : {_shown(varValue)}\n")


def _shown(value: object) -> str:
    """
    Return how a captured variable is shown: cleaned values are already
    L{_ReprText}, live values get their safe C{repr}.

    @param value: a captured variable's value.
    @return: text.
    """
    if value.__class__ is _ReprText:
        return str.__str__(value)
    return _safeRepr(value)
