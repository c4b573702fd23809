"""Share tokens never reach a log: one filter, on every handler Django and uvicorn write
through, rewrites `/s/<token>/…` and `/api/v1/shared/<token>…` to `…/[share-token]/…` in the
message, its arguments and any traceback.

A share token is a password to one plan; request lines ("Not Found: /s/<token>/", uvicorn's
access log) would otherwise copy it into every log file and log shipper.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

PLACEHOLDER = "[share-token]"
# The token is the path segment after the buyer page's or the buyer API's prefix (the live
# stream is /s/<token>/events); stop at anything that cannot be part of a URL path segment.
# A calendar feed's token (/calendar/<token>.ics) is a password too, and goes the same way.
_SHARE_PATH = re.compile(r"(/s/|/api/v1/shared/|/calendar/)(?!\[share-token\])[^/\s?#\"'<>`]+")


def redact(text: str) -> str:
    """`text` with every share token in a buyer path replaced by a placeholder."""
    if "/s/" not in text and "/shared/" not in text and "/calendar/" not in text:
        return text  # the common case: no regex work
    return _SHARE_PATH.sub(lambda m: m.group(1) + PLACEHOLDER, text)


def _redacted(value: Any) -> Any:
    """A log argument with tokens redacted; anything else (numbers, objects whose text has
    no token) unchanged, so that %d and friends still format."""
    if isinstance(value, str):
        return redact(value)
    if value is None or isinstance(value, int | float):
        return value
    text = str(value)
    clean = redact(text)
    return value if clean == text else clean


class RedactShareTokens(logging.Filter):
    """Redacts share tokens from a record in place, so every handler after it sees the clean
    record; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _redacted(record.msg)
        if isinstance(record.args, dict):
            record.args = {key: _redacted(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_redacted(value) for value in record.args)
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when set: format the traceback once, redacted.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class WithoutTraceback(logging.Filter):
    """For refusals that are expected, such as a foreign Host header from a scanner: the
    message says it all, and a traceback per request would bury the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True


FILTER_NAME = "redact_share_tokens"
FILTER_CONFIG = {"()": f"{__name__}.RedactShareTokens"}


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's own logging configuration with the redacting filter on each of its handlers
    (its access log writes every request line, path included)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})[FILTER_NAME] = FILTER_CONFIG
    for handler in config["handlers"].values():
        handler["filters"] = [*handler.get("filters", []), FILTER_NAME]
    return config
