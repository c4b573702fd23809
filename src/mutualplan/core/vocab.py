"""The glossary's closed vocabularies (PRODUCT.md), shared by models, API and CLI."""

from __future__ import annotations

from enum import StrEnum


class OwnerSide(StrEnum):
    BUYER = "buyer"
    SELLER = "seller"
    JOINT = "joint"


class MilestoneStatus(StrEnum):
    """Stored statuses. `overdue` is derived from the due date, never stored."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    BLOCKED = "blocked"


# How every page, file and email names a stored status and owner side.
STATUS_LABELS: dict[str, str] = {
    MilestoneStatus.NOT_STARTED: "Not started",
    MilestoneStatus.IN_PROGRESS: "In progress",
    MilestoneStatus.DONE: "Done",
    MilestoneStatus.BLOCKED: "Blocked",
}
SIDE_LABELS: dict[str, str] = {
    OwnerSide.BUYER: "Buyer",
    OwnerSide.SELLER: "Seller",
    OwnerSide.JOINT: "Buyer + Seller",
}


# The codes whose words alone would read wrong ('Procurement po').
_LABELS = {"procurement_po": "Procurement PO", "exec_signoff": "Executive sign-off"}


def label(code: str) -> str:
    """How pages, files and emails name any other stored code: a step type, slip reason or
    health code ('security_review' -> 'Security review')."""
    return _LABELS.get(code) or code.replace("_", " ").capitalize()


class PlanStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    WON = "won"
    LOST = "lost"
    PAUSED = "paused"


# A won or lost plan is history: no forecast, no health findings, no more learning to wait for.
CLOSED_PLAN_STATUSES: frozenset[PlanStatus] = frozenset({PlanStatus.WON, PlanStatus.LOST})


class StepType(StrEnum):
    BUSINESS_CASE = "business_case"
    SECURITY_REVIEW = "security_review"
    SECURITY_QUESTIONNAIRE = "security_questionnaire"
    LEGAL_REDLINE = "legal_redline"
    COMMERCIAL_REVIEW = "commercial_review"
    PROCUREMENT_PO = "procurement_po"
    EXEC_SIGNOFF = "exec_signoff"
    CONTRACT_EXECUTION = "contract_execution"
    KICKOFF = "kickoff"
    CUSTOM = "custom"


class SlipReason(StrEnum):
    INTERNAL_READINESS = "internal_readiness"
    COMPETING_PRIORITIES = "competing_priorities"
    STAKEHOLDER_NOT_ENGAGED = "stakeholder_not_engaged"
    LEGAL_OR_SECURITY_DELAY = "legal_or_security_delay"
    BUDGET_OR_PROCUREMENT = "budget_or_procurement"
    SELLER_SIDE_DELAY = "seller_side_delay"
    OTHER = "other"


class ActorKind(StrEnum):
    SELLER = "seller"
    BUYER = "buyer"
    SYSTEM = "system"


class ActivityVerb(StrEnum):
    """What an activity row says happened. The values are stored in `Activity.verb` and sent
    in the API and live events: a new verb is added here, an existing value never changes."""

    PLAN_CREATED = "plan_created"
    PLAN_UPDATED = "plan_updated"
    PLAN_RETARGETED = "plan_retargeted"
    PLAN_CONFIRMED = "plan_confirmed"
    VERSION_SENT = "version_sent"
    MILESTONE_ADDED = "milestone_added"
    MILESTONE_UPDATED = "milestone_updated"
    MILESTONE_REMOVED = "milestone_removed"
    MILESTONES_REORDERED = "milestones_reordered"
    COMMENT_ADDED = "comment_added"
    SHARE_LINK_CREATED = "share_link_created"
    SHARE_LINK_REVOKED = "share_link_revoked"
    STAKEHOLDER_ADDED = "stakeholder_added"
    STAKEHOLDER_UPDATED = "stakeholder_updated"
    STAKEHOLDER_REMOVED = "stakeholder_removed"
    CALL_LOGGED = "call_logged"
    ESCALATION_SENT = "escalation_sent"
    CALENDAR_FEED_CREATED = "calendar_feed_created"
    CALENDAR_FEED_REVOKED = "calendar_feed_revoked"


# What an open plan page redraws when a live event arrives: the one row the event names, or
# the whole table (rows moved, went away, or were re-dated together). Other verbs only add a
# line to the activity feed.
ROW_REFRESH_VERBS: frozenset[ActivityVerb] = frozenset(
    {ActivityVerb.MILESTONE_UPDATED, ActivityVerb.MILESTONE_ADDED, ActivityVerb.COMMENT_ADDED}
)
TABLE_REFRESH_VERBS: frozenset[ActivityVerb] = frozenset(
    {
        ActivityVerb.MILESTONES_REORDERED,
        ActivityVerb.MILESTONE_REMOVED,
        ActivityVerb.PLAN_RETARGETED,
        ActivityVerb.PLAN_CONFIRMED,
        ActivityVerb.PLAN_UPDATED,
    }
)


class StakeholderRole(StrEnum):
    """What a person on the buyer's side does in the deal."""

    CHAMPION = "champion"
    EXECUTIVE_SPONSOR = "executive_sponsor"
    LEGAL = "legal"
    SECURITY = "security"
    PROCUREMENT = "procurement"
    IT = "it"
    FINANCE = "finance"
    OTHER = "other"


class RiskAnswer(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


# The article's two questions for each high-risk step, split into the five answers a seller
# records with the champion in the room. Every "no" or "unknown" is a discovery finding.
RISK_CHECKLIST: dict[str, str] = {
    "owner_named": "Is the internal owner of this step named?",
    "owner_briefed": "Has the owner been briefed on the project?",
    "turnaround_known": "Is the realistic turnaround (in days) known?",
    "owner_available": "Is the owner available in the window?",
    "champion_ran_before": "Has the champion run this step before?",
}

# Steps that kill deals (the article's step 3): flagged high-risk by default.
HIGH_RISK_STEP_TYPES: frozenset[StepType] = frozenset(
    {
        StepType.SECURITY_REVIEW,
        StepType.SECURITY_QUESTIONNAIRE,
        StepType.LEGAL_REDLINE,
        StepType.PROCUREMENT_PO,
        StepType.EXEC_SIGNOFF,
    }
)

DEFAULT_ACCOUNT_TYPES: tuple[str, ...] = ("smb", "mid_market", "enterprise")
DEFAULT_STAGES: tuple[str, ...] = (
    "discovery",
    "demo",
    "business_case",
    "evaluation",
    "negotiation",
    "verbal_commit",
    "closed_won",
    "closed_lost",
)

OPEN_STATUSES: frozenset[MilestoneStatus] = frozenset(
    {MilestoneStatus.NOT_STARTED, MilestoneStatus.IN_PROGRESS, MilestoneStatus.BLOCKED}
)


def blank_checklist() -> dict[str, str]:
    """A risk checklist with every answer still unknown."""
    return {key: RiskAnswer.UNKNOWN.value for key in RISK_CHECKLIST}
