"""
Symbolic constants (Twisted's C{twisted.python.constants}): containers of
named constants (L{Names}/L{NamedConstant}), constants with values
(L{Values}/L{ValueConstant}) and bit flags (L{Flags}/L{FlagConstant}).

Implemented in netframe-logger (its C{LogLevel} needs them, SPEC.md section 1)
and published here; import them from this module.
"""

from netframe.logger._constants import (
    FlagConstant,
    Flags,
    NamedConstant,
    Names,
    ValueConstant,
    Values,
)

__all__ = [
    "FlagConstant",
    "Flags",
    "NamedConstant",
    "Names",
    "ValueConstant",
    "Values",
]

for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
