"""Plans as files: the plain data the formats work on (`formats.data.PlanData`), read from
the database in a fixed number of queries, and the file of one plan or of the workspace in
any registered format. The web, the API and the command line all export through here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mutualplan import formats
from mutualplan.documents import file_name
from mutualplan.formats.data import DealData, MilestoneData, PersonData, PlanData
from mutualplan.plans.errors import Invalid
from mutualplan.plans.models import Milestone, Plan, Stakeholder
from mutualplan.plans.queries import ROW_FIELDS, parse_ids, with_dependency_ids
from mutualplan.workspaces.clock import today_for
from mutualplan.workspaces.models import Workspace


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    content_type: str
    file_name: str
    is_text: bool


def invalid(error: formats.FormatError) -> Invalid:
    """A format's problems as the domain's bad-input error (400 in the API)."""
    return Invalid(str(error), error.errors)


def _deal(plan: Plan) -> DealData:
    deal = plan.deal
    return DealData(
        account_name=deal.account_name,
        account_type=deal.account_type,
        stage=deal.stage,
        industry=deal.industry,
        amount=deal.amount,
        currency=deal.currency,
        crm_ref=deal.crm_ref,
        owner=deal.owner.email if deal.owner else None,
    )


def _milestone(row: dict[str, Any], keys: dict[int, str], people: dict[int, str]) -> MilestoneData:
    return MilestoneData(
        key=keys[row["id"]],
        title=row["title"],
        owner_side=row["owner_side"],
        step_type=row["step_type"],
        owner_team=row["owner_team"],
        owner_person=people.get(row["owner_person_id"]) if row["owner_person_id"] else None,
        due_date=row["due_date"],
        baseline_due_date=row["baseline_due_date"],
        anchor_offset=row["anchor_offset"],
        turnaround_days=row["turnaround_days"],
        depends_on=tuple(keys[d] for d in parse_ids(row["dependency_ids"]) if d in keys),
        status=row["status"],
        notes=row["notes"],
        private_notes=row["private_notes"],
        high_risk=row["high_risk"],
        risk_checklist=dict(row["risk_checklist"] or {}),
        added_by_side=row["added_by_side"],
        added_by_name=row["added_by_name"],
        status_updated_by=row["status_updated_by"],
        status_updated_at=row["status_updated_at"],
        completed_at=row["completed_at"],
        confirmed_at=row["confirmed_at"],
    )


def plans_data(plans: Sequence[Plan], **scope: Any) -> list[PlanData]:
    """`plans` (read with their deal and its owner) as plain data. Their rows and people are
    read in one query each, narrowed by `scope` (e.g. `workspace=…` or `id=…`, applied to the
    plan), so the number of queries does not grow with the number of plans."""
    rows_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
    plan_scope = {f"plan__{k}": v for k, v in scope.items()}
    for row in (
        with_dependency_ids(Milestone.objects.filter(**plan_scope))
        .order_by("plan_id", "position", "id")
        .values(*ROW_FIELDS, "plan_id", "dependency_ids")
    ):
        rows_of[row["plan_id"]].append(row)
    people_of: dict[int, list[Stakeholder]] = defaultdict(list)
    for person in Stakeholder.objects.filter(
        **{f"deal__plan__{k}": v for k, v in scope.items()}
    ).order_by("id"):
        people_of[person.deal_id].append(person)
    found = []
    for plan in plans:
        people = people_of.get(plan.deal_id, [])
        person_keys = {p.id: f"p{i}" for i, p in enumerate(people, start=1)}
        rows = rows_of.get(plan.id, [])
        row_keys = {r["id"]: f"m{i}" for i, r in enumerate(rows, start=1)}
        found.append(
            PlanData(
                id=plan.id,
                deal=_deal(plan),
                status=plan.status,
                target_date=plan.target_date,
                baseline_target_date=plan.baseline_target_date,
                target_reason=plan.target_reason,
                country=plan.country,
                business_days=plan.business_days,
                template_key=plan.template_key,
                contact_email=plan.contact_email,
                committed_at=plan.committed_at,
                confirmed_at=plan.confirmed_at,
                stakeholders=tuple(
                    PersonData(
                        key=person_keys[p.id],
                        name=p.name,
                        email=p.email,
                        title=p.title,
                        team=p.team,
                        role=p.role,
                        is_champion=p.is_champion,
                    )
                    for p in people
                ),
                milestones=tuple(_milestone(r, row_keys, person_keys) for r in rows),
            )
        )
    return found


def plan_data(plan: Plan) -> PlanData:
    """One plan (as `access.get_plan` reads it) as plain data: three queries."""
    return plans_data([plan], id=plan.id)[0]


def export_plan(plan: Plan, format_name: str) -> ExportFile:
    """The plan as a file of `format_name` (csv, xlsx, md, json); Invalid names the formats."""
    try:
        chosen = formats.get(format_name)
    except formats.FormatError as exc:
        raise invalid(exc) from None
    return ExportFile(
        chosen.export(plan_data(plan)),
        chosen.content_type,
        file_name(plan.deal.account_name, chosen.extension),
        chosen.is_text,
    )


def export_workspace(workspace: Workspace, format_name: str) -> ExportFile:
    """Every plan of the workspace as one table (csv or xlsx), one row per milestone with the
    deal's fields, for RevOps. Three queries, whatever the number of plans."""
    try:
        chosen = formats.workspace_format(format_name)
    except formats.FormatError as exc:
        raise invalid(exc) from None
    plans = list(
        Plan.objects.filter(workspace=workspace)
        .select_related("deal", "deal__owner")
        .order_by("deal__account_name", "id")
    )
    described = formats.get(format_name)
    day = today_for(workspace).isoformat()
    return ExportFile(
        chosen.export_workspace(plans_data(plans, workspace=workspace)),
        described.content_type,
        f"{workspace.slug}-plans-{day}.{described.extension}",
        described.is_text,
    )
