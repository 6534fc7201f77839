"""
C{python -m netframe.logger FILE [FILE...]}: render JSON log files as text.

Options: C{--namespace PREFIX}, C{--level LEVEL}, C{--format json|text|logfmt};
C{-} reads standard input.  Exit status 1 if a file cannot be read.
"""

import sys

from netframe.logger._cli import main

if __name__ == "__main__":
    sys.exit(main())
