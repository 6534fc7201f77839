"""Tests for the netframe.logger package metadata."""

import re
from importlib import metadata

import netframe.logger


def test_versionMatchesMetadata() -> None:
    """The package's __version__ is the version the installed distribution reports."""
    assert netframe.logger.__version__ == metadata.version("netframe-logger")


def test_versionIsSemVer() -> None:
    """The version is a SemVer string, optionally with a .devN suffix."""
    assert re.fullmatch(r"\d+\.\d+\.\d+(\.dev\d+)?", netframe.logger.__version__)
