"""
The built-in reporters as L{IReporterPlugin} plugins (found by
C{netframe.plugin.getPlugins} through the C{netframe.plugins} entry point).

To add a reporter, publish an object like these from your own plugin
module (a C{netframe/plugins/*.py} drop-in file or an entry point of group
C{netframe.plugins})::

    from netframe.trial.reporterplugins import ReporterPlugin
    fancy = ReporterPlugin("fancy", "mypackage.reporting", "FancyReporter",
                           "Fancy output")

C{netframe-trial --reporter=fancy} then imports C{mypackage.reporting} and
builds C{FancyReporter(stream, tbformat=..., realtime=...)}.
"""

from __future__ import annotations

from zope.interface import implementer

from netframe.plugin import IPlugin
from netframe.trial.itrial import IReporterPlugin

__all__ = [
    "ReporterPlugin",
    "bwverbose",
    "junitxml",
    "subunit",
    "summary",
    "text",
    "timing",
    "verbose",
]


@implementer(IPlugin, IReporterPlugin)
class ReporterPlugin:
    """
    Describes one reporter for C{--reporter} and C{--help-reporters}.

    @ivar longOpt: the name given to C{--reporter}.
    @ivar module: the module holding the reporter class.
    @ivar klass: the class name.
    @ivar description: one line for C{--help-reporters}.
    @ivar shortOpt: always None (kept from Twisted's description).
    @ivar tapname: the same as C{longOpt}.
    """

    def __init__(self, longOpt: str, module: str, klass: str, description: str) -> None:
        """
        @param longOpt: the reporter's name.
        @param module: the module holding the class.
        @param klass: the class name.
        @param description: one line describing it.
        """
        self.longOpt = longOpt
        self.tapname = longOpt
        self.shortOpt = None
        self.module = module
        self.klass = klass
        self.description = description

    def __repr__(self) -> str:
        """Return C{<ReporterPlugin name module.klass>}."""
        return f"<ReporterPlugin {self.longOpt} {self.module}.{self.klass}>"


_R = "netframe.trial.reporter"

verbose = ReporterPlugin("verbose", _R, "TreeReporter", "verbose color output (default reporter)")
bwverbose = ReporterPlugin("bwverbose", _R, "BlackAndWhiteTreeReporter", "Colorless verbose output")
summary = ReporterPlugin("summary", _R, "MinimalReporter", "minimal summary output")
text = ReporterPlugin("text", _R, "TextReporter", "terse text output")
timing = ReporterPlugin("timing", _R, "TimingTextReporter", "Timing output")
subunit = ReporterPlugin("subunit", _R, "SubunitReporter", "subunit v2 byte stream output")
junitxml = ReporterPlugin("junitxml", _R, "JUnitXMLReporter", "JUnit XML (xunit2) output")
