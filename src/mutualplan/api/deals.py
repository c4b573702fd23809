"""Deal routes: the workspace's deals with their CRM ids, and a CRM export imported."""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from mutualplan.api.auth import seller
from mutualplan.api.responses import answers
from mutualplan.api.schemas.deals import DealImportOut, DealPage
from mutualplan.inputs.deals import DealImportIn
from mutualplan.plans.errors import Invalid
from mutualplan.plans.models import Deal
from mutualplan.plans.seller_view import deal_dict
from mutualplan.plans.services import deal_imports

router = Router(tags=["deals"])


class DealFilters(Schema):
    crm_source: str | None = Field(None, max_length=20)
    crm_id: str | None = Field(None, max_length=100)
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(0, ge=0, le=200, description="0 means the server's default")


def deal_item(deal: Deal) -> dict[str, Any]:
    plan = getattr(deal, "plan", None)
    return {
        **deal_dict(deal),
        "crm_source": deal.crm_source,
        "crm_id": deal.crm_id,
        "created_at": deal.created_at,
        "close_date": deal.close_date,
        "plan_id": plan.id if plan else None,
        "plan_status": plan.status if plan else None,
    }


@router.get("/deals", response=answers({200: DealPage}, 401, 400))
def list_deals(request: HttpRequest, filters: Query[DealFilters]) -> dict[str, Any]:
    """The workspace's deals, newest first, with their CRM source and id and their plan."""
    workspace, _ = seller(request)
    deals = Deal.objects.filter(workspace=workspace).select_related("owner", "plan")
    if filters.crm_source is not None:
        deals = deals.filter(crm_source=filters.crm_source)
    if filters.crm_id is not None:
        deals = deals.filter(crm_id=filters.crm_id)
    deals = deals.order_by("-created_at", "-id")
    size = filters.page_size or settings.API_PAGE_SIZE
    count = deals.count()
    start = (filters.page - 1) * size
    return {
        "items": [deal_item(d) for d in deals[start : start + size]],
        "count": count,
        "page": filters.page,
        "page_size": size,
        "pages": max(1, math.ceil(count / size)),
    }


@router.post("/deals/import", response=answers({200: DealImportOut}, 401, 400, 413, 415))
def import_deals(request: HttpRequest, payload: DealImportIn) -> Status[Any]:
    """Create or update deals from a Salesforce, HubSpot or other CRM export, by CRM id: a
    second import of the same file changes nothing. All or nothing: one bad row imports
    nothing, and every bad row is named by its line."""
    workspace, actor = seller(request)
    content = payload.file_bytes()
    if content is None:
        raise Invalid.field(
            "content", "send the file as `content` or as `content_base64` (one of them)"
        )
    result = deal_imports.import_deals(
        workspace,
        actor,
        content,
        source=payload.source,
        mapping=dict(payload.mapping),
        create_plans=payload.create_plans,
        template=payload.template,
        account_type=payload.account_type,
        dry_run=payload.dry_run,
        remember=payload.save_mapping,
    )
    return Status(200, {**asdict(result), "summary": result.summary})
