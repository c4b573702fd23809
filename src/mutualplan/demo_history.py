"""A generated deal history (core/simulate.py) written into the demo workspace, so every
analytics page has closed and open deals to show: deals, plans, milestones with their
dependencies, slips with reasons, and the activity rows the history and replay read
(plan_created, milestone_added, milestone_updated with `values`, plan_retargeted,
plan_updated for the won or lost status), all in bulk and in the caller's transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from mutualplan.core.simulate import SimDeal, SimStep, generate
from mutualplan.core.vocab import ActivityVerb, ActorKind, MilestoneStatus, PlanStatus
from mutualplan.plans.models import Activity, Deal, Milestone, Plan, Slip
from mutualplan.plans.services.history import describe_changes
from mutualplan.workspaces.models import Workspace

# Generated deals carry this CRM reference prefix: a second run finds them and adds none.
GENERATED_REF = "demo-"
SEED = 2026
CHUNK = 500

# Times of day of what happens on a day, so activities come in a believable order.
_CREATED, _SLIPPED, _DONE, _STARTED, _CLOSED = (
    dt.time(9, 0),
    dt.time(8, 30),
    dt.time(16, 0),
    dt.time(16, 30),
    dt.time(17, 0),
)


def generated_count(workspace: Workspace) -> int:
    return Deal.objects.filter(workspace=workspace, crm_ref__startswith=GENERATED_REF).count()


def _at(day: dt.date, time: dt.time, second: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=dt.UTC) + dt.timedelta(seconds=second)


def _stage(deal: SimDeal) -> str:
    if deal.outcome == "won":
        return "closed_won"
    if deal.outcome == "lost":
        return "closed_lost"
    done = sum(1 for s in deal.steps if s.finished is not None)
    return ("business_case", "evaluation", "evaluation", "negotiation")[min(3, done // 2)]


def _status(step: SimStep) -> str:
    if step.finished is not None:
        return MilestoneStatus.DONE.value
    if step.started is not None:
        return MilestoneStatus.IN_PROGRESS.value
    return MilestoneStatus.NOT_STARTED.value


def _chunks(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def load_history(
    workspace: Workspace,
    user: Any,
    deals: int,
    today: dt.date,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Add `deals` generated deals to `workspace` (owned by `user`) unless it already has
    generated ones; returns how many were added. `progress(n)` is told of every n deals
    written."""
    if deals <= 0 or generated_count(workspace):
        return 0
    history = generate(deals, today, seed=SEED)
    name = getattr(user, "first_name", "") or user.get_username()
    actor = {
        "actor_kind": ActorKind.SELLER.value,
        "actor_user": user,
        "actor_name": name,
        "actor_email": user.email,
    }
    for chunk in _chunks(list(history.deals)):
        _write(workspace, user, actor, chunk)
        if progress is not None:
            progress(len(chunk))
    return deals


def _write(workspace: Workspace, user: Any, actor: dict[str, Any], chunk: list[SimDeal]) -> None:
    deal_rows = Deal.objects.bulk_create(
        [
            Deal(
                workspace=workspace,
                account_name=d.account_name,
                account_type=d.account_type,
                industry=d.industry,
                amount=Decimal(d.amount),
                stage=_stage(d),
                owner=user,
                crm_ref=f"{GENERATED_REF}{d.index:05d}",
                close_date=d.closed if d.closed else d.crm_close_date,
                created_at=_at(d.created, _CREATED),
            )
            for d in chunk
        ]
    )
    status = {"won": PlanStatus.WON, "lost": PlanStatus.LOST, "open": PlanStatus.ACTIVE}
    plans = Plan.objects.bulk_create(
        [
            Plan(
                workspace=workspace,
                deal=row,
                status=status[d.outcome].value,
                target_date=d.target,
                baseline_target_date=d.baseline_target,
                template_key="standard",
                created_by=user,
                created_at=_at(d.created, _CREATED),
                updated_at=_at(d.closed or d.created, _CLOSED if d.closed else _CREATED),
                committed_at=_at(d.created, _CREATED),
            )
            for d, row in zip(chunk, deal_rows, strict=True)
        ]
    )
    milestones = Milestone.objects.bulk_create(
        [
            Milestone(
                plan=plan,
                position=position,
                title=step.row.title,
                step_type=step.step_type,
                owner_side=step.row.owner_side.value,
                owner_team=step.row.owner_team,
                due_date=step.due,
                baseline_due_date=step.baseline_due,
                turnaround_days=step.planned_days,
                high_risk=step.row.high_risk,
                status=_status(step),
                completed_at=step.finished,
                status_updated_at=_at(step.finished, _DONE)
                if step.finished
                else (_at(step.started, _STARTED) if step.started else None),
                status_updated_by=actor["actor_name"] if step.started else "",
                added_by_side=ActorKind.SELLER.value,
                added_by_name=actor["actor_name"],
                added_at=_at(d.created, _CREATED),
                version=1
                + (step.started is not None)
                + (step.finished is not None)
                + len(step.slips),
            )
            for d, plan in zip(chunk, plans, strict=True)
            for position, step in enumerate(d.steps)
        ]
    )
    by_key: dict[tuple[int, str], Milestone] = {}
    rows = iter(milestones)
    for d, plan in zip(chunk, plans, strict=True):
        for step in d.steps:
            by_key[(plan.id, step.key)] = next(rows)
    Through = Milestone.depends_on.through
    Through.objects.bulk_create(
        [
            Through(
                from_milestone_id=by_key[(plan.id, step.key)].id,
                to_milestone_id=by_key[(plan.id, dep)].id,
            )
            for d, plan in zip(chunk, plans, strict=True)
            for step in d.steps
            for dep in step.depends_on
        ]
    )
    slips: list[Slip] = []
    events: list[tuple[dt.datetime, int, Activity]] = []

    def event(plan: Plan, at: dt.datetime, verb: str, summary: str, **extra: Any) -> None:
        activity = Activity(plan=plan, verb=verb, summary=summary, created_at=at, **actor, **extra)
        events.append((at, len(events), activity))

    for d, plan in zip(chunk, plans, strict=True):
        event(
            plan,
            _at(d.created, _CREATED),
            ActivityVerb.PLAN_CREATED,
            f"created the plan for {d.account_name} from the standard template",
            data={"template": "standard", "target_date": d.baseline_target.isoformat()},
        )
        for n, step in enumerate(d.steps):
            row = by_key[(plan.id, step.key)]
            title = step.row.title
            event(
                plan,
                _at(d.created, _CREATED, 1 + n),
                ActivityVerb.MILESTONE_ADDED,
                f"added '{title}'",
                milestone=row,
                data={
                    "title": title,
                    "owner_side": row.owner_side,
                    "due_date": step.baseline_due.isoformat(),
                },
            )
            changes: list[tuple[dt.datetime, dict[str, str]]] = []
            if step.started is not None:
                at = _at(step.started, _STARTED) if step.started > d.created else None
                changes.append(
                    (at or _at(d.created, _CREATED, 20), {"status": MilestoneStatus.IN_PROGRESS})
                )
            if step.finished is not None:
                changes.append(
                    (
                        _at(step.finished, _DONE),
                        {"completed_at": step.finished.isoformat(), "status": MilestoneStatus.DONE},
                    )
                )
            for slip in step.slips:
                changes.append((_at(slip.on, _SLIPPED), {"due_date": slip.to_date.isoformat()}))
                slips.append(
                    Slip(
                        plan=plan,
                        milestone=row,
                        milestone_title=title,
                        from_date=slip.from_date,
                        to_date=slip.to_date,
                        days=slip.days,
                        reason_category=slip.reason,
                        during_build=False,
                        actor_kind=ActorKind.SELLER.value,
                        actor_user=actor["actor_user"],
                        actor_name=actor["actor_name"],
                        created_at=_at(slip.on, _SLIPPED),
                    )
                )
            for version, (at, values) in enumerate(sorted(changes, key=lambda c: c[0]), 2):
                fields = sorted(values)
                shown = {k: str(v) for k, v in values.items()}
                event(
                    plan,
                    at,
                    ActivityVerb.MILESTONE_UPDATED,
                    f"updated '{title}': {describe_changes(fields, shown)}",
                    milestone=row,
                    data={"fields": fields, "version": version, "title": title, "values": shown},
                )
        for retarget in d.retargets:
            event(
                plan,
                _at(retarget.on, _SLIPPED),
                ActivityVerb.PLAN_RETARGETED,
                f"moved the target date from {retarget.from_date} to {retarget.to_date}",
                data={
                    "from": retarget.from_date.isoformat(),
                    "to": retarget.to_date.isoformat(),
                    "moved_rows": 0,
                    "reason_category": retarget.reason,
                    "reason_text": "",
                },
            )
        if d.closed is not None:
            event(
                plan,
                _at(d.closed, _CLOSED),
                ActivityVerb.PLAN_UPDATED,
                f"marked the plan {d.outcome}",
                data={"fields": ["status"]},
            )
    Slip.objects.bulk_create(slips, batch_size=CHUNK)
    # Replays read activities in id order: write them in time order.
    events.sort(key=lambda e: (e[0], e[1]))
    Activity.objects.bulk_create([a for _, _, a in events], batch_size=CHUNK)
