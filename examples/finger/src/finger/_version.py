"""The version of netframe-example-finger."""

__version__ = "0.1.0"
