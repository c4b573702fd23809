"""Check-in calls: the seller logs a call (day, attendees, notes, next call). A logged call
is what health's `not_reviewed` counts from (`plans.health` reads the latest `held_at`)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from mutualplan.core.vocab import ActivityVerb
from mutualplan.plans.actors import Actor
from mutualplan.plans.errors import Invalid
from mutualplan.plans.models import Call, Plan
from mutualplan.plans.services.history import record
from mutualplan.workspaces.clock import today_for, zone_of


@transaction.atomic
def log_call(
    plan: Plan,
    actor: Actor,
    held_on: dt.date | None = None,
    attendees: str = "",
    notes: str = "",
    next_call_on: dt.date | None = None,
) -> Call:
    """Record a call held on `held_on` (today in the workspace's zone if None; never a day
    still to come) and the activity `call_logged`. A call held today is stamped now; an
    earlier one at noon of its day in the workspace's zone."""
    today = today_for(plan.workspace)
    held_on = held_on or today
    if held_on > today:
        raise Invalid.field("held_on", "a call is logged once it was held: not a future day")
    if next_call_on is not None and next_call_on < held_on:
        raise Invalid.field("next_call_on", "the next call comes after this one")
    zone = zone_of(plan.workspace.time_zone)
    held_at = (
        timezone.now()
        if held_on == today
        else dt.datetime.combine(held_on, dt.time(12), tzinfo=zone)
    )
    call = Call.objects.create(
        plan=plan,
        held_at=held_at,
        attendees=attendees.strip(),
        notes=notes.strip(),
        next_call_on=next_call_on,
        created_by=actor.user,
    )
    record(
        plan,
        actor,
        ActivityVerb.CALL_LOGGED,
        f"logged the call of {held_on.isoformat()}"
        + (f"; next call {next_call_on.isoformat()}" if next_call_on else ""),
        data={"call_id": call.id, "held_on": held_on.isoformat()},
    )
    return call
