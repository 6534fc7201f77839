"""Tests for shell completion in netframe.core.usage: compData and the generated scripts."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from netframe.core import usage


@pytest.fixture(autouse=True)
def _programName(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test as the program `mycommand`."""
    monkeypatch.setattr(sys, "argv", ["mycommand"])


class ImportOptions(usage.Options):
    optParameters = [["module", "m", None, "The module"], ["vendor", "v", None, None]]
    compData = usage.Completions(optActions={"module": usage.CompleteList(["core", "app"])})


class CheckoutOptions(usage.Options):
    optParameters = [["tag", "r", None, "The tag"]]


class ToolOptions(usage.Options):
    """A command with every kind of completion metadata."""

    optFlags = [["fast", "f", "Act quickly"], ["slow", "s", "Act slowly"]]
    optParameters = [
        ["config", "c", None, "Config file"],
        ["dir", "d", None, "Work directory"],
        ["user", "u", None, "User [name]"],
    ]

    def opt_verbose(self) -> None:
        """Be louder."""

    opt_v = opt_verbose

    compData = usage.Completions(
        descriptions={"verbose": "Increase verbosity"},
        multiUse=["verbose"],
        mutuallyExclusive=[("fast", "slow")],
        optActions={
            "config": usage.CompleteFiles("*.cfg"),
            "dir": usage.CompleteDirs(descr="directory"),
            "user": usage.CompleteUsernames(),
        },
        extraActions=[usage.CompleteHostnames(descr="host"), usage.CompleteFiles(repeat=True)],
    )


class CvsOptions(usage.Options):
    subCommands = [
        ["import", None, ImportOptions, "Do an Import"],
        ["checkout", "co", CheckoutOptions, "Do a Checkout"],
    ]
    optParameters = [["repository", "r", None, "Specify an alternate repository"]]


def _complete(script: str, words: list[str]) -> list[str]:
    """
    Source a bash completion script and complete the last of ``words``.

    :return: the candidates bash computed (COMPREPLY).
    """
    line = " ".join(f"'{w}'" for w in words)
    driver = (
        f"{script}\n"
        f"COMP_WORDS=({line})\n"
        f"COMP_CWORD={len(words) - 1}\n"
        "_netframe_mycommand_complete\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    result = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", driver],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return [line for line in result.stdout.splitlines() if line]


class CompletionOptionTests:
    """The hidden --_shell-completion option."""

    @pytest.mark.parametrize(
        "argv", [["--_shell-completion=zsh:1"], ["--_shell-completion", "zsh:3", "x"]]
    )
    def test_printsScriptAndExits(
        self, argv: list[str], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The option prints the zsh script to stdout and exits with status 0."""
        with pytest.raises(SystemExit) as exited:
            CvsOptions().parseOptions(argv)
        assert exited.value.code == 0
        assert capsys.readouterr().out == usage.generateCompletionScript(CvsOptions(), "zsh")

    def test_bash(self, capsys: pytest.CaptureFixture[str]) -> None:
        """bash:N prints the bash script."""
        with pytest.raises(SystemExit):
            CvsOptions().parseOptions(["--_shell-completion=bash:0"])
        assert capsys.readouterr().out == usage.generateCompletionScript(CvsOptions(), "bash")

    @pytest.mark.parametrize(
        "value", ["fish:0", "zsh", "zsh:", "zsh:x", "zsh:-1", "zsh:\u0663", ":1"]
    )
    def test_invalidValue(self, value: str) -> None:
        """A value other than zsh:N or bash:N raises UsageError quoting it."""
        with pytest.raises(usage.UsageError, match="expected zsh:N or bash:N"):
            CvsOptions().parseOptions([f"--_shell-completion={value}"])

    def test_missingValue(self) -> None:
        """The option without a value raises UsageError."""
        with pytest.raises(usage.UsageError, match="requires argument"):
            CvsOptions().parseOptions(["--_shell-completion"])

    def test_misspelledHiddenOption(self) -> None:
        """A longer name starting like the hidden option is an unknown option."""
        with pytest.raises(usage.UsageError, match="not recognized"):
            CvsOptions().parseOptions(["--_shell-completions=zsh:0"])

    def test_onlyAsFirstArgument(self) -> None:
        """Elsewhere on the command line the option is unknown."""
        with pytest.raises(usage.UsageError, match="not recognized"):
            CvsOptions().parseOptions(["-r", "x", "--_shell-completion=zsh:0"])

    def test_hiddenFromHelp(self) -> None:
        """The help does not list the completion option."""
        assert "_shell" not in str(CvsOptions())

    def test_unknownShellRejectedByGenerator(self) -> None:
        """generateCompletionScript rejects other shells with ValueError."""
        with pytest.raises(ValueError, match="unsupported shell 'fish'"):
            usage.generateCompletionScript(CvsOptions(), "fish")


class ZshScriptTests:
    """The zsh script."""

    def test_compdefHeader(self) -> None:
        """The script is a #compdef file for the command."""
        script = usage.generateCompletionScript(ToolOptions(), "zsh")
        assert script.startswith("#compdef mycommand\n")
        assert script.endswith('_netframe_mycommand "$@"\n')

    def test_optionSpecs(self) -> None:
        """Each option becomes an _arguments spec with exclusions, help and action."""
        script = usage.generateCompletionScript(ToolOptions(), "zsh")
        expected = [
            "'(--config -c)'{-c+,--config=}'[Config file]:config:_files -g '\\''*.cfg'\\'''",
            "'(--dir -d)'{-d+,--dir=}'[Work directory]:directory:_directories'",
            "'(--fast --slow -f -s)'{-f,--fast}'[Act quickly]'",
            "'(--fast --slow -f -s)'{-s,--slow}'[Act slowly]'",
            "'(--user -u)'{-u+,--user=}'[User \\[name\\]]:user:_users'",
            "'*'{-v,--verbose}'[Increase verbosity]'",
            "'(--help)--help[Display this help and exit.]'",
            "'1:host:_hosts'",
            "'*:argument 2:_files'",
        ]
        for spec in expected:
            assert f"        {spec} \\\n" in script, spec

    def test_subCommands(self) -> None:
        """Subcommands are offered, then completed by their own functions."""
        script = usage.generateCompletionScript(CvsOptions(), "zsh")
        assert "_netframe_mycommand_import() {" in script
        assert "_netframe_mycommand_checkout() {" in script
        assert "commands=('import:Do an Import' 'checkout:Do a Checkout')" in script
        assert "(checkout|co) _netframe_mycommand_checkout ;;" in script
        assert "'(--module -m)'{-m+,--module=}'[The module]:module:(core app)'" in script

    @pytest.mark.parametrize(
        ("completer", "action"),
        [
            (usage.Completer(), ""),
            (usage.CompleteFiles(), "_files"),
            (usage.CompleteFiles("*.py"), "_files -g '*.py'"),
            (usage.CompleteDirs(), "_directories"),
            (usage.CompleteList(["a b", "c"]), "(a\\ b c)"),
            (usage.CompleteMultiList(["x", "y"], descr="items"), "_values -s , items x y"),
            (usage.CompleteUsernames(), "_users"),
            (usage.CompleteGroups(), "_groups"),
            (usage.CompleteHostnames(), "_hosts"),
            (usage.CompleteUserAtHost(), "_user_at_host"),
            (usage.CompleteNetInterfaces(), "_net_interfaces"),
        ],
    )
    def test_actions(self, completer: usage.Completer, action: str) -> None:
        """Each completer maps to its zsh action."""
        assert completer._zshAction() == action


class BashScriptTests:
    """The bash script, checked by bash itself."""

    @pytest.mark.parametrize("options", [ToolOptions, CvsOptions])
    def test_syntax(self, options: type[usage.Options]) -> None:
        """bash -n accepts the script."""
        script = usage.generateCompletionScript(options(), "bash")
        subprocess.run(["bash", "-n"], input=script, text=True, check=True, timeout=30)

    def test_registersCompletion(self) -> None:
        """The script registers its function for the command."""
        script = usage.generateCompletionScript(CvsOptions(), "bash")
        assert script.endswith("complete -o default -F _netframe_mycommand_complete mycommand\n")

    def test_completesOptions(self) -> None:
        """A word starting with a dash completes to the matching options."""
        script = usage.generateCompletionScript(ToolOptions(), "bash")
        assert _complete(script, ["mycommand", "--f"]) == ["--fast"]

    def test_completesHandlerWithDashes(self) -> None:
        """An opt_ method is completed with dashes, as the help shows it."""

        class Reactors(usage.Options):
            def opt_help_reactors(self) -> None:
                """List the reactors."""

        script = usage.generateCompletionScript(Reactors(), "bash")
        assert _complete(script, ["mycommand", "--help-"]) == ["--help-reactors"]

    def test_completesSubCommands(self) -> None:
        """The first positional word completes to the subcommands."""
        script = usage.generateCompletionScript(CvsOptions(), "bash")
        assert _complete(script, ["mycommand", "c"]) == ["checkout", "co"]

    def test_completesSubCommandValue(self) -> None:
        """After a subcommand, its options' completers are used."""
        script = usage.generateCompletionScript(CvsOptions(), "bash")
        assert _complete(script, ["mycommand", "-r", "x", "import", "-m", ""]) == ["core", "app"]
        assert _complete(script, ["mycommand", "co", "--"]) == ["--tag", "--help"]

    def test_multiList(self) -> None:
        """A multi-list completes the last comma-separated item."""

        class Multi(usage.Options):
            optParameters = [["colors", "c", None, None]]
            compData = usage.Completions(
                optActions={"colors": usage.CompleteMultiList(["red", "green", "blue"])}
            )

        script = usage.generateCompletionScript(Multi(), "bash")
        assert _complete(script, ["mycommand", "--colors", "red,g"]) == ["red,green"]


class CompDataTests:
    """Validation and merging of compData."""

    def test_unknownOptionName(self) -> None:
        """compData naming an unknown option raises ValueError."""

        class Bad(usage.Options):
            compData = usage.Completions(optActions={"nope": usage.CompleteFiles()})

        with pytest.raises(ValueError, match="unknown option 'nope'"):
            usage.generateCompletionScript(Bad(), "zsh")

    def test_repeatNotLast(self) -> None:
        """A repeating positional completer before the last raises ValueError."""

        class Bad(usage.Options):
            compData = usage.Completions(
                extraActions=[usage.CompleteFiles(repeat=True), usage.CompleteDirs()]
            )

        with pytest.raises(ValueError, match="only the last extraActions"):
            usage.generateCompletionScript(Bad(), "bash")

    def test_mergedAcrossHierarchy(self) -> None:
        """compData of base classes is merged with the subclass's."""

        class Base(usage.Options):
            optParameters = [["host", "h", None, None], ["dir", "d", None, None]]
            compData = usage.Completions(optActions={"host": usage.CompleteHostnames()})

        class Derived(Base):
            compData = usage.Completions(optActions={"dir": usage.CompleteDirs()})

        script = usage.generateCompletionScript(Derived(), "zsh")
        assert ":host:_hosts'" in script and ":dir:_directories'" in script


def _chain(depth: int) -> type[usage.Options]:
    """Return an Options class whose subcommands nest ``depth`` levels deep."""
    current: type[usage.Options] = type("Leaf", (usage.Options,), {})
    for level in range(depth):
        current = type(
            f"Level{level}", (usage.Options,), {"subCommands": [[f"s{level}", None, current, ""]]}
        )
    return current


class CompletionDepthLimitTests:
    """Options.shellCompletionMaxDepth bounds subcommand nesting in scripts."""

    def test_atLimit(self) -> None:
        """Nesting exactly shellCompletionMaxDepth deep is generated."""
        options = _chain(usage.Options.shellCompletionMaxDepth)()
        assert "#compdef" in usage.generateCompletionScript(options, "zsh")

    def test_pastLimit(self) -> None:
        """One level deeper raises ValueError."""
        options = _chain(usage.Options.shellCompletionMaxDepth + 1)()
        with pytest.raises(ValueError, match="deeper than shellCompletionMaxDepth"):
            usage.generateCompletionScript(options, "bash")

    def test_overridable(self) -> None:
        """A class may lower (or raise) the limit."""
        options: Any = _chain(3)()
        options.shellCompletionMaxDepth = 2
        with pytest.raises(ValueError, match=r"shellCompletionMaxDepth \(2\)"):
            usage.generateCompletionScript(options, "zsh")

    def test_selfReferenceStops(self) -> None:
        """A subcommand naming its own class is stopped by the limit, not recursion."""

        class Loop(usage.Options):
            pass

        Loop.subCommands = [["again", None, Loop, "Loop"]]
        with pytest.raises(ValueError, match="deeper than shellCompletionMaxDepth"):
            usage.generateCompletionScript(Loop(), "zsh")
