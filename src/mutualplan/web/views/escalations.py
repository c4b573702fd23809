"""Send an escalation from the plan page: the escalation card's form, edited or as drafted.
Works without script: a refused send shows the plan page again with the error in the form
and the typed values kept."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from mutualplan.plans.actors import Actor
from mutualplan.plans.errors import DomainError, NotFound
from mutualplan.plans.services import escalating
from mutualplan.web.responses import answer, wants_json
from mutualplan.web.views.plans import render_plan_page, seller_plan


@login_required
@require_POST
def send_escalation(request: HttpRequest, plan_id: int, milestone_id: int) -> HttpResponse:
    plan = seller_plan(request, plan_id)
    typed = {k: request.POST.get(k, "") for k in ("to", "subject", "body")}
    try:
        delivery = escalating.send_escalation(
            plan, Actor.seller(request.user), milestone_id, **typed
        )
    except NotFound as exc:
        raise Http404(exc.detail) from None
    except DomainError as exc:
        errors = exc.errors or [{"field": "", "message": exc.detail}]
        if wants_json(request):
            return JsonResponse({"detail": exc.detail, "errors": errors}, status=exc.status)
        if any(e["field"] == "milestone_id" for e in errors):
            # The step is no longer escalated: it has no form to show the error in.
            messages.error(request, exc.detail)
        typed_form = {"milestone_id": milestone_id, **typed, "errors": errors}
        return render_plan_page(request, plan, status=exc.status, escalation_form=typed_form)
    return answer(
        request,
        reverse("plan", args=[plan.id]) + f"#esc-{milestone_id}-h",
        {"id": delivery.id, "status": delivery.status, "recipient": delivery.recipient},
        status=202,
        message=f"The escalation is on its way to {delivery.recipient}: "
        "its outcome shows with the escalation and under Emails to the buyer.",
    )
