"""Tests that netframe.core publishes Failure and the named constants."""

from __future__ import annotations

import netframe.core.constants as constants
import netframe.core.failure as failure
from netframe.logger import _constants, _failure


class FailurePublishTests:
    """netframe.core.failure."""

    def test_all(self) -> None:
        """__all__ lists Failure and NoCurrentExceptionError."""
        assert sorted(failure.__all__) == ["Failure", "NoCurrentExceptionError"]

    def test_sameObjects(self) -> None:
        """The published names are the logger's implementation objects."""
        assert failure.Failure is _failure.Failure
        assert failure.NoCurrentExceptionError is _failure.NoCurrentExceptionError

    def test_module(self) -> None:
        """The published classes claim the public module path."""
        assert failure.Failure.__module__ == "netframe.core.failure"
        assert failure.NoCurrentExceptionError.__module__ == "netframe.core.failure"

    def test_repr(self) -> None:
        """A Failure's repr shows the public class path."""
        assert (
            repr(failure.Failure(ValueError("boom")))
            == "<netframe.core.failure.Failure builtins.ValueError: boom>"
        )


class ConstantsPublishTests:
    """netframe.core.constants."""

    def test_all(self) -> None:
        """__all__ lists the six constant names."""
        assert sorted(constants.__all__) == [
            "FlagConstant",
            "Flags",
            "NamedConstant",
            "Names",
            "ValueConstant",
            "Values",
        ]

    def test_sameObjectsAndModule(self) -> None:
        """Each published name is the logger's object with the public __module__."""
        for name in constants.__all__:
            published = getattr(constants, name)
            assert published is getattr(_constants, name)
            assert published.__module__ == "netframe.core.constants"

    def test_usable(self) -> None:
        """A container defined with the published names works."""

        class Colour(constants.Names):
            red = constants.NamedConstant()

        assert repr(Colour.red) == "<Colour=red>"
        assert Colour.lookupByName("red") is Colour.red
