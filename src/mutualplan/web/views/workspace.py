"""The workspace settings page: its time zone and the plan-health thresholds."""

from __future__ import annotations

import zoneinfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from mutualplan.digests.models import SELLER
from mutualplan.digests.services import is_subscribed
from mutualplan.plans.errors import DomainError
from mutualplan.web.context import current_workspace, user_of
from mutualplan.workspaces.services import SETTING_RANGES, is_owner, update_settings

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


@login_required
def workspace_settings(request: HttpRequest) -> HttpResponse:
    """GET shows the settings (editable by an owner); POST saves them and redirects."""
    workspace = current_workspace(request)
    if workspace is None:
        return redirect("dashboard")
    owner = is_owner(user_of(request), workspace)
    values = {name: str(getattr(workspace, name)) for name, _, _ in FIELDS}
    values["time_zone"] = workspace.time_zone
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            update_settings(user_of(request), workspace, request.POST.dict())
        except DomainError as exc:
            status = exc.status
            errors = {e["field"]: e["message"] for e in exc.errors} or {"": exc.detail}
            values.update({k: v for k, v in request.POST.dict().items() if k in values})
        else:
            messages.success(request, "Settings saved.")
            return redirect("workspace_settings")
    return render(
        request,
        "account/settings.html",
        {
            "workspace": workspace,
            "owner": owner,
            "values": values,
            "errors": errors,
            "fields": [
                (name, label, help_text, values[name], errors.get(name), SETTING_RANGES[name])
                for name, label, help_text in FIELDS
            ],
            "zones": sorted(zoneinfo.available_timezones()),
            "digest_on": is_subscribed(workspace, user_of(request).email, SELLER),
        },
        status=status,
    )
