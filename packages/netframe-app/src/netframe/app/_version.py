"""The version of netframe-app."""

__version__ = "0.1.0"
