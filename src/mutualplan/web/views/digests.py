"""The daily digests' pages: unsubscribing from a digest's link (no account, no CSRF cookie:
the signed token is the authority) and a seller turning their own digest on or off."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from mutualplan.digests.services import (
    is_subscribed,
    read_unsubscribe_token,
    set_seller_digest,
    unsubscribe,
)
from mutualplan.plans.errors import Invalid
from mutualplan.web.context import current_workspace, user_of


@csrf_exempt  # one-click unsubscribe (RFC 8058) POSTs from the mail client, with no cookie
@require_http_methods(["GET", "POST"])
def unsubscribe_page(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (a link scanner must not unsubscribe anyone); POST unsubscribes."""
    try:
        delivery = read_unsubscribe_token(token)
    except Invalid as exc:
        return render(request, "400.html", {"detail": exc.errors[0]["message"]}, status=exc.status)
    if request.method == "POST":
        unsubscribe(delivery.workspace, delivery.recipient, delivery.kind)
    return render(
        request,
        "digests/unsubscribe.html",
        {
            "workspace_name": delivery.workspace.name,
            "kind": delivery.kind,
            "subscribed": is_subscribed(delivery.workspace, delivery.recipient, delivery.kind),
        },
    )


@login_required
@require_POST
def seller_digest(request: HttpRequest) -> HttpResponse:
    """The settings page's switch for the seller's own daily digest."""
    workspace = current_workspace(request)
    if workspace is not None:
        on = request.POST.get("digest") == "on"
        set_seller_digest(user_of(request), workspace, on)
        messages.success(request, "Your daily digest is on." if on else "Your daily digest is off.")
    return redirect("workspace_settings")
