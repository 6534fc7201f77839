"""
Command-line parsing (Twisted's C{twisted.python.usage}).

Subclass L{Options}, declare C{optFlags}, C{optParameters}, C{opt_<name>}
methods and C{subCommands}, then call L{Options.parseOptions}; the instance is
a dictionary of the results.  Mistakes on the command line raise L{UsageError}
with a message for the user::

    class Options(usage.Options):
        optFlags = [["fast", "f", "Act quickly"], ["good", "g", "Act well"]]
        optParameters = [["user", "u", None, "The user name"]]

    config = Options()
    try:
        config.parseOptions()          # sys.argv[1:]
    except usage.UsageError as errortext:
        print(f"{sys.argv[0]}: {errortext}")
        print(f"{sys.argv[0]}: Try --help for usage details.")
        sys.exit(1)

Options parse getopt style: options first, C{--} or the first positional argument
ends them; long options take C{--name=value} or C{--name value} and may be
abbreviated to a unique prefix; short flags cluster (C{-fg}) and short options take
C{-uvalue} or C{-u value}.

Shell completion: a program run as C{prog --_shell-completion=zsh:0} (or C{bash:0})
prints a completion script for itself (a C{#compdef prog} file for zsh's C{$fpath},
or a bash script to C{source}) and exits; the option must come first and is not
listed in the help.  The optional C{compData = Completions(...)} class attribute
tells it how values and arguments complete (L{CompleteFiles},
L{CompleteList}, ...).
"""

from netframe.core._usage import Options, UsageError, error, flagFunction, portCoerce
from netframe.core._usage_completion import (
    CompleteDirs,
    CompleteFiles,
    CompleteGroups,
    CompleteHostnames,
    CompleteList,
    CompleteMultiList,
    CompleteNetInterfaces,
    Completer,
    CompleteUserAtHost,
    CompleteUsernames,
    Completions,
    generateCompletionScript,
)

__all__ = [
    "CompleteDirs",
    "CompleteFiles",
    "CompleteGroups",
    "CompleteHostnames",
    "CompleteList",
    "CompleteMultiList",
    "CompleteNetInterfaces",
    "CompleteUserAtHost",
    "CompleteUsernames",
    "Completer",
    "Completions",
    "Options",
    "UsageError",
    "error",
    "flagFunction",
    "generateCompletionScript",
    "portCoerce",
]

for _public in (
    CompleteDirs,
    CompleteFiles,
    CompleteGroups,
    CompleteHostnames,
    CompleteList,
    CompleteMultiList,
    CompleteNetInterfaces,
    CompleteUserAtHost,
    CompleteUsernames,
    Completer,
    Completions,
    Options,
    UsageError,
    flagFunction,
    generateCompletionScript,
    portCoerce,
):
    _public.__module__ = __name__
del _public
