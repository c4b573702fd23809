"""The iCalendar rendering on its own (calendars/ics.py): plain entries in, RFC 5545 out."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar

from mutualplan.calendars.ics import MilestoneEntry, PlanEntry, calendar_ics, owner_text

STAMP = dt.datetime(2027, 1, 4, 9, 30, tzinfo=dt.UTC)


def row(**changes: object) -> MilestoneEntry:
    fields: dict[str, object] = {
        "id": 11,
        "title": "Security review",
        "owner_side": "buyer",
        "owner_team": "IT",
        "owner_person": "Sam Okafor",
        "status": "in_progress",
        "due_date": dt.date(2027, 2, 1),
        "version": 1,
        "last_modified": None,
    }
    fields.update(changes)
    return MilestoneEntry(**fields)  # type: ignore[arg-type]


def plan(*rows: MilestoneEntry, **changes: object) -> PlanEntry:
    fields: dict[str, object] = {
        "id": 7,
        "account_name": "Northwind Health",
        "target_date": dt.date(2027, 3, 1),
        "target_reason": "Portal live before open enrolment",
        "version": 1,
        "updated_at": None,
        "link": "",
        "milestones": rows,
    }
    fields.update(changes)
    return PlanEntry(**fields)  # type: ignore[arg-type]


def parsed(content: bytes) -> list[dict[str, str]]:
    return [
        {key.lower(): str(value) for key, value in event.items()}
        for event in Calendar.from_ical(content).walk("VEVENT")
    ]


def test_owner_text_names_side_team_and_person_when_known() -> None:
    assert owner_text("buyer", "Legal", "Priya") == "Buyer · Legal · Priya"
    assert owner_text("joint", "", "") == "Buyer + Seller"
    assert owner_text("seller", "Sales", "") == "Seller · Sales"


def test_a_row_is_an_all_day_event_with_a_stable_uid_and_its_version_as_sequence() -> None:
    content = calendar_ics("Northwind", [plan(row(version=4))], "maps.example", STAMP)
    first, target = Calendar.from_ical(content).walk("VEVENT")
    assert str(first["uid"]) == "milestone-11@maps.example"
    assert first["dtstart"].dt == dt.date(2027, 2, 1) and first["dtstart"].params["VALUE"] == "DATE"
    assert first["dtend"].dt == dt.date(2027, 2, 2)
    assert first["sequence"] == 3 and first["dtstamp"].dt == STAMP
    assert first["last-modified"].dt == STAMP  # never changed: as of now
    description = str(first["description"])
    assert description.startswith("Owner: Buyer · IT · Sam Okafor\nStatus: In progress")
    assert str(target["uid"]) == "plan-7-target@maps.example"
    assert str(target["summary"]) == "Target: Portal live before open enrolment"


def test_a_target_with_no_reason_is_named_by_the_account_and_a_long_one_is_cut() -> None:
    events = parsed(calendar_ics("x", [plan(target_reason="")], "h", STAMP))
    assert events[0]["summary"] == "Target: Northwind Health"
    long = "Board approval " * 20
    events = parsed(calendar_ics("x", [plan(target_reason=long)], "h", STAMP))
    assert len(events[0]["summary"]) <= 120 and events[0]["summary"].endswith("…")
    assert long.strip() in events[0]["description"]


def test_a_plan_with_no_target_date_has_only_its_rows() -> None:
    events = parsed(calendar_ics("x", [plan(row(), target_date=None)], "h", STAMP))
    assert [e["uid"] for e in events] == ["milestone-11@h"]


def test_a_calendar_of_several_plans_names_each_account_and_links_each_plan() -> None:
    plans = [
        plan(row(), link="https://maps.example/plans/7/"),
        plan(row(id=12), id=8, account_name="Globex", link="https://maps.example/plans/8/"),
    ]
    events = parsed(calendar_ics("Mine", plans, "h", STAMP, name_plans=True))
    assert [e["summary"] for e in events][::2] == [
        "Northwind Health · Security review",
        "Globex · Security review",
    ]
    assert events[2]["url"] == "https://maps.example/plans/8/"
    assert "https://maps.example/plans/8/" in events[2]["description"]


def test_long_lines_are_folded_at_75_octets_and_read_back_whole() -> None:
    title = "Sécurité — revue juridique du contrat-cadre; annexes, DPA et SLA " * 3
    content = calendar_ics("x", [plan(row(title=title))], "h", STAMP)
    assert all(len(line) <= 75 for line in content.split(b"\r\n"))
    assert parsed(content)[0]["summary"] == title
