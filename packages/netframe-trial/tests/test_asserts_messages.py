"""Default failure messages of the boolean assertions."""

import pytest

from netframe.trial.unittest import FailTest, SynchronousTestCase


class _Case(SynchronousTestCase):
    def test_nothing(self) -> None:
        """Placeholder so the case can be instantiated."""


class BooleanMessageTests:
    """assertTrue/assertFalse say what was wrong when no message is given."""

    def test_assertTrueDefaultMessage(self) -> None:
        """A failing assertTrue names the false value."""
        with pytest.raises(FailTest, match=r"^0 is false$"):
            _Case("test_nothing").assertTrue(0)

    def test_assertFalseDefaultMessage(self) -> None:
        """A failing assertFalse names the true value."""
        with pytest.raises(FailTest, match=r"^\[1\] is true$"):
            _Case("test_nothing").assertFalse([1])

    def test_explicitMessageKept(self) -> None:
        """An explicit message is used as given."""
        with pytest.raises(FailTest, match=r"^custom$"):
            _Case("test_nothing").assertTrue(False, "custom")
