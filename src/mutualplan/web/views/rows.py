"""Row actions, shared by the seller's plan page and the buyer's share view: the same service
functions, the same rules; only who acts and which fields they may touch differ."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from mutualplan.core.vocab import RISK_CHECKLIST
from mutualplan.inputs.milestones import (
    BuyerMilestoneCreate,
    BuyerMilestonePatch,
    MilestoneCreate,
    MilestonePatch,
    ReorderIn,
)
from mutualplan.plans.actors import Actor
from mutualplan.plans.buyer_view import buyer_milestones
from mutualplan.plans.models import Plan, Stakeholder
from mutualplan.plans.services import milestones as milestone_service
from mutualplan.web.responses import answer, parse
from mutualplan.web.tables import CHOICES, buyer_table_rows, table_rows

# Form fields that may be blank to mean "none".
OPTIONAL = {"due_date", "turnaround_days", "owner_person_id", "completed_at", "reason_category"}
SELLER_EDIT = (
    "title",
    "owner_side",
    "owner_team",
    "step_type",
    "due_date",
    "anchored",
    "turnaround_days",
    "status",
    "notes",
    "private_notes",
    "high_risk",
    "completed_at",
    "owner_person_id",
)
BUYER_EDIT = ("title", "owner_team", "due_date", "status", "notes", "completed_at")


def form_fields(request: HttpRequest, allowed: tuple[str, ...]) -> dict[str, Any]:
    """The allowed fields present in the form, blanks of optional fields as None."""
    data: dict[str, Any] = {}
    for name in allowed:
        if name in request.POST:
            value = request.POST.get(name, "")
            data[name] = None if name in OPTIONAL and value == "" else value
    if any(f"risk_{key}" in request.POST for key in RISK_CHECKLIST):
        data["risk_checklist"] = {
            key: request.POST[f"risk_{key}"]
            for key in RISK_CHECKLIST
            if f"risk_{key}" in request.POST
        }
    return data


def _context(request: HttpRequest, plan: Plan, buyer: bool) -> dict[str, Any]:
    """What a row template needs besides its rows: the seller's page names the plan; the
    buyer's names only the share token of the page being answered."""
    if buyer:
        match = request.resolver_match
        token = match.kwargs.get("token") if match else None
        return {"choices": CHOICES, "buyer_view": True, "token": token}
    return {
        "plan": plan,
        "plan_id": plan.id,
        "choices": CHOICES,
        "buyer_view": False,
        "owner_choices": owner_choices(plan),
    }


def owner_choices(plan: Plan) -> list[tuple[int, str]]:
    """The people a seller can name as a row's owner: the deal's stakeholders."""
    return list(Stakeholder.objects.filter(deal_id=plan.deal_id).values_list("id", "name"))


def _rows(plan: Plan, buyer: bool, ids: list[int] | None = None) -> list[dict[str, Any]]:
    if buyer:
        return buyer_table_rows(buyer_milestones(plan, ids))
    return table_rows(plan, ids=ids)


def row_html(request: HttpRequest, plan: Plan, row_id: int, buyer: bool) -> str:
    rows = _rows(plan, buyer, [row_id])
    if not rows:
        return ""
    context = {**_context(request, plan, buyer), "row": rows[0]}
    return render_to_string("plans/_row.html", context, request=request)


def body_html(request: HttpRequest, plan: Plan, buyer: bool) -> str:
    context = {**_context(request, plan, buyer), "rows": _rows(plan, buyer)}
    return render_to_string("plans/_rows.html", context, request=request)


def edit_row(
    request: HttpRequest, plan: Plan, row_id: int, actor: Actor, back: str
) -> HttpResponse:
    buyer = actor.is_buyer
    data = form_fields(request, BUYER_EDIT if buyer else SELLER_EDIT)
    data["version"] = request.POST.get("version")
    data["reason_category"] = request.POST.get("reason_category") or None
    data["reason_text"] = request.POST.get("reason_text", "")
    if buyer:
        data["actor"] = {"name": actor.name, "email": actor.email}
    payload = parse(BuyerMilestonePatch if buyer else MilestonePatch, data)
    fields = payload.model_dump(
        exclude_unset=True, exclude={"actor", "version", "reason_category", "reason_text"}
    )
    row = milestone_service.update_milestone(
        plan,
        row_id,
        actor,
        payload.version,
        fields,
        reason_category=payload.reason_category,
        reason_text=payload.reason_text,
    )
    return answer(
        request,
        f"{back}#row-{row.id}",
        {"html": row_html(request, plan, row.id, buyer), "version": row.version, "id": row.id},
        message=f"Saved '{row.title}'.",
    )


def add_row(request: HttpRequest, plan: Plan, actor: Actor, back: str) -> HttpResponse:
    buyer = actor.is_buyer
    data = {
        k: v
        for k, v in form_fields(
            request, ("title", "owner_side", "owner_team", "due_date", "status", "notes")
        ).items()
        if v not in (None, "")
    }
    if not buyer:
        data.update(
            {
                k: v
                for k, v in form_fields(
                    request, ("step_type", "private_notes", "turnaround_days")
                ).items()
                if v not in (None, "")
            }
        )
    if buyer:
        data["actor"] = {"name": actor.name, "email": actor.email}
    data.setdefault("title", "")
    payload = parse(BuyerMilestoneCreate if buyer else MilestoneCreate, data)
    fields = payload.model_dump(exclude_unset=True, exclude={"actor"})
    row = milestone_service.add_milestone(plan, actor, fields)
    return answer(
        request,
        f"{back}#row-{row.id}",
        {"html": row_html(request, plan, row.id, buyer), "id": row.id},
        status=201,
        message=f"Added '{row.title}'.",
    )


def comment_row(
    request: HttpRequest, plan: Plan, row_id: int, actor: Actor, back: str
) -> HttpResponse:
    milestone_service.add_comment(plan, row_id, actor, request.POST.get("body", ""))
    return answer(
        request,
        f"{back}#row-{row_id}",
        {"html": row_html(request, plan, row_id, actor.is_buyer), "id": row_id},
        status=201,
        message="Comment added.",
    )


def delete_row(
    request: HttpRequest, plan: Plan, row_id: int, actor: Actor, back: str
) -> HttpResponse:
    milestone_service.delete_milestone(plan, row_id, actor)
    return answer(request, back, {"deleted": row_id}, message="Row removed.")


def reorder_rows(request: HttpRequest, plan: Plan, actor: Actor, back: str) -> HttpResponse:
    """A new order from the page's drag-and-drop, or one row moved up or down by a form."""
    ids = [r["id"] for r in _rows(plan, actor.is_buyer)]
    move = request.POST.get("move")
    if move:
        raw = request.POST.get("row", "")
        row_id = int(raw) if raw.isdigit() else 0
        if row_id in ids:
            i = ids.index(row_id)
            j = i - 1 if move == "up" else i + 1
            if 0 <= j < len(ids):
                ids[i], ids[j] = ids[j], ids[i]
        order = ids
    else:
        order = request.POST.getlist("order")
    payload = parse(ReorderIn, {"order": order})
    milestone_service.reorder_milestones(plan, actor, payload.order)
    return answer(request, back, {"html": body_html(request, plan, actor.is_buyer)})


def fragment(request: HttpRequest, plan: Plan, row_id: int | None, buyer: bool) -> HttpResponse:
    """A row (or the whole table body) as HTML, for live updates."""
    if row_id is None:
        return HttpResponse(body_html(request, plan, buyer))
    html = row_html(request, plan, row_id, buyer)
    return HttpResponse(html) if html else JsonResponse({"deleted": row_id}, status=404)
