"""The seller's analytics pages: what the workspace's history says about step durations and
deal cycles, with server-drawn SVG charts and each table as a CSV download."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from mutualplan.core.charts import (
    MAX_SERIES,
    Bar,
    QuarterPoint,
    Series,
    bar_chart,
    quarter_chart,
    survival_chart,
)
from mutualplan.core.durations import DurationRow
from mutualplan.core.vocab import label
from mutualplan.documents.download import file_response
from mutualplan.plans import analytics
from mutualplan.plans.errors import Invalid
from mutualplan.web.context import workspace_or_404
from mutualplan.workspaces.models import Workspace

CSV = "text/csv; charset=utf-8"


def _filters(request: HttpRequest, workspace: Workspace) -> tuple[dt.date, str | None]:
    """The as-of day and account type asked for; Invalid names the bad one."""
    as_of = analytics.parse_as_of(request.GET.get("as_of"), workspace)
    return as_of, analytics.parse_account_type(request.GET.get("account_type"), workspace)


def _bad(request: HttpRequest, template: str, error: Invalid) -> HttpResponse:
    context = {"errors": error.errors, "values": request.GET, "how": analytics.HOW_TO_GET_HISTORY}
    return render(request, template, context, status=400)


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    workspace = workspace_or_404(request)
    try:
        as_of, _ = _filters(request, workspace)
    except Invalid as error:
        return _bad(request, "analytics/overview.html", error)
    headline = analytics.headline(workspace, as_of)
    return render(
        request,
        "analytics/overview.html",
        {
            "headline": headline,
            "win_rate": analytics.percent(headline.win_rate),
            "median_cycle": analytics.days(headline.median_cycle_days),
            "as_of": as_of,
            "how": analytics.HOW_TO_GET_HISTORY,
            "values": request.GET,
        },
    )


def _duration_rows(table: analytics.Durations) -> list[dict[str, Any]]:
    """Each step type's overall row with its account types' rows nested under it."""
    groups: list[dict[str, Any]] = []
    for row in table.rows:
        shown = {
            "row": row,
            "label": label(row.step_type),
            "median": analytics.figure_text("median", row.median),
            "p80": analytics.figure_text("P80", row.p80),
            "shrunk": row.median.shrunk or row.p80.shrunk,
            "planned_vs_actual": analytics.days(row.planned_vs_actual.value),
            "slip_share": analytics.percent(row.slip_share.value),
            "mean_days_slipped": analytics.days(row.mean_days_slipped.value),
            "reasons": analytics.reasons_text(row),
        }
        if row.account_type is None:
            groups.append({**shown, "accounts": []})
        else:
            groups[-1]["accounts"].append(shown)
    return groups


def _bars(table: analytics.Durations) -> str:
    # With an account type chosen, its rows are drawn (shrunk); else each step type overall.
    wanted = table.account_type
    rows = [r for r in table.rows if r.account_type == wanted]
    bars = [
        Bar(
            label=label(r.step_type),
            value=r.median.value if r.median.value is not None else r.median.at_least,
            marker=r.p80.value,
            text=_bar_text(r),
            open_ended=r.median.value is None,
        )
        for r in rows
    ]
    who = wanted or "all deals"
    return bar_chart(bars, title=f"Turnaround per step type ({who})", id_prefix="durations")


def _bar_text(row: DurationRow) -> str:
    median = row.median.value if row.median.value is not None else row.median.at_least
    bound = "" if row.median.value is not None else "≥"
    p80 = (
        analytics.days(row.p80.value)
        if row.p80.value is not None
        else f"≥{analytics.days(row.p80.at_least)}"
    )
    return f"{bound}{analytics.days(median)}, P80 {p80} (n={row.observations})"


def _curves(table: analytics.Durations, step_type: str) -> str:
    rows = [r for r in table.rows if r.step_type == step_type][:MAX_SERIES]
    series = [
        Series(
            label=analytics.ALL_DEALS if r.account_type is None else r.account_type,
            times=r.curve.times.tolist(),
            survival=r.curve.survival.tolist(),
            longest=r.curve.longest,
        )
        for r in rows
    ]
    title = f"{label(step_type)}: share of steps still open after each day"
    return survival_chart(series, title=title, id_prefix="survival")


@login_required
@require_GET
def durations(request: HttpRequest) -> HttpResponse:
    workspace = workspace_or_404(request)
    try:
        as_of, account_type = _filters(request, workspace)
    except Invalid as error:
        return _bad(request, "analytics/durations.html", error)
    table = analytics.durations(workspace, as_of, account_type)
    chosen = request.GET.get("step_type") or ""
    step_types = table.step_types
    step_type = chosen if chosen in step_types else (step_types[0] if step_types else "")
    return render(
        request,
        "analytics/durations.html",
        {
            "table": table,
            "groups": _duration_rows(table),
            "as_of": as_of,
            "account_type": account_type or "",
            "step_type": step_type,
            "step_choices": [(s, label(s)) for s in step_types],
            # Drawn by core.charts, which escapes every text (shown with |safe).
            "bars": _bars(table) if table.rows else "",
            "curves": _curves(table, step_type) if step_type else "",
            "how": analytics.HOW_TO_GET_HISTORY,
            "query": request.GET.urlencode(),
        },
    )


def _quarters(table: analytics.Cycles) -> str:
    """Every account type together per quarter, or the chosen one's rows."""
    by_quarter: dict[str, list[Any]] = {}
    for row in table.rows:
        if row.quarter is not None:
            by_quarter.setdefault(row.quarter, []).append(row)
    points = []
    for quarter in sorted(by_quarter):
        rows = by_quarter[quarter]
        won = sum(r.won for r in rows)
        closed = won + sum(r.lost for r in rows)
        # The mean over all account types, weighted by their won deals.
        total = sum((r.mean_cycle_days or 0) * r.won for r in rows)
        points.append(
            QuarterPoint(
                quarter=quarter,
                value=total / won if won else None,
                rate=won / closed if closed else None,
                count=closed,
            )
        )
    who = table.account_type or "all account types"
    return quarter_chart(
        points,
        title=f"Cycle length and win rate per quarter ({who})",
        value_name="mean cycle of won deals",
        id_prefix="cycles",
    )


@login_required
@require_GET
def cycles(request: HttpRequest) -> HttpResponse:
    workspace = workspace_or_404(request)
    try:
        as_of, account_type = _filters(request, workspace)
    except Invalid as error:
        return _bad(request, "analytics/cycles.html", error)
    table = analytics.cycles(workspace, as_of, account_type)
    rows = [
        {
            "row": r,
            "quarter": r.quarter or analytics.ALL_QUARTERS,
            "win_rate": analytics.percent(r.win_rate),
            "mean_cycle": analytics.days(r.mean_cycle_days),
            "median_cycle": analytics.days(r.median_cycle_days),
            "mean_late": analytics.days(r.mean_days_late),
            "median_late": analytics.days(r.median_days_late),
        }
        for r in table.rows
    ]
    return render(
        request,
        "analytics/cycles.html",
        {
            "table": table,
            "rows": rows,
            "as_of": as_of,
            "account_type": account_type or "",
            "chart": _quarters(table) if table.rows else "",
            "how": analytics.HOW_TO_GET_HISTORY,
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def durations_csv(request: HttpRequest) -> HttpResponse:
    workspace = workspace_or_404(request)
    try:
        as_of, account_type = _filters(request, workspace)
    except Invalid as error:
        return _bad(request, "analytics/durations.html", error)
    table = analytics.durations(workspace, as_of, account_type)
    name = analytics.file_name("step-durations", table)
    return file_response(analytics.durations_csv(table), CSV, name)


@login_required
@require_GET
def cycles_csv(request: HttpRequest) -> HttpResponse:
    workspace = workspace_or_404(request)
    try:
        as_of, account_type = _filters(request, workspace)
    except Invalid as error:
        return _bad(request, "analytics/cycles.html", error)
    table = analytics.cycles(workspace, as_of, account_type)
    name = analytics.file_name("deal-cycles", table)
    return file_response(analytics.cycles_csv(table), CSV, name)
