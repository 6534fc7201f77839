"""Tests for netframe.core.usage: Options parsing, help, and the reference examples O1-O5."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netframe.core import usage


def oneTwoThree(val: str) -> int:
    """The reference's coerce function (L11184-11191)."""
    value = int(val)
    if value not in range(1, 4):
        raise ValueError("Not in range")
    return value


oneTwoThree.coerceDoc = "Must be 1, 2 or 3."  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _programName(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test as the documented program, myprogram.py."""
    monkeypatch.setattr(sys, "argv", ["myprogram.py"])
    monkeypatch.delenv("COLUMNS", raising=False)


# -- O1: boolean options ---------------------------------------------------------------


class FastGoodCheapOptions(usage.Options):
    optFlags = [
        ["fast", "f", "Act quickly"],
        ["good", "g", "Act well"],
        ["cheap", "c", "Act cheaply"],
    ]


def _runFlagsExample(commandLine: list[str]) -> None:
    """The O1 program (L10967-10992), ported to Python 3."""
    options = FastGoodCheapOptions()
    try:
        options.parseOptions(commandLine)
    except usage.UsageError as errortext:
        print(f"{sys.argv[0]}: {errortext}")
        print(f"{sys.argv[0]}: Try --help for usage details.")
        raise SystemExit(1)
    words = [name for name in ("fast", "good", "cheap") if options[name]]
    print(" ".join(words))


class FlagsExampleTests:
    """Example O1 (L10959-10994)."""

    def test_documentedOutput(self, capsys: pytest.CaptureFixture[str]) -> None:
        """["-g", "--fast"] prints "fast good"."""
        _runFlagsExample(["-g", "--fast"])
        assert capsys.readouterr().out == "fast good\n"

    def test_flagValues(self) -> None:
        """Flags are 1 when given and 0 otherwise, as dictionary items."""
        options = FastGoodCheapOptions()
        options.parseOptions(["-g", "--fast"])
        assert dict(options) == {"fast": 1, "good": 1, "cheap": 0}

    def test_errorOutput(self, capsys: pytest.CaptureFixture[str]) -> None:
        """An unknown option makes the example print the error and exit 1."""
        with pytest.raises(SystemExit) as exited:
            _runFlagsExample(["--slow"])
        assert exited.value.code == 1
        assert capsys.readouterr().out == (
            "myprogram.py: option --slow not recognized\n"
            "myprogram.py: Try --help for usage details.\n"
        )


class InheritanceTests:
    """optFlags/optParameters are merged across the hierarchy (L10998-11019)."""

    def test_flagsMerged(self) -> None:
        """SpecificOptions accepts its base's -q as well as its own flags."""

        class BaseOptions(usage.Options):
            optFlags = [["quiet", "q", None]]

        class SpecificOptions(BaseOptions):
            optFlags = [["fast", "f", None], ["good", "g", None], ["cheap", "c", None]]

        options = SpecificOptions()
        options.parseOptions(["-q", "-fc"])
        assert dict(options) == {"quiet": 1, "fast": 1, "good": 0, "cheap": 1}

    def test_sameAsFlatDeclaration(self) -> None:
        """The merged class parses like the single flat declaration of the docs."""

        class BaseOptions(usage.Options):
            optFlags = [["quiet", "q", None]]

        class SpecificOptions(BaseOptions):
            optFlags = [["fast", "f", None], ["good", "g", None], ["cheap", "c", None]]

        class FlatOptions(usage.Options):
            optFlags = [
                ["quiet", "q", "Silence output"],
                ["fast", "f", "Run quickly"],
                ["good", "g", "Don't validate input"],
                ["cheap", "c", "Use cheap resources"],
            ]

        for argv in (["-q"], ["--good", "-c"], []):
            merged, flat = SpecificOptions(), FlatOptions()
            merged.parseOptions(argv)
            flat.parseOptions(argv)
            assert dict(merged) == dict(flat)

    def test_parametersMergedAndOverridden(self) -> None:
        """A subclass redeclaring a parameter replaces the base's declaration."""

        class Base(usage.Options):
            optParameters = [["port", "p", 80, "Port"], ["host", "h", "localhost"]]

        class Derived(Base):
            optParameters = [["port", "p", 8080, "Port", int]]

        options = Derived()
        assert options["port"] == 8080 and options["host"] == "localhost"
        options.parseOptions(["-p", "9"])
        assert options["port"] == 9

    def test_handlersInherited(self) -> None:
        """opt_ handlers of a base class are options of the subclass."""

        class Base(usage.Options):
            def opt_loud(self) -> None:
                """Be loud."""
                self["loud"] = True

        class Derived(Base):
            pass

        options = Derived()
        options.parseOptions(["--loud"])
        assert options["loud"] is True


# -- O2: parameters --------------------------------------------------------------------


class UserOptions(usage.Options):
    optFlags = [
        ["fast", "f", "Run quickly"],
        ["good", "g", "Don't validate input"],
        ["cheap", "c", "Use cheap resources"],
    ]
    optParameters = [["user", "u", None, "The user name"]]


def _runParametersExample() -> None:
    """The O2 program (L11026-11055); parses sys.argv[1:]."""
    config = UserOptions()
    config.parseOptions()
    if config["user"] is not None:
        print("Hello", config["user"])
    print("So, you want it:")
    print(" ".join(name for name in ("fast", "good", "cheap") if config[name]))


class ParametersExampleTests:
    """Example O2 (L11020-11057)."""

    def test_documentedOutput(
        self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """`-u bob` (from sys.argv) prints "Hello bob"."""
        monkeypatch.setattr(sys, "argv", ["myprogram.py", "-u", "bob", "-f"])
        _runParametersExample()
        assert capsys.readouterr().out == "Hello bob\nSo, you want it:\nfast\n"

    def test_default(self) -> None:
        """Without -u the parameter keeps its default."""
        config = UserOptions()
        config.parseOptions([])
        assert config["user"] is None

    @pytest.mark.parametrize(
        "argv",
        [["-u", "bob"], ["-ubob"], ["--user", "bob"], ["--user=bob"], ["--us=bob"]],
    )
    def test_valueForms(self, argv: list[str]) -> None:
        """A value may be attached or separate, for the short and long forms."""
        config = UserOptions()
        config.parseOptions(argv)
        assert config["user"] == "bob"

    def test_lastValueWins(self) -> None:
        """A parameter given twice keeps the last value."""
        config = UserOptions()
        config.parseOptions(["-u", "a", "--user=b"])
        assert config["user"] == "b"

    def test_defaultsAttribute(self) -> None:
        """Options.defaults holds the declared parameter defaults."""
        assert UserOptions().defaults == {"user": None}


# -- O3: subcommands -------------------------------------------------------------------


class ImportOptions(usage.Options):
    optParameters = [
        ["module", "m", None, None],
        ["vendor", "v", None, None],
        ["release", "r", None],
    ]


class CheckoutOptions(usage.Options):
    optParameters = [["module", "m", None, None], ["tag", "r", None, None]]


class CvsOptions(usage.Options):
    subCommands = [
        ["import", None, ImportOptions, "Do an Import"],
        ["checkout", "co", CheckoutOptions, "Do a Checkout"],
    ]
    optParameters = [
        ["compression", "z", 0, "Use compression"],
        ["repository", "r", None, "Specify an alternate repository"],
    ]


class SubCommandExampleTests:
    """Example O3 (L11059-11091)."""

    def test_dispatchImport(self) -> None:
        """The subcommand's Options parses everything after the command name."""
        config = CvsOptions()
        config.parseOptions(["-r", "/repo", "import", "-m", "mod", "-v", "acme", "-r", "1"])
        assert config.subCommand == "import"
        assert isinstance(config.subOptions, ImportOptions)
        assert config["repository"] == "/repo"
        assert dict(config.subOptions) == {"module": "mod", "vendor": "acme", "release": "1"}
        assert config.subOptions.parent is config

    def test_dispatchShortcut(self) -> None:
        """A subcommand's shortcut selects it under its full name."""
        config = CvsOptions()
        config.parseOptions(["co", "-r", "v1"])
        assert config.subCommand == "checkout"
        assert config.subOptions is not None and config.subOptions["tag"] == "v1"

    def test_noSubCommand(self) -> None:
        """Without a command name there is no subcommand."""
        config = CvsOptions()
        config.parseOptions(["-z", "9"])
        assert config.subCommand is None and config.subOptions is None
        assert config["compression"] == "9"

    def test_unknownCommand(self) -> None:
        """An unknown command name raises UsageError naming it."""
        with pytest.raises(usage.UsageError, match="Unknown command: update"):
            CvsOptions().parseOptions(["update"])

    def test_defaultSubCommand(self) -> None:
        """defaultSubCommand is used when no command name is given."""

        class WithDefault(CvsOptions):
            defaultSubCommand = "checkout"

        config = WithDefault()
        config.parseOptions([])
        assert config.subCommand == "checkout"
        assert isinstance(config.subOptions, CheckoutOptions)

    def test_subCommandErrorsPropagate(self) -> None:
        """A bad option after the command is reported by the subcommand's parser."""
        with pytest.raises(usage.UsageError, match="option -x not recognized"):
            CvsOptions().parseOptions(["import", "-x"])

    def test_subCommandFactoryCallable(self) -> None:
        """The third item may be any callable returning an Options."""

        class Lazy(usage.Options):
            subCommands = [["run", None, lambda: ImportOptions(), "Run"]]

        config = Lazy()
        config.parseOptions(["run", "-m", "x"])
        assert config.subOptions is not None and config.subOptions["module"] == "x"

    def test_helpListsCommands(self) -> None:
        """The help lists the subcommands with their shortcuts and docs."""
        text = CvsOptions().getUsage(width=80)
        assert text.endswith(
            "Commands:\n"
            "  import                      Do an Import\n"
            "  checkout, co                Do a Checkout\n"
        )

    def test_subCommandSynopsis(self) -> None:
        """A subcommand's synopsis follows its parent's."""
        config = CvsOptions()
        config.parseOptions(["co"])
        assert config.subOptions is not None
        assert config.subOptions.getSynopsis() == "Usage: myprogram [options] checkout [options]"

    def test_subCommandHelp(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--help after the command shows the subcommand's help."""
        with pytest.raises(SystemExit) as exited:
            CvsOptions().parseOptions(["import", "--help"])
        assert exited.value.code == 0
        out = capsys.readouterr().out
        assert out.startswith("Usage: myprogram [options] import [options]\nOptions:\n")
        assert "  -v, --vendor=" in out


# -- O4: opt_ handlers -----------------------------------------------------------------


class VerbosityOptions(usage.Options):
    def __init__(self) -> None:
        usage.Options.__init__(self)
        self["verbosity"] = 0  # default

    def opt_verbose(self) -> None:
        """Be more verbose."""
        self["verbosity"] = self["verbosity"] + 1

    def opt_quiet(self) -> None:
        """Be quieter."""
        self["verbosity"] = self["verbosity"] - 1

    opt_v = opt_verbose
    opt_q = opt_quiet


class DefineOptions(usage.Options):
    def __init__(self) -> None:
        usage.Options.__init__(self)
        self["symbols"] = []

    def opt_define(self, symbol: str) -> None:
        """Define a symbol."""
        self["symbols"].append(symbol)

    opt_D = opt_define


class HandlerExampleTests:
    """Example O4 (L11093-11133)."""

    def test_verbosityCount(self) -> None:
        """`-v -v -v -v` increases verbosity to 4."""
        options = VerbosityOptions()
        options.parseOptions(["-v", "-v", "-v", "-v"])
        assert options["verbosity"] == 4

    def test_quietCount(self) -> None:
        """`-q -q -q` decreases verbosity to -3."""
        options = VerbosityOptions()
        options.parseOptions(["-q", "-q", "-q"])
        assert options["verbosity"] == -3

    def test_mixedForms(self) -> None:
        """Long names, short aliases and clusters all call the handler."""
        options = VerbosityOptions()
        options.parseOptions(["--verbose", "-vv", "--quiet"])
        assert options["verbosity"] == 2

    def test_defineSymbols(self) -> None:
        """`-DFOO -DBAR` defines ['FOO', 'BAR']."""
        options = DefineOptions()
        options.parseOptions(["-DFOO", "-DBAR"])
        assert options["symbols"] == ["FOO", "BAR"]

    def test_defineLongForm(self) -> None:
        """The handler with an argument takes it from --define=X or --define X."""
        options = DefineOptions()
        options.parseOptions(["--define=A", "--define", "B", "-D", "C"])
        assert options["symbols"] == ["A", "B", "C"]

    def test_aliasesInHelp(self) -> None:
        """An alias appears as the short form of the option, with the handler's doc."""
        text = VerbosityOptions().getUsage(width=80)
        assert "  -v, --verbose               Be more verbose.\n" in text
        assert "  -q, --quiet                 Be quieter.\n" in text
        assert "  -D, --define=               Define a symbol.\n" in DefineOptions().getUsage(80)

    def test_handlerMissingArgument(self) -> None:
        """A handler that takes an argument without one given raises UsageError."""
        with pytest.raises(usage.UsageError, match="option -D requires argument"):
            DefineOptions().parseOptions(["-D"])

    def test_flagHandlerGivenValue(self) -> None:
        """A flag handler given --verbose=x raises UsageError."""
        with pytest.raises(usage.UsageError, match="--verbose must not have an argument"):
            VerbosityOptions().parseOptions(["--verbose=3"])

    def test_handlerOverridesParameter(self) -> None:
        """An opt_ method with an optParameters name handles that option."""

        class Checked(usage.Options):
            optParameters = [["port", "p", 80, "The port"]]

            def opt_port(self, value: str) -> None:
                if not value.isdigit():
                    raise usage.UsageError(f"bad port {value!r}")
                self["port"] = int(value)

        options = Checked()
        assert options["port"] == 80
        options.parseOptions(["-p", "81"])
        assert options["port"] == 81
        with pytest.raises(usage.UsageError, match="bad port 'x'"):
            Checked().parseOptions(["--port=x"])

    def test_longAlias(self) -> None:
        """A long alias of a handler is accepted and hidden from the help."""

        class Aliased(usage.Options):
            def opt_no_save(self) -> None:
                """Do not save."""
                self["saved"] = False

            opt_nosave = opt_no_save

        options = Aliased()
        options.parseOptions(["--nosave"])
        assert options["saved"] is False
        text = options.getUsage(width=80)
        assert "--no-save" in text and "--nosave" not in text

    def test_shortOnlyHandler(self) -> None:
        """A one-letter handler without a long alias is a short-only option."""

        class Short(usage.Options):
            def opt_x(self) -> None:
                """Extract."""
                self["x"] = True

        options = Short()
        options.parseOptions(["-x"])
        assert options["x"] is True
        assert "  -x                          Extract.\n" in options.getUsage(width=80)


# -- O5: parseArgs, postOptions, coerce ------------------------------------------------


class CmpOptions(usage.Options):
    optParameters = [["max_differences", "d", 1, None]]

    def parseArgs(self, origin: str, changed: str) -> None:
        self["origin"] = origin
        self["changed"] = changed


class AllOfItOptions(usage.Options):
    optFlags = [
        ["fast", "f", "Run quickly"],
        ["good", "g", "Don't validate input"],
        ["cheap", "c", "Use cheap resources"],
    ]

    def postOptions(self) -> None:
        if self["fast"] and self["good"] and self["cheap"]:
            raise usage.UsageError("can't have it all, brother")


class TypedOptions(usage.Options):
    optParameters = [
        ["shiny_integer", "s", 1, None, int],
        ["dummy_float", "d", 3.14159, None, float],
    ]


class ChoiceOptions(usage.Options):
    optParameters = [["one_choice", "o", 1, None, oneTwoThree]]


class ArgumentsExampleTests:
    """Example O5 (L11135-11203)."""

    def test_parseArgs(self) -> None:
        """`command origin changed` sets origin and changed."""
        options = CmpOptions()
        options.parseOptions(["-d", "3", "a", "b"])
        assert dict(options) == {"max_differences": "3", "origin": "a", "changed": "b"}

    @pytest.mark.parametrize("argv", [["a"], ["a", "b", "c"], []])
    def test_wrongNumberOfArguments(self, argv: list[str]) -> None:
        """Too few or too many positional arguments raise UsageError."""
        with pytest.raises(usage.UsageError, match=r"^Wrong number of arguments\.$"):
            CmpOptions().parseOptions(argv)

    def test_noArgumentsByDefault(self) -> None:
        """The base parseArgs accepts no positional argument."""
        with pytest.raises(usage.UsageError, match=r"^Wrong number of arguments\.$"):
            FastGoodCheapOptions().parseOptions(["extra"])

    def test_variableArguments(self) -> None:
        """parseArgs(self, *args) accepts any number, like cat(1)."""

        class Cat(usage.Options):
            def parseArgs(self, *args: str) -> None:
                self["files"] = list(args)

        for files in ([], ["a"], ["a", "b", "c"]):
            options = Cat()
            options.parseOptions(files)
            assert options["files"] == files

    def test_typeErrorInsideParseArgsNotMasked(self) -> None:
        """A TypeError raised by parseArgs' body is not turned into UsageError."""

        class Broken(usage.Options):
            def parseArgs(self, value: str) -> None:
                raise TypeError("bug in parseArgs")

        with pytest.raises(TypeError, match="bug in parseArgs"):
            Broken().parseOptions(["x"])

    def test_postOptionsRejects(self) -> None:
        """Giving all three flags makes postOptions raise the documented UsageError."""
        with pytest.raises(usage.UsageError, match=r"^can't have it all, brother$"):
            AllOfItOptions().parseOptions(["-fgc"])

    def test_postOptionsAccepts(self) -> None:
        """Two of the three flags pass postOptions."""
        options = AllOfItOptions()
        options.parseOptions(["-f", "-g"])
        assert (options["fast"], options["good"], options["cheap"]) == (1, 1, 0)

    def test_coerce(self) -> None:
        """Values are passed through the coerce function."""
        options = TypedOptions()
        options.parseOptions(["-s", "42", "--dummy_float=2.5"])
        assert options["shiny_integer"] == 42 and options["dummy_float"] == 2.5

    def test_defaultsNotCoerced(self) -> None:
        """Default values are kept as declared, not coerced."""

        class Raw(usage.Options):
            optParameters = [["count", "c", "7", None, int]]

        assert Raw()["count"] == "7"

    def test_coerceErrorIsUsageError(self) -> None:
        """A coerce function's ValueError becomes a UsageError naming the option."""
        with pytest.raises(usage.UsageError) as raised:
            ChoiceOptions().parseOptions(["-o", "5"])
        assert (
            str(raised.value) == "Parameter type enforcement failed for --one_choice: Not in range"
        )

    def test_coerceErrorFromIntParsing(self) -> None:
        """A non-number given to an int parameter is a UsageError with int's message."""
        with pytest.raises(usage.UsageError, match="--shiny_integer: invalid literal"):
            TypedOptions().parseOptions(["--shiny-integer", "lots"])

    def test_documentedHelp(self, capsys: pytest.CaptureFixture[str]) -> None:
        """
        --help prints the documented layout and exits 0.

        The reference shows "[default: 0]" for a declared default of 1 (a defect of the
        document, SCOPE.md section 5); the declared default is what is shown.
        """
        with pytest.raises(SystemExit) as exited:
            ChoiceOptions().parseOptions(["--help"])
        assert exited.value.code == 0
        assert capsys.readouterr().out == (
            "Usage: myprogram [options]\n"
            "Options:\n"
            "  -o, --one_choice=           [default: 1]. Must be 1, 2 or 3.\n"
            "      --help                  Display this help and exit.\n"
        )


# -- parsing rules ---------------------------------------------------------------------


class ParsingTests:
    """The getopt-like command-line grammar."""

    def test_dashesAndUnderscores(self) -> None:
        """--one-choice and --one_choice are the same option, stored as declared."""
        for spelling in ("--one-choice=2", "--one_choice=2"):
            options = ChoiceOptions()
            options.parseOptions([spelling])
            assert options["one_choice"] == 2

    def test_dashedDeclarationAcceptsUnderscores(self) -> None:
        """A name declared with dashes is also accepted with underscores."""

        class Dashed(usage.Options):
            optFlags = [["dry-run", "n", "Do nothing"]]

        options = Dashed()
        options.parseOptions(["--dry_run"])
        assert options["dry-run"] == 1

    def test_doubleDashEndsOptions(self) -> None:
        """`--` ends the options; what follows is positional even if it looks like one."""
        options = CmpOptions()
        options.parseOptions(["--", "-d", "b"])
        assert (options["origin"], options["changed"]) == ("-d", "b")
        assert options["max_differences"] == 1

    def test_firstPositionalEndsOptions(self) -> None:
        """Option parsing stops at the first positional argument (POSIX style)."""
        options = CmpOptions()
        options.parseOptions(["a", "-d"])
        assert (options["origin"], options["changed"]) == ("a", "-d")

    def test_singleDashIsPositional(self) -> None:
        """A lone `-` is a positional argument."""
        options = CmpOptions()
        options.parseOptions(["-", "b"])
        assert options["origin"] == "-"

    def test_clusteredShortFlags(self) -> None:
        """Short flags cluster; a parameter in a cluster takes the rest as its value."""
        options = UserOptions()
        options.parseOptions(["-fgubob"])
        assert (options["fast"], options["good"], options["user"]) == (1, 1, "bob")

    def test_clusterEndingInParameterTakesNextArgument(self) -> None:
        """A parameter ending a cluster takes the next argument as its value."""
        options = UserOptions()
        options.parseOptions(["-fu", "bob"])
        assert options["user"] == "bob"

    def test_valueMayLookLikeAnOption(self) -> None:
        """The argument after a parameter is its value even if it starts with a dash."""
        options = UserOptions()
        options.parseOptions(["--user", "-f"])
        assert options["user"] == "-f" and options["fast"] == 0

    def test_emptyValue(self) -> None:
        """--user= gives the empty string."""
        options = UserOptions()
        options.parseOptions(["--user="])
        assert options["user"] == ""

    def test_unknownLongOption(self) -> None:
        """An unknown long option raises UsageError naming it."""
        with pytest.raises(usage.UsageError, match=r"^option --frobnicate not recognized$"):
            UserOptions().parseOptions(["--frobnicate"])

    def test_unknownShortOption(self) -> None:
        """An unknown short option raises UsageError naming it."""
        with pytest.raises(usage.UsageError, match=r"^option -z not recognized$"):
            UserOptions().parseOptions(["-fz"])

    def test_missingLongValue(self) -> None:
        """A long parameter at the end without a value raises UsageError."""
        with pytest.raises(usage.UsageError, match=r"^option --user requires argument$"):
            UserOptions().parseOptions(["--user"])

    def test_missingShortValue(self) -> None:
        """A short parameter at the end without a value raises UsageError."""
        with pytest.raises(usage.UsageError, match=r"^option -u requires argument$"):
            UserOptions().parseOptions(["-u"])

    def test_flagWithValue(self) -> None:
        """A flag given a value raises UsageError."""
        with pytest.raises(usage.UsageError, match=r"^option --fast must not have an argument$"):
            UserOptions().parseOptions(["--fast=yes"])

    def test_uniquePrefix(self) -> None:
        """A long option may be abbreviated to a unique prefix."""
        options = UserOptions()
        options.parseOptions(["--fa", "--us", "x"])
        assert options["fast"] == 1 and options["user"] == "x"

    def test_ambiguousPrefix(self) -> None:
        """An ambiguous prefix raises UsageError listing the candidates."""

        class Two(usage.Options):
            optFlags = [["verbose", "v", None], ["version-check", None, None]]

        with pytest.raises(usage.UsageError, match="not a unique prefix"):
            Two().parseOptions(["--ver"])

    def test_emptyLongName(self) -> None:
        """`--=x` is not an option name."""
        with pytest.raises(usage.UsageError, match="not recognized"):
            UserOptions().parseOptions(["--=x"])

    def test_noHandlerRunsOnError(self) -> None:
        """Options are all parsed before any handler runs, so an error has no effect."""
        options = VerbosityOptions()
        with pytest.raises(usage.UsageError):
            options.parseOptions(["-v", "--bogus"])
        assert options["verbosity"] == 0

    def test_parseOptionsNoneUsesArgv(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """parseOptions() parses sys.argv[1:]."""
        monkeypatch.setattr(sys, "argv", ["prog", "-c"])
        options = FastGoodCheapOptions()
        options.parseOptions()
        assert options["cheap"] == 1

    def test_mappingInterface(self) -> None:
        """Options is a dict: items, get, membership and opts."""
        options = UserOptions()
        options.parseOptions(["-u", "x"])
        assert isinstance(options, dict)
        assert "user" in options and options.get("missing") is None
        assert options.opts is options

    def test_hashableByIdentity(self) -> None:
        """Options instances can be dictionary keys (hashed by identity)."""
        first, second = UserOptions(), UserOptions()
        table = {first: 1, second: 2}
        assert table[first] == 1 and table[second] == 2

    def test_errorAlias(self) -> None:
        """usage.error is UsageError."""
        assert usage.error is usage.UsageError

    def test_publicModule(self) -> None:
        """The public names report netframe.core.usage as their module."""
        for name in usage.__all__:
            obj = getattr(usage, name)
            if hasattr(obj, "__module__"):
                assert obj.__module__ == "netframe.core.usage", name


class DeclarationTests:
    """Malformed declarations are reported when the Options is created."""

    @pytest.mark.parametrize(
        "entry",
        [[], ["a", "b", "c", "d"], ["", None, None], ["--x", None, None], ["x", "xy", None]],
    )
    def test_badFlagEntry(self, entry: list[Any]) -> None:
        """A malformed optFlags entry raises ValueError."""

        class Bad(usage.Options):
            optFlags = [entry]

        with pytest.raises(ValueError):
            Bad()

    def test_badParameterEntry(self) -> None:
        """An optParameters entry with more than five items raises ValueError."""

        class Bad(usage.Options):
            optParameters = [["a", "b", None, None, None, None]]

        with pytest.raises(ValueError, match="1 to 5 items"):
            Bad()

    def test_shortEntriesPadded(self) -> None:
        """Entries may leave out trailing items (the docs' ['release', 'r', None])."""

        class Short(usage.Options):
            optParameters = [["release", "r", None], ["tag"]]
            optFlags = [["all"]]

        options = Short()
        options.parseOptions(["-r", "1", "--tag", "t", "--all"])
        assert dict(options) == {"release": "1", "tag": "t", "all": 1}

    def test_handlerWithTwoArguments(self) -> None:
        """An opt_ method requiring two arguments raises UsageError."""

        class Bad(usage.Options):
            def opt_pair(self, a: str, b: str) -> None:
                pass

        with pytest.raises(usage.UsageError, match="Invalid Option function for pair"):
            Bad()


class FlagFunctionTests:
    """flagFunction."""

    def test_noArgument(self) -> None:
        """A handler taking no argument is a flag."""
        assert usage.flagFunction(VerbosityOptions().opt_verbose) is True

    def test_oneArgument(self) -> None:
        """A handler taking one argument is not a flag."""
        assert usage.flagFunction(DefineOptions().opt_define) is False

    def test_optionalSecondArgument(self) -> None:
        """A second parameter with a default still means one value."""

        def handler(value: str, extra: int = 0) -> None:
            pass

        assert usage.flagFunction(handler) is False

    def test_tooManyArguments(self) -> None:
        """A handler requiring two arguments raises UsageError with the name given."""

        def handler(a: str, b: str) -> None:
            pass

        with pytest.raises(usage.UsageError, match="Invalid Option function for thing"):
            usage.flagFunction(handler, "thing")


class PortCoerceTests:
    """portCoerce and its limits."""

    @pytest.mark.parametrize("value", ["0", "65535", "80"])
    def test_inRange(self, value: str) -> None:
        """0 to 65535 inclusive are ports."""
        assert usage.portCoerce(value) == int(value)

    @pytest.mark.parametrize("value", ["-1", "65536", "http"])
    def test_outOfRange(self, value: str) -> None:
        """Values past either end, or not numbers, raise ValueError."""
        with pytest.raises(ValueError):
            usage.portCoerce(value)

    def test_coerceDocInHelp(self) -> None:
        """portCoerce documents itself in the help."""

        class Server(usage.Options):
            optParameters = [["port", "p", 8080, "The port.", usage.portCoerce]]

        assert (
            "  -p, --port=                 The port. [default: 8080]. Must be an int between\n"
            "                              0 and 65535.\n"
        ) in Server().getUsage(width=80)


class HelpTests:
    """--help, --version, getSynopsis and getUsage."""

    def test_synopsis(self) -> None:
        """The synopsis names the program without .py."""
        assert UserOptions().getSynopsis() == "Usage: myprogram [options]"

    def test_synopsisAttribute(self) -> None:
        """A synopsis attribute replaces the generated line."""

        class Custom(usage.Options):
            synopsis = "Usage: custom [options] <file>"

        assert Custom().getSynopsis() == "Usage: custom [options] <file>"
        assert str(Custom()).startswith("Usage: custom [options] <file>\nOptions:\n")

    def test_strIsSynopsisAndUsage(self) -> None:
        """str(options) is the synopsis line followed by getUsage()."""
        options = UserOptions()
        assert str(options) == options.getSynopsis() + "\n" + options.getUsage()

    def test_usageLayout(self) -> None:
        """Options are listed by name, with defaults and docs, then --help."""
        assert UserOptions().getUsage(width=80) == (
            "Options:\n"
            "  -c, --cheap                 Use cheap resources\n"
            "  -f, --fast                  Run quickly\n"
            "  -g, --good                  Don't validate input\n"
            "  -u, --user=                 The user name\n"
            "      --help                  Display this help and exit.\n"
        )

    def test_docAndDefault(self) -> None:
        """A parameter's doc is followed by its default."""
        assert "  -z, --compression=          Use compression [default: 0]\n" in (
            CvsOptions().getUsage(width=80)
        )

    def test_wrapping(self) -> None:
        """Long descriptions wrap under the description column."""

        class Wordy(usage.Options):
            optFlags = [["wordy", "w", "one two three four five six seven eight nine ten"]]

        assert Wordy().getUsage(width=50).splitlines()[1:3] == [
            "  -w, --wordy                 one two three four",
            "                              five six seven eight",
        ]

    def test_columnsEnvironment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without a width, $COLUMNS decides where lines wrap."""

        class Wordy(usage.Options):
            optFlags = [["wordy", "w", "one two three four five six seven eight nine ten"]]

        monkeypatch.setenv("COLUMNS", "50")
        assert Wordy().getUsage() == Wordy().getUsage(width=50)
        monkeypatch.setenv("COLUMNS", "garbage")
        assert Wordy().getUsage() == Wordy().getUsage(width=80)

    def test_longNamesPushColumn(self) -> None:
        """An option name longer than the column moves the descriptions right."""

        class Long(usage.Options):
            optFlags = [["a-really-very-long-option-name", None, "Doc"]]

        lines = Long().getUsage(width=100).splitlines()
        assert lines[1] == "      --a-really-very-long-option-name  Doc"

    def test_longdesc(self) -> None:
        """longdesc is shown after the options."""

        class Described(usage.Options):
            longdesc = "Does things.\n\nAnd more things."

        assert Described().getUsage(width=80).endswith("\nDoes things.\nAnd more things.\n")

    def test_helpExits(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--help prints str(options) to stdout and raises SystemExit(0)."""
        options = UserOptions()
        with pytest.raises(SystemExit) as exited:
            options.parseOptions(["--help"])
        assert exited.value.code == 0
        assert capsys.readouterr().out == str(UserOptions())

    def test_noVersionByDefault(self) -> None:
        """Without a version, --version is an unknown option."""
        with pytest.raises(usage.UsageError, match="--version not recognized"):
            UserOptions().parseOptions(["--version"])

    def test_version(self, capsys: pytest.CaptureFixture[str]) -> None:
        """With a version, --version prints it and exits 0, and is listed in the help."""

        class Versioned(usage.Options):
            version = "1.2.3"

        with pytest.raises(SystemExit) as exited:
            Versioned().parseOptions(["--version"])
        assert exited.value.code == 0
        assert capsys.readouterr().out == "myprogram 1.2.3\n"
        assert "      --version               Display version and exit.\n" in (
            Versioned().getUsage(width=80)
        )

    def test_ownVersionHandler(self, capsys: pytest.CaptureFixture[str]) -> None:
        """A subclass's own opt_version is used as is."""

        class Own(usage.Options):
            def opt_version(self) -> None:  # type: ignore[override]
                """Print the version."""
                print("own version")

        Own().parseOptions(["--version"])
        assert capsys.readouterr().out == "own version\n"


# -- hostile input ---------------------------------------------------------------------

_arguments = st.lists(st.text(max_size=12), max_size=8)


class ReactorChoiceOptions(usage.Options):
    """Options like twistd's: a flag, a parameter and opt_ methods, all with underscores."""

    optFlags = [["no_save", "o", "Do not save state on shutdown"]]
    optParameters = [["one_choice", "c", 1, "Pick one"]]

    def opt_help_reactors(self) -> None:
        """Display a list of possibly available reactor names."""
        self["listed"] = True

    def opt_help_auth_type(self, authType: str) -> None:
        """Show help for one authentication type."""
        self["authType"] = authType

    def opt_max_size(self, value: str) -> None:
        """An opt_ method whose name is also a declared parameter."""
        self["max_size"] = int(value)

    optParameters += [["max_size", None, 10, "Largest accepted size"]]


class HelpSpellingTests:
    """How long names are spelled in the help (as Twisted's twistd --help shows them)."""

    def test_handlerShownWithDashes(self) -> None:
        """opt_help_reactors is shown as --help-reactors."""
        text = ReactorChoiceOptions().getUsage(width=120)
        assert (
            "      --help-reactors         Display a list of possibly available reactor names.\n"
        ) in text
        assert "--help_reactors" not in text

    def test_handlerWithValueShownWithDashes(self) -> None:
        """opt_help_auth_type (takes a value) is shown as --help-auth-type=."""
        text = ReactorChoiceOptions().getUsage(width=80)
        assert "      --help-auth-type=       Show help for one authentication type.\n" in text

    def test_flagKeepsDeclaredSpelling(self) -> None:
        """An optFlags name with an underscore is shown as declared."""
        text = ReactorChoiceOptions().getUsage(width=80)
        assert "  -o, --no_save               Do not save state on shutdown\n" in text

    def test_parameterKeepsDeclaredSpelling(self) -> None:
        """An optParameters name with an underscore is shown as declared."""
        text = ReactorChoiceOptions().getUsage(width=80)
        assert "  -c, --one_choice=           Pick one [default: 1]\n" in text

    def test_handlerOfParameterKeepsDeclaredSpelling(self) -> None:
        """An opt_ method handling a declared parameter keeps the declared spelling."""
        text = ReactorChoiceOptions().getUsage(width=80)
        assert "      --max_size=             Largest accepted size [default: 10]\n" in text
        assert "--max-size" not in text

    @pytest.mark.parametrize("spelling", ["--help-reactors", "--help_reactors"])
    def test_handlerParsesBothSpellings(self, spelling: str) -> None:
        """An opt_ method is reached with dashes and with underscores."""
        options = ReactorChoiceOptions()
        options.parseOptions([spelling])
        assert options["listed"] is True

    @pytest.mark.parametrize("spelling", ["--help-auth-type=file", "--help_auth_type=file"])
    def test_handlerWithValueParsesBothSpellings(self, spelling: str) -> None:
        """An opt_ method with a value is reached with dashes and with underscores."""
        options = ReactorChoiceOptions()
        options.parseOptions([spelling])
        assert options["authType"] == "file"

    @pytest.mark.parametrize("spelling", ["--no_save", "--no-save"])
    def test_flagParsesBothSpellings(self, spelling: str) -> None:
        """A flag declared with an underscore is reached with either spelling, keyed as declared."""
        options = ReactorChoiceOptions()
        options.parseOptions([spelling])
        assert options["no_save"] == 1

    def test_ambiguousPrefixShowsHelpSpelling(self) -> None:
        """The candidates of an ambiguous prefix are named as the help names them."""
        with pytest.raises(usage.UsageError) as raised:
            ReactorChoiceOptions().parseOptions(["--help_"])
        assert "(--help-auth-type, --help-reactors)" in str(raised.value)


class HostileInputTests:
    """Arbitrary command lines give a result or a UsageError, nothing else."""

    @given(_arguments)
    def test_arbitraryArguments(self, argv: list[str]) -> None:
        """Any argument list parses or raises UsageError (or --help's SystemExit)."""
        options = CvsOptions()
        try:
            options.parseOptions(argv)
        except usage.UsageError as e:
            assert str(e)
        except SystemExit as e:
            assert e.code == 0

    @given(
        st.dictionaries(st.sampled_from(["fast", "good", "cheap"]), st.booleans()),
        st.one_of(st.none(), st.text(min_size=1).filter(lambda s: "\x00" not in s)),
    )
    def test_roundTrip(self, flags: dict[str, bool], user: str | None) -> None:
        """A command line built from values parses back to those values."""
        argv = [f"--{name}" for name, on in flags.items() if on]
        if user is not None:
            argv += ["--user", user]
        options = UserOptions()
        options.parseOptions(argv)
        for name in ("fast", "good", "cheap"):
            assert options[name] == (1 if flags.get(name) else 0)
        assert options["user"] == user
