"""
Shell completion for L{netframe.core.usage.Options}: metadata and script output.

C{compData = Completions(...)} on an Options class describes how option values and
positional arguments complete.  Running the program with a first argument
C{--_shell-completion=SHELL:N} (SHELL C{zsh} or C{bash}) prints a completion script
and exits with status 0; see L{shellCompletion}.
"""

from __future__ import annotations

import re
import shlex
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from netframe.core._usage import Options, _OptionSpec

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
]


def _zshQuote(text: str) -> str:
    """Quote C{text} as one single-quoted zsh word."""
    return "'" + text.replace("'", "'\\''") + "'"


def _zshExplanation(text: str) -> str:
    """Escape text for the C{[explanation]} part of an C{_arguments} spec."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def _zshMessage(text: str) -> str:
    """Escape text for a colon-separated C{message} part of an C{_arguments} spec."""
    return text.replace("\\", "\\\\").replace(":", "\\:")


class Completer:
    """
    How one option value or positional argument completes; the base completes nothing.

    @ivar descr: what the value is, shown by the shell (C{None}: the option's name).
    @ivar repeat: for a positional argument, whether it completes every remaining
        argument (only the last C{extraActions} entry may repeat).
    """

    def __init__(self, descr: str | None = None, repeat: bool = False) -> None:
        """
        @param descr: the value's description, or C{None}.
        @param repeat: whether a positional completer repeats for the rest of the line.
        """
        self.descr = descr
        self.repeat = repeat

    def _zshAction(self) -> str:
        """Return the zsh C{_arguments} action (empty: show the message only)."""
        return ""

    def _bashAction(self) -> str:
        """Return bash code that sets C{COMPREPLY} from C{$cur}."""
        return "COMPREPLY=()"


class CompleteFiles(Completer):
    """Complete file names, optionally only those matching a glob pattern."""

    def __init__(self, globPattern: str = "*", descr: str | None = None, repeat: bool = False):
        """
        @param globPattern: the pattern file names must match (C{*}: any file).
        @param descr: the value's description.
        @param repeat: see L{Completer}.
        """
        super().__init__(descr, repeat)
        self._glob = globPattern

    def _zshAction(self) -> str:
        if self._glob == "*":
            return "_files"
        return f"_files -g {shlex.quote(self._glob)}"

    def _bashAction(self) -> str:
        if self._glob == "*":
            return 'COMPREPLY=( $(compgen -f -- "$cur") )'
        return (
            f'COMPREPLY=( $(compgen -d -- "$cur") $(compgen -f -X {shlex.quote("!" + self._glob)}'
            ' -- "$cur") )'
        )


class CompleteDirs(Completer):
    """Complete directory names."""

    def _zshAction(self) -> str:
        return "_directories"

    def _bashAction(self) -> str:
        return 'COMPREPLY=( $(compgen -d -- "$cur") )'


class CompleteList(Completer):
    """Complete one word out of a fixed list."""

    def __init__(self, items: Iterable[str], descr: str | None = None, repeat: bool = False):
        """
        @param items: the possible words.
        @param descr: the value's description.
        @param repeat: see L{Completer}.
        """
        super().__init__(descr, repeat)
        self._items = [str(item) for item in items]

    def _zshAction(self) -> str:
        return "(" + " ".join(_zshQuoteItem(item) for item in self._items) + ")"

    def _bashAction(self) -> str:
        words = shlex.quote(" ".join(self._items))
        return f'COMPREPLY=( $(compgen -W {words} -- "$cur") )'


def _zshQuoteItem(item: str) -> str:
    """Escape a word inside a zsh C{(a b c)} action."""
    return re.sub(r"([\s()\\:'\"])", r"\\\1", item)


class CompleteMultiList(Completer):
    """Complete a comma-separated list of words out of a fixed list."""

    def __init__(self, items: Iterable[str], descr: str | None = None, repeat: bool = False):
        """
        @param items: the possible words.
        @param descr: the value's description.
        @param repeat: see L{Completer}.
        """
        super().__init__(descr, repeat)
        self._items = [str(item) for item in items]

    def _zshAction(self) -> str:
        words = " ".join(_zshQuoteItem(item) for item in self._items)
        label = _zshQuoteItem(self.descr or "items")
        return f"_values -s , {label} {words}"

    def _bashAction(self) -> str:
        words = shlex.quote(" ".join(self._items))
        return (
            'local prefix="${cur%"${cur##*,}"}"; '
            f'COMPREPLY=( $(compgen -P "$prefix" -W {words} -- "${{cur##*,}}") )'
        )


class CompleteUsernames(Completer):
    """Complete user names of the local system."""

    def _zshAction(self) -> str:
        return "_users"

    def _bashAction(self) -> str:
        return 'COMPREPLY=( $(compgen -u -- "$cur") )'


class CompleteGroups(Completer):
    """Complete group names of the local system."""

    def _zshAction(self) -> str:
        return "_groups"

    def _bashAction(self) -> str:
        return 'COMPREPLY=( $(compgen -g -- "$cur") )'


class CompleteHostnames(Completer):
    """Complete host names the shell knows of."""

    def _zshAction(self) -> str:
        return "_hosts"

    def _bashAction(self) -> str:
        return 'COMPREPLY=( $(compgen -A hostname -- "$cur") )'


class CompleteUserAtHost(Completer):
    """Complete C{user@host}: a user name, then a host name after the C{@}."""

    def _zshAction(self) -> str:
        return "_user_at_host"

    def _bashAction(self) -> str:
        return (
            'if [[ "$cur" == *@* ]]; then '
            'COMPREPLY=( $(compgen -P "${cur%%@*}@" -A hostname -- "${cur#*@}") ); '
            'else COMPREPLY=( $(compgen -u -S @ -- "$cur") ); fi'
        )


class CompleteNetInterfaces(Completer):
    """Complete network interface names."""

    def _zshAction(self) -> str:
        return "_net_interfaces"

    def _bashAction(self) -> str:
        return 'COMPREPLY=( $(compgen -W "$(ls /sys/class/net 2>/dev/null)" -- "$cur") )'


@dataclass
class Completions:
    """
    Completion metadata for an Options class (its C{compData} attribute).

    The C{compData} of every class in the hierarchy is merged: dictionaries are
    updated and lists extended base class first; C{extraActions} of the most derived
    class that has some are used.

    @ivar descriptions: option name -> description used by the shell instead of the
        help text (useful for C{opt_} handlers without docstrings).
    @ivar multiUse: names of options that may be given more than once.
    @ivar mutuallyExclusive: groups (sequences) of option names that exclude each other.
    @ivar optActions: option name -> L{Completer} for its value.
    @ivar extraActions: L{Completer} per positional argument, in order; only the
        last may have C{repeat=True}.
    """

    descriptions: Mapping[str, str] = field(default_factory=dict)
    multiUse: Sequence[str] = field(default_factory=list)
    mutuallyExclusive: Sequence[Sequence[str]] = field(default_factory=list)
    optActions: Mapping[str, Completer] = field(default_factory=dict)
    extraActions: Sequence[Completer] = field(default_factory=list)


@dataclass
class _Merged:
    """The merged C{compData} of one Options class."""

    descriptions: dict[str, str] = field(default_factory=dict)
    multiUse: set[str] = field(default_factory=set)
    exclusive: dict[str, set[str]] = field(default_factory=dict)
    optActions: dict[str, Completer] = field(default_factory=dict)
    extraActions: list[Completer] = field(default_factory=list)


def _merge(options: Options) -> _Merged:
    """
    Merge the C{compData} of C{options}' class hierarchy and check its names.

    @raise ValueError: if compData names an unknown option, or a repeating positional
        completer is not the last.
    """
    merged = _Merged()
    specs = options._specs
    for klass in reversed(type(options).__mro__):
        data = vars(klass).get("compData")
        if data is None:
            continue
        merged.descriptions.update(data.descriptions)
        merged.multiUse.update(data.multiUse)
        for group in data.mutuallyExclusive:
            for name in group:
                merged.exclusive.setdefault(name, set()).update(n for n in group if n != name)
        merged.optActions.update(data.optActions)
        if data.extraActions:
            merged.extraActions = list(data.extraActions)
    named = (
        set(merged.descriptions) | merged.multiUse | set(merged.exclusive) | set(merged.optActions)
    )
    for name in sorted(named):
        if name not in specs:
            raise ValueError(f"{type(options).__name__}.compData names an unknown option {name!r}")
    for completer in merged.extraActions[:-1]:
        if completer.repeat:
            raise ValueError(
                f"{type(options).__name__}.compData: only the last extraActions "
                "completer may repeat"
            )
    return merged


def _forms(spec: _OptionSpec) -> list[str]:
    """The command-line spellings of an option: C{-s} and/or C{--long}."""
    forms = []
    if spec.short is not None and spec.short != spec.name:
        forms.append("-" + spec.short)
    forms.append(spec.spelled())
    return forms


def _subCommandEntries(options: Options) -> list[tuple[str, str | None, Any, str]]:
    """The subcommands of C{options} as C{(name, shortcut, class, doc)}."""
    entries = []
    for entry in options.subCommands or ():
        doc = entry[3] if len(entry) > 3 and entry[3] else ""
        entries.append((entry[0], entry[1], entry[2], " ".join(str(doc).split())))
    return entries


def _identifier(text: str) -> str:
    """Turn a command path into a shell function name fragment."""
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


class _Generator:
    """Builds the functions of one completion script, depth first."""

    def __init__(self, maxDepth: int) -> None:
        self.maxDepth = maxDepth
        self.functions: list[str] = []

    def _children(
        self, options: Options, path: str, depth: int
    ) -> list[tuple[str, str | None, str, str]]:
        """Generate each subcommand's function; return C{(name, shortcut, doc, fn)}."""
        children = []
        for name, shortcut, parserClass, doc in _subCommandEntries(options):
            if depth + 1 > self.maxDepth:
                raise ValueError(
                    f"subcommands nest deeper than shellCompletionMaxDepth "
                    f"({self.maxDepth}) at {path} {name}"
                )
            child: Options = parserClass()
            children.append(
                (name, shortcut, doc, self.generate(child, f"{path}_{name}", depth + 1))
            )
        return children

    def generate(self, options: Options, path: str, depth: int) -> str:
        """Generate the function for C{options} (and its subcommands); return its name."""
        raise NotImplementedError


class _ZshGenerator(_Generator):
    """zsh: one C{_arguments} function per Options, subcommands via states."""

    def generate(self, options: Options, path: str, depth: int) -> str:
        merged = _merge(options)
        children = self._children(options, path, depth)
        functionName = f"_netframe_{_identifier(path)}"
        specs = []
        for spec in options._visibleSpecs():
            forms = _forms(spec)
            if spec.name in merged.multiUse:
                exclusion = "*"
            else:
                excluded = set(forms)
                for other in sorted(merged.exclusive.get(spec.name, ())):
                    excluded.update(_forms(options._specs[other]))
                exclusion = "(" + " ".join(sorted(excluded)) + ")"
            if spec.takesArg:
                forms = [f + ("=" if f.startswith("--") else "+") for f in forms]
            description = merged.descriptions.get(spec.name) or options._describe(spec)
            tail = "[" + _zshExplanation(description) + "]" if description else ""
            if spec.takesArg:
                completer = merged.optActions.get(spec.name, Completer())
                message = completer.descr or spec.name
                tail += ":" + _zshMessage(message) + ":" + completer._zshAction()
            if len(forms) == 1:
                specs.append(_zshQuote(exclusion + forms[0] + tail))
            else:
                specs.append(_zshQuote(exclusion) + "{" + ",".join(forms) + "}" + _zshQuote(tail))
        if children:
            specs.append(_zshQuote("1:command:->command"))
            specs.append(_zshQuote("*::argument:->subcommand"))
        else:
            for position, completer in enumerate(merged.extraActions, start=1):
                where = "*" if completer.repeat else str(position)
                message = _zshMessage(completer.descr or f"argument {position}")
                specs.append(_zshQuote(f"{where}:{message}:{completer._zshAction()}"))
        lines = [f"{functionName}() {{"]
        if children:
            lines += [
                '    local curcontext="$curcontext" state line',
                "    typeset -A opt_args",
            ]
        lines.append("    _arguments -s -S" + (" -C" if children else "") + " \\")
        lines += [f"        {spec} \\" for spec in specs]
        lines.append("        && return 0")
        if children:
            described = " ".join(
                _zshQuote(f"{_zshMessage(name)}:{doc}") for name, _s, doc, _f in children
            )
            lines += [
                "    case $state in",
                "        (command)",
                f"            local -a commands; commands=({described})",
                "            _describe -t commands command commands && return 0",
                "            ;;",
                "        (subcommand)",
                "            case $line[1] in",
            ]
            for name, shortcut, _doc, childFunction in children:
                pattern = "|".join(shlex.quote(n) for n in (name, shortcut) if n)
                lines.append(f"                ({pattern}) {childFunction} ;;")
            lines += ["            esac", "            ;;", "    esac"]
        lines.append("    return 1")
        lines.append("}")
        self.functions.append("\n".join(lines))
        return functionName


class _BashGenerator(_Generator):
    """bash: one function per Options taking the index where its words start."""

    def generate(self, options: Options, path: str, depth: int) -> str:
        merged = _merge(options)
        children = self._children(options, path, depth)
        functionName = f"_netframe_{_identifier(path)}"
        specs = options._visibleSpecs()
        withValue = [form for spec in specs if spec.takesArg for form in _forms(spec)]
        allForms = [form for spec in specs for form in _forms(spec)]
        lines = [
            f"{functionName}() {{",
            '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="" i',
            '    (( COMP_CWORD > $1 )) && prev="${COMP_WORDS[COMP_CWORD-1]}"',
            "    local positional=0",
            "    for (( i=$1; i<COMP_CWORD; i++ )); do",
            '        case "${COMP_WORDS[i]}" in',
        ]
        if withValue:
            lines.append(f"            {'|'.join(withValue)}) (( i++ )) ;;")
        lines.append("            --) ;;")
        lines.append("            -*) ;;")
        for name, shortcut, _doc, childFunction in children:
            pattern = "|".join(shlex.quote(n) for n in (name, shortcut) if n)
            lines.append(f"            {pattern}) {childFunction} $(( i+1 )); return ;;")
        lines += [
            "            *) (( positional++ )) ;;",
            "        esac",
            "    done",
        ]
        if withValue:
            lines.append('    case "$prev" in')
            for spec in specs:
                if spec.takesArg:
                    completer = merged.optActions.get(spec.name, Completer())
                    lines.append(
                        f"        {'|'.join(_forms(spec))}) {completer._bashAction()}; return ;;"
                    )
            lines.append("    esac")
        lines += [
            '    if [[ "$cur" == -* ]]; then',
            f'        COMPREPLY=( $(compgen -W {shlex.quote(" ".join(allForms))} -- "$cur") )',
            "        return",
            "    fi",
        ]
        if children:
            names = (
                " ".join(n for n, s, _d, _f in children)
                + " "
                + " ".join(s for _n, s, _d, _f in children if s)
            )
            lines.append(f'    COMPREPLY=( $(compgen -W {shlex.quote(names.strip())} -- "$cur") )')
        elif merged.extraActions:
            lines.append('    case "$positional" in')
            last = len(merged.extraActions) - 1
            for position, completer in enumerate(merged.extraActions):
                pattern = "*" if completer.repeat and position == last else str(position)
                lines.append(f"        {pattern}) {completer._bashAction()} ;;")
            lines.append("    esac")
        else:
            lines.append("    COMPREPLY=()")
        lines.append("}")
        self.functions.append("\n".join(lines))
        return functionName


def generateCompletionScript(options: Options, shell: str) -> str:
    """
    Return a completion script for the command C{options} parses.

    The script covers the whole command: its options, positional arguments and,
    recursively, its subcommands (which it recognises on the command line itself).
    The zsh script is a C{#compdef} file for C{$fpath}; the bash script is meant to
    be sourced and registers itself with C{complete}.

    @param options: the top-level Options instance.
    @param shell: C{"zsh"} or C{"bash"}.
    @return: the script text, ending in a newline.
    @raise ValueError: for an unknown shell, invalid C{compData}, or subcommands nested
        deeper than C{options.shellCompletionMaxDepth}.
    """
    if shell not in ("zsh", "bash"):
        raise ValueError(f"unsupported shell {shell!r}: expected 'zsh' or 'bash'")
    command = options._commandName()
    maxDepth = options.shellCompletionMaxDepth
    if shell == "zsh":
        zsh = _ZshGenerator(maxDepth)
        root = zsh.generate(options, command, 0)
        header = [
            f"#compdef {command}",
            f"# zsh completion for {command}, generated by netframe.core.usage.",
        ]
        return "\n".join([*header, *zsh.functions, f'{root} "$@"']) + "\n"
    bash = _BashGenerator(maxDepth)
    root = bash.generate(options, command, 0)
    entry = f"{root}_complete"
    header = [
        f"# bash completion for {command}, generated by netframe.core.usage.",
        f"# Load it with: source <({command} --_shell-completion=bash:0)",
    ]
    footer = [
        f"{entry}() {{",
        "    COMPREPLY=()",
        f"    {root} 1",
        "}",
        f"complete -o default -F {entry} {shlex.quote(command)}",
    ]
    return "\n".join([*header, *bash.functions, *footer]) + "\n"


def shellCompletion(options: Options, argv: Sequence[str]) -> NoReturn:
    """
    Handle C{--_shell-completion=SHELL:N [words...]}: print a script and exit.

    C{N} is the position of the word being completed (zsh's C{$CURRENT}); it is
    checked and accepted for compatibility with that calling convention, but the
    script does not depend on it since it recognises subcommands itself.  The words
    after the option (the command line being completed) are ignored for the same
    reason.

    @param options: the Options whose C{parseOptions} received C{argv}.
    @param argv: the arguments, the first being the completion option (its value either
        after C{=} or as the next argument).
    @raise netframe.core.usage.UsageError: if the value is missing or is not
        C{zsh:N}/C{bash:N} with C{N} a non-negative integer.
    @raise ValueError: for invalid C{compData} (a programming error).
    @raise SystemExit: with status 0 once the script is written to stdout.
    """
    from netframe.core._usage import UsageError

    first = argv[0]
    name, hasValue, value = first[2:].partition("=")
    rest = list(argv[1:])
    if name != "_shell-completion":
        raise UsageError(f"option --{name} not recognized")
    if not hasValue:
        if not rest:
            raise UsageError("option --_shell-completion requires argument")
        value = rest.pop(0)
    shell, colon, number = value.partition(":")
    if not colon or shell not in ("zsh", "bash") or not number.isdigit() or not number.isascii():
        raise UsageError(f"option --_shell-completion: expected zsh:N or bash:N, got {value!r}")
    sys.stdout.write(generateCompletionScript(options, shell))
    sys.stdout.flush()
    raise SystemExit(0)
