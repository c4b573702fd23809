"""Seller pages of a plan's versions: the versions sent to the buyer, and what changed
between two of them, in words (seller only; the buyer's side comes later)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from mutualplan.plans.errors import NotFound
from mutualplan.plans.models import Plan
from mutualplan.plans.services import versions
from mutualplan.web.views.plans import seller_plan
from mutualplan.workspaces.clock import zone_of

KIND_LABELS = {
    "target_moved": "Target date",
    "added": "Added",
    "removed": "Removed",
    "redated": "Re-dated",
    "reowned": "Re-owned",
    "status": "Status",
    "retitled": "Renamed",
}


def _local(version: dict[str, Any], plan: Plan) -> dict[str, Any]:
    """The version with its sending time in the workspace's time zone."""
    zone = zone_of(plan.workspace.time_zone)
    return {**version, "sent_at": version["sent_at"].astimezone(zone)}


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


@login_required
@require_GET
def versions_page(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The versions sent, newest first; comparing two goes to their diff page."""
    plan = seller_plan(request, plan_id)
    a, b = _number(request.GET.get("a")), _number(request.GET.get("b"))
    if a and b:
        return redirect("plan_version_diff", plan.id, a, b)
    sent = [_local(versions.version_dict(v), plan) for v in versions.version_list(plan)]
    return render(
        request,
        "plans/versions.html",
        {
            "plan": plan,
            "deal": plan.deal,
            "versions": list(reversed(sent)),
            "latest": sent[-1]["number"] if sent else None,
        },
    )


@login_required
@require_GET
def version_diff_page(request: HttpRequest, plan_id: int, a: int, b: int) -> HttpResponse:
    plan = seller_plan(request, plan_id)
    try:
        diff = versions.version_diff(plan, a, b)
    except NotFound:
        raise Http404("version not found") from None
    return render(
        request,
        "plans/version_diff.html",
        {
            "plan": plan,
            "deal": plan.deal,
            "diff": {
                **diff,
                "from_version": _local(diff["from_version"], plan),
                "to_version": _local(diff["to_version"], plan),
            },
            "changes": [{**c, "label": KIND_LABELS[c["kind"]]} for c in diff["changes"]],
        },
    )
