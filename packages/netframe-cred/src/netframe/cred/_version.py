"""The version of netframe-cred."""

__version__ = "0.1.0"
