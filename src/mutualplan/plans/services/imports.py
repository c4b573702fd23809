"""Import a plan from a file: a new deal and plan in the caller's workspace, created in one
transaction with everything the file holds, or nothing at all with every bad field named."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from mutualplan import formats
from mutualplan.core.vocab import ActivityVerb
from mutualplan.formats.data import PlanData
from mutualplan.plans.actors import Actor
from mutualplan.plans.errors import Invalid
from mutualplan.plans.exports import invalid
from mutualplan.plans.models import Deal, Milestone, Plan, Stakeholder
from mutualplan.plans.services.calendars import make_calendar
from mutualplan.plans.services.history import record
from mutualplan.plans.services.plans import clean_contact_email, validate_deal
from mutualplan.workspaces.models import Workspace


def read_plan_file(content: bytes, format_name: str = "json") -> PlanData:
    """The file as plan data, through its format's reader; Invalid lists every problem."""
    try:
        return formats.readable_format(format_name).read(content)
    except formats.FormatError as exc:
        raise invalid(exc) from None


def _check_for_workspace(workspace: Workspace, data: PlanData) -> None:
    """What only the workspace can tell: its account types and stages, a known country."""
    errors: list[dict[str, str]] = []
    deal = data.deal
    try:
        validate_deal(
            workspace,
            {
                "account_name": deal.account_name,
                "account_type": deal.account_type,
                "stage": deal.stage,
                "amount": deal.amount,
                "currency": deal.currency,
            },
        )
    except Invalid as exc:
        errors += exc.errors
    for field, check in (
        ("plan.country", lambda: make_calendar(data.business_days, data.country.upper())),
        ("plan.contact_email", lambda: clean_contact_email(data.contact_email)),
    ):
        try:
            check()
        except Invalid as exc:
            errors += [{"field": field, "message": e["message"]} for e in exc.errors]
    if errors:
        raise Invalid(f"{errors[0]['field']}: {errors[0]['message']}", errors)


def _deal_owner(workspace: Workspace, email: str | None, actor: Actor) -> Any:
    """The file's deal owner when they are a seller of this workspace, else the importer."""
    if email:
        owner = (
            get_user_model()
            .objects.filter(email__iexact=email, memberships__workspace=workspace, is_active=True)
            .first()
        )
        if owner is not None:
            return owner
    return actor.user


@transaction.atomic
def import_plan(workspace: Workspace, actor: Actor, data: PlanData, source: str) -> Plan:
    """Create the deal, its people, the plan and every row (with dependencies) from `data`;
    `source` names the file's format in the activity."""
    _check_for_workspace(workspace, data)
    deal = Deal.objects.create(
        workspace=workspace,
        account_name=data.deal.account_name.strip(),
        account_type=data.deal.account_type,
        industry=data.deal.industry,
        amount=data.deal.amount,
        currency=data.deal.currency.upper(),
        stage=data.deal.stage,
        crm_ref=data.deal.crm_ref,
        owner=_deal_owner(workspace, data.deal.owner, actor),
    )
    people = {
        p.key: Stakeholder.objects.create(
            deal=deal,
            name=p.name,
            email=p.email,
            title=p.title,
            team=p.team,
            role=p.role,
            is_champion=p.is_champion,
        )
        for p in data.stakeholders
    }
    plan = Plan.objects.create(
        workspace=workspace,
        deal=deal,
        status=data.status,
        target_date=data.target_date,
        baseline_target_date=data.baseline_target_date,
        target_reason=data.target_reason,
        country=data.country.upper(),
        business_days=data.business_days,
        template_key=data.template_key,
        contact_email=data.contact_email.strip(),
        committed_at=data.committed_at,
        confirmed_at=data.confirmed_at,
        created_by=actor.user,
    )
    now = timezone.now()
    rows = Milestone.objects.bulk_create(
        Milestone(
            plan=plan,
            position=position,
            title=m.title,
            step_type=m.step_type,
            owner_side=m.owner_side,
            owner_team=m.owner_team,
            owner_person=people[m.owner_person] if m.owner_person else None,
            due_date=m.due_date,
            baseline_due_date=m.baseline_due_date,
            anchor_offset=m.anchor_offset,
            turnaround_days=m.turnaround_days,
            status=m.status,
            notes=m.notes,
            private_notes=m.private_notes,
            high_risk=m.high_risk,
            risk_checklist=dict(m.risk_checklist),
            added_by_side=m.added_by_side,
            added_by_name=m.added_by_name or actor.name,
            added_at=now,
            status_updated_by=m.status_updated_by,
            status_updated_at=m.status_updated_at,
            completed_at=m.completed_at,
            confirmed_at=m.confirmed_at,
        )
        for position, m in enumerate(data.milestones)
    )
    by_key = {m.key: row for m, row in zip(data.milestones, rows, strict=True)}
    Through = Milestone.depends_on.through
    Through.objects.bulk_create(
        Through(from_milestone_id=by_key[m.key].id, to_milestone_id=by_key[dep].id)
        for m in data.milestones
        for dep in m.depends_on
    )
    record(
        plan,
        actor,
        ActivityVerb.PLAN_CREATED,
        f"imported the plan for {deal.account_name} from a {source.upper()} file",
        data={"template": plan.template_key, "imported_from": source, "rows": len(rows)},
    )
    return plan


def import_plan_file(
    workspace: Workspace, actor: Actor, content: bytes, format_name: str = "json"
) -> Plan:
    """Read the file in `format_name` and import it: all of it, or nothing."""
    return import_plan(workspace, actor, read_plan_file(content, format_name), format_name)
