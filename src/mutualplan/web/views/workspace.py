"""The workspace settings page: its time zone, the plan-health thresholds, and the outbound
webhooks (endpoints with their events, secret and recent deliveries)."""

from __future__ import annotations

import zoneinfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from mutualplan.core.webhooks import EVENT_HELP
from mutualplan.digests.models import SELLER
from mutualplan.digests.services import is_subscribed
from mutualplan.plans.errors import DomainError, NotFound
from mutualplan.web.context import current_workspace, user_of
from mutualplan.webhooks import services as webhooks
from mutualplan.workspaces.models import Workspace
from mutualplan.workspaces.services import SETTING_RANGES, is_owner, update_settings

# Recent deliveries shown under each endpoint.
SHOWN_DELIVERIES = 10

# (field, label, help) in the order the page shows them.
FIELDS = (
    (
        "review_interval_days",
        "Review interval (days)",
        "not_reviewed: no call reviewed an active plan for this long",
    ),
    (
        "stale_days",
        "Stale buyer step (days)",
        "stale_buyer_step: an open buyer step with no status update for this long",
    ),
    (
        "buyer_silent_days",
        "Buyer silent (days)",
        "buyer_silent: no one from the buyer side opened or changed an active plan for this long",
    ),
    (
        "quarter_end_window_days",
        "Quarter-end window (days)",
        "compressed_dates: due dates bunched in the last days of a fiscal quarter",
    ),
    ("fiscal_year_start_month", "Fiscal year starts in month", "1 for January … 12 for December"),
    ("max_open_steps", "Most open steps", "too_many_steps: more open rows than this"),
)


def _errors(exc: DomainError) -> dict[str, str]:
    return {e["field"]: e["message"] for e in exc.errors} or {"": exc.detail}


def _page(
    request: HttpRequest,
    workspace: Workspace,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    hook_url: str = "",
    hook_events: list[str] | None = None,
    hook_errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    if values is None:
        values = {name: str(getattr(workspace, name)) for name, _, _ in FIELDS}
        values["time_zone"] = workspace.time_zone
    errors = errors or {}
    chosen = set(hook_events or [])
    return render(
        request,
        "account/settings.html",
        {
            "workspace": workspace,
            "owner": is_owner(user_of(request), workspace),
            "values": values,
            "errors": errors,
            "fields": [
                (name, label, help_text, values[name], errors.get(name), SETTING_RANGES[name])
                for name, label, help_text in FIELDS
            ],
            "zones": sorted(zoneinfo.available_timezones()),
            "digest_on": is_subscribed(workspace, user_of(request).email, SELLER),
            "allow_private_webhooks": values.get(
                "allow_private_webhooks", "on" if workspace.allow_private_webhooks else ""
            ),
            "endpoints": [
                (e, webhooks.recent_deliveries(e, SHOWN_DELIVERIES))
                for e in webhooks.endpoints(workspace)
            ],
            "hook_url": hook_url,
            "hook_events": [(event, text, event in chosen) for event, text in EVENT_HELP.items()],
            "hook_errors": hook_errors or {},
        },
        status=status,
    )


@login_required
def workspace_settings(request: HttpRequest) -> HttpResponse:
    """GET shows the settings (editable by an owner); POST saves them and redirects."""
    workspace = current_workspace(request)
    if workspace is None:
        return redirect("dashboard")
    if request.method == "POST":
        try:
            update_settings(user_of(request), workspace, request.POST.dict())
        except DomainError as exc:
            values = {name: str(getattr(workspace, name)) for name, _, _ in FIELDS}
            values["time_zone"] = workspace.time_zone
            values.update({k: v for k, v in request.POST.dict().items() if k in values})
            values["allow_private_webhooks"] = request.POST.get("allow_private_webhooks", "")
            return _page(request, workspace, values=values, errors=_errors(exc), status=exc.status)
        messages.success(request, "Settings saved.")
        return redirect("workspace_settings")
    return _page(request, workspace)


@login_required
@require_POST
def add_webhook(request: HttpRequest) -> HttpResponse:
    """Add an endpoint; a refusal shows the page again with the reasons and the values kept."""
    workspace = current_workspace(request)
    if workspace is None:
        return redirect("dashboard")
    url = request.POST.get("url", "")
    events = request.POST.getlist("events")
    try:
        webhooks.add_endpoint(user_of(request), workspace, url, events)
    except DomainError as exc:
        return _page(
            request,
            workspace,
            hook_url=url,
            hook_events=events,
            hook_errors=_errors(exc),
            status=exc.status,
        )
    messages.success(request, "Webhook endpoint added; its secret signs every delivery.")
    return redirect("workspace_settings")


@login_required
@require_POST
def remove_webhook(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    workspace = current_workspace(request)
    if workspace is None:
        return redirect("dashboard")
    try:
        if endpoint_id > 2**62:
            raise NotFound(f"this workspace has no webhook endpoint {endpoint_id}")
        webhooks.remove_endpoint(user_of(request), workspace, endpoint_id)
    except DomainError as exc:
        return _page(request, workspace, hook_errors=_errors(exc), status=exc.status)
    messages.success(request, "Webhook endpoint removed.")
    return redirect("workspace_settings")
