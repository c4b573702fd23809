"""Writes to a plan as a whole: create, edit, retarget, send a version, confirm."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from mutualplan.core.calendar import WorkCalendar
from mutualplan.core.feasibility import StepWindow, Warning, feasibility_warnings
from mutualplan.core.schedule import DependencyCycle, due_from_offset
from mutualplan.core.templates import DraftMilestone, Template, TemplateRow, instantiate
from mutualplan.core.vocab import (
    CLOSED_PLAN_STATUSES,
    OPEN_STATUSES,
    ActivityVerb,
    ActorKind,
    PlanStatus,
)
from mutualplan.plans.actors import Actor
from mutualplan.plans.errors import Conflict, Invalid
from mutualplan.plans.learning import realistic_turnarounds
from mutualplan.plans.models import Deal, Milestone, Plan
from mutualplan.plans.services.calendars import make_calendar, plan_calendar
from mutualplan.plans.services.history import record, record_slip, require_reason, shown_value
from mutualplan.plans.services.reconfirm import ask_again_later
from mutualplan.plans.services.templates import resolve_template
from mutualplan.workspaces.clock import today_for
from mutualplan.workspaces.models import Workspace


@dataclass
class DealInput:
    account_name: str
    account_type: str
    stage: str
    amount: Decimal = Decimal(0)
    currency: str = "USD"
    industry: str = ""
    crm_ref: str = ""
    owner: Any = None


def validate_deal(workspace: Workspace, fields: dict[str, Any], prefix: str = "deal") -> None:
    """Check deal fields against the workspace's own account types and stages."""
    errors = []
    if "account_name" in fields and not str(fields["account_name"]).strip():
        errors.append({"field": f"{prefix}.account_name", "message": "must not be blank"})
    if "account_type" in fields and fields["account_type"] not in workspace.account_types:
        errors.append(
            {
                "field": f"{prefix}.account_type",
                "message": f"unknown account type {fields['account_type']!r}; this workspace uses "
                + ", ".join(workspace.account_types),
            }
        )
    if "stage" in fields and fields["stage"] not in workspace.stages:
        errors.append(
            {
                "field": f"{prefix}.stage",
                "message": f"unknown stage {fields['stage']!r}; this workspace uses "
                + ", ".join(workspace.stages),
            }
        )
    if "amount" in fields and Decimal(fields["amount"]) < 0:
        errors.append({"field": f"{prefix}.amount", "message": "must not be negative"})
    currency = fields.get("currency")
    if currency is not None and not (len(currency) == 3 and currency.isalpha()):
        errors.append(
            {
                "field": f"{prefix}.currency",
                "message": "use a three-letter ISO 4217 code such as USD or EUR",
            }
        )
    if errors:
        raise Invalid(errors[0]["field"] + ": " + errors[0]["message"], errors)


def learned_turnarounds(
    workspace: Workspace, rows: Sequence[TemplateRow], account_type: str, today: dt.date
) -> tuple[TemplateRow, ...]:
    """The template's rows, each whose step type has a realistic turnaround for the account
    type (the P80 of enough of the workspace's finished steps) taking it as its turnaround."""
    learned = realistic_turnarounds(workspace, today)
    return tuple(
        replace(row, turnaround_days=suggestion.days)
        if (suggestion := learned.get((str(row.step_type), account_type))) is not None
        else row
        for row in rows
    )


def learned_by_account_type(workspace: Workspace) -> dict[str, list[str]]:
    """The realistic turnarounds a new plan takes, by account type (sorted), each as its
    text: "Security review: realistic 23 days — P80 of 41 enterprise deals"."""
    found: dict[str, list[str]] = {}
    learned = realistic_turnarounds(workspace, today_for(workspace))
    for (_, account_type), suggestion in sorted(learned.items()):
        found.setdefault(account_type, []).append(suggestion.text)
    return found


def draft_rows(
    workspace: Workspace,
    template: str,
    target_date: dt.date | None,
    country: str = "",
    business_days: bool = False,
    from_turnarounds: bool = False,
    account_type: str | None = None,
) -> tuple[Template, list[DraftMilestone], WorkCalendar]:
    """A template's rows dated backwards from the target, as a new plan would get them; for
    a deal of `account_type`, with the turnarounds the workspace's history has learned."""
    calendar = make_calendar(business_days, country.upper())
    chosen = resolve_template(workspace, template)
    rows = chosen.rows
    if account_type:
        rows = learned_turnarounds(workspace, rows, account_type, today_for(workspace))
    try:
        drafts = instantiate(rows, target_date, calendar, from_turnarounds)
    except DependencyCycle as exc:
        raise Invalid.field("template", str(exc)) from None
    return chosen, drafts, calendar


def preview_plan(
    workspace: Workspace,
    template: str,
    target_date: dt.date | None,
    country: str = "",
    business_days: bool = False,
    from_turnarounds: bool = False,
    today: dt.date | None = None,
    account_type: str | None = None,
) -> tuple[list[DraftMilestone], list[Warning]]:
    """The rows and feasibility warnings a plan would get, without saving anything."""
    _, drafts, calendar = draft_rows(
        workspace, template, target_date, country, business_days, from_turnarounds, account_type
    )
    warnings = feasibility_warnings(
        [StepWindow(d.key, d.title, d.due_date, d.turnaround_days, d.depends_on) for d in drafts],
        target_date,
        today or today_for(workspace),
        calendar,
    )
    return drafts, warnings


@transaction.atomic
def create_plan(
    workspace: Workspace,
    actor: Actor,
    deal: DealInput,
    target_date: dt.date | None,
    target_reason: str = "",
    template: str = "standard",
    country: str = "",
    business_days: bool = False,
    from_turnarounds: bool = False,
    existing_deal: Deal | None = None,
) -> Plan:
    """Create a deal and its plan from a template, dated backwards from the target; with
    `existing_deal` (a deal of the workspace without a plan), that deal gets the plan. A row
    whose step type has a realistic turnaround for the deal's account type (learned from the
    workspace's history) takes it instead of the template's."""
    validate_deal(workspace, vars(deal))
    country = country.upper()
    chosen, drafts, _ = draft_rows(
        workspace,
        template,
        target_date,
        country,
        business_days,
        from_turnarounds,
        deal.account_type,
    )
    fields = {
        "account_name": deal.account_name.strip(),
        "account_type": deal.account_type,
        "industry": deal.industry,
        "amount": deal.amount,
        "currency": deal.currency.upper(),
        "stage": deal.stage,
        "crm_ref": deal.crm_ref,
    }
    if existing_deal is not None:
        if (
            existing_deal.workspace_id != workspace.id
            or Plan.objects.filter(deal=existing_deal).exists()
        ):
            raise Invalid.field("deal", "this deal already has a plan or is not in the workspace")
        new_deal = existing_deal
        for name, value in fields.items():
            setattr(new_deal, name, value)
        if new_deal.owner_id is None:
            new_deal.owner = deal.owner if deal.owner is not None else actor.user
        new_deal.version += 1
        new_deal.save()
    else:
        new_deal = Deal.objects.create(
            workspace=workspace,
            owner=deal.owner if deal.owner is not None else actor.user,
            **fields,
        )
    try:
        # Two submissions of one deal's introduce link: the second is refused, not a 500.
        with transaction.atomic():
            plan = Plan.objects.create(
                workspace=workspace,
                deal=new_deal,
                status=PlanStatus.ACTIVE if target_date else PlanStatus.DRAFT,
                target_date=target_date,
                target_reason=target_reason,
                country=country,
                business_days=business_days,
                template_key=chosen.key,
                created_by=actor.user,
            )
    except IntegrityError:
        raise Invalid.field("deal", "this deal already has a plan") from None
    rows = Milestone.objects.bulk_create(template_rows(plan, drafts, actor, timezone.now()))
    Milestone.depends_on.through.objects.bulk_create(template_links(drafts, rows))
    summary, data = plan_created(plan, new_deal, chosen.key)
    record(plan, actor, ActivityVerb.PLAN_CREATED, summary, data=data)
    return plan


def template_rows(
    plan: Plan, drafts: list[DraftMilestone], actor: Actor, now: dt.datetime
) -> list[Milestone]:
    """A new plan's rows from its template's drafts (not saved yet)."""
    return [
        Milestone(
            plan=plan,
            position=d.position,
            title=d.title,
            step_type=d.step_type,
            owner_side=d.owner_side,
            owner_team=d.owner_team,
            due_date=d.due_date,
            anchor_offset=d.anchor_offset,
            turnaround_days=d.turnaround_days,
            high_risk=d.high_risk,
            added_by_side=actor.kind if actor.kind != ActorKind.SYSTEM else ActorKind.SELLER,
            added_by_name=actor.name,
            added_at=now,
        )
        for d in drafts
    ]


def template_links(drafts: list[DraftMilestone], rows: list[Milestone]) -> list[Any]:
    """The dependencies between saved `rows` made from `drafts`, as through-table rows."""
    by_key = {d.key: row for d, row in zip(drafts, rows, strict=True)}
    Through = Milestone.depends_on.through
    return [
        Through(from_milestone_id=by_key[d.key].id, to_milestone_id=by_key[dep].id)
        for d in drafts
        for dep in d.depends_on
        if dep in by_key
    ]


def plan_created(plan: Plan, deal: Deal, template: str) -> tuple[str, dict[str, Any]]:
    """The summary and data of a new plan's `plan_created` activity."""
    return (
        f"created the plan for {deal.account_name} from the {template} template",
        {"template": template, "target_date": _iso(plan.target_date), "status": str(plan.status)},
    )


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def check_version(plan: Plan, version: int) -> None:
    """Refuse a write made from a stale read: Conflict carries the plan as it is now."""
    if plan.version != version:
        raise Conflict(
            f"the plan changed since you read it (you sent version {version}, it is now "
            f"{plan.version}); nothing was saved, review the current plan and try again",
            plan,
        )


def _locked(plan: Plan) -> Plan:
    """The plan re-read and locked for this transaction: the version check then holds."""
    return (
        Plan.objects.select_for_update(of=("self",))
        .select_related("deal", "deal__owner", "workspace")
        .get(id=plan.id)
    )


def _bump(plan: Plan) -> None:
    plan.version += 1
    plan.updated_at = timezone.now()


def move_anchored_rows(plan: Plan, actor: Actor, reason: Any, reason_text: str) -> list[Milestone]:
    """Re-date every open anchored row from the plan's target; record a slip per moved row."""
    if plan.target_date is None:
        return []
    calendar = plan_calendar(plan)
    moved = []
    unconfirmed = False
    for row in Milestone.objects.select_for_update().filter(
        plan=plan, anchor_offset__isnull=False, status__in=[s.value for s in OPEN_STATUSES]
    ):
        new_due = due_from_offset(plan.target_date, row.anchor_offset or 0, calendar)
        if new_due == row.due_date:
            continue
        if row.due_date is not None:
            record_slip(plan, actor, row, row.due_date, new_due, reason, reason_text)
        row.due_date = new_due
        if row.confirmed_at is not None:
            row.confirmed_at = None
            row.unconfirmed_at = timezone.now()
            unconfirmed = True
        row.version += 1
        row.save(update_fields=["due_date", "confirmed_at", "unconfirmed_at", "version"])
        moved.append(row)
    if unconfirmed:
        ask_again_later(plan.id)
    return moved


@transaction.atomic
def retarget(
    plan: Plan,
    actor: Actor,
    target_date: dt.date,
    version: int,
    reason_category: str | None = None,
    reason_text: str = "",
) -> Plan:
    """Move the target date; anchored rows move with it, each move recorded as a slip."""
    plan = _locked(plan)
    check_version(plan, version)
    old = plan.target_date
    if old == target_date:
        raise Invalid.field("target_date", f"the target date is already {target_date}")
    reason = require_reason(plan, reason_category) if old else None
    if old is not None:
        record_slip(plan, actor, None, old, target_date, reason, reason_text)
    plan.target_date = target_date
    old_status = plan.status
    if plan.status == PlanStatus.DRAFT:
        plan.status = PlanStatus.ACTIVE
    _bump(plan)
    plan.save(update_fields=["target_date", "status", "version", "updated_at"])
    moved = move_anchored_rows(plan, actor, reason, reason_text)
    if old is None:
        summary = f"set the target date to {target_date}"
    else:
        days = (target_date - old).days
        summary = (
            f"moved the target date from {old} to {target_date} ({days:+d} days)"
            f"{'; ' + reason.value.replace('_', ' ') if reason else ''}"
        )
    data: dict[str, Any] = {
        "from": _iso(old),
        "to": target_date.isoformat(),
        "moved_rows": len(moved),
        "reason_category": reason.value if reason else "",
        "reason_text": reason_text,
    }
    # The plan's status before and after (a draft given its first target becomes active),
    # as `plan_updated` records a status edit.
    data["values"] = {"status": shown_value(plan.status)}
    data["old_values"] = {"status": shown_value(old_status)}
    record(plan, actor, ActivityVerb.PLAN_RETARGETED, summary, data=data)
    return plan


PLAN_FIELDS = ("target_reason", "status", "country", "business_days", "contact_email")


def clean_contact_email(value: str) -> str:
    """The email the buyer sees for the seller: blank (the buyer sees only the name) or one
    valid address."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        raise Invalid.field("contact_email", "is not an email address") from None
    return value


DEAL_FIELDS = ("account_name", "account_type", "industry", "amount", "currency", "stage", "crm_ref")


@transaction.atomic
def update_plan(
    plan: Plan,
    actor: Actor,
    version: int,
    changes: dict[str, Any],
) -> Plan:
    """Edit plan fields and its deal's fields. The target date moves only by `retarget`."""
    plan = _locked(plan)
    check_version(plan, version)
    deal_changes = dict(changes.pop("deal", None) or {})
    validate_deal(plan.workspace, deal_changes)
    status = changes.get("status")
    if status == PlanStatus.DRAFT and plan.target_date:
        raise Invalid.field("status", "a plan with a target date is not a draft")
    if status == PlanStatus.ACTIVE and not plan.target_date:
        raise Invalid.field(
            "status",
            "set a target date first: a plan with no target date is a list of tasks, not a plan",
        )
    if "contact_email" in changes:
        changes["contact_email"] = clean_contact_email(changes["contact_email"])
    if "country" in changes:
        changes["country"] = (changes["country"] or "").upper()
    if "country" in changes or "business_days" in changes:
        make_calendar(
            changes.get("business_days", plan.business_days), changes.get("country", plan.country)
        )
    changed = {k: v for k, v in changes.items() if k in PLAN_FIELDS and getattr(plan, k) != v}
    deal = plan.deal
    if changed.get("status") in CLOSED_PLAN_STATUSES and "close_date" not in deal_changes:
        # Won or lost today: the deal's real close date, as a CRM records it.
        deal_changes["close_date"] = today_for(plan.workspace)
    deal_changed = {k: v for k, v in deal_changes.items() if getattr(deal, k) != v}
    # What each changed field held before the edit: a replay undoes the edit exactly.
    old_values = {k: shown_value(getattr(plan, k)) for k in changed} | {
        f"deal.{k}": shown_value(getattr(deal, k)) for k in deal_changed
    }
    for key, value in changed.items():
        setattr(plan, key, value)
    for key, value in deal_changed.items():
        setattr(deal, key, value.upper() if key == "currency" else value)
    if not changed and not deal_changed:
        return plan
    if deal_changed:
        deal.version += 1
        deal.save()
    _bump(plan)
    plan.save()
    if {"country", "business_days"} & changed.keys():
        reason = require_reason(plan, changes.get("reason_category"))
        move_anchored_rows(plan, actor, reason, changes.get("reason_text", ""))
    fields = sorted(changed.keys() | {f"deal.{k}" for k in deal_changed})
    values = {k: shown_value(getattr(plan, k)) for k in changed} | {
        f"deal.{k}": shown_value(getattr(deal, k)) for k in deal_changed
    }
    # The values are the seller's (deal amounts, stages): the buyer's line names fields only.
    record(
        plan,
        actor,
        ActivityVerb.PLAN_UPDATED,
        "edited " + ", ".join(f.replace("_", " ") for f in fields),
        data={"fields": fields, "values": values, "old_values": old_values},
    )
    return plan
