"""Sign-in throttling with django-axes: which name failures count against, the answer while
locked out (our sign-in page, HTTP 429, with the wait), and what a success forgets."""

from __future__ import annotations

from typing import Any

from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mutualplan.accounts.throttle import too_many


def client_address(request: HttpRequest) -> str:
    """The address a request came from, as the sign-in throttle sees it."""
    return get_client_ip_address(request) or ""


def username_of(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The account a sign-in attempt is for: the email as typed, trimmed and lowercased, so
    that `Olivia@…` and `olivia@…` are one account to the throttle."""
    source = credentials if credentials else getattr(request, "POST", {})
    value = source.get("username")
    return value.strip().lower()[:255] if isinstance(value, str) else None


def lockout_message() -> str:
    # Exact: each attempt while locked out starts the cool-off again.
    return too_many("failed sign-ins", "account", settings.LOGIN_COOLOFF_MINUTES * 60)


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """axes' lockout answer: the sign-in page again, with how long to wait."""
    typed = request.POST.get("username", "") if request.method == "POST" else ""
    form = AuthenticationForm(request, initial={"username": typed})
    context = {
        "form": form,
        "next": request.POST.get("next", "") or request.GET.get("next", ""),
        "throttled": lockout_message(),
    }
    return render(request, "registration/login.html", context, status=429)


def forget_own_failures(sender: Any, request: HttpRequest | None, user: Any, **_: Any) -> None:
    """After a successful sign-in, forget that seller's failed attempts from that address.

    Narrower than axes' own reset, which would also forget every failure from the address:
    someone guessing at an account could then start over by signing in to their own.
    """
    if request is None:
        return
    AccessAttempt.objects.filter(
        username=user.get_username().strip().lower(),
        ip_address=get_client_ip_address(request),
    ).delete()
