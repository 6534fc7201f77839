"""
The C{netframe-trial} command (Twisted's C{trial}); also C{python -m
netframe.trial}.

C{netframe-trial [options] [[file|package|module|TestCase|testmethod]...]}
runs the named tests and exits with status 0 only when every test passed
(1 otherwise, 2 for a usage error).  C{--help} lists the options;
C{--help-reporters} the reporters; C{--help-orders} the orders.
"""

from netframe.trial._script import DEFAULT_REPORTER, Options, main, run, writeCoverFiles

__all__ = ["DEFAULT_REPORTER", "Options", "main", "run", "writeCoverFiles"]

for _obj in (Options, main, run, writeCoverFiles):
    _obj.__module__ = __name__
del _obj
