"""
netframe.logger: structured logging for netframe (Twisted's twisted.logger).

Applications emit events (plain dictionaries) with a L{Logger}; observers
receive them, usually through C{globalLogPublisher}, and decide what to do
with them: render them as text (L{formatEvent}, L{textFileLogObserver}),
save them as JSON (L{jsonFileLogObserver}), filter them
(L{FilteringLogObserver}), or hand them to stdlib C{logging}
(L{STDLibLogObserver}).  C{python -m netframe.logger FILE} renders JSON log
files as text.
"""

from netframe.logger._buffer import LimitedHistoryLogObserver
from netframe.logger._file import FileLogObserver, textFileLogObserver
from netframe.logger._filter import (
    FilteringLogObserver,
    ILogFilterPredicate,
    LogLevelFilterPredicate,
    PredicateResult,
)
from netframe.logger._format import (
    eventAsText,
    extractField,
    formatEvent,
    formatEventAsClassicLogText,
    formatTime,
    formatWithCall,
    timeFormatRFC3339,
)
from netframe.logger._global import LogBeginner, capturedLogs, globalLogBeginner
from netframe.logger._io import LoggingFile
from netframe.logger._json import (
    eventAsJSON,
    eventFromJSON,
    eventsFromJSONLogFile,
    jsonFileLogObserver,
)
from netframe.logger._levels import InvalidLogLevelError, LogLevel
from netframe.logger._logger import Logger
from netframe.logger._observer import ILogObserver, LogPublisher, globalLogPublisher
from netframe.logger._stdlib import STDLibLogHandler, STDLibLogObserver
from netframe.logger._version import __version__
from netframe.logger.legacy import LegacyLogObserverWrapper

__all__ = [
    "FileLogObserver",
    "FilteringLogObserver",
    "ILogFilterPredicate",
    "ILogObserver",
    "InvalidLogLevelError",
    "LegacyLogObserverWrapper",
    "LimitedHistoryLogObserver",
    "LogBeginner",
    "LogLevel",
    "LogLevelFilterPredicate",
    "LogPublisher",
    "Logger",
    "LoggingFile",
    "PredicateResult",
    "STDLibLogHandler",
    "STDLibLogObserver",
    "__version__",
    "capturedLogs",
    "eventAsJSON",
    "eventAsText",
    "eventFromJSON",
    "eventsFromJSONLogFile",
    "extractField",
    "formatEvent",
    "formatEventAsClassicLogText",
    "formatTime",
    "formatWithCall",
    "globalLogBeginner",
    "globalLogPublisher",
    "jsonFileLogObserver",
    "textFileLogObserver",
    "timeFormatRFC3339",
]

for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) or (callable(_obj) and hasattr(_obj, "__code__")):
        try:
            _obj.__module__ = __name__
        except (AttributeError, TypeError):
            pass
del _name, _obj
