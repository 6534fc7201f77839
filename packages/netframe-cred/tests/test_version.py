"""Tests for the netframe.cred package metadata."""

import re
from importlib import metadata

import netframe.cred


def test_versionMatchesMetadata() -> None:
    """The package's __version__ is the version the installed distribution reports."""
    assert netframe.cred.__version__ == metadata.version("netframe-cred")


def test_versionIsSemVer() -> None:
    """The version is a SemVer string, optionally with a .devN suffix."""
    assert re.fullmatch(r"\d+\.\d+\.\d+(\.dev\d+)?", netframe.cred.__version__)
