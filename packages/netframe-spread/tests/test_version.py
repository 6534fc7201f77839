"""Tests for the netframe.spread package metadata."""

import re
from importlib import metadata

import netframe.spread


def test_versionMatchesMetadata() -> None:
    """The package's __version__ is the version the installed distribution reports."""
    assert netframe.spread.__version__ == metadata.version("netframe-spread")


def test_versionIsSemVer() -> None:
    """The version is a SemVer string, optionally with a .devN suffix."""
    assert re.fullmatch(r"\d+\.\d+\.\d+(\.dev\d+)?", netframe.spread.__version__)
