"""The seller's forms for the people on the buyer side (stakeholders) on the plan page: add,
edit (with the rows they own), remove. Plain forms that post and redirect."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from mutualplan.inputs.stakeholders import StakeholderCreate, StakeholderPatch
from mutualplan.plans.actors import Actor
from mutualplan.plans.seller_view import one_stakeholder
from mutualplan.plans.services import stakeholders as stakeholder_service
from mutualplan.web.responses import answer, page_action, parse
from mutualplan.web.views.plans import seller_plan


def people_url(request: HttpRequest, plan_id: int, **_: Any) -> str:
    return reverse("plan", args=[plan_id]) + "#stakeholders"


def _form(request: HttpRequest) -> dict[str, Any]:
    """The person's fields present in the form; `owns` when the form lists the rows (a form
    with the list and no box ticked means: owns none)."""
    data: dict[str, Any] = {
        k: request.POST[k] for k in ("name", "email", "title", "role") if k in request.POST
    }
    if "owns_listed" in request.POST:
        data["owns"] = request.POST.getlist("owns")
    return data


@login_required
@require_POST
@page_action(people_url)
def add_stakeholder(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = seller_plan(request, plan_id)
    data = _form(request)
    data.setdefault("name", "")
    payload = parse(StakeholderCreate, data)
    person = stakeholder_service.add_stakeholder(
        plan, Actor.seller(request.user), payload.model_dump(exclude={"owns"}), payload.owns
    )
    return answer(
        request,
        people_url(request, plan.id),
        one_stakeholder(plan, person),
        status=201,
        message=f"Added {person.name}.",
    )


@login_required
@require_POST
@page_action(people_url)
def edit_stakeholder(request: HttpRequest, plan_id: int, stakeholder_id: int) -> HttpResponse:
    plan = seller_plan(request, plan_id)
    payload = parse(StakeholderPatch, _form(request))
    fields = payload.model_dump(exclude_unset=True, exclude={"owns"})
    person = stakeholder_service.update_stakeholder(
        plan, stakeholder_id, Actor.seller(request.user), fields, payload.owns
    )
    return answer(
        request,
        people_url(request, plan.id),
        one_stakeholder(plan, person),
        message=f"Saved {person.name}.",
    )


@login_required
@require_POST
@page_action(people_url)
def remove_stakeholder(request: HttpRequest, plan_id: int, stakeholder_id: int) -> HttpResponse:
    plan = seller_plan(request, plan_id)
    stakeholder_service.remove_stakeholder(plan, stakeholder_id, Actor.seller(request.user))
    return answer(
        request, people_url(request, plan.id), {"deleted": stakeholder_id}, message="Removed."
    )
