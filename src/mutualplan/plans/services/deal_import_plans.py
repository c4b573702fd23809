"""What a CRM import does to plans: a deal it changed moves its plan's version on (with an
activity), a won or lost deal closes its plan, and open deals get plans from a template."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from mutualplan.core.schedule import DependencyCycle
from mutualplan.core.templates import DraftMilestone, instantiate
from mutualplan.core.vocab import CLOSED_PLAN_STATUSES, ActivityVerb, PlanStatus
from mutualplan.plans.actors import Actor
from mutualplan.plans.errors import Invalid
from mutualplan.plans.models import Activity, Deal, Milestone, Plan
from mutualplan.plans.services.calendars import make_calendar
from mutualplan.plans.services.history import record
from mutualplan.plans.services.plans import (
    learned_turnarounds,
    plan_created,
    template_links,
    template_rows,
    update_plan,
)
from mutualplan.plans.services.templates import resolve_template
from mutualplan.workspaces.clock import today_for
from mutualplan.workspaces.models import Workspace

BATCH = 500
PLAN_STATUS = {"won": PlanStatus.WON, "lost": PlanStatus.LOST}


def note_deal_changes(actor: Actor, source: str, touched: list[tuple[Plan, list[str]]]) -> None:
    """Each plan whose deal the import changed (with the fields it changed): the plan's version
    moves on (a stale edit of the deal is then refused) and its activity says what changed,
    as `update_plan` does."""
    if not touched:
        return
    now = timezone.now()
    for plan, _ in touched:
        plan.version += 1
        plan.updated_at = now
    Plan.objects.bulk_update([p for p, _ in touched], ["version", "updated_at"], batch_size=BATCH)
    for plan, names in touched:
        record(
            plan,
            actor,
            ActivityVerb.PLAN_UPDATED,
            f"updated {', '.join(n.replace('_', ' ') for n in names)} from {source}",
            data={"fields": [f"deal.{name}" for name in names], "imported_from": source},
        )


def sync_plan_statuses(
    actor: Actor,
    outcomes: dict[int, str],
    plans: dict[int, Plan],
    dry_run: bool,
    close_dates: dict[int, dt.date] | None = None,
) -> int:
    """Won and lost deals (`outcomes` by deal id) close their plan, keeping the close date
    the CRM gave (`close_dates` by deal id; today if none); a reopened deal reopens it.
    Answers how many plans were (or, dry run, would be) closed."""
    closed = 0
    for deal_id, outcome in outcomes.items():
        plan = plans.get(deal_id)
        if plan is None:
            continue
        wanted = PLAN_STATUS.get(outcome)
        if wanted is None and plan.status in CLOSED_PLAN_STATUSES:
            wanted = PlanStatus.ACTIVE if plan.target_date else PlanStatus.DRAFT
        if wanted is None or plan.status == wanted:
            continue
        closed += outcome != "open"
        if not dry_run:
            changes: dict[str, Any] = {"status": wanted}
            closed_on = (close_dates or {}).get(deal_id)
            if closed_on is not None and outcome != "open":
                changes["deal"] = {"close_date": closed_on}
            update_plan(plan, actor, plan.version, changes)
    return closed


def plans_from_template(
    workspace: Workspace, actor: Actor, template: str, deals: list[Deal]
) -> None:
    """A plan from `template` for each deal, targeting its close date, made in batches: the
    same rows, dependencies and `plan_created` activity as `create_plan` gives one plan, the
    learned turnarounds of each deal's account type included (no live event: no one is
    watching a plan that did not exist)."""
    if not deals:
        return
    chosen = resolve_template(workspace, template)
    calendar = make_calendar(False, "")
    today = today_for(workspace)
    drafts_on: dict[tuple[dt.date | None, str], list[DraftMilestone]] = {}
    plans = [
        Plan(
            workspace=workspace,
            deal=deal,
            status=PlanStatus.ACTIVE if deal.close_date else PlanStatus.DRAFT,
            target_date=deal.close_date,
            template_key=chosen.key,
            created_by=actor.user,
        )
        for deal in deals
    ]
    Plan.objects.bulk_create(plans, batch_size=BATCH)
    now = timezone.now()
    rows: list[Milestone] = []
    made: list[tuple[list[DraftMilestone], int, int]] = []
    for plan in plans:
        key = (plan.target_date, plan.deal.account_type)
        if key not in drafts_on:
            template_rows_of_type = learned_turnarounds(workspace, chosen.rows, key[1], today)
            try:
                drafts_on[key] = instantiate(template_rows_of_type, plan.target_date, calendar)
            except DependencyCycle as exc:
                raise Invalid.field("template", str(exc)) from None
        drafts = drafts_on[key]
        made.append((drafts, len(rows), len(drafts)))
        rows += template_rows(plan, drafts, actor, now)
    Milestone.objects.bulk_create(rows, batch_size=BATCH)
    Milestone.depends_on.through.objects.bulk_create(
        [
            link
            for drafts, start, count in made
            for link in template_links(drafts, rows[start : start + count])
        ],
        batch_size=BATCH,
    )
    activities = []
    for plan in plans:
        summary, data = plan_created(plan, plan.deal, chosen.key)
        activities.append(
            Activity(
                plan=plan,
                actor_kind=actor.kind,
                actor_user=actor.user,
                actor_name=actor.name,
                actor_email=actor.email,
                verb=ActivityVerb.PLAN_CREATED,
                summary=summary,
                data={**data, "imported_from": "crm"},
            )
        )
    Activity.objects.bulk_create(activities, batch_size=BATCH)
