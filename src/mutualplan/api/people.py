"""Seller routes about the buyer side of a plan: its people (stakeholders), who opened the
plan through a share link, and the discovery findings to raise with the champion. None of
this is ever answered through a share link."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from mutualplan.api.auth import seller
from mutualplan.api.responses import answers
from mutualplan.api.schemas.people import BuyerVisitOut, FindingOut, StakeholderOut
from mutualplan.inputs.stakeholders import StakeholderCreate, StakeholderPatch
from mutualplan.plans import access
from mutualplan.plans.engagement import buyer_visits
from mutualplan.plans.errors import Invalid
from mutualplan.plans.seller_view import (
    discovery_dict,
    one_stakeholder,
    plan_findings,
    plan_stakeholders,
)
from mutualplan.plans.services import stakeholders as stakeholder_service

router = Router(tags=["buyer side"])
SELLER = 401
FOUND = 404
BODY = (400, 413, 415)


@router.get(
    "/plans/{int:plan_id}/stakeholders",
    response=answers({200: list[StakeholderOut]}, SELLER, FOUND),
)
def list_stakeholders(request: HttpRequest, plan_id: int) -> list[dict[str, Any]]:
    """The people on the buyer side, each with the rows they own."""
    workspace, _ = seller(request)
    return plan_stakeholders(access.get_plan(workspace, plan_id))


@router.post(
    "/plans/{int:plan_id}/stakeholders",
    response=answers({201: StakeholderOut}, SELLER, FOUND, *BODY),
)
def add_stakeholder(request: HttpRequest, plan_id: int, payload: StakeholderCreate) -> Status[Any]:
    workspace, actor = seller(request)
    plan = access.get_plan(workspace, plan_id)
    fields = payload.model_dump(exclude={"owns"})
    person = stakeholder_service.add_stakeholder(plan, actor, fields, payload.owns)
    return Status(201, one_stakeholder(plan, person))


@router.patch(
    "/plans/{int:plan_id}/stakeholders/{int:stakeholder_id}",
    response=answers({200: StakeholderOut}, SELLER, FOUND, *BODY),
)
def update_stakeholder(
    request: HttpRequest, plan_id: int, stakeholder_id: int, payload: StakeholderPatch
) -> dict[str, Any]:
    workspace, actor = seller(request)
    plan = access.get_plan(workspace, plan_id)
    fields = payload.model_dump(exclude_unset=True, exclude={"owns"})
    refused = [k for k, v in fields.items() if v is None]
    if refused:
        raise Invalid.field(refused[0], "must not be null; leave the field out to keep it")
    person = stakeholder_service.update_stakeholder(
        plan, stakeholder_id, actor, fields, payload.owns
    )
    return one_stakeholder(plan, person)


@router.delete(
    "/plans/{int:plan_id}/stakeholders/{int:stakeholder_id}",
    response=answers({204: None}, SELLER, FOUND),
)
def remove_stakeholder(request: HttpRequest, plan_id: int, stakeholder_id: int) -> Status[Any]:
    workspace, actor = seller(request)
    plan = access.get_plan(workspace, plan_id)
    stakeholder_service.remove_stakeholder(plan, stakeholder_id, actor)
    return Status(204, None)


@router.get(
    "/plans/{int:plan_id}/buyer-visits",
    response=answers({200: list[BuyerVisitOut]}, SELLER, FOUND),
)
def list_buyer_visits(request: HttpRequest, plan_id: int) -> list[dict[str, Any]]:
    """Who on the buyer side opened the plan through a share link, and how often (one visit
    counted per buyer per day)."""
    workspace, _ = seller(request)
    return buyer_visits(access.get_plan(workspace, plan_id))


@router.get(
    "/plans/{int:plan_id}/findings",
    response=answers({200: list[FindingOut]}, SELLER, FOUND),
)
def list_findings(request: HttpRequest, plan_id: int) -> list[dict[str, Any]]:
    """Discovery findings: each risk-checklist answer of an open high-risk row that is "no"
    or not yet known, as the question to ask the champion."""
    workspace, _ = seller(request)
    return [discovery_dict(f) for f in plan_findings(access.get_plan(workspace, plan_id))]
