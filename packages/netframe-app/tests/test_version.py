"""Tests for the netframe.app package metadata."""

import re
from importlib import metadata

import netframe.app


def test_versionMatchesMetadata() -> None:
    """The package's __version__ is the version the installed distribution reports."""
    assert netframe.app.__version__ == metadata.version("netframe-app")


def test_versionIsSemVer() -> None:
    """The version is a SemVer string, optionally with a .devN suffix."""
    assert re.fullmatch(r"\d+\.\d+\.\d+(\.dev\d+)?", netframe.app.__version__)
