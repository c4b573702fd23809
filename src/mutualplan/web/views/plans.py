"""Seller pages of one plan: new plan (with a preview of the dates), the plan page, the
timeline, and plan-level actions (retarget, send a version)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import pydantic
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_POST

from mutualplan.core.figures import days_left, is_confirmed, standing
from mutualplan.core.health import plan_health
from mutualplan.core.timeline import TimelineRow, render_timeline
from mutualplan.inputs.errors import field_errors
from mutualplan.inputs.plans import PlanCreate, PlanPatch, RetargetIn
from mutualplan.plans import access
from mutualplan.plans.actors import Actor
from mutualplan.plans.buyer_view import seller_contact
from mutualplan.plans.diagnostics import (
    deal_to_introduce,
    deal_values,
    plan_escalations,
    plan_slip_summary,
)
from mutualplan.plans.engagement import buyer_visits
from mutualplan.plans.errors import DomainError, Invalid, NotFound
from mutualplan.plans.health import facts_by_plan, health_by_plan, health_settings
from mutualplan.plans.models import EmailDelivery, Plan
from mutualplan.plans.queries import buyer_contributed, milestone_rows, warnings_for
from mutualplan.plans.seller_view import (
    milestone_dict,
    plan_findings,
    plan_stakeholders,
    seller_steps,
)
from mutualplan.plans.services import plans as plan_service
from mutualplan.plans.services import sending, versions
from mutualplan.plans.services.revisions import pending_revision
from mutualplan.plans.services.templates import available_templates
from mutualplan.web.context import current_workspace
from mutualplan.web.escalations import escalation_cards
from mutualplan.web.responses import answer, page_action, parse, wants_json
from mutualplan.web.tables import CHOICES, ROLE_LABELS, activity_feed, table_rows
from mutualplan.web.views.forecast import forecast_card
from mutualplan.workspaces.clock import today_for


def seller_plan(request: HttpRequest, plan_id: int) -> Plan:
    try:
        return access.get_plan_for_user(request.user, plan_id)
    except NotFound:
        raise Http404("plan not found") from None


def plan_url(request: HttpRequest, plan_id: int, **_: Any) -> str:
    """The plan page; call mode when the form came from it (`back=call`): a row edited on a
    call returns to the call."""
    if request.method == "POST" and request.POST.get("back") == "call":
        return reverse("plan_call", args=[plan_id])
    return reverse("plan", args=[plan_id])


def timeline_svg(
    account_name: str,
    target_date: dt.date | None,
    rows: Sequence[Mapping[str, Any]],
    today: dt.date,
) -> str:
    """The timeline of `rows` (the seller's or the buyer's page rows) as inline SVG."""
    data = [
        TimelineRow(
            title=r["title"],
            owner_side=r["owner_side"],
            owner_team=r["owner_team"],
            start=(r["due_date"] - dt.timedelta(days=r["turnaround_days"] or 0))
            if r["due_date"]
            else None,
            due=r["due_date"],
            baseline_due=r["baseline_due_date"],
            status=r["status"],
            overdue=r["overdue"],
            high_risk=r["high_risk"],
        )
        for r in rows
    ]
    return render_timeline(
        data, target_date, today, title=f"Timeline of the plan for {account_name}"
    )


def header_context(plan: Plan, rows: list[dict[str, Any]], today: dt.date) -> dict[str, Any]:
    """What the seller's plan header shows: the plan read first (target, progress, what the
    buyer owes, contact). `rows` are in the seller API's shape."""
    return {
        "plan": plan,
        "plan_id": plan.id,
        "deal": plan.deal,
        "account_name": plan.deal.account_name,
        "today": today,
        "days_left": days_left(plan.target_date, today),
        "standing": standing(seller_steps(rows), plan.target_date, today),
        "confirmed": is_confirmed(r["confirmed"] for r in rows),
        "seller_contact": seller_contact(plan),
        "buyer_view": False,
    }


def plan_context(plan: Plan) -> dict[str, Any]:
    """Everything the seller's plan page shows (the buyer page has `buyer.buyer_context`)."""
    today = today_for(plan.workspace)
    raw = milestone_rows(plan.id)
    rows = table_rows(plan, raw=raw, today=today)
    people = plan_stakeholders(plan)
    titles = {r["id"]: r["title"] for r in rows}
    facts = facts_by_plan(plan.workspace, [plan], today)
    for person in people:
        person["owned_rows"] = [(i, titles[i]) for i in person["owns"] if i in titles]
        person["role_label"] = ROLE_LABELS.get(person["role"], person["role"])
    return {
        **header_context(plan, rows, today),
        "rows": rows,
        "people": people,
        "owner_choices": [(p["id"], p["name"]) for p in people],
        "findings": plan_findings(plan, raw),
        "warnings": warnings_for(plan, raw, today),
        "health": plan_health(facts[plan.id], health_settings(plan.workspace), today),
        # The forecast's next best actions read the same facts as the health findings.
        "forecast": forecast_card(plan, today, facts),
        "escalations": escalation_cards(plan, plan_escalations(plan, today, raw)),
        "slip_summary": plan_slip_summary(plan),
        "timeline": timeline_svg(plan.deal.account_name, plan.target_date, rows, today),
        "activities": (activities := activity_feed(plan)),
        # Streams resume after this: nothing between rendering and connecting is missed.
        "last_activity_id": activities[0].id if activities else 0,
        "choices": CHOICES,
    }


# The parts of the plan page a live event redraws, each one element with
# `data-live-fragment="<its URL>"` (the page script re-fetches them; see `plan_fragment`).
FRAGMENT_TEMPLATES = {
    "header": "plans/_header.html",
    "timeline": "plans/_timeline.html",
    "activity": "plans/_activity.html",
    "nudge": "plans/_nudge.html",
    "health": "plans/_health.html",
    "forecast": "plans/_forecast.html",
}


def fragment_context(plan: Plan, name: str) -> dict[str, Any]:
    """Only what one fragment needs (a header costs the rows, not their comments)."""
    today = today_for(plan.workspace)
    if name in ("header", "timeline"):
        rows = [milestone_dict(r, today) for r in milestone_rows(plan.id)]
        if name == "header":
            return header_context(plan, rows, today)
        return {
            "plan": plan,
            "plan_id": plan.id,
            "buyer_view": False,
            "timeline": timeline_svg(plan.deal.account_name, plan.target_date, rows, today),
        }
    if name == "activity":
        return {"plan_id": plan.id, "buyer_view": False, "activities": activity_feed(plan)}
    if name == "health":
        return {
            "plan_id": plan.id,
            "health": health_by_plan(plan.workspace, [plan], today)[plan.id],
        }
    if name == "forecast":
        return {"plan_id": plan.id, "forecast": forecast_card(plan, today)}
    return {"plan": plan, "plan_id": plan.id, "buyer_contributed": buyer_contributed(plan)}


def fragment_response(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """One live fragment: exactly one element, never cached (it is redrawn on every event)."""
    response = HttpResponse(render_to_string(template, context, request=request).strip())
    add_never_cache_headers(response)
    return response


@login_required
@require_GET
def plan_fragment(request: HttpRequest, plan_id: int, name: str) -> HttpResponse:
    """A part of the seller's plan page, redrawn: header, timeline, activity, nudge (the
    "buyer has not contributed yet" note), health or forecast. 404 outside the seller's
    workspace."""
    plan = seller_plan(request, plan_id)
    template = FRAGMENT_TEMPLATES.get(name)
    if template is None:
        raise Http404("no such fragment")
    return fragment_response(request, template, fragment_context(plan, name))


@login_required
def plan_page(request: HttpRequest, plan_id: int) -> HttpResponse:
    return render_plan_page(request, seller_plan(request, plan_id))


def render_plan_page(
    request: HttpRequest,
    plan: Plan,
    new_share_url: str = "",
    status: int = 200,
    escalation_form: dict[str, Any] | None = None,
    new_calendar_url: str = "",
    send_form: dict[str, str] | None = None,
) -> HttpResponse:
    """The seller's plan page; with `new_share_url` (or `new_calendar_url`), the answer to
    "create a share link" (or a calendar feed) that shows the address this once (it is never
    stored, so it can't be shown again); with `escalation_form`, a refused escalation's typed
    values and errors in its form; with `send_form`, a refused "Send to buyer"'s."""
    context = plan_context(plan)
    if escalation_form:
        found = [card["e"] for card in context["escalations"]]
        context["escalations"] = escalation_cards(plan, found, escalation_form)
    links = list(plan.share_links.order_by("-id").prefetch_related("visitors"))
    context.update(
        buyer_contributed=buyer_contributed(plan),
        share_links=links,
        buyer_visits=buyer_visits(plan),
        new_share_url=new_share_url,
        calendar_feeds=list(plan.calendar_feeds.order_by("-id")),
        new_calendar_url=new_calendar_url,
        deliveries=EmailDelivery.objects.filter(plan=plan).order_by("-created_at", "-id")[:20],
        # A send now is a revised version: what it will tell the buyer changed.
        pending_revision=pending_revision(plan),
        send_form=send_form or {},
        events_url=reverse("plan_events", args=[plan.id]),
    )
    response = render(request, "plans/detail.html", context, status=status)
    if new_share_url or new_calendar_url:
        # Nor kept by the browser's or a proxy's cache.
        add_never_cache_headers(response)
    return response


@login_required
def timeline_page(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = seller_plan(request, plan_id)
    context = plan_context(plan)
    return render(request, "plans/timeline.html", context)


@login_required
@require_POST
@page_action(plan_url)
def retarget(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = seller_plan(request, plan_id)
    data = parse(
        RetargetIn,
        {
            "target_date": request.POST.get("target_date") or None,
            "version": request.POST.get("version"),
            "reason_category": request.POST.get("reason_category") or None,
            "reason_text": request.POST.get("reason_text", ""),
        },
    )
    plan_service.retarget(
        plan,
        Actor.seller(request.user),
        data.target_date,
        data.version,
        data.reason_category,
        data.reason_text,
    )
    return answer(
        request,
        plan_url(request, plan.id),
        {"ok": True},
        message=f"Target date moved to {data.target_date}.",
    )


@login_required
@require_POST
@page_action(plan_url)
def send_version(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = seller_plan(request, plan_id)
    if not buyer_contributed(plan) and not request.POST.get("send_anyway"):
        messages.warning(request, f"{sending.BUILT_ALONE_WARNING} Or record it anyway.")
        return redirect(plan_url(request, plan.id) + "#send")
    version = versions.send_version(
        plan, Actor.seller(request.user), request.POST.get("note", "")[:5000]
    )
    return answer(
        request,
        plan_url(request, plan.id),
        {"number": version.number},
        message=f"Version {version.number} recorded as sent to the buyer.",
    )


@login_required
@require_POST
@page_action(plan_url)
def send_to_buyer(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Email the plan to the buyer through the queue: answered at once, sent in the
    background; each email's outcome shows on the plan page. A refused send shows the page
    again with the reason in the form and what was typed kept."""
    plan = seller_plan(request, plan_id)
    typed = {
        "recipients": request.POST.get("recipients", "")[:5000],
        "message": request.POST.get("message", "")[: sending.MAX_MESSAGE],
    }
    if not buyer_contributed(plan) and not request.POST.get("send_anyway"):
        error = f"{sending.BUILT_ALONE_WARNING} Or tick “Send anyway” to send it all the same."
        return render_plan_page(request, plan, status=400, send_form={**typed, "error": error})
    recipients = typed["recipients"].replace(";", ",").replace("\n", ",")
    try:
        sent = sending.send_to_buyer(
            plan, Actor.seller(request.user), recipients.split(","), typed["message"]
        )
    except Invalid as refused:
        if wants_json(request):
            raise
        error = "; ".join(e["message"] for e in refused.errors or [{"message": refused.detail}])
        return render_plan_page(request, plan, status=400, send_form={**typed, "error": error})
    count = len(sent.deliveries)
    return answer(
        request,
        plan_url(request, plan.id) + "#deliveries",
        {"version": sent.version.number, "deliveries": [d.id for d in sent.deliveries]},
        status=202,
        message=f"{'Revised version' if sent.revision else 'Version'} {sent.version.number} "
        f"is on its way to {count} "
        f"{'person' if count == 1 else 'people'}: each email's outcome shows below.",
    )


@login_required
@require_POST
@page_action(plan_url)
def set_contact(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The email the buyer sees for the seller's contact (blank: only the name)."""
    plan = seller_plan(request, plan_id)
    data = parse(
        PlanPatch,
        {
            "version": request.POST.get("version"),
            "contact_email": request.POST.get("contact_email", ""),
        },
    )
    plan = plan_service.update_plan(
        plan, Actor.seller(request.user), data.version, {"contact_email": data.contact_email}
    )
    shown = plan.contact_email or "no email, only your name"
    return answer(
        request,
        plan_url(request, plan.id) + "#sharing",
        {"contact_email": plan.contact_email},
        message=f"The buyer now sees {shown}.",
    )


# The dates do not depend on the deal: a preview asked for before the deal is filled in (the
# page previews as the seller types) stands on this one.
PREVIEW_DEAL = {"account_name": "Preview", "account_type": "preview", "stage": "preview"}


def _form_plan(request: HttpRequest, *, preview: bool = False) -> PlanCreate:
    post = request.POST
    deal = {
        "account_name": post.get("account_name", ""),
        "account_type": post.get("account_type", ""),
        "stage": post.get("stage", ""),
        "amount": post.get("amount") or "0",
        "currency": (post.get("currency") or "USD").upper(),
        "industry": post.get("industry", ""),
        "crm_ref": post.get("crm_ref", ""),
    }
    return parse(
        PlanCreate,
        {
            "deal": PREVIEW_DEAL if preview else deal,
            "target_date": post.get("target_date") or None,
            "target_reason": post.get("target_reason", ""),
            "template": post.get("template") or "standard",
            "country": (post.get("country") or "").upper(),
            "business_days": bool(post.get("business_days")),
            "schedule": post.get("schedule") or "offsets",
        },
    )


def preview_rows(request: HttpRequest, form: PlanCreate) -> dict[str, Any]:
    """The dates the plan would get, and the warnings, without saving anything."""
    workspace = current_workspace(request)
    assert workspace is not None
    drafts, warnings = plan_service.preview_plan(
        workspace,
        form.template,
        form.target_date,
        form.country,
        form.business_days,
        form.schedule == "turnarounds",
        account_type=request.POST.get("account_type") or None,
    )
    by_key = {w.key: w.message for w in warnings}
    return {"drafts": [(d, by_key.get(d.key)) for d in drafts], "warnings": warnings}


@login_required
def new_plan(request: HttpRequest) -> HttpResponse:
    workspace = current_workspace(request)
    if workspace is None:
        raise Http404("you are not a member of any workspace")
    # "Introduce a plan now" on the dashboard links here with the deal: its plan is prefilled.
    deal = deal_to_introduce(workspace, request.POST.get("deal") or request.GET.get("deal"))
    context: dict[str, Any] = {
        "workspace": workspace,
        "templates": available_templates(workspace),
        "learned": plan_service.learned_by_account_type(workspace),
        "deal": deal,
        "values": request.POST
        if request.method == "POST"
        else {"template": "standard", "currency": "USD", **deal_values(deal)},
    }
    if request.method == "POST":
        try:
            create = request.POST.get("action") == "create"
            if create and request.POST.get("deal") and deal is None:
                # Sent twice, or the deal got its plan meanwhile: no second deal of that name.
                raise Invalid.field("deal", "this deal already has a plan, or is not yours")
            form = _form_plan(request, preview=not create)
            if create:
                plan = plan_service.create_plan(
                    workspace,
                    Actor.seller(request.user),
                    deal=plan_service.DealInput(**form.deal.model_dump()),
                    target_date=form.target_date,
                    target_reason=form.target_reason,
                    template=form.template,
                    country=form.country,
                    business_days=form.business_days,
                    from_turnarounds=form.schedule == "turnarounds",
                    existing_deal=deal,
                )
                messages.success(
                    request,
                    "Plan created. Build it with the champion: share "
                    "your screen or send them the link.",
                )
                return redirect("plan", plan.id)
            context["preview"] = preview_rows(request, form)
        except DomainError as exc:
            context["errors"] = exc.errors or [{"field": "", "message": exc.detail}]
        except pydantic.ValidationError as exc:
            context["errors"] = field_errors(exc.errors())
    template = "plans/_preview.html" if request.headers.get("X-Preview") else "plans/new.html"
    return render(request, template, context)
