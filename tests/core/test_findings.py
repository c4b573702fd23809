"""Discovery findings: each "no" or unknown risk-checklist answer of an open high-risk step,
as the question the seller asks the champion."""

from __future__ import annotations

from mutualplan.core.findings import FindingRow, discovery_findings
from mutualplan.core.vocab import RISK_CHECKLIST

ALL_YES = {key: "yes" for key in RISK_CHECKLIST}


def row(**overrides: object) -> FindingRow:
    fields: dict[str, object] = {
        "id": 7,
        "title": "Security review",
        "step_type": "security_review",
        "high_risk": True,
        "status": "not_started",
        "risk_checklist": ALL_YES,
    }
    fields.update(overrides)
    return FindingRow(**fields)  # type: ignore[arg-type]


def test_an_unknown_owner_of_the_security_review_becomes_the_question_for_the_champion() -> None:
    found = discovery_findings([row(risk_checklist={**ALL_YES, "owner_named": "unknown"})], "Acme")
    assert [f.text for f in found] == ["Who owns the security review at Acme? Not yet known."]
    assert (found[0].milestone_id, found[0].key, found[0].answer) == (7, "owner_named", "unknown")


def test_a_no_answer_is_a_finding_that_says_what_the_no_means() -> None:
    found = discovery_findings(
        [row(risk_checklist={**ALL_YES, "owner_available": "no"}, owner_person="Dana")], "Acme"
    )
    assert [f.text for f in found] == [
        "Is Dana available in the window for the security review? No: not available in the window."
    ]


def test_an_answer_missing_from_the_checklist_counts_as_unknown() -> None:
    found = discovery_findings([row(risk_checklist={})], "Acme")
    assert [f.key for f in found] == list(RISK_CHECKLIST)
    assert {f.answer for f in found} == {"unknown"}


def test_rows_not_high_risk_done_or_fully_answered_have_no_findings() -> None:
    blank = {key: "unknown" for key in RISK_CHECKLIST}
    rows = [
        row(id=1, high_risk=False, risk_checklist=blank),
        row(id=2, status="done", risk_checklist=blank),
        row(id=3),
    ]
    assert discovery_findings(rows, "Acme") == []


def test_findings_follow_the_row_order_then_the_checklist_order_and_name_custom_steps() -> None:
    rows = [
        row(
            id=2,
            title="Vendor risk form",
            step_type="custom",
            owner_team="Procurement",
            risk_checklist={**ALL_YES, "owner_briefed": "no", "owner_named": "unknown"},
        ),
        row(id=1, step_type="legal_redline", risk_checklist={**ALL_YES, "turnaround_known": "no"}),
    ]
    found = discovery_findings(rows, "Acme")
    assert [(f.milestone_id, f.key) for f in found] == [
        (2, "owner_named"),
        (2, "owner_briefed"),
        (1, "turnaround_known"),
    ]
    assert found[1].question == (
        "Has the Procurement owner been briefed on the project for “Vendor risk form”?"
    )
    assert (
        found[2].text
        == "How many days does the legal redline really take at Acme? Nobody knows yet."
    )


def test_a_row_that_names_its_owner_person_is_not_asked_who_owns_it() -> None:
    blank = {key: "unknown" for key in RISK_CHECKLIST}
    found = discovery_findings([row(risk_checklist=blank, owner_person="Sam Okafor")], "Acme")
    assert [f.key for f in found] == [k for k in RISK_CHECKLIST if k != "owner_named"]
    assert found[0].text == (
        "Has Sam Okafor been briefed on the project for the security review? Not yet known."
    )
    said_no = discovery_findings(
        [row(risk_checklist={**ALL_YES, "owner_named": "no"}, owner_person="Sam Okafor")], "Acme"
    )
    assert [f.key for f in said_no] == ["owner_named"]
