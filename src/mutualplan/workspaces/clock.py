"""The one "today" of a workspace: the date in its time zone, so a seller in California on a
UTC server does not see tomorrow's overdue steps from 4 pm on."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.utils import timezone

from mutualplan.workspaces.models import Workspace


def zone_of(name: str | None) -> dt.tzinfo:
    """The zone of that IANA name; the server's setting (then UTC) for a blank or unknown one."""
    for candidate in (name, settings.TIME_ZONE, "UTC"):
        if candidate:
            try:
                return zoneinfo.ZoneInfo(candidate)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                continue
    return dt.UTC


def is_time_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def date_in(workspace: Workspace | None, moment: dt.datetime) -> dt.date:
    """The date of `moment` in the workspace's time zone."""
    return moment.astimezone(zone_of(workspace.time_zone if workspace is not None else None)).date()


def today_for(workspace: Workspace | None) -> dt.date:
    """Today's date in the workspace's time zone (tests freeze it by patching timezone.now)."""
    return date_in(workspace, timezone.now())
