"""Signing in (Django's auth views with our templates), the workspace switcher, API tokens."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from mutualplan.accounts.passwords import reset_request_refusal
from mutualplan.accounts.signin import client_address
from mutualplan.links import base_url
from mutualplan.plans.errors import DomainError, NotFound
from mutualplan.web.context import SESSION_WORKSPACE, current_workspace, user_of
from mutualplan.workspaces.models import ApiToken, Membership
from mutualplan.workspaces.services import issue_token, revoke_token


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, throttled per email and per address, mailing a link on the
    base URL (never on the Host header the request came with)."""

    def form_valid(self, form: Any) -> HttpResponse:
        refusal = reset_request_refusal(form.cleaned_data["email"], client_address(self.request))
        if refusal:
            form.add_error(None, refusal)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        base = base_url()
        self.extra_email_context = {"base_url": base}
        self.domain_override = urlsplit(base).netloc
        return super().form_valid(form)

    def form_invalid(self, form: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's new-password form (it applies the password validators); a refused password
    is a 400 that says why."""

    def form_invalid(self, form: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)


@login_required
@require_POST
def switch_workspace(request: HttpRequest) -> HttpResponse:
    chosen = request.POST.get("workspace", "")
    if (
        chosen.isdigit()
        and Membership.objects.filter(user=user_of(request), workspace_id=int(chosen)).exists()
    ):
        request.session[SESSION_WORKSPACE] = int(chosen)
    return redirect("dashboard")


TOKEN_ID = re.compile(r"[0-9]{1,18}")


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    workspace = current_workspace(request)
    new_token = None
    error: DomainError | None = None
    if request.method == "POST" and workspace is not None:
        try:
            if "revoke" in request.POST:
                raw = request.POST["revoke"]
                # ASCII digits that fit a database id: int() takes '²' or '٣', and a huge
                # number would overflow the query.
                if not TOKEN_ID.fullmatch(raw):
                    raise NotFound(f"you have no API token {raw!r}")
                revoke_token(user_of(request), int(raw))
                messages.success(request, "Token revoked.")
                return redirect("tokens")
            _, new_token = issue_token(user_of(request), workspace, request.POST.get("name", ""))
        except DomainError as exc:
            error = exc
    return render(
        request,
        "account/tokens.html",
        {
            "workspace": workspace,
            "new_token": new_token,
            "error": error.detail if error else "",
            "tokens": ApiToken.objects.filter(user=user_of(request))
            .select_related("workspace")
            .order_by("-id"),
        },
        status=error.status if error else 200,
    )
