"""Absolute links to the app, for anything that leaves it (share links, emails): always built
from MUTUALPLAN_BASE_URL, never from the Host header of a request, which the sender of the
request chooses."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def base_url() -> str:
    """The public address of the app, without a trailing slash."""
    return str(settings.BASE_URL).rstrip("/")


def absolute_url(path: str) -> str:
    """`path` (starting with /) on the public address."""
    return base_url() + path


def absolute_reverse(viewname: str, *args: object) -> str:
    """The public address of a named URL."""
    return absolute_url(reverse(viewname, args=args))
