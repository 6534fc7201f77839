"""
The Deferred examples of the reference documentation (SCOPE.md section 3.5,
D1-D8 and D10) with their documented output, a fake clock standing in for the
reactor's time.  (D9 needs threads.deferToThread and is tested with it.)
"""

from __future__ import annotations

import json
import sys
from collections.abc import Generator
from typing import Any

import pytest

from netframe.core import defer
from netframe.core.defer import Deferred, inlineCallbacks, returnValue
from netframe.core.failure import Failure
from netframe.core.task import Clock
from netframe.logger import Logger, globalLogPublisher


class ExampleTests:
    """
    D1-D8, D10.
    """

    def test_D1_getDummyData(self, capsys: pytest.CaptureFixture[str]) -> None:
        """D1: the callback prints the result two seconds later; the program stops at 4s."""
        reactor = Clock()
        stopped: list[float] = []

        def getDummyData(inputData: int) -> Deferred[int]:
            print("getDummyData called")
            deferred: Deferred[int] = Deferred()
            reactor.callLater(2, deferred.callback, inputData * 3)
            return deferred

        def cbPrintData(result: int) -> None:
            print(f"Result received: {result}")

        deferred = getDummyData(3)
        deferred.addCallback(cbPrintData)
        reactor.callLater(4, lambda: stopped.append(reactor.seconds()))
        print("Starting the reactor")
        reactor.advance(1)
        assert capsys.readouterr().out == "getDummyData called\nStarting the reactor\n"
        reactor.advance(1)
        assert capsys.readouterr().out == "Result received: 9\n"
        reactor.advance(2)
        assert stopped == [4]

    def test_D2_multipleCallbacks(self, capsys: pytest.CaptureFixture[str]) -> None:
        """D2: 3 gives the error on stderr, 4 prints 'Result: 12'."""
        reactor = Clock()

        class Getter:
            d: Deferred[Any] | None

            def gotResults(self, x: int) -> None:
                if self.d is None:
                    print("Nowhere to put results")
                    return
                d = self.d
                self.d = None
                if x % 2 == 0:
                    d.callback(x * 3)
                else:
                    d.errback(ValueError("You used an odd number!"))

            def _toHTML(self, r: int) -> str:
                return f"Result: {r}"

            def getDummyData(self, x: int) -> Deferred[Any]:
                self.d = Deferred()
                reactor.callLater(2, self.gotResults, x)
                self.d.addCallback(self._toHTML)
                return self.d

        def cbPrintData(result: str) -> None:
            print(result)

        def ebPrintError(failure: Failure) -> None:
            sys.stderr.write(str(failure))

        g = Getter()
        d = g.getDummyData(3)
        d.addCallback(cbPrintData)
        d.addErrback(ebPrintError)
        g = Getter()
        d = g.getDummyData(4)
        d.addCallback(cbPrintData)
        d.addErrback(ebPrintError)
        reactor.advance(2)
        captured = capsys.readouterr()
        assert captured.out == "Result: 12\n"
        assert "ValueError: You used an odd number!" in captured.err

    def test_D3_deferredListConsumeErrors(self, capsys: pytest.CaptureFixture[str]) -> None:
        """D3: Success: one / Failure: bang! / Success: three."""

        def printResult(result: list[tuple[bool, Any]]) -> None:
            for success, value in result:
                if success:
                    print("Success:", value)
                else:
                    print("Failure:", value.getErrorMessage())

        deferred1: Deferred[str] = Deferred()
        deferred2: Deferred[str] = Deferred()
        deferred3: Deferred[str] = Deferred()
        dl = defer.DeferredList([deferred1, deferred2, deferred3], consumeErrors=True)
        dl.addCallback(printResult)
        deferred1.callback("one")
        deferred2.errback(Exception("bang!"))
        deferred3.callback("three")
        assert capsys.readouterr().out == "Success: one\nFailure: bang!\nSuccess: three\n"
        assert defer.SUCCESS == True  # noqa: E712 - the documented comparison
        assert defer.FAILURE == False  # noqa: E712

    def test_D4_callbackOrdering(self) -> None:
        """D4: a member's callback added before the DeferredList counts; one added after does not."""
        printed: list[Any] = []

        def addTen(result: str) -> str:
            return result + " ten"

        deferred1: Deferred[str] = Deferred()
        deferred2: Deferred[str] = Deferred()
        deferred1.addCallback(addTen)
        dl = defer.DeferredList([deferred1, deferred2])
        dl.addCallback(printed.append)
        deferred1.callback("one")
        deferred2.callback("two")
        assert printed == [[(1, "one ten"), (1, "two")]]

        printed.clear()
        deferred1 = Deferred()
        deferred2 = Deferred()
        dl = defer.DeferredList([deferred1, deferred2])
        deferred1.addCallback(addTen)
        dl.addCallback(printed.append)
        deferred1.callback("one")
        deferred2.callback("two")
        assert printed == [[(1, "one"), (1, "two")]]

    def test_D5_gatherResults(self, capsys: pytest.CaptureFixture[str]) -> None:
        """D5: nothing printed until d2 fires, then ['one', 'two']."""
        d1: Deferred[str] = Deferred()
        d2: Deferred[str] = Deferred()
        d = defer.gatherResults([d1, d2], consumeErrors=True)
        d.addCallback(print)
        d1.callback("one")
        assert capsys.readouterr().out == ""
        d2.callback("two")
        assert capsys.readouterr().out == "['one', 'two']\n"

    def test_D6_maybeDeferred(self, capsys: pytest.CaptureFixture[str]) -> None:
        """D6: 'User is authenticated' for Alice, synchronously or after 2s."""
        reactor = Clock()

        def synchronousIsValidUser(user: str) -> bool:
            return user in ["Alice", "Angus", "Agnes"]

        def asynchronousIsValidUser(user: str) -> Deferred[bool]:
            d: Deferred[bool] = Deferred()
            reactor.callLater(2, d.callback, user in ["Alice", "Angus", "Agnes"])
            return d

        def immediateIsValidUser(user: str) -> Deferred[bool]:
            return defer.succeed(user in ["Alice", "Angus", "Agnes"])

        def printResult(result: bool) -> None:
            if result:
                print("User is authenticated")
            else:
                print("User is not authenticated")

        def authenticateUser(isValidUser: Any, user: str) -> None:
            d = defer.maybeDeferred(isValidUser, user)
            d.addCallback(printResult)

        authenticateUser(synchronousIsValidUser, "Alice")
        authenticateUser(immediateIsValidUser, "Alice")
        authenticateUser(synchronousIsValidUser, "Mallory")
        assert capsys.readouterr().out == (
            "User is authenticated\nUser is authenticated\nUser is not authenticated\n"
        )
        authenticateUser(asynchronousIsValidUser, "Alice")
        assert capsys.readouterr().out == ""
        reactor.advance(2)
        assert capsys.readouterr().out == "User is authenticated\n"

    def test_D7_cancellation(self) -> None:
        """D7: cancel errbacks with CancelledError; a custom canceller aborts the connection."""
        connectionAttempt: Deferred[Any] = Deferred()
        seen: list[Any] = []
        connectionAttempt.addErrback(lambda f: seen.append(f.type))
        connectionAttempt.cancel()
        assert seen == [defer.CancelledError]

        operation: Deferred[str] = Deferred()
        operation.addCallback(lambda result: seen.append("Hooray, a result:" + repr(result)))
        operation.cancel()
        operation.callback("completed")  # the one silently ignored call
        assert seen[-1] is defer.CancelledError

        aborted: list[str] = []

        class Transport:
            def abortConnection(self) -> None:
                aborted.append("aborted")

        transport = Transport()
        resultDeferred: Deferred[bytes] = Deferred(lambda ignore: transport.abortConnection())
        resultDeferred.addErrback(lambda f: f.type)
        resultDeferred.cancel()
        assert aborted == ["aborted"]
        assert resultDeferred.result is defer.CancelledError

    def test_D8_deferredsDoNotMakeCodeAsync(self, capsys: pytest.CaptureFixture[str]) -> None:
        """D8: the computation finishes before the callback is even added."""
        TARGET = 10000

        def largeFibonnaciNumber() -> Deferred[int]:
            d: Deferred[int] = Deferred()
            first, second = 0, 1
            for i in range(TARGET - 1):
                first, second = second, first + second
                if i % 100 == 0:
                    print(f"Progress: calculating the {i}th Fibonnaci number")
            d.callback(second)
            return d

        d = largeFibonnaciNumber()
        print("Total time taken for largeFibonnaciNumber call: 0.000 seconds")

        def printNumber(number: int) -> None:
            print(f"The {TARGET}th Fibonacci number is {number % 1000}...")

        print("Adding the callback now.")
        d.addCallback(printNumber)
        lines = capsys.readouterr().out.splitlines()
        assert lines[0] == "Progress: calculating the 0th Fibonnaci number"
        assert lines[-3].startswith("Total time taken")
        assert lines[-2] == "Adding the callback now."
        assert lines[-1].startswith(f"The {TARGET}th Fibonacci number is ")
        assert sum(line.startswith("Progress:") for line in lines) == 100

    def test_D10_inlineCallbacksGetUsers(self) -> None:
        """D10: getUsers with inlineCallbacks: the JSON result, or [] and a logged failure."""
        log = Logger(namespace="example")
        responses: dict[str, Any] = {}

        def makeRequest(method: str, path: str) -> Deferred[str]:
            outcome = responses["next"]
            if isinstance(outcome, BaseException):
                return defer.fail(outcome)
            return defer.succeed(outcome)

        @inlineCallbacks
        def getUsers() -> Generator[Any, Any, Any]:
            try:
                responseBody = yield makeRequest("GET", "/users")
            except ConnectionError:
                log.failure("makeRequest failed due to connection error")
                returnValue([])
            returnValue(json.loads(responseBody))

        responses["next"] = '["alice", "bob"]'
        with pytest.deprecated_call():
            assert getUsers().result == ["alice", "bob"]

        events: list[dict[str, Any]] = []
        globalLogPublisher.addObserver(events.append)
        try:
            responses["next"] = ConnectionError("refused")
            with pytest.deprecated_call():
                assert getUsers().result == []
        finally:
            globalLogPublisher.removeObserver(events.append)
        logged = [e for e in events if e.get("log_namespace") == "example"]
        assert len(logged) == 1
        assert logged[0]["log_failure"].check(ConnectionError)

    def test_D10_plainReturn(self) -> None:
        """D10 with 'return' instead of returnValue (Python 3.3+, Twisted 15.0+)."""

        @inlineCallbacks
        def getUsers() -> Generator[Any, Any, Any]:
            responseBody = yield defer.succeed('{"users": 2}')
            return json.loads(responseBody)

        assert getUsers().result == {"users": 2}
