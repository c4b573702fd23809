"""The buyer's view through a share link: no account, a name and an email in a signed cookie,
exactly one plan, and nothing private. Every page and fragment here is rendered from the
buyer read model (`plans.buyer_view`), never from the plan or deal models."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from mutualplan.core.text import person_errors
from mutualplan.plans import access
from mutualplan.plans.buyer_view import BuyerPlan, buyer_feed, buyer_plan
from mutualplan.plans.errors import Forbidden, Gone, NotFound
from mutualplan.plans.models import ShareLink
from mutualplan.plans.services import versions
from mutualplan.plans.services.revisions import latest_revision
from mutualplan.plans.services.sharing import note_buyer_visit, note_link_used
from mutualplan.web.context import BuyerIdentity, buyer_actor, buyer_identity, remember_buyer
from mutualplan.web.responses import answer, page_action, wants_json
from mutualplan.web.tables import CHOICES, buyer_table_rows
from mutualplan.web.views import rows
from mutualplan.web.views.plans import FRAGMENT_TEMPLATES, fragment_response, timeline_svg
from mutualplan.workspaces.clock import today_for


def shared_url(request: HttpRequest, token: str, **_: object) -> str:
    return reverse("shared_plan", args=[token])


class LinkClosed(Exception):
    def __init__(self, response: HttpResponse) -> None:
        self.response = response


def _link(request: HttpRequest, token: str) -> ShareLink:
    try:
        link = access.get_share_link(token)
    except (NotFound, Gone) as exc:
        status = 404 if isinstance(exc, NotFound) else 410
        if wants_json(request):
            raise
        raise LinkClosed(
            render(request, "buyer/gone.html", {"reason": exc.detail}, status=status)
        ) from None
    note_link_used(link)
    return link


def _identity(request: HttpRequest) -> BuyerIdentity:
    identity = buyer_identity(request)
    if identity is None:
        raise Forbidden("tell us your name and email first, so your changes are attributed")
    return identity


def link_page(view: Any) -> Any:
    """Answer a closed (revoked, expired, unknown) link with the plain 'no longer works' page."""

    def wrapper(request: HttpRequest, token: str, *args: object, **kwargs: object) -> HttpResponse:
        try:
            return view(request, *args, token=token, **kwargs)
        except LinkClosed as closed:
            return closed.response

    wrapper.__name__ = view.__name__
    return wrapper


@link_page
def shared_plan(request: HttpRequest, token: str) -> HttpResponse:
    link = _link(request, token)
    identity = buyer_identity(request)
    if request.method == "POST" or identity is None or request.GET.get("change"):
        return identify(request, token, link, identity)
    # The seller sees who opened the plan, and on how many days (never shown to the buyer).
    note_buyer_visit(link, identity.name, identity.email)
    context = buyer_context(link, buyer_plan(link.plan))
    # What the last version sent changed since the one before ("What changed since").
    revision = latest_revision(link.plan)
    context.update(
        token=token,
        identity=identity,
        events_url=reverse("shared_events", args=[token]),
        revision=revision,
        changes_shown=CHANGES_SHOWN,
        changes_more=max(0, len(revision.summary) - CHANGES_SHOWN) if revision else 0,
    )
    return render(request, "buyer/plan.html", context)


# The buyer page's "What changed" card stays compact: the first changes, then a count.
CHANGES_SHOWN = 8


def buyer_context(link: ShareLink, view: BuyerPlan) -> dict[str, Any]:
    """Everything the buyer page shows: the buyer view, its rows, timeline and feed."""
    today = today_for(link.plan.workspace)
    rows = buyer_table_rows(view.milestones)
    activities, last_id = buyer_feed(link.plan)
    return {
        "view": view,
        "today": today,
        "plan_id": view.id,
        "account_name": view.account_name,
        "rows": rows,
        "timeline": timeline_svg(view.account_name, view.target_date, rows, today),
        "activities": activities,
        # The stream resumes after this: nothing between rendering and connecting is missed.
        "last_activity_id": last_id,
        "choices": CHOICES,
        "buyer_view": True,
    }


def identify(
    request: HttpRequest, token: str, link: ShareLink, identity: BuyerIdentity | None
) -> HttpResponse:
    """First visit: the buyer names themselves (kept in a signed cookie, editable later)."""
    errors: dict[str, str] = {}
    values = {
        "name": identity.name if identity else "",
        "email": identity.email if identity else "",
    }
    if request.method == "POST":
        values = {
            "name": request.POST.get("name", "").strip(),
            "email": request.POST.get("email", "").strip(),
        }
        # The rules the cookie is read back with (web.context.buyer_identity).
        errors = person_errors(values["name"], values["email"])
        if not errors:
            response = redirect("shared_plan", token)
            remember_buyer(response, BuyerIdentity(values["name"], values["email"]))
            return response
    return render(
        request,
        "buyer/identify.html",
        {
            "view": buyer_plan(link.plan),
            "values": values,
            "errors": errors,
            "token": token,
        },
        status=400 if errors else 200,
    )


@link_page
@require_POST
@page_action(shared_url)
def add_row(request: HttpRequest, token: str) -> HttpResponse:
    link = _link(request, token)
    actor = buyer_actor(_identity(request), link)
    return rows.add_row(request, link.plan, actor, shared_url(request, token))


@link_page
@require_POST
@page_action(shared_url)
def edit_row(request: HttpRequest, token: str, row_id: int) -> HttpResponse:
    link = _link(request, token)
    actor = buyer_actor(_identity(request), link)
    return rows.edit_row(request, link.plan, row_id, actor, shared_url(request, token))


@link_page
@require_POST
@page_action(shared_url)
def comment_row(request: HttpRequest, token: str, row_id: int) -> HttpResponse:
    link = _link(request, token)
    actor = buyer_actor(_identity(request), link)
    return rows.comment_row(request, link.plan, row_id, actor, shared_url(request, token))


@link_page
@require_POST
@page_action(shared_url)
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    link = _link(request, token)
    actor = buyer_actor(_identity(request), link)
    versions.confirm(link.plan, actor)
    return answer(
        request,
        shared_url(request, token),
        {"confirmed": True},
        message="Thank you: dates and owners confirmed.",
    )


@link_page
@require_POST
@page_action(shared_url)
def confirm_row(request: HttpRequest, token: str, row_id: int) -> HttpResponse:
    """The buyer confirms one row's date and owner (a per-row "Confirm" on the page)."""
    link = _link(request, token)
    actor = buyer_actor(_identity(request), link)
    versions.confirm(link.plan, actor, [row_id])
    return answer(
        request,
        shared_url(request, token) + f"#row-{row_id}",
        {"confirmed": True, "milestone_id": row_id},
        message="Thank you: that step's date and owner are confirmed.",
    )


# The buyer page's live fragments (the seller-only "nudge" is not one of them).
BUYER_FRAGMENTS = ("header", "timeline", "activity")


@link_page
@require_GET
def shared_fragment(request: HttpRequest, token: str, name: str) -> HttpResponse:
    """A part of the buyer page, redrawn from the buyer read model alone: header, timeline or
    activity. A closed link answers 410 (revoked, expired) or 404; an unnamed visitor 403."""
    link = _link(request, token)
    if buyer_identity(request) is None:
        return HttpResponse("Tell us your name first.", status=403, content_type="text/plain")
    if name not in BUYER_FRAGMENTS:
        raise Http404("no such fragment")
    context: dict[str, Any] = {
        "token": token,
        "buyer_view": True,
        "today": today_for(link.plan.workspace),
    }
    if name == "activity":
        context["activities"] = buyer_feed(link.plan)[0]
    else:
        view = buyer_plan(link.plan)
        context["view"] = view
        if name == "timeline":
            rows = buyer_table_rows(view.milestones)
            context["timeline"] = timeline_svg(
                view.account_name, view.target_date, rows, context["today"]
            )
    template = "buyer/_header.html" if name == "header" else FRAGMENT_TEMPLATES[name]
    return fragment_response(request, template, context)


@link_page
@require_GET
@page_action(shared_url)
def row_fragment(request: HttpRequest, token: str, row_id: int | None = None) -> HttpResponse:
    link = _link(request, token)
    return rows.fragment(request, link.plan, row_id, buyer=True)
