"""
Services listening where an endpoint description string says.

L{service}C{(description, factory)} returns a service that listens on
C{netframe.core.endpoints.serverFromString(reactor, description)} while
running, for example C{service("tcp:8080", factory)}.

Twisted's C{twisted.application.strports}.
"""

from __future__ import annotations

from netframe.app._strports import service

__all__ = ["service"]

service.__module__ = __name__
