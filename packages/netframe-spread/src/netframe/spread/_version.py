"""The version of netframe-spread."""

__version__ = "0.1.0"
