"""
Property test: callback/errback chains against a small reference model.
"""

from __future__ import annotations

from typing import Any, cast

from hypothesis import given
from hypothesis import strategies as st

from netframe.core.defer import Deferred
from netframe.core.failure import Failure


class _Marked(Exception):
    """
    An exception carrying the number of the step that raised it.
    """

    def __init__(self, tag: int) -> None:
        Exception.__init__(self, tag)
        self.tag = tag


# A step: which side(s) it is added to, and what its function does.
steps = st.lists(
    st.tuples(
        st.sampled_from(["addCallback", "addErrback", "addBoth"]),
        st.sampled_from(["return", "raise", "returnFailure"]),
    ),
    max_size=12,
)


def model(startFailed: bool, chain: list[tuple[str, str]]) -> tuple[list[int], tuple[bool, int]]:
    """
    The reference semantics: which steps run, in order, and the final state
    (failed?, tag) where the tag is -1 for the initial result.
    """
    failed, tag = startFailed, -1
    calls: list[int] = []
    for index, (side, behaviour) in enumerate(chain):
        runs = side == "addBoth" or (side == "addErrback") == failed
        if not runs:
            continue
        calls.append(index)
        failed = behaviour != "return"
        tag = index
    return calls, (failed, tag)


class ChainModelTests:
    """
    Deferred chains behave like the reference model, whenever they are fired.
    """

    @given(
        startFailed=st.booleans(),
        chain=steps,
        firePosition=st.integers(min_value=0, max_value=12),
        pauseAround=st.booleans(),
    )
    def test_chainMatchesModel(
        self, startFailed: bool, chain: list[tuple[str, str]], firePosition: int, pauseAround: bool
    ) -> None:
        """Call order and final result match the model for every firing position."""
        d: Deferred[Any] = Deferred()
        calls: list[int] = []

        def make(index: int, behaviour: str) -> Any:
            def step(result: Any) -> Any:
                calls.append(index)
                if behaviour == "raise":
                    raise _Marked(index)
                if behaviour == "returnFailure":
                    return Failure(_Marked(index))
                return index

            return step

        def fire() -> None:
            if pauseAround:
                d.pause()
            if startFailed:
                d.errback(_Marked(-1))
            else:
                d.callback(-1)

        fired = False
        for index, (side, behaviour) in enumerate(chain):
            if index == firePosition:
                fire()
                fired = True
            getattr(d, side)(make(index, behaviour))
        if not fired:
            fire()
        if pauseAround:
            d.unpause()

        expectedCalls, (expectFailed, expectTag) = model(startFailed, chain)
        assert calls == expectedCalls
        result = d.result
        if expectFailed:
            assert isinstance(result, Failure)
            assert cast(_Marked, result.value).tag == expectTag
            d.addErrback(lambda f: None)
        else:
            assert result == expectTag
