"""Discovery findings: every risk-checklist answer of a high-risk step that is still "no" or
unknown, turned into the question the seller asks the champion on the next call.

Pure: rows in, findings out. The web page, the API and the call agenda list the same ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from mutualplan.core.vocab import RISK_CHECKLIST, MilestoneStatus, RiskAnswer, StepType

# How a question names a step of a known type; any other step is named by its title.
STEP_NAMES: dict[str, str] = {
    StepType.BUSINESS_CASE: "the business case",
    StepType.SECURITY_REVIEW: "the security review",
    StepType.SECURITY_QUESTIONNAIRE: "the security questionnaire",
    StepType.LEGAL_REDLINE: "the legal redline",
    StepType.COMMERCIAL_REVIEW: "the commercial review",
    StepType.PROCUREMENT_PO: "the purchase order",
    StepType.EXEC_SIGNOFF: "the executive sign-off",
    StepType.CONTRACT_EXECUTION: "the contract signature",
    StepType.KICKOFF: "the kickoff",
}

# The question to ask for each checklist item: {step}, {account} and {owner} are filled in.
QUESTIONS: dict[str, str] = {
    "owner_named": "Who owns {step} at {account}?",
    "owner_briefed": "Has {owner} been briefed on the project for {step}?",
    "turnaround_known": "How many days does {step} really take at {account}?",
    "owner_available": "Is {owner} available in the window for {step}?",
    "champion_ran_before": "Have you run {step} at {account} before?",
}

# What is known so far, by answer: an unknown is "not yet known"; a "no" says what it means.
UNKNOWN_NOTE = "Not yet known."
NO_NOTES: dict[str, str] = {
    "owner_named": "No one is named yet.",
    "owner_briefed": "Not briefed yet.",
    "turnaround_known": "Nobody knows yet.",
    "owner_available": "No: not available in the window.",
    "champion_ran_before": "No: the champion has not run it before.",
}


@dataclass(frozen=True)
class FindingRow:
    """What a finding needs of one row."""

    id: int
    title: str
    step_type: str
    high_risk: bool
    status: str
    risk_checklist: Mapping[str, str]
    owner_team: str = ""
    owner_person: str = ""  # a stakeholder's name, or ""


@dataclass(frozen=True)
class DiscoveryFinding:
    milestone_id: int
    milestone_title: str
    key: str  # the checklist item (a key of RISK_CHECKLIST)
    answer: str  # "no" or "unknown"
    question: str  # what to ask the champion
    note: str  # what is known so far

    @property
    def text(self) -> str:
        """The finding as one line: "Who owns the security review at Acme? Not yet known." """
        return f"{self.question} {self.note}"


def step_name(row: FindingRow) -> str:
    return STEP_NAMES.get(row.step_type) or f"“{row.title}”"


def _owner(row: FindingRow) -> str:
    if row.owner_person:
        return row.owner_person
    if row.owner_team:
        return f"the {row.owner_team} owner"
    return "the owner"


def discovery_findings(rows: Iterable[FindingRow], account_name: str) -> list[DiscoveryFinding]:
    """The findings of the open high-risk rows, in row order then checklist order. A done row
    has none: what was unknown about it no longer matters; nor is "who owns it?" asked of a
    row that names its owner person (unless the checklist says "no")."""
    found: list[DiscoveryFinding] = []
    for row in rows:
        if not row.high_risk or row.status == MilestoneStatus.DONE:
            continue
        words = {"step": step_name(row), "account": account_name, "owner": _owner(row)}
        for key in RISK_CHECKLIST:
            answer = row.risk_checklist.get(key, RiskAnswer.UNKNOWN)
            if answer == RiskAnswer.YES:
                continue
            if key == "owner_named" and row.owner_person and answer != RiskAnswer.NO:
                continue  # the row names its owner: that is the answer
            is_no = answer == RiskAnswer.NO
            found.append(
                DiscoveryFinding(
                    milestone_id=row.id,
                    milestone_title=row.title,
                    key=key,
                    answer=RiskAnswer.NO.value if is_no else RiskAnswer.UNKNOWN.value,
                    question=QUESTIONS[key].format(**words),
                    note=NO_NOTES[key] if is_no else UNKNOWN_NOTE,
                )
            )
    return found
