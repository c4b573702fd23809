"""Plan health: the article's "common mistakes" detected on a plan, each with a stable code
(PRODUCT.md's health table), a severity, a message naming the rows involved and the fix.

Pure: the shells read the facts (`PlanFacts`) and the workspace's thresholds
(`HealthSettings`) and hand them in with the workspace's today.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from mutualplan.core.vocab import (
    CLOSED_PLAN_STATUSES,
    OPEN_STATUSES,
    OwnerSide,
    PlanStatus,
    RiskAnswer,
)

# The table's order: the order findings are listed in within one severity.
HEALTH_CODES: tuple[str, ...] = (
    "no_target_date",
    "no_buyer_steps",
    "built_alone",
    "not_confirmed",
    "not_reviewed",
    "stale_buyer_step",
    "overdue",
    "high_risk_unknowns",
    "compressed_dates",
    "unexplained_slip",
    "stale_plan",
    "buyer_silent",
    "too_many_steps",
)
SEVERITIES: tuple[str, ...] = ("high", "medium", "low")


@dataclass(frozen=True)
class HealthSettings:
    """A workspace's thresholds, with PRODUCT.md's defaults. The quarter-end window (7 days)
    is ours: the last week of a quarter, when deals are pushed to close."""

    review_interval_days: int = 14
    stale_days: int = 14
    buyer_silent_days: int = 14
    quarter_end_window_days: int = 7
    fiscal_year_start_month: int = 1
    max_open_steps: int = 30


@dataclass(frozen=True)
class RowFacts:
    """What health needs of one milestone."""

    id: int
    title: str
    owner_side: str
    status: str
    due_date: dt.date | None = None
    status_updated_on: dt.date | None = None
    added_by_side: str = "seller"
    high_risk: bool = False
    risk_checklist: Mapping[str, str] = field(default_factory=dict)
    turnaround_days: int | None = None
    depends_on: tuple[int, ...] = ()
    confirmed: bool = False
    completed_on: dt.date | None = None
    # The P80 turnaround the workspace's history learned for the row's step type and the
    # deal's account type, when enough steps back it, and what it rests on ("P80 of 41
    # enterprise deals"); None: the row's own turnaround is its realistic one.
    learned_days: int | None = None
    learned_basis: str = ""

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES  # StrEnum members compare and hash as strings

    @property
    def realistic_days(self) -> int | None:
        """The turnaround the row's dates must allow: the learned one, else its own."""
        return self.learned_days if self.learned_days is not None else self.turnaround_days


@dataclass(frozen=True)
class SlipFacts:
    """A date move: of a row (`milestone_id`) or of the target (None)."""

    milestone_id: int | None
    title: str
    has_reason: bool


@dataclass(frozen=True)
class PlanFacts:
    """What health needs of one plan. `last_buyer_seen` is the last day anyone from the buyer
    side opened or changed the plan; `buyer_edited` whether the buyer side ever changed it."""

    status: str
    target_date: dt.date | None
    created_on: dt.date
    rows: tuple[RowFacts, ...] = ()
    slips: tuple[SlipFacts, ...] = ()
    last_call_on: dt.date | None = None
    last_buyer_seen: dt.date | None = None
    buyer_edited: bool = False


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    message: str
    fix: str
    milestone_ids: tuple[int, ...] = ()


def _names(rows: Sequence[RowFacts | SlipFacts], most: int = 3) -> str:
    """'A', 'A and B', 'A, B and C', 'A, B, C and 2 more'."""
    titles = [f"'{r.title}'" for r in rows]
    if len(titles) > most:
        shown = titles[:most]
        return f"{', '.join(shown)} and {len(titles) - most} more"
    if len(titles) <= 1:
        return "".join(titles)
    return f"{', '.join(titles[:-1])} and {titles[-1]}"


def _verb(rows: Sequence[object], one: str, many: str) -> str:
    return one if len(rows) == 1 else many


def quarter_end(day: dt.date, fiscal_year_start_month: int) -> dt.date:
    """The last day of the fiscal quarter `day` falls in."""
    start = (fiscal_year_start_month - 1) % 12  # 0-based month the fiscal year starts
    months_in = (day.month - 1 - start) % 3  # months since this quarter began
    first_month = day.month - months_in  # may run below 1: carried into the previous year
    year = day.year + (first_month - 1) // 12
    first_month = (first_month - 1) % 12 + 1
    next_year, next_month = (
        (year + 1, first_month + 3 - 12) if first_month > 9 else (year, first_month + 3)
    )
    return dt.date(next_year, next_month, 1) - dt.timedelta(days=1)


def window_days(
    facts: PlanFacts, row: RowFacts, start: dt.date, today: dt.date | None = None
) -> int | None:
    """The days a dated row has: from its latest prerequisite's due date (or `start`, the
    plan's start) to its own due date; a step not started yet has no more than the days left
    from `today` (as the plan table's warning counts them). None for an undated row."""
    if row.due_date is None:
        return None
    due = {r.id: r.due_date for r in facts.rows}
    before = [d for d in (due.get(i) for i in row.depends_on) if d is not None]
    begin = max(before, default=start)
    if today is not None and row.status == "not_started":
        begin = max(begin, today)
    return (row.due_date - begin).days


def short_windows(facts: PlanFacts, start: dt.date, today: dt.date | None = None) -> list[RowFacts]:
    """Open dated rows whose window (`window_days`) is shorter than their realistic
    turnaround: the dates that must move."""
    short = []
    for row in facts.rows:
        realistic = row.realistic_days
        if not row.is_open or not realistic:
            continue
        window = window_days(facts, row, start, today)
        if window is not None and window < realistic:
            short.append(row)
    return short


def _bunched(facts: PlanFacts, settings: HealthSettings) -> list[RowFacts]:
    """Open dated rows due in the last days of a fiscal quarter, when there are 3 or more of
    them, or over half of the open dated rows (at least two)."""
    dated = [r for r in facts.rows if r.is_open and r.due_date is not None]
    late = [
        r
        for r in dated
        if r.due_date is not None
        and (quarter_end(r.due_date, settings.fiscal_year_start_month) - r.due_date).days
        < settings.quarter_end_window_days
    ]
    if len(late) >= 3 or (len(late) >= 2 and 2 * len(late) > len(dated)):
        return late
    return []


def stale_buyer_rows(facts: PlanFacts, stale_days: int, today: dt.date) -> list[RowFacts]:
    """Open buyer-owned rows with no status update for `stale_days` or more (a row never
    updated counts from the plan's creation)."""
    return [
        r
        for r in facts.rows
        if r.is_open
        and r.owner_side == OwnerSide.BUYER
        and (today - (r.status_updated_on or facts.created_on)).days >= stale_days
    ]


def _ids(rows: Sequence[RowFacts]) -> tuple[int, ...]:
    return tuple(r.id for r in rows)


def _row_checks(facts: PlanFacts, settings: HealthSettings, today: dt.date) -> list[Finding]:
    found: list[Finding] = []
    open_rows = [r for r in facts.rows if r.is_open]
    stale = stale_buyer_rows(facts, settings.stale_days, today)
    if stale:
        found.append(
            Finding(
                "stale_buyer_step",
                "high",
                f"{_names(stale)} {_verb(stale, 'has', 'have')} had no status update from the "
                f"buyer side for {settings.stale_days} days or more.",
                "Ask the champion who owns it now and what blocks it; escalate if no one knows.",
                _ids(stale),
            )
        )
    late = [r for r in open_rows if r.due_date is not None and r.due_date < today]
    if late:
        found.append(
            Finding(
                "overdue",
                "high",
                f"{_names(late)} {_verb(late, 'is', 'are')} past {_verb(late, 'its', 'their')} "
                "due date and still open.",
                "Agree a new date with its owner and record why it moved, or mark it done.",
                _ids(late),
            )
        )
    unknowns = [
        r
        for r in open_rows
        if r.high_risk
        and (
            not r.risk_checklist
            or any(answer != RiskAnswer.YES for answer in r.risk_checklist.values())
        )
    ]
    if unknowns:
        found.append(
            Finding(
                "high_risk_unknowns",
                "medium",
                f"High-risk {_verb(unknowns, 'step', 'steps')} {_names(unknowns)} "
                f"{_verb(unknowns, 'has', 'have')} unanswered or 'no' checklist answers.",
                "Ask the champion who owns each step, whether they are briefed and available, "
                "and how long it really takes.",
                _ids(unknowns),
            )
        )
    compressed = short_windows(facts, facts.created_on, today)
    bunched = _bunched(facts, settings)
    if compressed or bunched:
        parts = []
        if compressed:
            learned = [
                f"'{r.title}' realistic {r.learned_days} days ({r.learned_basis})"
                for r in compressed
                if r.learned_days is not None
            ]
            parts.append(
                f"{_names(compressed)} {_verb(compressed, 'has', 'have')} less time than "
                f"{_verb(compressed, 'its', 'their')} realistic turnaround"
                + (f": {', '.join(learned)}" if learned else "")
            )
        if bunched:
            parts.append(
                f"{_names(bunched)} {_verb(bunched, 'is', 'are')} bunched into the last "
                f"{settings.quarter_end_window_days} days of a quarter"
            )
        ids = dict.fromkeys(_ids(compressed) + _ids(bunched))
        found.append(
            Finding(
                "compressed_dates",
                "medium",
                "; ".join(parts) + ".",
                "Move the target or start those steps earlier so each gets its real turnaround.",
                tuple(ids),
            )
        )
    if len(open_rows) > settings.max_open_steps:
        found.append(
            Finding(
                "too_many_steps",
                "low",
                f"The plan has {len(open_rows)} open steps, more than "
                f"{settings.max_open_steps}: plans that long do no better than no plan.",
                "Merge or drop the steps that do not move the decision; keep 6 to 20.",
            )
        )
    return found


def plan_health(facts: PlanFacts, settings: HealthSettings, today: dt.date) -> list[Finding]:
    """Every health finding of the plan on `today`, most severe first. A won or lost plan
    has none: it is over."""
    if facts.status in CLOSED_PLAN_STATUSES:
        return []
    active = facts.status == PlanStatus.ACTIVE
    found: list[Finding] = []
    if facts.target_date is None:
        found.append(
            Finding(
                "no_target_date",
                "high",
                "The plan has no target date: it is a list of tasks, not a plan.",
                "Agree the target date and the buyer's reason for it with the champion.",
            )
        )
    if not any(r.owner_side in (OwnerSide.BUYER, OwnerSide.JOINT) for r in facts.rows):
        found.append(
            Finding(
                "no_buyer_steps",
                "high",
                "No step is owned by the buyer side: the plan only lists what the seller does.",
                "Add the buyer's steps (security, legal, procurement, sign-off) with their owners.",
            )
        )
    if not facts.buyer_edited and not any(r.added_by_side == "buyer" for r in facts.rows):
        found.append(
            Finding(
                "built_alone",
                "medium",
                "Nothing in the plan was added or changed from the buyer side.",
                "Share the plan and build the buyer's steps with the champion on the next call.",
            )
        )
    pending = [r for r in facts.rows if not r.confirmed]
    if pending:
        found.append(
            Finding(
                "not_confirmed",
                "medium",
                f"The champion has not confirmed the dates and owners of {_names(pending)}.",
                "Send the plan and ask the champion to confirm it from the share link.",
                _ids(pending),
            )
        )
    reviewed = max(d for d in (facts.last_call_on, facts.created_on) if d is not None)
    if active and (today - reviewed).days > settings.review_interval_days:
        found.append(
            Finding(
                "not_reviewed",
                "medium",
                f"No call has reviewed the plan in the last {settings.review_interval_days} days.",
                "Open the plan on your next call with the champion and log the call.",
            )
        )
    found += _row_checks(facts, settings, today)
    unexplained = [s for s in facts.slips if not s.has_reason]
    if unexplained:
        found.append(
            Finding(
                "unexplained_slip",
                "low",
                f"The date of {_names(unexplained)} moved without a reason.",
                "Record why each date moved: the reasons are what the forecast learns from.",
                tuple(dict.fromkeys(s.milestone_id for s in unexplained if s.milestone_id)),
            )
        )
    if active and facts.target_date is not None and facts.target_date < today:
        found.append(
            Finding(
                "stale_plan",
                "high",
                f"The target date {facts.target_date} has passed and the plan is still active.",
                "Agree a new target with the reason for it, or close the plan as won or lost.",
            )
        )
    seen = max(d for d in (facts.last_buyer_seen, facts.created_on) if d is not None)
    if active and (today - seen).days > settings.buyer_silent_days:
        found.append(
            Finding(
                "buyer_silent",
                "medium",
                f"No one from the buyer side has opened or changed the plan for "
                f"{(today - seen).days} days.",
                "Send the champion the share link with the one step you need from them.",
            )
        )
    return sorted(found, key=lambda f: (SEVERITIES.index(f.severity), HEALTH_CODES.index(f.code)))
