"""The dates SignalWire sends, read leniently: always a timezone-aware datetime, or None.

Two formats meet a reader. RFC 2822, as in the REST answers' `date_updated` and in the
`Timestamp` of signed Compatibility callbacks (`Thu, 09 Nov 2023 17:05:04 +0000`), including
the four-letter month SignalWire's own published example uses (`Tue, 25 Sept 2018 …`); and
ISO 8601, as the cXML `<Stream>` page documents for `Timestamp`
(`2025-09-26T16:25:04.792Z`). A date without a zone is taken as UTC, which is what
SignalWire writes. Anything else is None: the caller keeps the text.
"""

from __future__ import annotations

import email.utils
import re
from datetime import UTC, datetime

__all__ = ["parse_timestamp"]

_MAX_LENGTH = 100  # far more than any date; a longer text is not one
# A month name longer than its three letters ("Sept", "June", "Sept."), which the standard
# library's RFC 2822 reader does not take; the full names it does take are left alone.
_LONG_MONTH = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?(?=[\s,]|$)", re.IGNORECASE
)


def parse_timestamp(value: object) -> datetime | None:
    """RFC 2822 or ISO 8601 text as a timezone-aware datetime; None for anything else."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > _MAX_LENGTH:
        return None
    when = _rfc2822(text)
    if when is None:
        when = _iso8601(text)
    if when is None:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _rfc2822(text: str) -> datetime | None:
    shortened = _LONG_MONTH.sub(lambda match: match.group(1), text)
    for candidate in dict.fromkeys((text, shortened)):
        try:
            return email.utils.parsedate_to_datetime(candidate)
        except (TypeError, ValueError, IndexError, OverflowError):
            continue
    return None


def _iso8601(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None
