"""Tests for the netframe.enterprise package metadata."""

import re
from importlib import metadata

import netframe.enterprise


def test_versionMatchesMetadata() -> None:
    """The package's __version__ is the version the installed distribution reports."""
    assert netframe.enterprise.__version__ == metadata.version("netframe-enterprise")


def test_versionIsSemVer() -> None:
    """The version is a SemVer string, optionally with a .devN suffix."""
    assert re.fullmatch(r"\d+\.\d+\.\d+(\.dev\d+)?", netframe.enterprise.__version__)
