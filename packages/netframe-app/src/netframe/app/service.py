"""
Services: things that start and stop, in a tree rooted at an Application.

  - L{IService}, L{Service}: one service (C{startService}, C{stopService}
    returning None or a Deferred, C{setServiceParent}, C{disownServiceParent}).
  - L{IServiceCollection}, L{MultiService}: a service holding services,
    started in order and stopped in reverse order.
  - L{Application}: the root of the tree, a Componentized object adaptable to
    L{IService}, L{IServiceCollection} and L{IProcess}; its C{ILogObserver}
    component chooses where netframe-twistd logs.
  - L{IServiceMaker}, L{ServiceMaker}: netframe-twistd subcommand plugins.
  - L{loadApplication}: run a .tac file and return its C{application}.

Twisted's C{twisted.application.service}.
"""

from __future__ import annotations

from netframe.app._service import (
    Application,
    IProcess,
    IService,
    IServiceCollection,
    IServiceMaker,
    MultiService,
    NoApplicationError,
    Process,
    Service,
    ServiceMaker,
    loadApplication,
)

__all__ = [
    "Application",
    "IProcess",
    "IService",
    "IServiceCollection",
    "IServiceMaker",
    "MultiService",
    "NoApplicationError",
    "Process",
    "Service",
    "ServiceMaker",
    "loadApplication",
]

for _obj in (Application, MultiService, NoApplicationError, Process, Service, ServiceMaker):
    _obj.__module__ = __name__
loadApplication.__module__ = __name__
del _obj
