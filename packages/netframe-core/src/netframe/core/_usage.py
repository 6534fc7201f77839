"""
Implementation of L{netframe.core.usage}: command-line parsing with C{Options}.

Parsing is getopt-like and written here (no C{getopt}): options come first, then
positional arguments.  The first argument that is not an option ends option parsing
(POSIX style), as does C{--} (which is consumed).  Long options take their value as
C{--name=value} or C{--name value} and may be abbreviated to any unique prefix;
short options cluster (C{-abc}) and take their value as C{-ovalue} or C{-o value}.
"""

from __future__ import annotations

import inspect
import os
import sys
import textwrap
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, NoReturn

__all__ = ["Options", "UsageError", "error", "flagFunction", "portCoerce"]


class UsageError(Exception):
    """
    The command line was wrong: unknown option, missing or invalid value, wrong number
    of arguments, or a check in C{postOptions} failed.

    C{str(error)} is the message to show the user.
    """


#: Twisted's historical alias for L{UsageError}.
error = UsageError


def flagFunction(method: Callable[..., object], name: str | None = None) -> bool:
    """
    Tell whether an C{opt_} handler is a flag (takes no value) or takes one value.

    @param method: the handler, bound (C{self} is not counted).
    @param name: the option name, for the error message (default: the method's name).
    @return: C{True} if the handler takes no positional parameter (a flag), C{False}
        if it takes one value.
    @raise UsageError: if the handler requires more than one positional parameter or
        its signature cannot be read.
    """
    label = name if name is not None else getattr(method, "__name__", repr(method))
    try:
        signature = inspect.signature(method)
    except (TypeError, ValueError):
        raise UsageError(f"Invalid Option function for {label}: signature unreadable")
    positional = [
        p
        for p in signature.parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    required = [p for p in positional if p.default is p.empty]
    if not positional:
        return True
    if len(required) <= 1:
        return False
    raise UsageError(
        f"Invalid Option function for {label}: it takes {len(required)} arguments, "
        "an option handler takes none or one"
    )


def portCoerce(value: str) -> int:
    """
    Coerce a command-line value to a TCP/UDP port number.

    @param value: the text given on the command line.
    @return: the port, an integer from 0 to 65535 inclusive.
    @raise ValueError: if C{value} is not an integer or is outside that range.
    """
    port = int(value)
    if not 0 <= port <= 65535:
        raise ValueError(f"Port number not in range: {value}")
    return port


portCoerce.coerceDoc = "Must be an int between 0 and 65535."  # type: ignore[attr-defined]


@dataclass
class _OptionSpec:
    """
    One option of an L{Options} class, however it was declared.

    @ivar name: the canonical name: the dictionary key (for flags and parameters) and
        the name C{compData} refers to.  A one-character name means the option has only
        a short form.
    @ivar short: the short form (one character) or C{None}.
    @ivar takesArg: whether the option takes a value.
    @ivar doc: the help text (may be empty).
    @ivar default: the default shown in help (C{None}: none shown).
    @ivar coerce: the coerce function of an C{optParameters} entry, or C{None}.
    @ivar handler: the C{opt_} method's name, or C{None} for a plain flag/parameter.
    @ivar builtin: whether the option is one of C{Options}' own (C{--help}...).
    @ivar shown: the long name as help, completion and error messages show it; empty
        means C{name}.  An option declared only by an C{opt_} method shows its name
        with dashes (C{opt_help_auth} is C{--help-auth}); a flag or parameter shows its
        declared spelling (C{--one_choice}).
    """

    name: str
    short: str | None
    takesArg: bool
    doc: str
    default: Any = None
    coerce: Callable[[str], Any] | None = None
    handler: str | None = None
    builtin: bool = False
    shown: str = ""

    @property
    def hasLong(self) -> bool:
        """Whether the option has a long form (C{--name})."""
        return len(self.name) > 1

    def spelled(self) -> str:
        """Return the option as written on a command line (C{--name} or C{-n})."""
        return f"--{self.shown or self.name}" if self.hasLong else f"-{self.name}"


def _oneLine(text: str | None) -> str:
    """Collapse the whitespace of a docstring into single spaces."""
    return " ".join(text.split()) if text else ""


def _pad(entry: Sequence[Any], length: int, kind: str, owner: type) -> list[Any]:
    """
    Pad an C{optFlags}/C{optParameters} entry with C{None} to C{length} items.

    @raise ValueError: if the entry is empty, too long, or its names are malformed.
    """
    items = list(entry)
    if not 1 <= len(items) <= length:
        raise ValueError(f"{owner.__name__}.{kind} entry {entry!r} must have 1 to {length} items")
    items.extend([None] * (length - len(items)))
    name, short = items[0], items[1]
    if not isinstance(name, str) or not name or name.startswith("-"):
        raise ValueError(f"{owner.__name__}.{kind} entry {entry!r} has an invalid name")
    if short is not None and (not isinstance(short, str) or len(short) != 1 or short == "-"):
        raise ValueError(
            f"{owner.__name__}.{kind} entry {entry!r}: short name must be one character"
        )
    return items


class Options(dict[str, Any]):
    """
    A command-line parser and the dictionary of its results; subclass it to use it.

    Declare options on the subclass:

      - C{optFlags = [[long, short, doc], ...]}: flags; C{self[long]} is 1 if given,
        else 0.
      - C{optParameters = [[long, short, default, doc, coerce], ...]}: options with a
        value (trailing items may be left out); C{self[long]} is C{default} (never
        coerced) unless given, then C{coerce(value)} (or the text when no coerce).  A
        coerce function's C{coerceDoc} attribute is shown in the help.
      - C{opt_<name>(self)} / C{opt_<name>(self, value)} methods: called each time the
        option is given.  An alias (C{opt_v = opt_verbose}) adds C{-v} for C{--verbose}.
      - C{subCommands = [[name, shortcut, OptionsClass, doc], ...]} and
        C{defaultSubCommand}: the first positional argument names a subcommand whose
        Options parses the rest; afterwards C{subCommand} and C{subOptions} are set.
      - C{parseArgs(self, ...)}: receives the positional arguments; C{postOptions()}:
        final checks.
      - C{compData = Completions(...)}: shell-completion metadata.
      - C{synopsis} (string) replaces the generated synopsis line, C{longdesc} is shown
        after the options, C{version} (string) enables C{--version}.

    C{optFlags}, C{optParameters}, C{opt_} methods and C{compData} are merged across
    the class hierarchy; a subclass's declaration of the same long name wins.

    Long names are accepted with dashes and underscores interchanged (C{--one-choice}
    and C{--one_choice}).  The help shows a flag or parameter with its declared
    spelling (C{--one_choice}, also the dictionary key) and an option declared only by
    an C{opt_} method with dashes for the method name's underscores (C{opt_help_auth}
    is shown as C{--help-auth}), as Twisted does.
    """

    #: Subcommands: C{[[name, shortcut or None, OptionsClass, doc], ...]}.
    subCommands: ClassVar[Sequence[Sequence[Any]] | None] = None
    #: The subcommand used when no positional argument is given.
    defaultSubCommand: ClassVar[str | None] = None
    #: The version printed by C{--version}; C{None} means no C{--version} option.
    version: ClassVar[str | None] = None
    #: Replacement for the generated C{Usage:} line, or C{None}.
    synopsis: ClassVar[str | None] = None
    #: Text shown in the help after the options, or C{None}.
    longdesc: ClassVar[str | None] = None
    #: Help width when C{getUsage} is given none and C{$COLUMNS} is unset or invalid.
    defaultUsageWidth: ClassVar[int] = 80
    #: The help column where descriptions start, unless option names need more room.
    usageDescriptionColumn: ClassVar[int] = 30
    #: The narrowest a wrapped help description may get, whatever the width.
    usageMinimumDescriptionWidth: ClassVar[int] = 20
    #: The deepest chain of subcommands a shell-completion script is generated for;
    #: deeper (or self-referencing) C{subCommands} raise C{ValueError}.
    shellCompletionMaxDepth: ClassVar[int] = 10

    # Options instances are used as dictionary keys by some programs: hash by identity.
    __hash__ = object.__hash__  # type: ignore[assignment]

    def __init__(self) -> None:
        """
        Build the option tables from the class declarations and set the defaults.

        @raise ValueError: if an C{optFlags}/C{optParameters} entry is malformed.
        @raise UsageError: if an C{opt_} method takes more than one argument.
        """
        super().__init__()
        #: The dictionary of results (C{self}; Twisted's spelling).
        self.opts: Options = self
        #: The defaults of C{optParameters}, by name.
        self.defaults: dict[str, Any] = {}
        #: The parent Options when this one parses a subcommand, else C{None}.
        self.parent: Options | None = None
        #: The subcommand given (its long name), after parsing, else C{None}.
        self.subCommand: str | None = None
        #: The Options that parsed the subcommand's arguments, else C{None}.
        self.subOptions: Options | None = None
        self._specs: dict[str, _OptionSpec] = {}
        self._longNames: dict[str, str] = {}
        self._shortNames: dict[str, str] = {}
        self._buildTables()

    # -- declarations -----------------------------------------------------------------

    def _buildTables(self) -> None:
        """Gather flags, parameters and C{opt_} handlers across the class hierarchy."""
        cls = type(self)
        for klass in reversed(cls.__mro__):
            namespace = vars(klass)
            for entry in namespace.get("optFlags", None) or ():
                name, short, doc = _pad(entry, 3, "optFlags", klass)
                self._addSpec(_OptionSpec(name, short, False, _oneLine(doc)))
                self[name] = 0
            for entry in namespace.get("optParameters", None) or ():
                name, short, default, doc, coerce = _pad(entry, 5, "optParameters", klass)
                self._addSpec(_OptionSpec(name, short, True, _oneLine(doc), default, coerce))
                self[name] = default
                self.defaults[name] = default
        self._addHandlers(cls)
        for spec in self._specs.values():
            self._register(spec)

    def _addSpec(self, spec: _OptionSpec) -> None:
        """Record C{spec}, replacing a declaration of the same name from a base class."""
        self._specs[spec.name] = spec

    def _addHandlers(self, cls: type) -> None:
        """Turn C{opt_} methods (and their aliases) into options."""
        groups: dict[Any, list[str]] = {}
        for attribute in dir(cls):
            if not attribute.startswith("opt_") or len(attribute) == 4:
                continue
            function = getattr(cls, attribute)
            if not callable(function):
                continue
            if function is Options.opt_version and self.version is None:
                continue
            groups.setdefault(function, []).append(attribute[4:])
        for function, names in groups.items():
            own = getattr(function, "__name__", "")[4:]
            longs = sorted((n for n in names if len(n) > 1), key=lambda n: (-len(n), n))
            if own in names and len(own) > 1:
                canonical = own
            elif longs:
                canonical = longs[0]
            else:
                canonical = sorted(names)[0]
            shorts = sorted(n for n in names if len(n) == 1)
            method = getattr(self, "opt_" + canonical)
            takesArg = not flagFunction(method, canonical)
            existing = self._specs.get(canonical)
            doc = _oneLine(inspect.getdoc(function))
            builtin = function in (Options.opt_help, Options.opt_version)
            if existing is not None:
                existing.handler = "opt_" + canonical
                existing.takesArg = takesArg
                existing.doc = existing.doc or doc
                if existing.short is None and shorts:
                    existing.short = shorts[0]
                spec = existing
            else:
                short = shorts[0] if shorts else None
                spec = _OptionSpec(
                    canonical,
                    short,
                    takesArg,
                    doc,
                    handler="opt_" + canonical,
                    builtin=builtin,
                    shown=canonical.replace("_", "-"),
                )
                self._specs[canonical] = spec
            for alias in names:
                if alias != canonical and len(alias) > 1:
                    self._longNames[alias] = canonical
                    self._longNames[alias.replace("_", "-")] = canonical
            for alias in shorts:
                self._shortNames[alias] = canonical

    def _register(self, spec: _OptionSpec) -> None:
        """Make C{spec} reachable by its long spellings and short name."""
        if spec.hasLong:
            self._longNames[spec.name] = spec.name
            self._longNames[spec.name.replace("_", "-")] = spec.name
            self._longNames[spec.name.replace("-", "_")] = spec.name
        else:
            self._shortNames[spec.name] = spec.name
        if spec.short is not None:
            self._shortNames[spec.short] = spec.name

    # -- built-in options -------------------------------------------------------------

    def opt_help(self) -> NoReturn:
        """Display this help and exit."""
        sys.stdout.write(str(self))
        sys.stdout.flush()
        raise SystemExit(0)

    def opt_version(self) -> NoReturn:
        """Display version and exit."""
        sys.stdout.write(f"{self._commandName()} {self.version}\n")
        sys.stdout.flush()
        raise SystemExit(0)

    # -- parsing ----------------------------------------------------------------------

    def parseOptions(self, options: Sequence[str] | None = None) -> None:
        """
        Parse a command line into this dictionary.

        Dispatches every option (in order), then hands the positional arguments to a
        subcommand's Options or to L{parseArgs}, then calls L{postOptions}.
        C{--help} prints the help to stdout and raises C{SystemExit(0)}; C{--version}
        (when L{version} is set) does the same with the version.  A first argument
        C{--_shell-completion=SHELL:N} prints a completion script instead (see
        L{netframe.core.usage}).

        @param options: the arguments, without the program name; C{None} means
            C{sys.argv[1:]}.
        @raise UsageError: on an unknown option, a missing value or a value given to a
            flag, a coerce function raising C{ValueError}, an unknown subcommand, a
            wrong number of positional arguments, or a C{UsageError} from a handler,
            C{parseArgs} or C{postOptions}.
        @raise SystemExit: after C{--help}, C{--version} or a completion request.
        """
        argv = list(sys.argv[1:] if options is None else options)
        if argv and argv[0].startswith("--_shell-completion"):
            from netframe.core._usage_completion import shellCompletion

            shellCompletion(self, argv)
        parsed, args = self._getopt(argv)
        for name, value in parsed:
            self._dispatch(name, value)
        subCommands = self.subCommands
        if subCommands and (args or self.defaultSubCommand is not None):
            if not args:
                args = [self.defaultSubCommand]  # type: ignore[list-item]
            command, rest = args[0], args[1:]
            for entry in subCommands:
                name, shortcut, parserClass = entry[0], entry[1], entry[2]
                if command == name or (shortcut is not None and command == shortcut):
                    self.subCommand = name
                    subOptions: Options = parserClass()
                    subOptions.parent = self
                    self.subOptions = subOptions
                    subOptions.parseOptions(rest)
                    break
            else:
                raise UsageError(f"Unknown command: {command}")
        else:
            try:
                inspect.signature(self.parseArgs).bind(*args)
            except TypeError:
                raise UsageError("Wrong number of arguments.")
            self.parseArgs(*args)
        self.postOptions()

    def _getopt(self, argv: list[str]) -> tuple[list[tuple[str, str | None]], list[str]]:
        """
        Split C{argv} into options and positional arguments (no handler runs).

        @return: C{([(canonicalName, value or None), ...], positionalArguments)}.
        @raise UsageError: as documented by L{parseOptions}.
        """
        parsed: list[tuple[str, str | None]] = []
        index = 0
        count = len(argv)
        while index < count:
            arg = argv[index]
            if arg == "--":
                index += 1
                break
            if arg.startswith("--"):
                written, hasValue, value = arg[2:].partition("=")
                name = self._matchLong(written)
                spec = self._specs[name]
                if spec.takesArg:
                    if not hasValue:
                        if index + 1 >= count:
                            raise UsageError(f"option --{written} requires argument")
                        index += 1
                        value = argv[index]
                    parsed.append((name, value))
                elif hasValue:
                    raise UsageError(f"option --{written} must not have an argument")
                else:
                    parsed.append((name, None))
            elif arg.startswith("-") and arg != "-":
                position = 1
                while position < len(arg):
                    letter = arg[position]
                    name = self._shortNames.get(letter, "")
                    if not name:
                        raise UsageError(f"option -{letter} not recognized")
                    if self._specs[name].takesArg:
                        value = arg[position + 1 :]
                        if not value:
                            if index + 1 >= count:
                                raise UsageError(f"option -{letter} requires argument")
                            index += 1
                            value = argv[index]
                        parsed.append((name, value))
                        break
                    parsed.append((name, None))
                    position += 1
            else:
                break
            index += 1
        return parsed, argv[index:]

    def _matchLong(self, written: str) -> str:
        """
        Resolve a long option as written (possibly a unique prefix) to its name.

        @raise UsageError: if nothing or more than one option matches.
        """
        exact = self._longNames.get(written)
        if exact is not None:
            return exact
        if written:
            matches = {name for alias, name in self._longNames.items() if alias.startswith(written)}
            if len(matches) == 1:
                return matches.pop()
            if matches:
                choices = ", ".join(sorted(self._specs[m].spelled() for m in matches))
                raise UsageError(f"option --{written} not a unique prefix ({choices})")
        raise UsageError(f"option --{written} not recognized")

    def _dispatch(self, name: str, value: str | None) -> None:
        """Apply one parsed option: call its handler or store its value."""
        spec = self._specs[name]
        if spec.handler is not None:
            method = getattr(self, spec.handler)
            if spec.takesArg:
                method(value)
            else:
                method()
        elif not spec.takesArg:
            self[name] = 1
        elif spec.coerce is not None:
            try:
                self[name] = spec.coerce(value)  # type: ignore[arg-type]
            except ValueError as exc:
                raise UsageError(f"Parameter type enforcement failed for {spec.spelled()}: {exc}")
        else:
            self[name] = value

    def parseArgs(self, *args: Any, **kwargs: Any) -> None:
        """
        Receive the positional arguments; override to accept some.

        The override's signature decides what is accepted: C{parseArgs(self, a, b)}
        takes exactly two, C{parseArgs(self, *args)} any number.  A count the
        signature cannot take raises C{UsageError("Wrong number of arguments.")}
        before the method is called.  (The base signature is C{(*args, **kwargs)} so
        that any override type-checks; it accepts no argument at all.)

        @raise UsageError: in the base version, if any argument is given.
        """
        if args or kwargs:
            raise UsageError("Wrong number of arguments.")

    def postOptions(self) -> None:
        """
        Check or complete the results once everything is parsed; override to use it.

        Raise L{UsageError} to reject the command line.
        """

    # -- help -------------------------------------------------------------------------

    def _commandName(self) -> str:
        """The program name: C{sys.argv[0]}'s base name without C{.py}."""
        name = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "command"
        return name.removesuffix(".py")

    def getSynopsis(self) -> str:
        """
        Return the C{Usage:} line.

        It is L{synopsis} when set.  Otherwise C{Usage: <program> [options]},
        where a subcommand's Options uses its parent's line followed by the
        subcommand's name.

        @return: the line, without a newline.
        """
        if self.synopsis is not None:
            return self.synopsis
        if self.parent is not None:
            prefix = self.parent.getSynopsis().removeprefix("Usage: ")
            command = f"{prefix} {self.parent.subCommand}"
        else:
            command = self._commandName()
        return f"Usage: {command} [options]"

    def _visibleSpecs(self) -> list[_OptionSpec]:
        """The options in help order: the program's own by name, then built-ins."""
        specs = list(self._specs.values())
        own = sorted((s for s in specs if not s.builtin), key=lambda s: s.name.lower())
        builtins = sorted((s for s in specs if s.builtin), key=lambda s: s.name)
        return own + builtins

    @staticmethod
    def _describe(spec: _OptionSpec) -> str:
        """The help text of an option: doc, default and coerceDoc."""
        text = spec.doc
        if spec.takesArg and spec.default is not None:
            text = f"{text} [default: {spec.default}]" if text else f"[default: {spec.default}]"
        coerceDoc = getattr(spec.coerce, "coerceDoc", None)
        if coerceDoc:
            if text:
                text += " " if text.endswith(".") else ". "
            text += _oneLine(coerceDoc)
        return text

    def _usageWidth(self, width: int | None) -> int:
        """The help width: C{width}, else C{$COLUMNS}, else L{defaultUsageWidth}."""
        if width is not None:
            return width
        try:
            columns = int(os.environ.get("COLUMNS", ""))
        except ValueError:
            return self.defaultUsageWidth
        return columns if columns > 0 else self.defaultUsageWidth

    def _table(self, rows: list[tuple[str, str]], width: int) -> Iterator[str]:
        """Lay out C{(cell, description)} rows in two columns, wrapping descriptions."""
        longest = max((len(cell) for cell, _ in rows), default=0)
        column = max(self.usageDescriptionColumn, longest + 2)
        column = min(column, max(self.usageDescriptionColumn, width // 2))
        textWidth = max(width - column, self.usageMinimumDescriptionWidth)
        for cell, description in rows:
            lines = textwrap.wrap(description, textWidth) if description else []
            if not lines:
                yield cell
                continue
            if len(cell) + 2 > column:
                yield cell
                yield from (" " * column + line for line in lines)
            else:
                yield cell.ljust(column) + lines[0]
                yield from (" " * column + line for line in lines[1:])

    def getUsage(self, width: int | None = None) -> str:
        """
        Return the help text that follows the synopsis.

        Layout: C{Options:} then one line per option (two spaces, C{-o, --one_choice=},
        padded to the description column, then the doc, C{[default: ...]} and the coerce
        function's C{coerceDoc}; an option declared only by an C{opt_} method shows
        its name with dashes, C{--help-auth}), then C{Commands:} when there are
        subcommands, then L{longdesc}.  Descriptions wrap to C{width}.

        @param width: the line width; C{None} means C{$COLUMNS} or
            L{defaultUsageWidth}.
        @return: the text, ending in a newline.
        """
        width = self._usageWidth(width)
        rows: list[tuple[str, str]] = []
        for spec in self._visibleSpecs():
            if spec.hasLong:
                long = spec.spelled()
                cell = f"  -{spec.short}, {long}" if spec.short else f"      {long}"
                if spec.takesArg:
                    cell += "="
            else:
                cell = f"  -{spec.name}"
            rows.append((cell, self._describe(spec)))
        lines = ["Options:", *self._table(rows, width)] if rows else ["Options: None"]
        if self.subCommands:
            commandRows = []
            for entry in self.subCommands:
                name, shortcut = entry[0], entry[1]
                doc = entry[3] if len(entry) > 3 else None
                cell = f"  {name}, {shortcut}" if shortcut else f"  {name}"
                commandRows.append((cell, _oneLine(doc)))
            lines += ["Commands:", *self._table(commandRows, width)]
        if self.longdesc:
            lines.append("")
            for paragraph in self.longdesc.strip().split("\n\n"):
                lines.extend(textwrap.wrap(_oneLine(paragraph), width) or [""])
        return "\n".join(lines) + "\n"

    def __str__(self) -> str:
        """Return the full help: the synopsis line followed by L{getUsage}."""
        return self.getSynopsis() + "\n" + self.getUsage()
