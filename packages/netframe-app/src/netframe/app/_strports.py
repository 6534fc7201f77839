"""
Services from endpoint description strings.

Implementation module of L{netframe.app.strports}.
"""

from __future__ import annotations

import importlib
from typing import Any

from netframe.app._internet import StreamServerEndpointService
from netframe.core.endpoints import serverFromString

__all__ = ["service"]


def service(description: str, factory: Any, reactor: Any = None) -> StreamServerEndpointService:
    """
    Make a service listening with C{factory} where C{description} says.

    The description uses the endpoint mini-language of
    L{netframe.core.endpoints.serverFromString} (for example
    C{"tcp:8080:interface=127.0.0.1"}).

    @param description: the endpoint description.
    @param factory: the protocol factory.
    @param reactor: the reactor; None means the global reactor.
    @return: a L{StreamServerEndpointService} whose C{privilegedStartService}
        raises when listening fails at once (port in use, for example).
    @raise ValueError: If the description is malformed.
    """
    if reactor is None:
        reactor = importlib.import_module("netframe.core.reactor")
    svc = StreamServerEndpointService(serverFromString(reactor, description), factory)
    svc._raiseSynchronously = True
    return svc
