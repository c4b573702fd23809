"""Call mode: the plan opened on a check-in call with its agenda (`core.agenda`), each row's
date and status editable right there (the plan page's row-edit endpoint, returning here), and
the form that logs the call. Seller-only; plain forms that post and redirect."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from mutualplan.core.vocab import STATUS_LABELS
from mutualplan.inputs.calls import CallCreate
from mutualplan.plans.actors import Actor
from mutualplan.plans.agenda import call_dict, plan_agenda
from mutualplan.plans.models import Call
from mutualplan.plans.queries import milestone_rows
from mutualplan.plans.services import calls as call_service
from mutualplan.web.responses import answer, page_action, parse
from mutualplan.web.tables import CHOICES
from mutualplan.web.views.plans import seller_plan
from mutualplan.workspaces.clock import today_for

# The sections whose rows get the date-and-status form: what a call changes.
EDITABLE_SECTIONS = frozenset({"overdue", "due_soon", "stale", "must_move"})


def call_url(request: HttpRequest, plan_id: int, **_: Any) -> str:
    return reverse("plan_call", args=[plan_id]) + "#log-call"


@login_required
@require_GET
def call_page(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = seller_plan(request, plan_id)
    today = today_for(plan.workspace)
    raw = milestone_rows(plan.id)
    agenda = plan_agenda(plan, today, raw)
    rows = {r["id"]: r for r in raw}
    sections = [
        {
            "key": s.key,
            "heading": s.heading,
            "editable": s.key in EDITABLE_SECTIONS,
            "items": [
                {
                    "milestone_id": i.milestone_id,
                    "title": i.title,
                    "detail": i.detail,
                    "row": rows.get(i.milestone_id),
                }
                for i in s.items
            ],
        }
        for s in agenda.sections
    ]
    last = Call.objects.filter(plan=plan).order_by("-held_at", "-id").first()
    return render(
        request,
        "plans/call.html",
        {
            "plan": plan,
            "plan_id": plan.id,
            "deal": plan.deal,
            "today": today,
            "agenda": agenda,
            "sections": sections,
            "item_count": sum(len(s.items) for s in agenda.sections),
            "last_call": last,
            "choices": CHOICES,
            "status_labels": STATUS_LABELS,
        },
    )


@login_required
@require_POST
@page_action(call_url)
def log_call(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = seller_plan(request, plan_id)
    data = {
        "held_on": request.POST.get("held_on") or None,
        "attendees": request.POST.get("attendees", ""),
        "notes": request.POST.get("notes", ""),
        "next_call_on": request.POST.get("next_call_on") or None,
    }
    payload = parse(CallCreate, data)
    call = call_service.log_call(plan, Actor.seller(request.user), **payload.model_dump())
    return answer(
        request,
        reverse("plan", args=[plan.id]) + "#health",
        call_dict(call),
        status=201,
        message="Call logged: the plan counts as reviewed.",
    )
