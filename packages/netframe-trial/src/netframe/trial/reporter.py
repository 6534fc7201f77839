"""
Reporters: what tests report their outcomes to, and what gets printed
(Twisted's C{twisted.trial.reporter}).

  - L{TreeReporter} (C{--reporter=verbose}, the default): a tree of
    modules, classes and C{test_x ... [OK]} lines, coloured with a live
    C{[n/total]} note on a terminal; L{BlackAndWhiteTreeReporter}
    (C{bwverbose}) never colours.
  - L{TextReporter} (C{text}): one character per test.
  - L{VerboseTextReporter}: one C{<id> ... [OK]} line per test;
    L{TimingTextReporter} (C{timing}) adds each test's duration.
  - L{MinimalReporter} (C{summary}): one line of numbers at the end.
  - L{SubunitReporter} (C{subunit}): a subunit v2 byte stream (format in
    L{netframe.trial._formats}), with L{encodePacket} / L{decodePacket}.
  - L{JUnitXMLReporter} (C{junitxml}, or C{--junit-xml PATH} beside the
    console reporter): pytest's C{xunit2} flavour of JUnit XML.

Every reporter ends (except subunit and junitxml) with Twisted's summary::

    -------------------------------------------------------------------------------
    Ran 4 tests in 0.042s

    FAILED (failures=4)
"""

from netframe.trial._formats import (
    SUBUNIT_CHUNK,
    SUBUNIT_MAX_NUMBER,
    SUBUNIT_MAX_PACKET,
    JUnitXMLReporter,
    SubunitReporter,
    decodeNumber,
    decodePacket,
    encodeNumber,
    encodePacket,
)
from netframe.trial._reporter import (
    LINE_WIDTH,
    BlackAndWhiteTreeReporter,
    MinimalReporter,
    Reporter,
    TextReporter,
    TimingTextReporter,
    TreeReporter,
    VerboseTextReporter,
    formatFailure,
)

__all__ = [
    "LINE_WIDTH",
    "SUBUNIT_CHUNK",
    "SUBUNIT_MAX_NUMBER",
    "SUBUNIT_MAX_PACKET",
    "BlackAndWhiteTreeReporter",
    "JUnitXMLReporter",
    "MinimalReporter",
    "Reporter",
    "SubunitReporter",
    "TextReporter",
    "TimingTextReporter",
    "TreeReporter",
    "VerboseTextReporter",
    "decodeNumber",
    "decodePacket",
    "encodeNumber",
    "encodePacket",
    "formatFailure",
]

for _obj in (
    BlackAndWhiteTreeReporter,
    JUnitXMLReporter,
    MinimalReporter,
    Reporter,
    SubunitReporter,
    TextReporter,
    TimingTextReporter,
    TreeReporter,
    VerboseTextReporter,
    decodeNumber,
    decodePacket,
    encodeNumber,
    encodePacket,
    formatFailure,
):
    _obj.__module__ = __name__
del _obj
