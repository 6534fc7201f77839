"""Tests for the netframe.plugin package metadata."""

import re
from importlib import metadata

import netframe.plugin


def test_versionMatchesMetadata() -> None:
    """The package's __version__ is the version the installed distribution reports."""
    assert netframe.plugin.__version__ == metadata.version("netframe-plugin")


def test_versionIsSemVer() -> None:
    """The version is a SemVer string, optionally with a .devN suffix."""
    assert re.fullmatch(r"\d+\.\d+\.\d+(\.dev\d+)?", netframe.plugin.__version__)
