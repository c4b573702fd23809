"""Shapes of deals and of a CRM import's answer."""

from __future__ import annotations

import datetime as dt

from mutualplan.api.schemas.errors import Out
from mutualplan.api.schemas.plans import DealOut


class DealListItemOut(DealOut):
    """A deal as the plan shows it, with what a CRM import set and its plan, if any."""

    crm_source: str
    crm_id: str
    created_at: dt.datetime
    close_date: dt.date | None
    plan_id: int | None
    plan_status: str | None


class DealPage(Out):
    items: list[DealListItemOut]
    count: int
    page: int
    page_size: int
    pages: int


class DealImportOut(Out):
    source: str
    columns: dict[str, str]
    rows: int
    created: int
    updated: int
    unchanged: int
    plans_created: int
    plans_closed: int
    stages_added: list[str]
    account_types_added: list[str]
    unmatched_owners: list[str]
    dry_run: bool
    summary: str
