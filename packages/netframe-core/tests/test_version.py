"""Tests for the netframe.core package metadata."""

import re
from importlib import metadata

import netframe.core


def test_versionMatchesMetadata() -> None:
    """The package's __version__ is the version the installed distribution reports."""
    assert netframe.core.__version__ == metadata.version("netframe-core")


def test_versionIsSemVer() -> None:
    """The version is a SemVer string, optionally with a .devN suffix."""
    assert re.fullmatch(r"\d+\.\d+\.\d+(\.dev\d+)?", netframe.core.__version__)
