"""JSON: the lossless format. Everything needed to create the plan again: the deal, the
date and its reason, the plan's settings, the buyer-side people and every row with all its
fields (dependencies and owner people by keys, not database ids), under `format` and
`version`. Reading it checks every field and names each one that is wrong."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from typing import Any

from mutualplan.core.schedule import find_cycle
from mutualplan.core.text import is_email
from mutualplan.core.vocab import (
    RISK_CHECKLIST,
    ActorKind,
    MilestoneStatus,
    OwnerSide,
    PlanStatus,
    RiskAnswer,
    StakeholderRole,
    StepType,
)
from mutualplan.formats.base import FormatError
from mutualplan.formats.data import DealData, MilestoneData, PersonData, PlanData
from mutualplan.formats.reading import FieldReader

FORMAT_NAME = "mutualplan.plan"
VERSION = 1


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def plan_document(plan: PlanData) -> dict[str, Any]:
    """The plan as the JSON document (`format`, `version`, then the plan)."""
    deal = plan.deal
    return {
        "format": FORMAT_NAME,
        "version": VERSION,
        "deal": {
            "account_name": deal.account_name,
            "account_type": deal.account_type,
            "industry": deal.industry,
            "amount": str(deal.amount),
            "currency": deal.currency,
            "stage": deal.stage,
            "crm_ref": deal.crm_ref,
            "owner": deal.owner,
        },
        "plan": {
            "status": plan.status,
            "target_date": _iso(plan.target_date),
            "baseline_target_date": _iso(plan.baseline_target_date),
            "target_reason": plan.target_reason,
            "country": plan.country,
            "business_days": plan.business_days,
            "template": plan.template_key,
            "contact_email": plan.contact_email,
            "committed_at": _iso(plan.committed_at),
            "confirmed_at": _iso(plan.confirmed_at),
        },
        "stakeholders": [
            {
                "key": p.key,
                "name": p.name,
                "email": p.email,
                "title": p.title,
                "team": p.team,
                "role": p.role,
                "is_champion": p.is_champion,
            }
            for p in plan.stakeholders
        ],
        "milestones": [
            {
                "key": m.key,
                "title": m.title,
                "step_type": m.step_type,
                "owner_side": m.owner_side,
                "owner_team": m.owner_team,
                "owner_person": m.owner_person,
                "due_date": _iso(m.due_date),
                "baseline_due_date": _iso(m.baseline_due_date),
                "anchor_offset": m.anchor_offset,
                "turnaround_days": m.turnaround_days,
                "depends_on": list(m.depends_on),
                "status": m.status,
                "notes": m.notes,
                "private_notes": m.private_notes,
                "high_risk": m.high_risk,
                "risk_checklist": dict(m.risk_checklist),
                "added_by_side": m.added_by_side,
                "added_by_name": m.added_by_name,
                "status_updated_by": m.status_updated_by,
                "status_updated_at": _iso(m.status_updated_at),
                "completed_at": _iso(m.completed_at),
                "confirmed_at": _iso(m.confirmed_at),
            }
            for m in plan.milestones
        ],
    }


def _values(enum: Any) -> list[str]:
    return [m.value for m in enum]


def _deal(errors: list[dict[str, str]], data: Any) -> DealData:
    r = FieldReader(errors, data, "deal")
    deal = DealData(
        account_name=r.text("account_name", 200, required=True),
        account_type=r.text("account_type", 50, required=True),
        stage=r.text("stage", 50, required=True),
        industry=r.text("industry", 100),
        amount=r.amount("amount"),
        currency=r.text("currency", 3) or "USD",
        crm_ref=r.text("crm_ref", 100),
        owner=r.text("owner", 254) or None,
    )
    r.done()
    return deal


def _person(errors: list[dict[str, str]], data: Any, path: str) -> PersonData:
    r = FieldReader(errors, data, path)
    email = r.text("email", 254)
    if email and not is_email(email):
        r.fail("email", "is not an email address")
    person = PersonData(
        key=r.text("key", 40, required=True),
        name=r.text("name", 200, required=True),
        email=email,
        title=r.text("title", 200),
        team=r.text("team", 100),
        role=r.choice("role", _values(StakeholderRole), "other"),
        is_champion=r.flag("is_champion"),
    )
    r.done()
    return person


def _checklist(r: FieldReader) -> dict[str, str]:
    answers = {key: RiskAnswer.UNKNOWN.value for key in RISK_CHECKLIST}
    r.seen.add("risk_checklist")
    given = r.data.get("risk_checklist")
    if given is None:
        return answers
    if not isinstance(given, dict):
        r.fail("risk_checklist", "must be an object of answers")
        return answers
    for key, value in given.items():
        if key not in RISK_CHECKLIST:
            r.fail(f"risk_checklist.{key}", "unknown question; use " + ", ".join(RISK_CHECKLIST))
        elif value not in _values(RiskAnswer):
            r.fail(f"risk_checklist.{key}", "answer yes, no or unknown")
        else:
            answers[key] = value
    return answers


def _milestone(errors: list[dict[str, str]], data: Any, path: str) -> MilestoneData:
    r = FieldReader(errors, data, path)
    depends = r.items("depends_on")
    if not all(isinstance(d, str) for d in depends):
        r.fail("depends_on", "must list milestone keys (strings)")
        depends = []
    row = MilestoneData(
        key=r.text("key", 40, required=True),
        title=r.text("title", 300, required=True),
        owner_side=r.choice("owner_side", _values(OwnerSide), "", required=True),
        step_type=r.choice("step_type", _values(StepType), "custom"),
        owner_team=r.text("owner_team", 100),
        owner_person=r.text("owner_person", 40) or None,
        due_date=r.day("due_date"),
        baseline_due_date=r.day("baseline_due_date"),
        anchor_offset=r.whole("anchor_offset"),
        turnaround_days=r.whole("turnaround_days", minimum=0),
        depends_on=tuple(depends),
        status=r.choice("status", _values(MilestoneStatus), "not_started"),
        notes=r.text("notes"),
        private_notes=r.text("private_notes"),
        high_risk=r.flag("high_risk"),
        risk_checklist=_checklist(r),
        added_by_side=r.choice("added_by_side", ["seller", ActorKind.BUYER.value], "seller"),
        added_by_name=r.text("added_by_name", 200),
        status_updated_by=r.text("status_updated_by", 200),
        status_updated_at=r.moment("status_updated_at"),
        completed_at=r.day("completed_at"),
        confirmed_at=r.moment("confirmed_at"),
    )
    r.done()
    return row


def _check_keys(
    errors: list[dict[str, str]], people: list[PersonData], rows: list[MilestoneData]
) -> None:
    """Keys are unique; owner people and dependencies name keys that exist; no cycle."""
    for kind, keys in (
        ("stakeholders", [p.key for p in people]),
        ("milestones", [m.key for m in rows]),
    ):
        seen: set[str] = set()
        for i, key in enumerate(keys):
            if key and key in seen:
                errors.append({"field": f"{kind}[{i}].key", "message": f"{key!r} is used twice"})
            seen.add(key)
    person_keys = {p.key for p in people}
    row_keys = {m.key for m in rows}
    for i, m in enumerate(rows):
        if m.owner_person and m.owner_person not in person_keys:
            errors.append(
                {
                    "field": f"milestones[{i}].owner_person",
                    "message": f"no stakeholder has the key {m.owner_person!r}",
                }
            )
        for dep in m.depends_on:
            if dep not in row_keys:
                errors.append(
                    {
                        "field": f"milestones[{i}].depends_on",
                        "message": f"no milestone has the key {dep!r}",
                    }
                )
            elif dep == m.key:
                errors.append(
                    {
                        "field": f"milestones[{i}].depends_on",
                        "message": "a milestone cannot depend on itself",
                    }
                )
    graph = {m.key: [d for d in m.depends_on if d in row_keys and d != m.key] for m in rows}
    cycle = find_cycle(graph) if len(graph) == len(rows) else None
    if cycle:
        errors.append(
            {
                "field": "milestones",
                "message": "dependencies form a cycle: " + " -> ".join(cycle),
            }
        )


def read_document(data: Any) -> PlanData:
    """A parsed JSON document as plan data; FormatError names every bad field."""
    errors: list[dict[str, str]] = []
    if not isinstance(data, dict):
        raise FormatError([{"field": "body", "message": "must be a JSON object"}])
    if data.get("format") != FORMAT_NAME:
        errors.append(
            {"field": "format", "message": f"must be {FORMAT_NAME!r} (a mutualplan JSON export)"}
        )
    if data.get("version") != VERSION:
        errors.append(
            {
                "field": "version",
                "message": f"unsupported version {data.get('version')!r}; "
                f"this server reads {VERSION}",
            }
        )
    if errors:
        raise FormatError(errors)
    deal = _deal(errors, data.get("deal"))
    r = FieldReader(errors, data.get("plan") or {}, "plan")
    top = FieldReader(errors, data, "")
    top.seen |= {"format", "version", "deal", "plan"}
    people = [
        _person(errors, p, f"stakeholders[{i}]") for i, p in enumerate(top.items("stakeholders"))
    ]
    rows = [
        _milestone(errors, m, f"milestones[{i}]") for i, m in enumerate(top.items("milestones"))
    ]
    plan = PlanData(
        deal=deal,
        status=r.choice("status", _values(PlanStatus), ""),
        target_date=r.day("target_date"),
        baseline_target_date=r.day("baseline_target_date"),
        target_reason=r.text("target_reason"),
        country=r.text("country", 2),
        business_days=r.flag("business_days"),
        template_key=r.text("template", 60),
        contact_email=r.text("contact_email", 254),
        committed_at=r.moment("committed_at"),
        confirmed_at=r.moment("confirmed_at"),
        stakeholders=tuple(people),
        milestones=tuple(rows),
    )
    r.done()
    top.done()
    if not plan.status:
        plan = _with_status(plan)
    elif plan.status == PlanStatus.ACTIVE and plan.target_date is None:
        errors.append({"field": "plan.status", "message": "an active plan needs a target date"})
    elif plan.status == PlanStatus.DRAFT and plan.target_date is not None:
        errors.append(
            {"field": "plan.status", "message": "a plan with a target date is not a draft"}
        )
    _check_keys(errors, people, rows)
    if errors:
        raise FormatError(errors)
    return plan


def _with_status(plan: PlanData) -> PlanData:
    """No status given: active with a target date, else a draft (as a new plan gets)."""
    return replace(plan, status="active" if plan.target_date else "draft")


class JsonFormat:
    name = "json"
    extension = "json"
    content_type = "application/json"
    label = "JSON (lossless, re-importable)"
    is_text = True

    def export(self, plan: PlanData) -> bytes:
        return (json.dumps(plan_document(plan), indent=2, ensure_ascii=False) + "\n").encode()

    def read(self, content: bytes) -> PlanData:
        try:
            data = json.loads(content.decode("utf-8"))
        except UnicodeDecodeError:
            raise FormatError([{"field": "body", "message": "is not valid UTF-8"}]) from None
        except json.JSONDecodeError as exc:
            raise FormatError(
                [{"field": "body", "message": f"is not valid JSON ({exc.msg}, line {exc.lineno})"}]
            ) from None
        return read_document(data)


FORMAT = JsonFormat()
