"""
The netframe-twistd plugin of the finger example, found through the entry
point C{finger} of group C{netframe.plugins}: C{netframe-twistd finger}.

Only L{netframe.app.service.ServiceMaker} is imported here; the service's
modules are imported when the subcommand is used.
"""

from netframe.app.service import ServiceMaker

__all__ = ["finger"]

finger = ServiceMaker(
    "netframe finger",
    "finger.tap",
    "Run a finger service (with sqlite3 storage and a PB interface)",
    "finger",
)
"""The C{finger} subcommand."""
