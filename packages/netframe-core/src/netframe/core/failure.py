"""
Asynchronous-friendly error reporting: L{Failure} wraps an exception and its
traceback so it can be passed around (e.g. to Deferred errbacks) and examined,
reported or re-raised later.  (Twisted's C{twisted.python.failure}.)

L{Failure} is implemented in netframe-logger (the logger must capture
failures, SPEC.md section 1) and published here; import it from this module.
"""

from netframe.logger._failure import Failure, NoCurrentExceptionError

__all__ = ["Failure", "NoCurrentExceptionError"]

Failure.__module__ = __name__
NoCurrentExceptionError.__module__ = __name__
