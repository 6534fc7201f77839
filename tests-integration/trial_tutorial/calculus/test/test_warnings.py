"""TR13: flushWarnings (L11311-11314)."""

import warnings

from netframe.trial.unittest import TestCase


class SomeWarningsTests(TestCase):
    def test_warning(self):
        warnings.warn("foo is bad", stacklevel=1)
        self.assertEqual(len(self.flushWarnings()), 1)
