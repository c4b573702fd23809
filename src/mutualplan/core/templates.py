"""Plan templates: the rows a new plan starts from, and how they become dated milestones."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from mutualplan.core.calendar import WorkCalendar
from mutualplan.core.schedule import StepSpec, due_from_offset, latest_finish_offsets
from mutualplan.core.vocab import HIGH_RISK_STEP_TYPES, OwnerSide, StepType


@dataclass(frozen=True)
class TemplateRow:
    """One template row. `offset_days` are calendar days before the target date."""

    key: str
    title: str
    owner_side: OwnerSide
    owner_team: str
    step_type: StepType
    offset_days: int
    turnaround_days: int
    high_risk: bool = False
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class Template:
    key: str
    name: str
    rows: tuple[TemplateRow, ...]
    description: str = ""


def _row(
    key: str,
    title: str,
    side: OwnerSide,
    team: str,
    step_type: StepType,
    offset: int,
    turnaround: int,
    depends_on: tuple[str, ...] = (),
) -> TemplateRow:
    return TemplateRow(
        key=key,
        title=title,
        owner_side=side,
        owner_team=team,
        step_type=step_type,
        offset_days=offset,
        turnaround_days=turnaround,
        high_risk=step_type in HIGH_RISK_STEP_TYPES,
        depends_on=depends_on,
    )


B, S, J = OwnerSide.BUYER, OwnerSide.SELLER, OwnerSide.JOINT

# The article's eight rows, in its order. Offsets give each step at least its turnaround after
# its prerequisites; the four deal-killers (security review and questionnaire, legal redline,
# procurement) are flagged high-risk through their step types.
STANDARD = Template(
    key="standard",
    name="Standard B2B plan",
    description="The eight rows of the mutual action plan article, worked back from the date.",
    rows=(
        _row(
            "business_case",
            "Align on business case and ROI model",
            J,
            "Executive",
            StepType.BUSINESS_CASE,
            63,
            10,
        ),
        _row(
            "security_review",
            "Complete security review",
            B,
            "IT",
            StepType.SECURITY_REVIEW,
            42,
            21,
            ("business_case",),
        ),
        _row(
            "security_questionnaire",
            "Deliver security questionnaire responses",
            S,
            "Solutions",
            StepType.SECURITY_QUESTIONNAIRE,
            42,
            10,
            ("business_case",),
        ),
        _row(
            "legal_redline",
            "Legal redline MSA",
            B,
            "Legal",
            StepType.LEGAL_REDLINE,
            35,
            21,
            ("business_case",),
        ),
        _row(
            "commercial_review",
            "Final commercial review",
            S,
            "Sales",
            StepType.COMMERCIAL_REVIEW,
            28,
            5,
            ("security_review", "security_questionnaire"),
        ),
        _row(
            "procurement_po",
            "Procurement PO issuance",
            B,
            "Finance",
            StepType.PROCUREMENT_PO,
            14,
            10,
            ("legal_redline", "commercial_review"),
        ),
        _row(
            "contract_execution",
            "Contract execution",
            J,
            "Executive",
            StepType.CONTRACT_EXECUTION,
            7,
            5,
            ("procurement_po",),
        ),
        _row(
            "kickoff",
            "Kickoff scheduled",
            J,
            "Solutions",
            StepType.KICKOFF,
            0,
            3,
            ("contract_execution",),
        ),
    ),
)

BUILTIN_TEMPLATES: dict[str, Template] = {STANDARD.key: STANDARD}


@dataclass
class DraftMilestone:
    """A template row placed on a plan: anchored by `anchor_offset` when the plan has a date."""

    key: str
    position: int
    title: str
    owner_side: OwnerSide
    owner_team: str
    step_type: StepType
    turnaround_days: int
    high_risk: bool
    anchor_offset: int
    due_date: dt.date | None
    depends_on: tuple[str, ...] = field(default_factory=tuple)


def business_offset(calendar_days: int) -> int:
    """A template's calendar-day offset expressed in business days (5 per 7, rounded up)."""
    return math.ceil(calendar_days * 5 / 7)


def instantiate(
    rows: Sequence[TemplateRow],
    target: dt.date | None,
    calendar: WorkCalendar,
    from_turnarounds: bool = False,
) -> list[DraftMilestone]:
    """Turn template rows into milestones dated backwards from `target`.

    With `from_turnarounds`, offsets come from the latest-finish schedule through the rows'
    turnarounds and dependencies (in the calendar's kind of day); otherwise from the
    template's fixed offsets. Without a target the rows stay undated (a draft plan).
    """
    if from_turnarounds:
        offsets = latest_finish_offsets(
            [StepSpec(r.key, r.turnaround_days, r.depends_on) for r in rows]
        )
    else:
        offsets = {
            r.key: business_offset(r.offset_days) if calendar.business_days else r.offset_days
            for r in rows
        }
    return [
        DraftMilestone(
            key=row.key,
            position=index,
            title=row.title,
            owner_side=row.owner_side,
            owner_team=row.owner_team,
            step_type=row.step_type,
            turnaround_days=row.turnaround_days,
            high_risk=row.high_risk,
            anchor_offset=offsets[row.key],
            due_date=due_from_offset(target, offsets[row.key], calendar) if target else None,
            depends_on=row.depends_on,
        )
        for index, row in enumerate(rows)
    ]
