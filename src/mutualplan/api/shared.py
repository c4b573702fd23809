"""Buyer routes: everything is reached through the share token in the path, and only that
token's plan. The buyer names themselves on each write; that name is the recorded actor.
Every answer, errors included, is made from the buyer read model (`plans.buyer_view`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from mutualplan.api.buyer_schemas import (
    BuyerChangesOut,
    BuyerMilestoneConflictOut,
    BuyerMilestoneOut,
    BuyerPlanOut,
)
from mutualplan.api.responses import answers, render
from mutualplan.api.schemas.sharing import ConfirmationOut, ConfirmIn
from mutualplan.core.text import person_errors
from mutualplan.inputs.milestones import BuyerIn, BuyerMilestoneCreate, BuyerMilestonePatch
from mutualplan.plans import access, buyer_view
from mutualplan.plans.actors import Actor
from mutualplan.plans.errors import Invalid
from mutualplan.plans.models import ShareLink
from mutualplan.plans.services import milestones as milestone_service
from mutualplan.plans.services import versions
from mutualplan.plans.services.revisions import latest_revision
from mutualplan.plans.services.sharing import note_buyer_visit, note_link_used

router = Router(tags=["buyer (share link)"])
# Every route here looks the share link up: unknown (404), or revoked or expired (410).
LINK = (404, 410)
BODY = (400, 413, 415)


def _link(token: str) -> ShareLink:
    link = access.get_share_link(token)
    note_link_used(link)
    return link


def _buyer(who: BuyerIn, link: ShareLink) -> Actor:
    return Actor.buyer(who.name, who.email, link)


def _buyer_row(link: ShareLink, row_id: int, status: int = 200) -> HttpResponse:
    return render(BuyerMilestoneOut, buyer_view.buyer_milestone(link.plan, row_id), status)


class Reader(Schema):
    """Who reads the plan (optional): given, the seller sees that they opened it."""

    name: str = Field("", max_length=200, description="Your name, as on your changes.")
    email: str = Field("", max_length=254, description="Your email, as on your changes.")


@router.get("/shared/{token}", response=answers({200: BuyerPlanOut}, *LINK, 400))
def shared_plan(request: HttpRequest, token: str, reader: Query[Reader]) -> HttpResponse:
    link = _link(token)
    if reader.name or reader.email:
        errors = person_errors(reader.name, reader.email)
        if errors:
            field, message = next(iter(errors.items()))
            raise Invalid.field(field, message)
        note_buyer_visit(link, reader.name.strip(), reader.email.strip())
    return render(BuyerPlanOut, buyer_view.buyer_plan(link.plan))


@router.get("/shared/{token}/changes", response=answers({200: BuyerChangesOut}, *LINK))
def shared_changes(request: HttpRequest, token: str) -> dict[str, Any]:
    """What changed in the plan between the last two versions sent to the buyer, in the
    buyer's words (the revised version's "What changed since")."""
    revision = latest_revision(_link(token).plan)
    if revision is None:
        return {
            "revised": False,
            "since": None,
            "from_version": None,
            "to_version": None,
            "summary": [],
            "changes": [],
        }
    return {
        "revised": True,
        "since": revision.since,
        "from_version": revision.since_number,
        "to_version": revision.number,
        "summary": revision.summary,
        "changes": [versions.change_dict(c) for c in revision.changes],
    }


@router.post("/shared/{token}/milestones", response=answers({201: BuyerMilestoneOut}, *LINK, *BODY))
def buyer_add_milestone(
    request: HttpRequest, token: str, payload: BuyerMilestoneCreate
) -> HttpResponse:
    link = _link(token)
    fields = payload.model_dump(exclude_unset=True, exclude={"actor"})
    fields.setdefault("owner_side", "buyer")
    row = milestone_service.add_milestone(link.plan, _buyer(payload.actor, link), fields)
    return _buyer_row(link, row.id, 201)


@router.patch(
    "/shared/{token}/milestones/{int:milestone_id}",
    response=answers(
        {200: BuyerMilestoneOut}, *LINK, *BODY, 403, conflict=BuyerMilestoneConflictOut
    ),
)
def buyer_update_milestone(
    request: HttpRequest, token: str, milestone_id: int, payload: BuyerMilestonePatch
) -> HttpResponse:
    link = _link(token)
    fields = payload.model_dump(
        exclude_unset=True, exclude={"actor", "version", "reason_category", "reason_text"}
    )
    row = milestone_service.update_milestone(
        link.plan,
        milestone_id,
        _buyer(payload.actor, link),
        payload.version,
        fields,
        reason_category=payload.reason_category,
        reason_text=payload.reason_text,
    )
    return _buyer_row(link, row.id)


@router.post("/shared/{token}/confirm", response=answers({200: ConfirmationOut}, *LINK, *BODY))
def buyer_confirm(request: HttpRequest, token: str, payload: ConfirmIn) -> dict[str, Any]:
    link = _link(token)
    confirmation = versions.confirm(link.plan, _buyer(payload.actor, link), payload.milestone_ids)
    return {
        "id": confirmation.id,
        "buyer_name": confirmation.buyer_name,
        "created_at": confirmation.created_at,
        "milestone_ids": [m["id"] for m in confirmation.snapshot["milestones"]],
    }
