"""The plan as a PDF (WeasyPrint): an HTML template with print CSS, filled from the buyer
read model. Nothing is fetched while rendering: the timeline is inline SVG and the styles
are in the template."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from mutualplan.core.timeline import TimelineRow, render_timeline
from mutualplan.core.vocab import RISK_CHECKLIST
from mutualplan.documents import owner_label, status_label
from mutualplan.plans.buyer_view import BuyerPlan

# WeasyPrint tells each rendering step at INFO: a line per step per download in the server log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# The risk checklist as column headings, in the checklist's order: boxes for the buyer's
# side to tick (the seller's own answers are never in the document).
SHORT_QUESTIONS = {
    "owner_named": "Owner named",
    "owner_briefed": "Owner briefed",
    "turnaround_known": "Turnaround known",
    "owner_available": "Owner available",
    "champion_ran_before": "Run before",
}
CHECKLIST = [{"short": SHORT_QUESTIONS.get(key, key)} for key in RISK_CHECKLIST]


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # A pasted link or image in a note never makes the server fetch anything.
    raise ValueError(f"not fetched: {url[:40]}")


def timeline(view: BuyerPlan, today: dt.date) -> str:
    rows = [
        TimelineRow(
            title=r.title,
            owner_side=r.owner_side,
            owner_team=r.owner_team,
            start=r.due_date - dt.timedelta(days=r.turnaround_days or 0) if r.due_date else None,
            due=r.due_date,
            baseline_due=r.baseline_due_date,
            status=r.status,
            overdue=r.overdue,
            high_risk=r.high_risk,
        )
        for r in view.milestones
    ]
    return render_timeline(
        rows,
        view.target_date,
        today,
        width=900,
        title=f"Timeline of the plan for {view.account_name}",
        id_prefix="pdf-timeline",
    )


def plan_html(view: BuyerPlan, today: dt.date) -> str:
    rows: list[dict[str, Any]] = [
        {"row": r, "owner": owner_label(r), "status": status_label(r)} for r in view.milestones
    ]
    return render_to_string(
        "documents/plan_pdf.html",
        {
            "view": view,
            "today": today,
            "rows": rows,
            "high_risk": [item for item in rows if item["row"].high_risk],
            "checklist": CHECKLIST,
            "timeline": mark_safe(timeline(view, today)),  # noqa: S308 - escaped by core.timeline
        },
    )


def plan_pdf(view: BuyerPlan, today: dt.date) -> bytes:
    """The PDF of one plan as the buyer sees it."""
    from weasyprint import HTML  # imported on use: WeasyPrint loads pango on import

    document = HTML(string=plan_html(view, today), url_fetcher=_refuse_fetch)
    pdf = document.write_pdf()
    assert pdf is not None
    return bytes(pdf)
