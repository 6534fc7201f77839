"""Tests for netframe.logger._failure.Failure."""

from __future__ import annotations

import copy
import gc
import io
import pickle
import sys
import weakref
from collections.abc import Generator
from typing import Any

import pytest

from netframe.logger._failure import Failure, NoCurrentExceptionError


class MyError(Exception):
    """An exception type defined at module level (picklable)."""


class MySubError(MyError):
    """A subclass of MyError."""


class HostileError(Exception):
    """An exception whose str() and repr() raise."""

    def __str__(self) -> str:
        raise RuntimeError("no str for you")

    def __repr__(self) -> str:
        raise RuntimeError("no repr for you")


def _divide() -> float:
    """Raise ZeroDivisionError from a known line."""
    return 1 / 0


def _failureFrom(f: Any, *args: Any, captureVars: bool = False) -> Failure:
    """Call f and return the Failure capturing what it raised."""
    try:
        f(*args)
    except BaseException:
        return Failure(captureVars=captureVars)
    raise AssertionError("f did not raise")


def _raise(exc: BaseException) -> None:
    """Raise exc."""
    raise exc


class ConstructionTests:
    """Building a Failure."""

    def test_currentException(self) -> None:
        """Failure() in an except block captures the current exception."""
        f = _failureFrom(_divide)
        assert f.type is ZeroDivisionError
        assert isinstance(f.value, ZeroDivisionError)
        assert f.tb is not None

    def test_noCurrentException(self) -> None:
        """Failure() outside an except block raises NoCurrentExceptionError."""
        with pytest.raises(NoCurrentExceptionError):
            Failure()

    def test_exceptionInstance(self) -> None:
        """Failure(exc) wraps an exception instance that was never raised."""
        exc = ValueError("boom")
        f = Failure(exc)
        assert f.value is exc
        assert f.type is ValueError
        assert f.tb is None
        assert f.frames == []

    def test_exceptionInstanceUsesItsTraceback(self) -> None:
        """Failure(exc) of a raised exception uses exc.__traceback__."""
        try:
            _divide()
        except ZeroDivisionError as e:
            caught = e
        f = Failure(caught)
        assert f.tb is caught.__traceback__
        assert f.frames[-1][0] == "_divide"

    def test_valueTypeTraceback(self) -> None:
        """Failure(value, type, tb) keeps all three."""
        try:
            _divide()
        except ZeroDivisionError:
            exc_type, exc_value, exc_tb = sys.exc_info()
        assert exc_value is not None and exc_type is not None
        f = Failure(exc_value, exc_type, exc_tb)
        assert (f.value, f.type, f.tb) == (exc_value, exc_type, exc_tb)

    def test_typeInstantiatesNonInstance(self) -> None:
        """A value that is not an instance of the given type is passed to the type."""
        f = Failure("bad thing", ValueError)  # type: ignore[arg-type]
        assert isinstance(f.value, ValueError)
        assert f.getErrorMessage() == "bad thing"

    def test_nonExceptionWithoutType(self) -> None:
        """A non-exception without a type raises TypeError."""
        with pytest.raises(TypeError, match="exception instance"):
            Failure("not an exception")  # type: ignore[arg-type]

    def test_wrapFailure(self) -> None:
        """Failure(failure) has the same value, type, traceback and text."""
        original = _failureFrom(_divide)
        wrapped = Failure(original)
        assert wrapped.value is original.value
        assert wrapped.type is original.type
        assert wrapped.tb is original.tb
        assert wrapped.getTraceback() == original.getTraceback()

    def test_wrapUnpickledFailure(self) -> None:
        """Wrapping an unpickled failure keeps its stored description."""

        class LocalError(Exception):
            pass

        g = pickle.loads(pickle.dumps(Failure(LocalError("gone"))))
        wrapped = Failure(g)
        assert wrapped.getErrorMessage() == "gone"
        assert wrapped.getTraceback() == g.getTraceback()
        assert wrapped.pickled

    def test_stateSetWithoutInit(self) -> None:
        """A failure built with __new__ and __setstate__ (as remote copies are) works."""
        state = Failure(MyError("remote")).__getstate__()
        f = Failure.__new__(Failure)
        f.__setstate__(state)
        assert f.check(MyError) is MyError
        assert f.getErrorMessage() == "remote"

    def test_wrapFailureWithCaptureVars(self) -> None:
        """Wrapping a failure with captureVars=True records variables."""
        wrapped = Failure(Failure(ValueError("x")), captureVars=True)
        assert wrapped.frames == []

    def test_countUnique(self) -> None:
        """Every failure gets a distinct count."""
        assert Failure(ValueError()).count != Failure(ValueError()).count

    def test_stackNotRecorded(self) -> None:
        """stack is an empty list (frames above the catch point are not recorded)."""
        assert _failureFrom(_divide).stack == []

    def test_stackSettableAndRendered(self) -> None:
        """A stack set on a failure is shown before the caught-here marker."""
        f = _failureFrom(_divide)
        f.stack = [("caller", "/app/caller.py", 7, [], [])]
        text = f.getTraceback()
        assert text.index("in caller") < text.index("--- <exception caught here> ---")
        assert Failure(f).stack == f.stack

    def test_pickledFlag(self) -> None:
        """pickled is False for a new failure and can be set."""
        f = Failure(ValueError())
        assert f.pickled is False
        f.pickled = True
        assert f.pickled is True

    def test_parents(self) -> None:
        """parents lists the qualified names of the type's MRO."""
        f = Failure(MySubError())
        assert f.parents == [
            f"{__name__}.MySubError",
            f"{__name__}.MyError",
            "builtins.Exception",
            "builtins.BaseException",
            "builtins.object",
        ]

    def test_parentsSettable(self) -> None:
        """parents can be replaced."""
        f = Failure(ValueError())
        f.parents = ["x.Y"]
        assert f.check("x.Y") == "x.Y"


class FramesTests:
    """The frames attribute."""

    def test_framesContent(self) -> None:
        """Frames are (funcName, fileName, lineNumber, locals, globals) tuples."""
        f = _failureFrom(_divide)
        name, filename, line, localsItems, globalsItems = f.frames[-1]
        assert name == "_divide"
        assert filename == __file__
        assert line == _divide.__code__.co_firstlineno + 2
        assert localsItems == [] and globalsItems == []

    def test_framesOutermostFirst(self) -> None:
        """Frames run from the catching frame to the raising frame."""
        f = _failureFrom(_divide)
        assert [frame[0] for frame in f.frames] == ["_failureFrom", "_divide"]

    def test_captureVars(self) -> None:
        """With captureVars=True, locals and globals are recorded."""

        def withLocal(secret: int) -> None:
            1 / (secret - secret)

        f = _failureFrom(withLocal, 42, captureVars=True)
        assert ("secret", 42) in f.frames[-1][3]
        assert any(name == "MyError" for name, _ in f.frames[-1][4])

    def test_framesSettable(self) -> None:
        """frames can be replaced."""
        f = Failure(ValueError())
        f.frames = [("fn", "file.py", 3, [], [])]
        assert "file.py:3:fn" in f.getBriefTraceback()


class CheckTrapTests:
    """check() and trap()."""

    def test_checkMatch(self) -> None:
        """check returns the first matching type."""
        f = Failure(MySubError())
        assert f.check(KeyError, MyError, MySubError) is MyError

    def test_checkNoMatch(self) -> None:
        """check returns None when nothing matches."""
        assert Failure(MyError()).check(KeyError, ValueError) is None

    def test_checkString(self) -> None:
        """check accepts fully qualified type names."""
        f = Failure(MySubError())
        assert f.check("builtins.KeyError", f"{__name__}.MyError") == f"{__name__}.MyError"
        assert f.check("MyError") is None

    def test_checkNoArguments(self) -> None:
        """check() with no types returns None."""
        assert Failure(MyError()).check() is None

    def test_trapMatch(self) -> None:
        """trap returns the matching type."""
        f = Failure(MySubError())
        assert f.trap(ValueError, MyError) is MyError

    def test_trapReraisesWrappedException(self) -> None:
        """trap re-raises the wrapped exception itself when nothing matches."""
        exc = MyError("x")
        f = Failure(exc)
        with pytest.raises(MyError) as info:
            f.trap(ValueError)
        assert info.value is exc

    def test_trapKeepsTraceback(self) -> None:
        """The re-raised exception carries the original traceback frames."""
        f = _failureFrom(_divide)
        with pytest.raises(ZeroDivisionError) as info:
            f.trap(KeyError)
        names = [entry.name for entry in info.traceback]
        assert "_divide" in names


class MessageTests:
    """getErrorMessage, repr and str."""

    def test_getErrorMessage(self) -> None:
        """getErrorMessage is str() of the exception."""
        assert Failure(ValueError("boom")).getErrorMessage() == "boom"

    def test_getErrorMessageHostile(self) -> None:
        """An exception whose __str__ raises still gives a message."""
        message = Failure(HostileError()).getErrorMessage()
        assert "HostileError" in message
        assert "str error" in message

    def test_getErrorMessageNonString(self) -> None:
        """An exception whose __str__ returns a non-string gives a description."""

        class Weird(Exception):
            def __str__(self) -> Any:
                return 42  # noqa: PLE0307

        message = Failure(Weird()).getErrorMessage()
        assert "Weird instance" in message
        assert "str error builtins.TypeError" in message

    def test_repr(self) -> None:
        """repr names the Failure class, exception type and message."""
        assert (
            repr(Failure(ValueError("boom")))
            == f"<{Failure.__module__}.Failure builtins.ValueError: boom>"
        )

    def test_reprHostile(self) -> None:
        """repr of a failure wrapping a hostile exception does not raise."""
        assert "HostileError" in repr(Failure(HostileError()))

    def test_str(self) -> None:
        """str is [Failure instance: <brief traceback>]."""
        f = Failure(ValueError("boom"))
        assert str(f) == "[Failure instance: Traceback: builtins.ValueError: boom\n]"


class TracebackTests:
    """Rendering tracebacks."""

    def test_defaultFormat(self) -> None:
        """The default traceback has the caught-here marker and the Python 3 exception line."""
        f = _failureFrom(_divide)
        line = _divide.__code__.co_firstlineno + 2
        catchLine = f.frames[0][2]
        assert f.getTraceback() == (
            "Traceback (most recent call last):\n"
            "--- <exception caught here> ---\n"
            f'  File "{__file__}", line {catchLine}, in _failureFrom\n'
            "    f(*args)\n"
            f'  File "{__file__}", line {line}, in _divide\n'
            "    return 1 / 0\n"
            "builtins.ZeroDivisionError: division by zero\n"
        )

    def test_noFrames(self) -> None:
        """A failure with no frames says so on one line."""
        assert Failure(ValueError("x")).getTraceback() == (
            "Traceback (failure with no frames): builtins.ValueError: x\n"
        )

    def test_brief(self) -> None:
        """The brief traceback has one file:line:function line per frame."""
        f = _failureFrom(_divide)
        line = _divide.__code__.co_firstlineno + 2
        text = f.getBriefTraceback()
        assert text.startswith("Traceback: builtins.ZeroDivisionError: division by zero\n")
        assert text.endswith(f"{__file__}:{line}:_divide\n")
        assert f.getTraceback(detail="brief") == text

    def test_verbose(self) -> None:
        """The verbose traceback shows the failure number and variables."""

        def withLocal(secret: int) -> None:
            1 / (secret - secret)

        f = _failureFrom(withLocal, 42, captureVars=True)
        text = f.getTraceback(detail="verbose")
        assert text.startswith(f"*--- Failure #{f.count} ---\n")
        assert "      secret : 42\n" in text
        assert "[ Locals ]" in text and "( Globals )" in text
        assert text.endswith(
            f"builtins.ZeroDivisionError: division by zero\n*--- End of Failure #{f.count} ---\n"
        )

    def test_badDetail(self) -> None:
        """An unknown detail raises ValueError."""
        with pytest.raises(ValueError, match="detail"):
            Failure(ValueError()).getTraceback(detail="loud")

    def test_hostileTraceback(self) -> None:
        """getTraceback of a hostile exception returns text."""
        f = _failureFrom(_raise, HostileError())
        text = f.getTraceback()
        assert "HostileError" in text
        assert "str error" in text

    def test_hostileVariable(self) -> None:
        """A captured local whose repr raises is described, not raised."""

        def withHostile(value: HostileError) -> None:
            raise ValueError("x")

        f = _failureFrom(withHostile, HostileError(), captureVars=True)
        assert "repr error" in f.getTraceback(detail="verbose")

    def test_printTraceback(self) -> None:
        """printTraceback writes getTraceback's text to a file."""
        f = _failureFrom(_divide)
        out = io.StringIO()
        f.printTraceback(out)
        assert out.getvalue() == f.getTraceback()

    def test_printTracebackDefaultsToStderr(self, capsys: pytest.CaptureFixture[str]) -> None:
        """printTraceback with no file writes to sys.stderr."""
        f = Failure(ValueError("x"))
        f.printTraceback()
        assert capsys.readouterr().err == f.getTraceback()

    def test_printBriefAndDetailed(self) -> None:
        """printBriefTraceback and printDetailedTraceback use the brief and verbose formats."""
        f = _failureFrom(_divide)
        brief, detailed = io.StringIO(), io.StringIO()
        f.printBriefTraceback(brief)
        f.printDetailedTraceback(detailed)
        assert brief.getvalue() == f.getTraceback(detail="brief")
        assert detailed.getvalue() == f.getTraceback(detail="verbose")

    def test_elideFrameworkCode(self) -> None:
        """Frames from netframe's packages before the raising frame are elided."""
        f = Failure(ValueError("x"))
        import netframe.logger._failure as module

        internal = module.__file__
        assert internal is not None
        f.frames = [
            ("outer", "/app/main.py", 1, [], []),
            ("a", internal, 10, [], []),
            ("b", internal, 20, [], []),
            ("inner", "/app/main.py", 5, [], []),
        ]
        text = f.getTraceback(elideFrameworkCode=True)
        assert "2 framework frame(s) elided" in text
        assert "in a\n" not in text
        assert "in inner\n" in text
        assert "in a\n" in f.getTraceback()


class RaiseTests:
    """raiseException and throwExceptionIntoGenerator."""

    def test_raiseException(self) -> None:
        """raiseException raises the original exception with its traceback."""
        f = _failureFrom(_divide)
        with pytest.raises(ZeroDivisionError) as info:
            f.raiseException()
        assert info.value is f.value
        assert "_divide" in [entry.name for entry in info.traceback]

    def test_throwExceptionIntoGenerator(self) -> None:
        """throwExceptionIntoGenerator raises the exception at the generator's yield."""
        seen: list[BaseException] = []

        def gen() -> Generator[int, None, None]:
            try:
                yield 1
            except MyError as e:
                seen.append(e)
                yield 2

        g = gen()
        next(g)
        f = Failure(MyError("into"))
        assert f.throwExceptionIntoGenerator(g) == 2
        assert seen == [f.value]


class CleanFailureTests:
    """cleanFailure."""

    def test_dropsTraceback(self) -> None:
        """cleanFailure drops the traceback object from the failure and its exception."""
        f = _failureFrom(_divide)
        f.cleanFailure()
        assert f.tb is None
        assert f.value.__traceback__ is None

    def test_textUnchanged(self) -> None:
        """The traceback text is the same before and after cleanFailure."""
        f = _failureFrom(_divide, captureVars=True)
        before = [f.getTraceback(detail=d) for d in ("default", "brief", "verbose")]
        f.cleanFailure()
        after = [f.getTraceback(detail=d) for d in ("default", "brief", "verbose")]
        assert before == after

    def test_framesReleased(self) -> None:
        """After cleanFailure the failure keeps no frame (and its locals) alive."""

        class Marker:
            pass

        def holder() -> Failure:
            marker = Marker()
            ref.append(weakref.ref(marker))
            try:
                _divide()
            except ZeroDivisionError:
                return Failure(captureVars=True)
            raise AssertionError("unreachable")

        ref: list[weakref.ref[Marker]] = []
        f = holder()
        assert ref[0]() is not None
        f.cleanFailure()
        gc.collect()
        assert ref[0]() is None
        assert "Marker object" in f.getTraceback(detail="verbose")

    def test_raiseAfterClean(self) -> None:
        """raiseException still raises the exception after cleanFailure."""
        f = _failureFrom(_divide)
        f.cleanFailure()
        with pytest.raises(ZeroDivisionError):
            f.raiseException()


class PickleTests:
    """Pickling and copying."""

    def test_roundTrip(self) -> None:
        """A pickled failure keeps type, value, message and traceback text."""
        f = _failureFrom(_raise, MyError("boom"))
        g = pickle.loads(pickle.dumps(f))
        assert g.type is MyError
        assert isinstance(g.value, MyError)
        assert g.getErrorMessage() == "boom"
        assert g.getTraceback() == f.getTraceback()
        assert g.getBriefTraceback() == f.getBriefTraceback()
        assert g.pickled and not f.pickled
        assert g.tb is None
        assert g.count == f.count

    def test_roundTripKeepsOriginal(self) -> None:
        """Pickling does not strip the original failure's traceback."""
        f = _failureFrom(_divide)
        pickle.dumps(f)
        assert f.tb is not None
        assert f.value.__traceback__ is not None

    def test_pickledVerbose(self) -> None:
        """Captured variables survive pickling as their repr."""

        def withLocal(secret: int) -> None:
            1 / (secret - secret)

        f = _failureFrom(withLocal, 42, captureVars=True)
        g = pickle.loads(pickle.dumps(f))
        assert "      secret : 42\n" in g.getTraceback(detail="verbose")
        assert "(pickled)" in g.getTraceback(detail="verbose")

    def test_unpicklableValue(self) -> None:
        """An unpicklable exception is replaced by a description; text is unchanged."""

        class LocalError(Exception):
            pass

        f = _failureFrom(_raise, LocalError("local"))
        g = pickle.loads(pickle.dumps(f))
        assert g.getErrorMessage() == "local"
        assert g.getTraceback() == f.getTraceback()
        assert "LocalError" in repr(g)
        assert g.type is not LocalError
        assert g.check(f"{__name__}.CleanFailureTests") is None
        assert g.check(LocalError) is LocalError
        assert g.check(Exception) is Exception

    def test_hostileValuePickles(self) -> None:
        """A hostile exception still pickles and renders."""
        f = Failure(HostileError())
        g = pickle.loads(pickle.dumps(f))
        assert "HostileError" in g.getTraceback()

    def test_copy(self) -> None:
        """copy.copy gives an equivalent failure sharing the traceback."""
        f = _failureFrom(_divide)
        g = copy.copy(f)
        assert g is not f
        assert g.value is f.value and g.tb is f.tb and g.count == f.count
        assert g.getTraceback() == f.getTraceback()

    def test_copySubclassAttributes(self) -> None:
        """copy.copy of a subclass instance keeps its extra attributes."""

        class Tagged(Failure):
            pass

        f = Tagged(ValueError("x"))
        f.tag = "t"  # type: ignore[attr-defined]
        g = copy.copy(f)
        assert isinstance(g, Tagged)
        assert g.tag == "t"  # type: ignore[attr-defined]

    def test_deepcopy(self) -> None:
        """copy.deepcopy works through pickling state."""
        f = _failureFrom(_raise, MyError("deep"))
        g = copy.deepcopy(f)
        assert g.getTraceback() == f.getTraceback()
