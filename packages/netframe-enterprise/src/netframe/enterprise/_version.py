"""The version of netframe-enterprise."""

__version__ = "0.1.0"
