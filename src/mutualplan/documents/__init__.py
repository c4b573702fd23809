"""The plan as files a champion forwards: PDF and XLSX, made from the buyer read model
(`plans.buyer_view`) only, so no seller-only field can reach them."""

from __future__ import annotations

import re

from django.utils.text import slugify

from mutualplan.core.vocab import SIDE_LABELS, STATUS_LABELS
from mutualplan.plans.buyer_view import BuyerMilestone


def file_name(account_name: str, extension: str) -> str:
    """A safe download name: `northwind-health-mutual-action-plan.pdf` (ASCII, no quotes)."""
    # Punctuation separates words ("Acme/Ops" is acme-ops), then ASCII letters and digits only.
    slug = slugify(re.sub(r"[^\w\s-]", " ", account_name))[:60].strip("-") or "plan"
    return f"{slug}-mutual-action-plan.{extension}"


def owner_label(row: BuyerMilestone) -> str:
    """Who owns the row, as the buyer page names them: person, team, side."""
    side = SIDE_LABELS.get(row.owner_side, row.owner_side)
    who = [row.owner_person.name] if row.owner_person else []
    if row.owner_team and row.owner_team not in who:
        who.append(row.owner_team)
    return f"{', '.join(who)} ({side})" if who else side


def status_label(row: BuyerMilestone) -> str:
    label = STATUS_LABELS.get(row.status, row.status)
    return f"{label}, overdue" if row.overdue else label
