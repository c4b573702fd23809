"""Small template filters and tags for the pages."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timesince import timesince

from mutualplan.core.vocab import ROW_REFRESH_VERBS, TABLE_REFRESH_VERBS, label

register = template.Library()


@register.filter
def ago(moment: dt.datetime | None) -> str:
    """'just now' under a minute, else '3 hours ago'; empty for no moment."""
    if moment is None:
        return ""
    if timezone.now() - moment < dt.timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment)} ago"


@register.filter
def iso(moment: dt.datetime | dt.date | None) -> str:
    """A moment for `<time datetime>`: ISO 8601 to the second with its offset (no
    microseconds); a date as YYYY-MM-DD; empty for none."""
    if moment is None:
        return ""
    if isinstance(moment, dt.datetime):
        return moment.replace(microsecond=0).isoformat()
    return moment.isoformat()


@register.filter
def health_label(code: str) -> str:
    """A health code as the pages read it: 'stale_buyer_step' -> 'Stale buyer step'."""
    return label(code)


@register.filter
def magnitude(number: int) -> int:
    """How far from zero: '3 days ago' for a deadline 3 days past (days left -3)."""
    return abs(number)


@register.simple_tag
def live_verbs() -> SafeString:
    """The live bar's attributes naming the activity verbs that redraw a row or the table,
    so the page script reads them from the one vocabulary instead of repeating it."""
    return format_html(
        'data-row-verbs="{}" data-table-verbs="{}"',
        " ".join(sorted(ROW_REFRESH_VERBS)),
        " ".join(sorted(TABLE_REFRESH_VERBS)),
    )
