"""Tests for netframe.core.error and netframe.core.main."""

from __future__ import annotations

import errno
import socket
import sys

import pytest

import netframe.core
from netframe.core import error, main
from netframe.core.failure import Failure


class ConnectErrorTests:
    """ConnectError and its subclasses carry osError and render Twisted-style."""

    def test_refusedMessage(self) -> None:
        """ConnectionRefusedError renders as its description, errno and string."""
        exc = error.ConnectionRefusedError(111, "Connection refused")
        assert str(exc) == "Connection was refused by other side: 111: Connection refused."
        assert exc.osError == 111

    def test_noDetails(self) -> None:
        """Without details only the description and a full stop are shown."""
        assert str(error.ConnectError()) == "An error occurred while connecting."

    def test_stringOnly(self) -> None:
        """A string without an osError follows the description directly."""
        assert str(error.ConnectError(string="oops")) == "An error occurred while connecting: oops."

    def test_hierarchy(self) -> None:
        """TimeoutError is a UserError is a ConnectError."""
        assert issubclass(error.TimeoutError, error.UserError)
        assert issubclass(error.UserError, error.ConnectError)
        assert issubclass(error.TCPTimedOutError, error.ConnectError)

    @pytest.mark.parametrize(
        ("number", "klass"),
        [
            (errno.ECONNREFUSED, error.ConnectionRefusedError),
            (errno.ENETUNREACH, error.NoRouteError),
            (errno.ETIMEDOUT, error.TCPTimedOutError),
            (errno.EACCES, error.ConnectError),
        ],
    )
    def test_getConnectErrorMapsErrno(self, number: int, klass: type[error.ConnectError]) -> None:
        """getConnectError picks the class for the errno and keeps the message."""
        result = error.getConnectError(OSError(number, "msg"))
        assert type(result) is klass
        assert result.osError == number
        assert result.args == ("msg",)

    def test_getConnectErrorGaiError(self) -> None:
        """A socket.gaierror becomes an UnknownHostError."""
        result = error.getConnectError(socket.gaierror(-2, "Name or service not known"))
        assert type(result) is error.UnknownHostError

    def test_getConnectErrorOddArgs(self) -> None:
        """An exception without (errno, message) args becomes a plain ConnectError."""
        result = error.getConnectError(ValueError("weird"))
        assert type(result) is error.ConnectError
        assert "weird" in str(result)

    def test_getConnectErrorTuple(self) -> None:
        """A bare (errno, message) tuple is accepted too."""
        result = error.getConnectError((errno.ECONNREFUSED, "no"))
        assert type(result) is error.ConnectionRefusedError


class ConnectionClosedTests:
    """The connection-closed family renders and nests as documented."""

    def test_connectionDoneMessage(self) -> None:
        """ConnectionDone describes a clean close."""
        assert str(error.ConnectionDone()) == "Connection was closed cleanly."

    def test_connectionLostWithDetail(self) -> None:
        """ConnectionLost appends its argument to the description."""
        text = str(error.ConnectionLost("reset"))
        assert text == "Connection to the other side was lost in a non-clean fashion: reset."

    def test_hierarchy(self) -> None:
        """Done and Lost are ConnectionClosed; Aborted and FdescWentAway are Lost."""
        assert issubclass(error.ConnectionDone, error.ConnectionClosed)
        assert issubclass(error.ConnectionLost, error.ConnectionClosed)
        assert issubclass(error.ConnectionAborted, error.ConnectionLost)
        assert issubclass(error.ConnectionFdescWentAway, error.ConnectionLost)

    def test_processDone(self) -> None:
        """ProcessDone has exit code 0, no signal and keeps the status."""
        exc = error.ProcessDone(0)
        assert (exc.exitCode, exc.signal, exc.status) == (0, None, 0)
        assert isinstance(exc, error.ConnectionDone)
        assert "process finished with exit code 0" in str(exc)

    def test_processTerminatedExitCode(self) -> None:
        """ProcessTerminated keeps exitCode, signal and status and says them."""
        exc = error.ProcessTerminated(exitCode=3, status=768)
        assert (exc.exitCode, exc.signal, exc.status) == (3, None, 768)
        assert "process ended with exit code 3" in str(exc)
        assert isinstance(exc, error.ConnectionLost)

    def test_processTerminatedSignal(self) -> None:
        """A signal-killed process reports the signal."""
        exc = error.ProcessTerminated(signal=9)
        assert exc.exitCode is None
        assert "by signal 9" in str(exc)

    def test_processTerminatedDefaults(self) -> None:
        """All ProcessTerminated arguments default to None."""
        exc = error.ProcessTerminated()
        assert (exc.exitCode, exc.signal, exc.status) == (None, None, None)


class OtherErrorTests:
    """The remaining documented exceptions and their attributes."""

    def test_cannotListen(self) -> None:
        """CannotListenError keeps interface, port and socketError; '' shows as any."""
        socketError = OSError(errno.EADDRINUSE, "Address already in use")
        exc = error.CannotListenError("", 8080, socketError)
        assert (exc.interface, exc.port, exc.socketError) == ("", 8080, socketError)
        assert str(exc) == f"Couldn't listen on any:8080: {socketError}."
        assert isinstance(exc, error.BindError)

    def test_cannotListenInterface(self) -> None:
        """A named interface is shown as given."""
        exc = error.CannotListenError("127.0.0.1", 80, "denied")
        assert str(exc) == "Couldn't listen on 127.0.0.1:80: denied."

    def test_bindErrorMessage(self) -> None:
        """BindError joins its arguments after the description."""
        assert str(error.BindError("a", "b")) == "An error occurred binding to an interface: a b."

    def test_connectingCancelled(self) -> None:
        """ConnectingCancelledError keeps the address."""
        exc = error.ConnectingCancelledError(("1.2.3.4", 80))
        assert exc.address == ("1.2.3.4", 80)

    def test_alreadyCalledAndCancelled(self) -> None:
        """AlreadyCalled and AlreadyCancelled are ValueErrors with descriptions."""
        assert isinstance(error.AlreadyCalled(), ValueError)
        assert str(error.AlreadyCalled()) == "Tried to cancel an already-called event."
        assert str(error.AlreadyCancelled()) == "Tried to cancel an already-cancelled event."

    def test_reactorErrors(self) -> None:
        """The reactor state errors are RuntimeErrors; the install error an AssertionError."""
        for klass in (
            error.ReactorNotRunning,
            error.ReactorAlreadyRunning,
            error.ReactorNotRestartable,
            error.NotConnectingError,
            error.NotListeningError,
        ):
            assert issubclass(klass, RuntimeError)
        assert issubclass(error.ReactorAlreadyInstalledError, AssertionError)

    def test_notConnectingMessage(self) -> None:
        """NotConnectingError says what the connector was asked."""
        assert "was not connecting" in str(error.NotConnectingError())

    def test_dnsLookupError(self) -> None:
        """DNSLookupError is an IOError with a description."""
        exc = error.DNSLookupError("example.invalid")
        assert isinstance(exc, OSError)
        assert str(exc) == "DNS lookup failed: example.invalid."

    def test_verifyErrors(self) -> None:
        """PeerVerifyError is a VerifyError; CertificateError stands alone."""
        assert issubclass(error.PeerVerifyError, error.VerifyError)
        assert "certificate" in str(error.CertificateError())
        assert str(error.MessageLengthError()) == "Message is too long to send."

    def test_invalidAddress(self) -> None:
        """InvalidAddressError keeps the address and the message."""
        exc = error.InvalidAddressError("1.2.3", "not an IPv4 address")
        assert (exc.address, exc.message) == ("1.2.3", "not an IPv4 address")
        assert isinstance(exc, ValueError)

    def test_publicModule(self) -> None:
        """Every exported name claims the public module."""
        for name in error.__all__:
            assert getattr(error, name).__module__ == "netframe.core.error"

    def test_simpleExceptionsExist(self) -> None:
        """The documented bare exceptions can be raised and caught."""
        for klass in (
            error.ProcessExitedAlready,
            error.UnsupportedAddressFamily,
            error.ServiceNameUnknownError,
            error.NoProtocol,
        ):
            with pytest.raises(klass):
                raise klass()


class MainTests:
    """netframe.core.main: reasons and installReactor bookkeeping."""

    def test_connectionDone(self) -> None:
        """CONNECTION_DONE is a cleaned Failure of ConnectionDone."""
        assert isinstance(main.CONNECTION_DONE, Failure)
        assert main.CONNECTION_DONE.check(error.ConnectionDone)

    def test_connectionLost(self) -> None:
        """CONNECTION_LOST is a cleaned Failure of ConnectionLost."""
        assert main.CONNECTION_LOST.check(error.ConnectionLost)

    def test_installReactor(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """installReactor publishes the object as netframe.core.reactor."""
        monkeypatch.delitem(sys.modules, "netframe.core.reactor", raising=False)
        monkeypatch.delattr(netframe.core, "reactor", raising=False)
        fake = object()
        main.installReactor(fake)
        # monkeypatch restores the previous state (or removes ours) at teardown.
        monkeypatch.setitem(sys.modules, "netframe.core.reactor", fake)
        monkeypatch.setattr(netframe.core, "reactor", fake, raising=False)
        from netframe.core import reactor

        assert reactor is fake

    def test_installTwice(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A second installReactor raises ReactorAlreadyInstalledError."""
        monkeypatch.setitem(sys.modules, "netframe.core.reactor", object())
        with pytest.raises(error.ReactorAlreadyInstalledError):
            main.installReactor(object())
