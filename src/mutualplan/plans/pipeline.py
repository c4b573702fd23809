"""The workspace's pipeline forecast: its open plans forecast together (`forecasting`) with
the chance of finishing by each coming quarter's end, each deal's win rate from the
workspace's closed deals (`learning.deal_outcomes`), handed to the core (`core.pipeline`).

Open plans: active and paused ones, and drafts that already have a target date. Read-only; a
fixed number of queries whatever the number of plans. The web page, the API and the command
line all read it from here, and check their filters with `check_filters`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q

from mutualplan.core.pipeline import (
    DEFAULT_SAMPLES,
    PRIOR_DEALS,
    UNASSIGNED,
    Breakdown,
    CurrencyPipeline,
    OpenDeal,
    Pipeline,
    QuarterForecast,
    WinRates,
    coming_quarters,
    pipeline,
    win_rates,
)
from mutualplan.core.vocab import PlanStatus
from mutualplan.formats.csv import write_table
from mutualplan.formats.table import Value
from mutualplan.plans import queries
from mutualplan.plans.errors import Invalid
from mutualplan.plans.forecasting import forecast_plans
from mutualplan.plans.learning import deal_outcomes
from mutualplan.plans.models import Milestone, Plan
from mutualplan.workspaces.clock import today_for
from mutualplan.workspaces.models import Workspace

DEFAULT_QUARTERS = 4
MAX_QUARTERS = 8


@dataclass(frozen=True)
class PipelineFilters:
    """Which open deals count: one owner's (by id or by email) and one account type's."""

    owner_id: int | None = None
    owner_email: str | None = None
    account_type: str | None = None


@dataclass(frozen=True)
class WorkspacePipeline:
    """The forecast, the win rates it used, and the open plans it left out because they have
    no steps yet (nothing to forecast): (plan id, account name)."""

    forecast: Pipeline
    win_rates: WinRates
    filters: PipelineFilters
    without_steps: list[tuple[int, str]] = field(default_factory=list)


def check_filters(
    workspace: Workspace, owner_email: str | None, account_type: str | None, quarters: object
) -> tuple[PipelineFilters, int]:
    """The filters and the number of quarters asked for, or Invalid naming the bad one: an
    owner who is not a seller of the workspace, an account type it has never used, a number
    of quarters outside 1 to 8."""
    if isinstance(quarters, bool) or not isinstance(quarters, int):
        raise Invalid.field("quarters", f"must be a whole number from 1 to {MAX_QUARTERS}")
    if not 1 <= quarters <= MAX_QUARTERS:
        raise Invalid.field("quarters", f"must be from 1 to {MAX_QUARTERS}, not {quarters}")
    # An empty value (`?owner=`) asks for no filter, as the page's "Anyone" does.
    owner_email = (owner_email or "").strip() or None
    if (
        owner_email is not None
        and not workspace.memberships.filter(user__email__iexact=owner_email).exists()
    ):
        raise Invalid.field("owner", f"no seller of this workspace has the email {owner_email!r}")
    account_type = queries.account_type_filter(workspace, account_type)
    return PipelineFilters(owner_email=owner_email, account_type=account_type), quarters


def open_plans(workspace: Workspace, filters: PipelineFilters) -> list[Plan]:
    """The plans the pipeline counts (one query), with their deal and its owner."""
    found = queries.filtered_plans(
        workspace,
        queries.PlanFilters(
            owner_id=filters.owner_id,
            owner_email=filters.owner_email,
            account_type=filters.account_type,
        ),
    )
    counted = Q(status__in=(PlanStatus.ACTIVE, PlanStatus.PAUSED)) | Q(
        status=PlanStatus.DRAFT, target_date__isnull=False
    )
    return list(found.filter(counted).select_related("deal", "deal__owner").order_by("id"))


def _owner_names(plans: list[Plan]) -> dict[int, str]:
    """Each plan's owner as the breakdown names them: their full name (else email), with the
    email added when two owners share a name, so their amounts are never added together."""
    users = {p.deal.owner.pk: p.deal.owner for p in plans if p.deal.owner is not None}
    names = {pk: str(u.get_full_name() or u.email) for pk, u in users.items()}
    shared = {n for n in names.values() if list(names.values()).count(n) > 1}
    for pk, name in names.items():
        if name in shared:
            names[pk] = f"{name} <{users[pk].email}>"
    return {p.pk: UNASSIGNED if p.deal.owner is None else names[p.deal.owner.pk] for p in plans}


def workspace_pipeline(
    workspace: Workspace,
    filters: PipelineFilters | None = None,
    quarters: int = DEFAULT_QUARTERS,
    today: dt.date | None = None,
    samples: int = DEFAULT_SAMPLES,
) -> WorkspacePipeline:
    """The pipeline forecast of the workspace's open plans over the coming `quarters`."""
    filters = filters or PipelineFilters()
    today = today or today_for(workspace)
    periods = coming_quarters(today, workspace.fiscal_year_start_month, quarters)
    plans = open_plans(workspace, filters)
    outlooks = (
        forecast_plans(workspace, plans, today, horizons=[q.end for q in periods]) if plans else {}
    )
    # Win rates always come from the whole workspace: a filter narrows the deals, not history.
    rates = win_rates(deal_outcomes(workspace, today))
    owners = _owner_names(plans)
    deals = [
        OpenDeal(
            plan_id=plan.pk,
            account_name=plan.deal.account_name,
            amount=float(plan.deal.amount),
            currency=plan.deal.currency,
            owner=owners[plan.pk],
            account_type=plan.deal.account_type,
            crm_close_date=plan.deal.close_date,
            p_finish_by=outlooks[plan.pk].p_by_horizon,
            p_win=rates.rate(plan.deal.account_type),
            p50=outlooks[plan.pk].p50,
            p80=outlooks[plan.pk].p80,
        )
        for plan in plans
        if plan.pk in outlooks
    ]
    forecast = pipeline(deals, periods, today, rates.has_history, samples)
    missing = [p for p in plans if p.pk not in outlooks]
    with_steps = set(
        Milestone.objects.filter(plan__in=missing).values_list("plan_id", flat=True)
        if missing
        else ()
    )
    left_out = [(p.pk, p.deal.account_name) for p in missing if p.pk not in with_steps]
    return WorkspacePipeline(forecast, rates, filters, left_out)


def _money(value: float) -> float:
    return round(value, 2)


def _quarter_dict(row: QuarterForecast) -> dict[str, Any]:
    return {
        "quarter": row.quarter.label,
        "start": row.quarter.start,
        "end": row.quarter.end,
        "expected_amount": _money(row.expected_amount),
        "p10": _money(row.p10),
        "p90": _money(row.p90),
        "deals": row.deals,
        "expected_deals": round(row.expected_deals, 2),
    }


def _breakdown_dict(row: Breakdown) -> dict[str, Any]:
    return {
        "name": row.name,
        "deals": row.deals,
        "expected_by_quarter": [_money(v) for v in row.expected_by_quarter],
        "expected_total": _money(row.expected_total),
    }


def currency_dict(part: CurrencyPipeline) -> dict[str, Any]:
    """One currency's forecast as the API and the command line give it."""
    return {
        "currency": part.currency,
        "deals": part.deals,
        "open_amount": _money(part.open_amount),
        "quarters": [_quarter_dict(q) for q in part.quarters],
        "total": _quarter_dict(part.total),
        "by_owner": [_breakdown_dict(b) for b in part.by_owner],
        "by_account_type": [_breakdown_dict(b) for b in part.by_account_type],
    }


def chance_label(result: WorkspacePipeline) -> str:
    """What the chances stand for: closing (won), or only the plan finishing."""
    if result.forecast.has_win_history:
        return "probability of closing (the plan finishing × the account type's win rate)"
    return "probability of finishing the plan (no deal has closed yet: no win rate to apply)"


def pipeline_dict(result: WorkspacePipeline) -> dict[str, Any]:
    """The pipeline forecast as the API and the command line (`--json`) give it: the main
    currency's figures at the top, any other currency's in `other_currencies`."""
    forecast = result.forecast
    main = forecast.main
    empty = {
        "currency": None,
        "deals": 0,
        "open_amount": 0.0,
        "quarters": [
            {
                "quarter": q.label,
                "start": q.start,
                "end": q.end,
                "expected_amount": 0.0,
                "p10": 0.0,
                "p90": 0.0,
                "deals": 0,
                "expected_deals": 0.0,
            }
            for q in forecast.quarters
        ],
        "total": None,
        "by_owner": [],
        "by_account_type": [],
    }
    rates = result.win_rates
    return {
        "as_of": forecast.today,
        **(currency_dict(main) if main is not None else empty),
        "other_currencies": [currency_dict(c) for c in forecast.currencies[1:]],
        "late_deals": [
            {
                "plan_id": d.plan_id,
                "account_name": d.account_name,
                "owner": d.owner,
                "amount": _money(d.amount),
                "currency": d.currency,
                "crm_close_date": d.crm_close_date,
                "plan_p50": d.plan_p50,
                "plan_p80": d.plan_p80,
                "gap_days": d.gap_days,
                "gap_p80_days": d.gap_p80_days,
            }
            for d in forecast.late_deals
        ],
        "plans_without_steps": [
            {"plan_id": pk, "account_name": name} for pk, name in result.without_steps
        ],
        "has_win_history": forecast.has_win_history,
        "chance": chance_label(result),
        "win_rates": {
            "workspace_rate": rates.workspace_rate,
            "won": rates.won,
            "lost": rates.lost,
            "prior_deals": PRIOR_DEALS,
            "by_account_type": [
                {
                    "account_type": r.account_type,
                    "won": r.won,
                    "lost": r.lost,
                    "raw": r.raw,
                    "rate": round(r.rate, 4),
                }
                for r in rates.by_account_type.values()
            ],
        },
        "samples": forecast.samples,
        "filters": {
            "owner": result.filters.owner_email,
            "account_type": result.filters.account_type,
        },
    }


CSV_COLUMNS = (
    "Table",
    "Currency",
    "Name",
    "Quarter",
    "Start",
    "End",
    "Expected amount",
    "P10",
    "P90",
    "Deals",
    "Plan",
    "CRM close date",
    "Plan P50",
    "Plan P80",
    "Gap days (P50)",
    "Gap days (P80)",
)


def _cell(value: float) -> Decimal:
    """An amount as the CSV writes it: the API's rounded figure, exactly."""
    return Decimal(str(_money(value)))


def _csv_rows(result: WorkspacePipeline) -> list[list[Value]]:
    rows: list[list[Value]] = []
    for part in result.forecast.currencies:
        for q in (*part.quarters, part.total):
            rows.append(
                ["quarter", part.currency, q.quarter.label, q.quarter.label,
                 q.quarter.start, q.quarter.end, _cell(q.expected_amount), _cell(q.p10),
                 _cell(q.p90), q.deals, "", "", "", "", "", ""]
            )  # fmt: skip
        for table, breakdown in (("owner", part.by_owner), ("account type", part.by_account_type)):
            for b in breakdown:
                for q, amount in zip(part.quarters, b.expected_by_quarter, strict=True):
                    rows.append(
                        [table, part.currency, b.name, q.quarter.label, q.quarter.start,
                         q.quarter.end, _cell(amount), "", "", b.deals, "", "", "", "", "", ""]
                    )  # fmt: skip
    for d in result.forecast.late_deals:
        rows.append(
            ["late deal", d.currency, d.account_name, "", "", "", _cell(d.amount), "", "", "",
             d.plan_id, d.crm_close_date, d.plan_p50, d.plan_p80, d.gap_days, d.gap_p80_days]
        )  # fmt: skip
    return rows


def pipeline_csv(result: WorkspacePipeline) -> bytes:
    """The page's tables as one CSV (one row per quarter, per owner or account type and
    quarter, per late deal): UTF-8 with a byte-order mark, dates as YYYY-MM-DD, and text
    that a spreadsheet would take for a formula kept as text."""
    return write_table(CSV_COLUMNS, _csv_rows(result))
