"""
mkdocs hooks of the netframe manual (``hooks:`` in ``mkdocs.yml``).

The nav entry "API reference" points at ``api/index.html``, which pydoctor writes into
``site/api/`` after mkdocs has built the manual (``hatch run docs:build``,
tools/apidocs.py). mkdocs cannot find that page among the documentation files and warns,
which fails ``mkdocs build --strict``. This hook lowers exactly that warning, for exactly
that link, to INFO: every other nav entry that points nowhere still fails the build, and
the link stays relative, so the manual works wherever it is hosted.
"""

from __future__ import annotations

import logging
from typing import Any

__all__ = ["API_INDEX", "on_config"]

API_INDEX = "api/index.html"
"""Where the API reference's index lands, relative to the site root."""

_NAV_LOGGER = "mkdocs.structure.nav"


class _ApiReferenceLink(logging.Filter):
    """Turns mkdocs' "not found" warning about the API reference's nav link into INFO."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Lower the one warning about L{API_INDEX}; keep every record."""
        if record.levelno == logging.WARNING and (
            f"A reference to '{API_INDEX}' is included in the 'nav' configuration"
            in record.getMessage()
        ):
            record.levelno = logging.INFO
            record.levelname = logging.getLevelName(logging.INFO)
        return True


_FILTER = _ApiReferenceLink()


def on_config(config: Any) -> Any:
    """mkdocs event: install the filter (once, even when ``mkdocs serve`` reloads)."""
    logger = logging.getLogger(_NAV_LOGGER)
    if not any(isinstance(f, _ApiReferenceLink) for f in logger.filters):
        logger.addFilter(_FILTER)
    return config
