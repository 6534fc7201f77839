"""Test fakes for netframe users (filled in by issue 4)."""
