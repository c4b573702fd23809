"""A plan's dates as an iCalendar file: every dated milestone and the target date, each an
all-day event with a stable UID, so a subscribed calendar moves an event when its date moves.

Pure: fed by the plain entries below (built by `plans.calendar_view`), no Django here. Escaping
of text (commas, semicolons, newlines) and folding of long lines are the `icalendar` package's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from icalendar import Calendar, Event

PRODID = "-//mutualplan//Mutual Action Plan//EN"
# A summary is what a calendar cell shows: a long target reason (free text) is cut there, and
# kept whole in the description. Milestone titles are short already and kept as they are.
SUMMARY_LIMIT = 120

# The owner and status words of the plan page and the documents.
SIDES = {"buyer": "Buyer", "seller": "Seller", "joint": "Buyer + Seller"}
STATUSES = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "done": "Done",
    "blocked": "Blocked",
}


@dataclass(frozen=True)
class MilestoneEntry:
    """One dated row: what its event shows, and what makes the event's revision."""

    id: int
    title: str
    owner_side: str
    owner_team: str
    owner_person: str
    status: str
    due_date: dt.date
    version: int  # grows with every change of the row: the event's SEQUENCE
    last_modified: dt.datetime | None


@dataclass(frozen=True)
class PlanEntry:
    """One plan's dates. `link` is "" when the calendar may leave the seller's hands."""

    id: int
    account_name: str
    target_date: dt.date | None
    target_reason: str
    version: int
    updated_at: dt.datetime | None
    link: str
    milestones: tuple[MilestoneEntry, ...]


def owner_text(side: str, team: str, person: str) -> str:
    """'Buyer · Legal · Priya Champion': side, then team and person when known."""
    return " · ".join(part for part in (SIDES.get(side, side), team, person) if part)


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_LIMIT else text[: SUMMARY_LIMIT - 1].rstrip() + "…"


def _event(
    uid: str,
    day: dt.date,
    summary: str,
    description: str,
    sequence: int,
    last_modified: dt.datetime | None,
    stamp: dt.datetime,
    link: str,
) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)  # a date: VALUE=DATE, an all-day event
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("sequence", max(sequence, 0))
    event.add("last-modified", _utc(last_modified) if last_modified else stamp)
    event.add("transp", "TRANSPARENT")  # a due date, not a meeting: it blocks no time
    if link:
        event.add("url", link)
    return event


def plan_events(
    plan: PlanEntry, host: str, stamp: dt.datetime, name_plan: bool = False
) -> list[Event]:
    """The plan's events: one per dated milestone, then the target date. With `name_plan`
    (a calendar of several plans) each summary starts with the account name."""
    prefix = f"{plan.account_name} · " if name_plan else ""
    footer = f"Plan: {plan.account_name}" + (f"\n{plan.link}" if plan.link else "")
    events = [
        _event(
            uid=f"milestone-{row.id}@{host}",
            day=row.due_date,
            summary=prefix + row.title,
            description=(
                f"Owner: {owner_text(row.owner_side, row.owner_team, row.owner_person)}\n"
                f"Status: {STATUSES.get(row.status, row.status)}\n{footer}"
            ),
            sequence=row.version - 1,
            last_modified=row.last_modified,
            stamp=stamp,
            link=plan.link,
        )
        for row in plan.milestones
    ]
    if plan.target_date is not None:
        reason = plan.target_reason.strip()
        events.append(
            _event(
                uid=f"plan-{plan.id}-target@{host}",
                day=plan.target_date,
                summary=_cut(f"{prefix}Target: {reason or plan.account_name}"),
                description=(f"Why this date: {reason}\n" if reason else "") + footer,
                sequence=plan.version - 1,
                last_modified=plan.updated_at,
                stamp=stamp,
                link=plan.link,
            )
        )
    return events


def calendar_ics(
    name: str,
    plans: Sequence[PlanEntry],
    host: str,
    stamp: dt.datetime | None = None,
    name_plans: bool = False,
) -> bytes:
    """One VCALENDAR of every plan's events, named `name` in the subscriber's calendar list;
    `name_plans` for a calendar of several plans (see `plan_events`)."""
    stamp = _utc(stamp or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    # Subscribed calendars poll; ask for about the feed's own cache time.
    calendar.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for plan in plans:
        for event in plan_events(plan, host, stamp, name_plan=name_plans):
            calendar.add_component(event)
    return calendar.to_ical()
