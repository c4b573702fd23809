"""The seller's row and share-link actions on the plan page (thin: see views/rows.py)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from mutualplan.plans import access
from mutualplan.plans.actors import Actor
from mutualplan.plans.errors import Invalid
from mutualplan.plans.services import sharing
from mutualplan.web.responses import answer, page_action, wants_json
from mutualplan.web.views import rows
from mutualplan.web.views.plans import plan_url, render_plan_page, seller_plan


@login_required
@require_POST
@page_action(plan_url)
def add_row(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = seller_plan(request, plan_id)
    return rows.add_row(request, plan, Actor.seller(request.user), plan_url(request, plan.id))


@login_required
@require_POST
@page_action(plan_url)
def edit_row(request: HttpRequest, plan_id: int, row_id: int) -> HttpResponse:
    plan = seller_plan(request, plan_id)
    return rows.edit_row(
        request, plan, row_id, Actor.seller(request.user), plan_url(request, plan.id)
    )


@login_required
@require_POST
@page_action(plan_url)
def delete_row(request: HttpRequest, plan_id: int, row_id: int) -> HttpResponse:
    plan = seller_plan(request, plan_id)
    return rows.delete_row(
        request, plan, row_id, Actor.seller(request.user), plan_url(request, plan.id)
    )


@login_required
@require_POST
@page_action(plan_url)
def comment_row(request: HttpRequest, plan_id: int, row_id: int) -> HttpResponse:
    plan = seller_plan(request, plan_id)
    return rows.comment_row(
        request, plan, row_id, Actor.seller(request.user), plan_url(request, plan.id)
    )


@login_required
@require_POST
@page_action(plan_url)
def reorder_rows(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = seller_plan(request, plan_id)
    return rows.reorder_rows(request, plan, Actor.seller(request.user), plan_url(request, plan.id))


@login_required
@require_GET
def row_fragment(request: HttpRequest, plan_id: int, row_id: int | None = None) -> HttpResponse:
    return rows.fragment(request, seller_plan(request, plan_id), row_id, buyer=False)


@login_required
@require_POST
@page_action(plan_url)
def create_share_link(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = seller_plan(request, plan_id)
    expires_at = None
    raw = request.POST.get("expires_on", "")
    if raw:
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            raise Invalid.field("expires_on", f"{raw!r} is not a date") from None
        # The link works through the whole expiry day, in the server's time zone.
        expires_at = timezone.make_aware(dt.datetime.combine(day, dt.time.max))
    link, token = sharing.create_share_link(
        plan, Actor.seller(request.user), expires_at, request.POST.get("label", "")[:200]
    )
    url = sharing.share_url(token)
    if wants_json(request):
        return JsonResponse({"url": url, "id": link.id}, status=201)
    # The page itself answers the form: the link is shown this once and kept nowhere on the
    # server (not in the session for after a redirect).
    messages.success(request, "Share link created: copy it now, it is shown only once.")
    return render_plan_page(request, plan, new_share_url=url, status=201)


def _dashboard(request: HttpRequest, **_: object) -> str:
    return reverse("dashboard")


@login_required
@require_POST
@page_action(_dashboard)
def revoke_share_link(request: HttpRequest, link_id: int) -> HttpResponse:
    link = access.get_share_link_for_user(request.user, link_id)
    sharing.revoke_share_link(link, Actor.seller(request.user))
    return answer(
        request,
        plan_url(request, link.plan_id) + "#sharing",
        {"revoked": link.id},
        message="Share link revoked: it stopped working at once.",
    )
