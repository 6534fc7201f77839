"""
Thread pools: run blocking calls on a bounded set of worker threads.

  - L{ThreadPool}: C{start}, C{stop}, C{callInThread},
    C{callInThreadWithCallback}, C{adjustPoolsize}, C{dumpStats}.

Each reactor owns one pool (C{reactor.getThreadPool()}); most code uses it
through C{reactor.callInThread} or L{netframe.core.threads.deferToThread}
rather than making its own.
"""

from __future__ import annotations

from netframe.core._threadpool import ThreadPool

__all__ = ["ThreadPool"]

ThreadPool.__module__ = __name__
