"""The version of netframe-trial."""

__version__ = "0.1.0"
