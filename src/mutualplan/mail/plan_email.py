"""The "Send to buyer" email: the seller's message, the share link, a short summary of the
plan, and the plan as PDF and XLSX attachments, in HTML with a plain-text part. A revised
version puts what changed since the last version the buyer received first. Built from the
buyer read model (plans.buyer_view) and the versions as sent only, so it holds nothing the
buyer page would not show (no amount, stage or private notes)."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from mutualplan.core.vocab import MilestoneStatus, OwnerSide
from mutualplan.documents import file_name
from mutualplan.documents.download import PDF, XLSX
from mutualplan.documents.pdf import plan_pdf
from mutualplan.documents.xlsx import plan_xlsx
from mutualplan.plans.buyer_view import BuyerPlan, buyer_plan
from mutualplan.plans.models import Plan
from mutualplan.plans.services.revisions import Revision
from mutualplan.workspaces.clock import today_for


def sender(plan: Plan) -> str:
    """The workspace's name as the sender's name, at the configured address."""
    return formataddr((plan.workspace.name, settings.DEFAULT_FROM_EMAIL))


# The documents of the last few plan states: one send to five people renders the PDF once,
# not five times (WeasyPrint takes about a second for a 30-row plan). Keyed by everything the
# documents are made of, so a plan that changed in between is rendered again.
_RENDERED: OrderedDict[str, tuple[bytes, bytes]] = OrderedDict()
_RENDERED_KEPT = 8
_RENDER_LOCK = threading.Lock()


def plan_documents(view: BuyerPlan, today: dt.date) -> tuple[bytes, bytes]:
    """The plan's PDF and XLSX as the buyer sees it on `today`, rendered once per state (the
    lock makes the other senders of the same state wait for the first one's rendering)."""
    key = hashlib.sha256(repr((view, today)).encode()).hexdigest()
    with _RENDER_LOCK:
        if key not in _RENDERED:
            _RENDERED[key] = (plan_pdf(view, today), plan_xlsx(view, today))
            while len(_RENDERED) > _RENDERED_KEPT:
                _RENDERED.popitem(last=False)
        _RENDERED.move_to_end(key)
        return _RENDERED[key]


def attach_documents(email: EmailMultiAlternatives, plan: Plan, view: BuyerPlan) -> None:
    """The plan as the buyer page's downloads: the same PDF and XLSX, the same file names."""
    pdf, xlsx = plan_documents(view, today_for(plan.workspace))
    email.attach(file_name(view.account_name, "pdf"), pdf, PDF)
    email.attach(file_name(view.account_name, "xlsx"), xlsx, XLSX)


def plan_subject(view: BuyerPlan, workspace_name: str, revised: bool) -> str:
    """The subject line; a revised version says so first."""
    about = f"{view.account_name} and {workspace_name}"
    if revised:
        return f"Revised version of our mutual action plan: {about}"
    return f"Our mutual action plan: {about}"


def plan_email(
    plan: Plan, recipient: str, message: str, link: str, revision: Revision | None = None
) -> EmailMultiAlternatives:
    """The email of the plan to one recipient; with `revision`, a revised version."""
    view = buyer_plan(plan)
    open_rows = [m for m in view.milestones if m.status != MilestoneStatus.DONE]
    context = {
        "plan": view,
        "workspace_name": plan.workspace.name,
        "message": message,
        "link": link,
        "revision": revision,
        "next_steps": open_rows[:5],
        "more_steps": max(0, len(open_rows) - 5),
        "buyer_side": OwnerSide.BUYER,
    }
    email = EmailMultiAlternatives(
        subject=plan_subject(view, plan.workspace.name, revision is not None),
        body=render_to_string("email/plan_sent.txt", context),
        from_email=sender(plan),
        to=[recipient],
        reply_to=[view.seller_contact.email] if view.seller_contact.email else None,
    )
    email.attach_alternative(render_to_string("email/plan_sent.html", context), "text/html")
    attach_documents(email, plan, view)
    return email
