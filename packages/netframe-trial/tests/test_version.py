"""Tests for the netframe.trial package metadata."""

import re
from importlib import metadata

import netframe.trial


def test_versionMatchesMetadata() -> None:
    """The package's __version__ is the version the installed distribution reports."""
    assert netframe.trial.__version__ == metadata.version("netframe-trial")


def test_versionIsSemVer() -> None:
    """The version is a SemVer string, optionally with a .devN suffix."""
    assert re.fullmatch(r"\d+\.\d+\.\d+(\.dev\d+)?", netframe.trial.__version__)
