"""
Add or change users of a hashed password file (for
L{netframe.cred.checkers.HashedPasswordFileChecker} and C{--auth hashed:FILE}).

Command line::

    python -m netframe.cred.passwd [--scrypt-n N] [--scrypt-r R] [--scrypt-p P] FILE USERNAME

The password is asked twice on the terminal, or read from the first line
of standard input when that is not a terminal (for scripts:
C{printf '%s\\n' "$PW" | python -m netframe.cred.passwd users.db alice}).
The file is updated atomically; see L{setPassword}.
"""

from netframe.cred._passwd import PasswdOptions, main, setPassword

__all__ = ["PasswdOptions", "main", "setPassword"]

for _public in (PasswdOptions, main, setPassword):
    _public.__module__ = __name__
del _public

if __name__ == "__main__":
    raise SystemExit(main())
