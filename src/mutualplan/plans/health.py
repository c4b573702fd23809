"""Plan health read from the database: the facts of many plans in a fixed number of queries
(`health_by_plan`), and each plan's codes kept on the plan for the dashboard's counts and
filter (`refresh_health`), recomputed only when the plan changed, the day turned or the
workspace's thresholds moved."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import (
    Case,
    DateTimeField,
    F,
    JSONField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from mutualplan.core.durations import Suggestion
from mutualplan.core.health import (
    HEALTH_CODES,
    Finding,
    HealthSettings,
    PlanFacts,
    RowFacts,
    SlipFacts,
    plan_health,
)
from mutualplan.core.vocab import CLOSED_PLAN_STATUSES, OPEN_STATUSES, OwnerSide
from mutualplan.plans.engagement import last_buyer_seen_by_plan, with_last_buyer_seen
from mutualplan.plans.learning import realistic_turnarounds
from mutualplan.plans.models import Activity, Call, Deal, Milestone, Plan, Slip
from mutualplan.plans.queries import parse_ids, with_dependency_ids
from mutualplan.workspaces.clock import zone_of
from mutualplan.workspaces.models import Workspace

_OPEN = sorted(s.value for s in OPEN_STATUSES)


def health_settings(workspace: Workspace) -> HealthSettings:
    """The workspace's health thresholds."""
    return HealthSettings(
        review_interval_days=workspace.review_interval_days,
        stale_days=workspace.stale_days,
        buyer_silent_days=workspace.buyer_silent_days,
        quarter_end_window_days=workspace.quarter_end_window_days,
        fiscal_year_start_month=workspace.fiscal_year_start_month,
        max_open_steps=workspace.max_open_steps,
    )


# What health reads of a plan (the rest comes from its rows, slips and calls).
_PLAN_HEAD = ("id", "status", "target_date", "created_at", "last_buyer_activity_at")
_ACCOUNT_TYPE = "deal__account_type"
_HEALTH_ROW_FIELDS = (
    "id",
    "plan_id",
    "title",
    "owner_side",
    "status",
    "due_date",
    "added_by_side",
    "high_risk",
    "step_type",
    "turnaround_days",
    "confirmed_at",
    "completed_at",
)
# Read only where a check uses them (decoding 16,000 checklists is most of a dashboard's
# cost at 2,000 plans): the checklist of open high-risk rows, the last status update of
# open buyer rows.
_HEALTH_ROW_EXTRAS = {
    "checklist": Case(
        When(high_risk=True, status__in=_OPEN, then=F("risk_checklist")),
        default=Value(None),
        output_field=JSONField(),
    ),
    "stamped": Case(
        When(owner_side=OwnerSide.BUYER, status__in=_OPEN, then=F("status_updated_at")),
        default=Value(None),
        output_field=DateTimeField(),
    ),
}


def health_by_plan(
    workspace: Workspace, plans: QuerySet[Plan] | Sequence[Plan], today: dt.date
) -> dict[int, list[Finding]]:
    """Every plan's health findings, by plan id, in four queries whatever the number of plans
    (a queryset is read as a subquery, so a whole workspace's list costs the same)."""
    return health_of(workspace, facts_by_plan(workspace, plans, today), today)


def health_of(
    workspace: Workspace, facts: Mapping[int, PlanFacts], today: dt.date
) -> dict[int, list[Finding]]:
    """`health_by_plan` of plans whose facts (`facts_by_plan`) are read already."""
    settings = health_settings(workspace)
    return {plan_id: plan_health(found, settings, today) for plan_id, found in facts.items()}


def facts_by_plan(
    workspace: Workspace, plans: QuerySet[Plan] | Sequence[Plan], today: dt.date
) -> dict[int, PlanFacts]:
    """What health (and the call agenda) read of every plan, by plan id, in four queries."""
    scope: Any
    if isinstance(plans, QuerySet):
        # A won or lost plan has no findings: its rows are not read.
        scope = plans.order_by().exclude(status__in=CLOSED_PLAN_STATUSES).values("id")
        heads = list(
            with_last_buyer_seen(plans.order_by()).values(
                *_PLAN_HEAD, "buyer_seen_at", _ACCOUNT_TYPE
            )
        )
    else:
        seen = last_buyer_seen_by_plan(plans)
        heads = [
            {f: getattr(p, f) for f in _PLAN_HEAD}
            | {"buyer_seen_at": seen[p.id], _ACCOUNT_TYPE: _account_type(p)}
            for p in plans
        ]
        scope = [h["id"] for h in heads if h["status"] not in CLOSED_PLAN_STATUSES]
    if not heads:
        return {}
    zone = zone_of(workspace.time_zone)

    def local(moment: dt.datetime | None) -> dt.date | None:
        return moment.astimezone(zone).date() if moment is not None else None

    rows: dict[int, list[dict[str, Any]]] = {h["id"]: [] for h in heads}
    # Prerequisites come with their rows (a subquery per row): one query fewer per read.
    found_rows = with_dependency_ids(Milestone.objects.filter(plan_id__in=scope))
    for row in (
        found_rows.annotate(**_HEALTH_ROW_EXTRAS)
        .order_by("plan_id", "position", "id")
        .values(*_HEALTH_ROW_FIELDS, *_HEALTH_ROW_EXTRAS, "dependency_ids")
    ):
        rows[row["plan_id"]].append(row)
    slips: dict[int, list[SlipFacts]] = {h["id"]: [] for h in heads}
    slip_rows = Slip.objects.filter(plan_id__in=scope).order_by("created_at", "id")
    for slip in slip_rows.values(
        "plan_id", "milestone_id", "milestone_title", "reason_category", "during_build"
    ):
        slips[slip["plan_id"]].append(
            SlipFacts(
                slip["milestone_id"],
                slip["milestone_title"] or "target date",
                bool(slip["reason_category"]) or slip["during_build"],
            )
        )
    last_calls = dict(
        Call.objects.filter(plan_id__in=scope)
        .order_by()
        .values("plan_id")
        .annotate(last=Max("held_at"))
        .values_list("plan_id", "last")
    )
    # The realistic turnarounds learned from the workspace's history (kept for the day: a
    # changed history counts from the next day, when every plan's stored codes refresh).
    learned = realistic_turnarounds(workspace, today)
    unread = [h["id"] for h in heads if h[_ACCOUNT_TYPE] is None]
    if learned and unread:
        account_types = dict(Plan.objects.filter(id__in=unread).values_list("id", _ACCOUNT_TYPE))
        for head in heads:
            head[_ACCOUNT_TYPE] = head[_ACCOUNT_TYPE] or account_types.get(head["id"])
    by_account: dict[str, dict[str, Suggestion]] = defaultdict(dict)
    for (step_type, account), suggestion in learned.items():
        by_account[account][step_type] = suggestion
    answer: dict[int, PlanFacts] = {}
    for head in heads:
        plan_id = head["id"]
        suggested = by_account.get(head[_ACCOUNT_TYPE] or "", {})
        facts = PlanFacts(
            status=head["status"],
            target_date=head["target_date"],
            created_on=local(head["created_at"]) or today,
            rows=tuple(
                RowFacts(
                    id=r["id"],
                    title=r["title"],
                    owner_side=r["owner_side"],
                    status=r["status"],
                    due_date=r["due_date"],
                    status_updated_on=local(r["stamped"]),
                    added_by_side=r["added_by_side"],
                    high_risk=r["high_risk"],
                    risk_checklist=r["checklist"] or {},
                    turnaround_days=r["turnaround_days"],
                    depends_on=tuple(parse_ids(r["dependency_ids"])),
                    confirmed=r["confirmed_at"] is not None,
                    completed_on=r["completed_at"],
                    **_learned(suggested.get(r["step_type"])),
                )
                for r in rows[plan_id]
            ),
            slips=tuple(slips[plan_id]),
            last_call_on=local(last_calls.get(plan_id)),
            # Opened (a visit through the share link) or changed from the buyer side.
            last_buyer_seen=local(head["buyer_seen_at"]),
            # Every buyer write stamps the plan: a stamp means the buyer side changed it.
            buyer_edited=head["last_buyer_activity_at"] is not None,
        )
        answer[plan_id] = facts
    return answer


def _account_type(plan: Plan) -> str | None:
    """The plan's deal's account type when the deal was read with it, else None (read for
    all such plans in one query, never one per plan)."""
    deal = plan._state.fields_cache.get("deal")
    return deal.account_type if isinstance(deal, Deal) else None


def _learned(suggestion: Suggestion | None) -> dict[str, Any]:
    if suggestion is None:
        return {}
    return {"learned_days": suggestion.days, "learned_basis": suggestion.basis}


def _latest_activity() -> Coalesce:
    latest = Activity.objects.filter(plan=OuterRef("pk")).order_by("-id").values("id")[:1]
    return Coalesce(Subquery(latest), 0)


def refresh_health(workspace: Workspace, plans: QuerySet[Plan], today: dt.date) -> None:
    """Recompute the stored codes of the plans whose codes are not of `today` and of their
    latest activity (every write records one). One query when all are current."""
    # A won or lost plan has no findings whatever the day: its empty codes stay current
    # until it changes (a history of thousands of closed plans is not re-read every day).
    closed = Q(status__in=CLOSED_PLAN_STATUSES)
    stale = {
        plan_id: (latest, status)
        for plan_id, latest, status in plans.order_by()
        .annotate(latest_activity=_latest_activity())
        .filter(
            (~Q(health_on=today) & ~closed)
            | Q(health_on__isnull=True)
            | ~Q(health_activity_id=F("latest_activity"))
            | (closed & ~Q(health_codes=""))
        )
        .values_list("id", "latest_activity", "status")
    }
    if not stale:
        return
    still_open = [i for i, (_, status) in stale.items() if status not in CLOSED_PLAN_STATUSES]
    found = health_by_plan(workspace, Plan.objects.filter(id__in=still_open), today)
    updated = [
        Plan(
            id=plan_id,
            health_codes=stored_codes(found.get(plan_id, [])),
            health_on=today,
            health_activity_id=latest,
        )
        for plan_id, (latest, _) in stale.items()
    ]
    Plan.objects.bulk_update(
        updated, ["health_codes", "health_on", "health_activity_id"], batch_size=500
    )


def stored_codes(findings: Sequence[Finding]) -> str:
    """' overdue stale_plan ': spaces around every code, so a filter matches whole codes."""
    return f" {' '.join(f.code for f in findings)} " if findings else ""


def health_counts(plans: QuerySet[Plan]) -> list[tuple[str, int]]:
    """How many of the plans have each code (stored codes, refreshed first), in table order."""
    counts: dict[str, int] = defaultdict(int)
    for codes in plans.order_by().values_list("health_codes", flat=True):
        for code in codes.split():
            counts[code] += 1
    return [(code, counts[code]) for code in HEALTH_CODES if counts[code]]


def forget_health(workspace: Workspace) -> None:
    """The thresholds or the time zone changed: every plan's codes are recomputed."""
    Plan.objects.filter(workspace=workspace).update(health_on=None)
