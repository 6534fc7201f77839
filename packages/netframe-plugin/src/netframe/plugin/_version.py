"""The version of netframe-plugin."""

__version__ = "0.1.0"
