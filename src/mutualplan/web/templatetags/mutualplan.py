"""Small template filters for the pages."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

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
def magnitude(number: int) -> int:
    """How far from zero: '3 days ago' for a deadline 3 days past (days left -3)."""
    return abs(number)
