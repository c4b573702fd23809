"""Seller routes: plans, milestones, history, share links, versions."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from mutualplan.api.auth import seller
from mutualplan.api.responses import answers, render
from mutualplan.api.schemas.calls import AgendaOut, CallOut
from mutualplan.api.schemas.diagnostics import PlanEscalationsOut, SlipSummaryOut
from mutualplan.api.schemas.milestones import SellerMilestoneConflictOut, SellerMilestoneOut
from mutualplan.api.schemas.plans import (
    ActivityOut,
    PlanHealthOut,
    PlanPage,
    SellerPlanConflictOut,
    SellerPlanOut,
    SendIn,
    SendOut,
    SlipOut,
    VersionDiffOut,
    VersionIn,
    VersionOut,
    VersionSummaryOut,
)
from mutualplan.api.schemas.sharing import ShareLinkCreated, ShareLinkIn, ShareLinkOut
from mutualplan.core.vocab import PlanStatus
from mutualplan.inputs.calls import CallCreate
from mutualplan.inputs.milestones import MilestoneCreate, MilestonePatch, ReorderIn
from mutualplan.inputs.plans import PlanCreate, PlanPatch, RetargetIn
from mutualplan.plans import access, queries
from mutualplan.plans.agenda import agenda_dict, call_dict, plan_agenda
from mutualplan.plans.diagnostics import (
    escalation_dict,
    plan_escalations,
    plan_slip_summary,
    slip_summary_dict,
)
from mutualplan.plans.health import health_by_plan
from mutualplan.plans.seller_view import (
    finding_dict,
    milestone_dict,
    plan_dict,
    plan_summary,
    row_dict,
    share_link_dict,
)
from mutualplan.plans.services import calls as call_service
from mutualplan.plans.services import escalating, sending, sharing, versions
from mutualplan.plans.services import milestones as milestone_service
from mutualplan.plans.services import plans as plan_service
from mutualplan.workspaces.clock import today_for

router = Router(tags=["plans"])
# What every route here can answer besides its own: no valid token, and (for routes under a
# plan or link id) not found. Routes that take a body add 400, 413 and 415.
SELLER = 401
FOUND = 404
BODY = (400, 413, 415)


class PlanFilters(Schema):
    status: PlanStatus | None = None
    owner: str | None = Field(None, max_length=254, description="Owner's email")
    account_type: str | None = Field(None, max_length=50)
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(0, ge=0, le=200, description="0 means the server's default")


def _plan_response(plan: Any, status: int = 200) -> HttpResponse:
    return render(SellerPlanOut, plan_dict(plan), status)


def _row_response(row: Any, today: dt.date, status: int = 200) -> HttpResponse:
    return render(SellerMilestoneOut, row_dict(row, today), status)


@router.post("/plans", response=answers({201: SellerPlanOut}, SELLER, *BODY))
def create_plan(request: HttpRequest, payload: PlanCreate) -> HttpResponse:
    workspace, actor = seller(request)
    plan = plan_service.create_plan(
        workspace,
        actor,
        deal=plan_service.DealInput(**payload.deal.model_dump()),
        target_date=payload.target_date,
        target_reason=payload.target_reason,
        template=payload.template,
        country=payload.country,
        business_days=payload.business_days,
        from_turnarounds=payload.schedule == "turnarounds",
    )
    return _plan_response(plan, 201)


@router.get("/plans", response=answers({200: PlanPage}, SELLER, 400))
def list_plans(request: HttpRequest, filters: Query[PlanFilters]) -> dict[str, Any]:
    workspace, _ = seller(request)
    today = today_for(workspace)
    plans = queries.plan_list(
        workspace,
        queries.PlanFilters(
            status=filters.status, owner_email=filters.owner, account_type=filters.account_type
        ),
        today,
    )
    size = filters.page_size or settings.API_PAGE_SIZE
    count = plans.count()
    start = (filters.page - 1) * size
    items = list(plans[start : start + size])
    health = health_by_plan(workspace, items, today)
    return {
        "items": [plan_summary(p, today, health[p.id]) for p in items],
        "count": count,
        "page": filters.page,
        "page_size": size,
        "pages": max(1, math.ceil(count / size)),
    }


@router.get("/plans/{int:plan_id}", response=answers({200: SellerPlanOut}, SELLER, FOUND))
def get_plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    workspace, _ = seller(request)
    return _plan_response(access.get_plan(workspace, plan_id))


@router.get("/plans/{int:plan_id}/health", response=answers({200: PlanHealthOut}, SELLER, FOUND))
def plan_health(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    """The plan's health findings (seller only; never on the buyer side), most severe first."""
    workspace, _ = seller(request)
    plan = access.get_plan(workspace, plan_id)
    findings = health_by_plan(workspace, [plan], today_for(workspace))[plan.id]
    return {"findings": [finding_dict(f) for f in findings]}


@router.get("/plans/{int:plan_id}/agenda", response=answers({200: AgendaOut}, SELLER, FOUND))
def plan_agenda_route(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    """The agenda of the next call (seller only): done since the last call, overdue, due in
    the next 14 days, stale buyer steps, dates that must move, unconfirmed rows, open
    discovery findings."""
    workspace, _ = seller(request)
    plan = access.get_plan(workspace, plan_id)
    return agenda_dict(plan_agenda(plan, today_for(workspace)))


@router.post("/plans/{int:plan_id}/calls", response=answers({201: CallOut}, SELLER, FOUND, *BODY))
def log_call(request: HttpRequest, plan_id: int, payload: CallCreate) -> Status[Any]:
    """Log a call held with the buyer: it counts as the plan's review (`not_reviewed`)."""
    workspace, actor = seller(request)
    plan = access.get_plan(workspace, plan_id)
    return Status(201, call_dict(call_service.log_call(plan, actor, **payload.model_dump())))


@router.patch(
    "/plans/{int:plan_id}",
    response=answers({200: SellerPlanOut}, SELLER, FOUND, *BODY, conflict=SellerPlanConflictOut),
)
def update_plan(request: HttpRequest, plan_id: int, payload: PlanPatch) -> HttpResponse:
    workspace, actor = seller(request)
    plan = access.get_plan(workspace, plan_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    if "deal" in changes and changes["deal"] is not None:
        changes["deal"] = {k: v for k, v in changes["deal"].items() if v is not None}
    changes = {k: v for k, v in changes.items() if v is not None}
    plan = plan_service.update_plan(plan, actor, payload.version, changes)
    return _plan_response(plan)


@router.post(
    "/plans/{int:plan_id}/retarget",
    response=answers({200: SellerPlanOut}, SELLER, FOUND, *BODY, conflict=SellerPlanConflictOut),
)
def retarget(request: HttpRequest, plan_id: int, payload: RetargetIn) -> HttpResponse:
    workspace, actor = seller(request)
    plan = access.get_plan(workspace, plan_id)
    plan = plan_service.retarget(
        plan,
        actor,
        payload.target_date,
        payload.version,
        reason_category=payload.reason_category,
        reason_text=payload.reason_text,
    )
    return _plan_response(plan)


@router.post(
    "/plans/{int:plan_id}/milestones",
    response=answers({201: SellerMilestoneOut}, SELLER, FOUND, *BODY),
)
def add_milestone(request: HttpRequest, plan_id: int, payload: MilestoneCreate) -> HttpResponse:
    workspace, actor = seller(request)
    plan = access.get_plan(workspace, plan_id)
    row = milestone_service.add_milestone(plan, actor, payload.model_dump(exclude_unset=True))
    return _row_response(row, today_for(workspace), 201)


@router.patch(
    "/plans/{int:plan_id}/milestones/{int:milestone_id}",
    response=answers(
        {200: SellerMilestoneOut}, SELLER, FOUND, *BODY, conflict=SellerMilestoneConflictOut
    ),
)
def update_milestone(
    request: HttpRequest, plan_id: int, milestone_id: int, payload: MilestonePatch
) -> HttpResponse:
    workspace, actor = seller(request)
    plan = access.get_plan(workspace, plan_id)
    fields = payload.model_dump(
        exclude_unset=True, exclude={"version", "reason_category", "reason_text"}
    )
    row = milestone_service.update_milestone(
        plan,
        milestone_id,
        actor,
        payload.version,
        fields,
        reason_category=payload.reason_category,
        reason_text=payload.reason_text,
    )
    return _row_response(row, today_for(workspace))


@router.delete(
    "/plans/{int:plan_id}/milestones/{int:milestone_id}",
    response=answers({204: None}, SELLER, FOUND),
)
def delete_milestone(request: HttpRequest, plan_id: int, milestone_id: int) -> Status[Any]:
    workspace, actor = seller(request)
    plan = access.get_plan(workspace, plan_id)
    milestone_service.delete_milestone(plan, milestone_id, actor)
    return Status(204, None)


@router.post(
    "/plans/{int:plan_id}/milestones/reorder",
    response=answers({200: list[SellerMilestoneOut]}, SELLER, FOUND, *BODY),
)
def reorder_milestones(
    request: HttpRequest, plan_id: int, payload: ReorderIn
) -> list[dict[str, Any]]:
    workspace, actor = seller(request)
    plan = access.get_plan(workspace, plan_id)
    milestone_service.reorder_milestones(plan, actor, payload.order)
    today = today_for(workspace)
    return [milestone_dict(m, today) for m in queries.milestone_rows(plan.id)]


@router.get("/plans/{int:plan_id}/slips", response=answers({200: list[SlipOut]}, SELLER, FOUND))
def list_slips(request: HttpRequest, plan_id: int) -> Any:
    workspace, _ = seller(request)
    return list(queries.slips_of(access.get_plan(workspace, plan_id)))


@router.get(
    "/plans/{int:plan_id}/slips/summary", response=answers({200: SlipSummaryOut}, SELLER, FOUND)
)
def slip_diagnostics(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    """Days slipped, slips by reason, owner side and row, baseline against current target."""
    workspace, _ = seller(request)
    return slip_summary_dict(plan_slip_summary(access.get_plan(workspace, plan_id)))


@router.get(
    "/plans/{int:plan_id}/escalations",
    response=answers({200: PlanEscalationsOut}, SELLER, FOUND),
)
def list_escalations(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    """Stale buyer steps, who to escalate each to, a drafted email (seller only) and the last
    escalation of each emailed from the app (`POST .../escalations/{milestone_id}/send`)."""
    workspace, _ = seller(request)
    plan = access.get_plan(workspace, plan_id)
    found = plan_escalations(plan, today_for(workspace))
    sent = escalating.last_escalations(plan)
    return {
        "escalations": [
            {**escalation_dict(e), "last_email": sent.get(e.milestone_id)} for e in found
        ]
    }


@router.get(
    "/plans/{int:plan_id}/activity", response=answers({200: list[ActivityOut]}, SELLER, FOUND, 400)
)
def list_activity(
    request: HttpRequest,
    plan_id: int,
    limit: int = Query(100, ge=1, le=1000),
) -> Any:
    workspace, _ = seller(request)
    return list(queries.activity_of(access.get_plan(workspace, plan_id))[:limit])


@router.post(
    "/plans/{int:plan_id}/versions", response=answers({201: VersionOut}, SELLER, FOUND, *BODY)
)
def send_version(request: HttpRequest, plan_id: int, payload: VersionIn) -> Status[Any]:
    workspace, actor = seller(request)
    plan = access.get_plan(workspace, plan_id)
    return Status(201, versions.send_version(plan, actor, payload.note))


@router.post("/plans/{int:plan_id}/send", response=answers({202: SendOut}, SELLER, FOUND, *BODY))
def send_to_buyer(request: HttpRequest, plan_id: int, payload: SendIn) -> Status[Any]:
    """Send the plan to the buyer: record it as a version sent, give each recipient a share
    link of their own and queue one email each. Answers at once (202); each email's outcome
    (queued, sent, or failed with its reason after retries) is in `deliveries` and on the plan
    page. When nothing came from the buyer side yet the plan is still sent, with `warning`.
    When a version was sent before, the emails are a revised version: `revision` is true and
    `changes` and `summary` say what changed since the last one, as the email puts it first."""
    workspace, actor = seller(request)
    plan = access.get_plan(workspace, plan_id)
    sent = sending.send_to_buyer(plan, actor, payload.recipients, payload.message)
    revision = sent.revision
    return Status(
        202,
        {
            "version": sent.version.number,
            "deliveries": sent.deliveries,
            "warning": sent.warning,
            "revision": revision is not None,
            "since": revision.since if revision else None,
            "changes": [versions.change_dict(c) for c in revision.changes] if revision else [],
            "summary": revision.summary if revision else [],
        },
    )


@router.get(
    "/plans/{int:plan_id}/versions",
    response=answers({200: list[VersionSummaryOut]}, SELLER, FOUND),
)
def list_versions(request: HttpRequest, plan_id: int) -> list[dict[str, Any]]:
    """The versions sent to the buyer, oldest first."""
    workspace, _ = seller(request)
    plan = access.get_plan(workspace, plan_id)
    return [versions.version_dict(v) for v in versions.version_list(plan)]


@router.get(
    "/plans/{int:plan_id}/versions/{int:a}/diff/{int:b}",
    response=answers({200: VersionDiffOut}, SELLER, FOUND),
)
def diff_versions(request: HttpRequest, plan_id: int, a: int, b: int) -> dict[str, Any]:
    """What changed from version `a` to version `b` (version numbers, not ids)."""
    workspace, _ = seller(request)
    plan = access.get_plan(workspace, plan_id)
    return versions.version_diff(plan, a, b)


@router.get(
    "/plans/{int:plan_id}/share-links",
    response=answers({200: list[ShareLinkOut]}, SELLER, FOUND),
)
def list_share_links(request: HttpRequest, plan_id: int) -> list[dict[str, Any]]:
    workspace, _ = seller(request)
    plan = access.get_plan(workspace, plan_id)
    return [share_link_dict(link) for link in plan.share_links.order_by("id")]


@router.post(
    "/plans/{int:plan_id}/share-links",
    response=answers({201: ShareLinkCreated}, SELLER, FOUND, *BODY),
)
def create_share_link(request: HttpRequest, plan_id: int, payload: ShareLinkIn) -> Status[Any]:
    workspace, actor = seller(request)
    plan = access.get_plan(workspace, plan_id)
    link, token = sharing.create_share_link(plan, actor, payload.expires_at, payload.label)
    return Status(201, {**share_link_dict(link), "token": token, "url": sharing.share_url(token)})


@router.delete("/share-links/{int:link_id}", response=answers({204: None}, SELLER, FOUND))
def revoke_share_link(request: HttpRequest, link_id: int) -> Status[Any]:
    workspace, actor = seller(request)
    link = access.get_share_link_of_workspace(workspace, link_id)
    sharing.revoke_share_link(link, actor)
    return Status(204, None)
