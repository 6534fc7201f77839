"""
Log levels: the L{LogLevel} constants and L{InvalidLogLevelError}.

Private module; the public names are re-exported by C{netframe.logger}.
"""

from __future__ import annotations

from netframe.logger._constants import NamedConstant, Names

__all__ = ["InvalidLogLevelError", "LogLevel"]


class InvalidLogLevelError(Exception):
    """
    Someone used an object as a log level that is not one of the L{LogLevel}
    constants.
    """

    def __init__(self, level: object) -> None:
        """
        @param level: the object that was used as a log level.
        """
        super().__init__(str(level))
        self.level = level


class LogLevel(Names):
    """
    The levels of log events, from least to most severe: C{debug}, C{info},
    C{warn}, C{error} and C{critical}.  The constants are ordered by severity
    (C{LogLevel.debug < LogLevel.error}).
    """

    debug = NamedConstant()
    """Information of use to a developer diagnosing a problem."""

    info = NamedConstant()
    """Routine information about the status of an application."""

    warn = NamedConstant()
    """Events that may need attention but are not a systemic failure."""

    error = NamedConstant()
    """A systemic failure condition."""

    critical = NamedConstant()
    """Failures that must be handled immediately, including unhandled errors."""

    @classmethod
    def levelWithName(cls, name: str) -> NamedConstant:
        """
        Return the level called C{name}.

        @param name: a level name such as C{"warn"}.
        @return: the L{LogLevel} constant.
        @raise InvalidLogLevelError: if C{name} is not a level name.
        """
        try:
            return cls.lookupByName(name)
        except ValueError:
            raise InvalidLogLevelError(name) from None


# Severity of each level as a small integer, for fast comparisons on hot paths.
LEVEL_INDEX: dict[NamedConstant, int] = {
    level: index for index, level in enumerate(LogLevel.iterconstants())
}

_INDEX_BY_OBJECT: dict[object, int] = dict(LEVEL_INDEX)  # type: ignore[arg-type]

# One past the most severe level: "no level is admitted".
NO_LEVEL = len(LEVEL_INDEX)


def levelIndex(level: object) -> int | None:
    """
    Return the severity index of C{level}, or C{None} if it is not a L{LogLevel}.

    @param level: any object.
    @return: C{0} for C{debug} up to C{4} for C{critical}, or C{None}.
    """
    try:
        return _INDEX_BY_OBJECT.get(level)
    except TypeError:  # unhashable
        return None
