"""Signing in (Django's auth views with our templates), the workspace switcher, API tokens."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from mutualplan.accounts.passwords import reset_request_refusal
from mutualplan.accounts.signin import client_address
from mutualplan.links import base_url
from mutualplan.web.context import SESSION_WORKSPACE, current_workspace, user_of
from mutualplan.workspaces.models import ApiToken, Membership


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


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    workspace = current_workspace(request)
    new_token = None
    if request.method == "POST" and workspace is not None:
        if request.POST.get("revoke", "").isdigit():
            ApiToken.objects.filter(
                user=user_of(request), id=int(request.POST["revoke"]), revoked_at__isnull=True
            ).update(revoked_at=timezone.now())
            messages.success(request, "Token revoked.")
            return redirect("tokens")
        _, new_token = ApiToken.issue(
            request.user, workspace, name=request.POST.get("name", "")[:100]
        )
    return render(
        request,
        "account/tokens.html",
        {
            "workspace": workspace,
            "new_token": new_token,
            "tokens": ApiToken.objects.filter(user=user_of(request))
            .select_related("workspace")
            .order_by("-id"),
        },
    )
