"""The version of netframe-logger."""

__version__ = "0.1.0"
