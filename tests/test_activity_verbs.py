"""Activity verbs: one vocabulary (`core.vocab.ActivityVerb`) for the services, the buyer's
lines, the live events and the plan pages, with the values already stored unchanged."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.test import Client

import mutualplan
from mutualplan.core.vocab import ROW_REFRESH_VERBS, TABLE_REFRESH_VERBS, ActivityVerb
from mutualplan.plans.models import Activity
from mutualplan.plans.services.history import BUYER_LINES
from tests.conftest import BUYER, Api

# The page code: app.js and the modules it imports.
PAGE_CODE = Path(mutualplan.__file__).parent / "static" / "mutualplan"


def test_activity_verbs_keep_the_values_already_in_the_database_and_the_api() -> None:
    assert sorted(ActivityVerb) == [
        "calendar_feed_created",
        "calendar_feed_revoked",
        "call_logged",
        "comment_added",
        "escalation_sent",
        "milestone_added",
        "milestone_removed",
        "milestone_updated",
        "milestones_reordered",
        "plan_confirmed",
        "plan_created",
        "plan_retargeted",
        "plan_updated",
        "share_link_created",
        "share_link_revoked",
        "stakeholder_added",
        "stakeholder_removed",
        "stakeholder_updated",
        "version_sent",
    ]


def test_every_verb_the_services_record_is_one_of_the_vocabulary(
    owner_api: Api, anonymous_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    first = plan["milestones"][0]
    owner_api.patch(f"/plans/{plan['id']}/milestones/{first['id']}", {"version": 1, "notes": "x"})
    anonymous_api.post(f"/shared/{share_token}/confirm", {"actor": BUYER})
    recorded = set(Activity.objects.values_list("verb", flat=True))
    assert len(recorded) == 4 and recorded <= set(ActivityVerb)
    assert set(BUYER_LINES) <= set(ActivityVerb)


def live_bar_verbs(page: str) -> tuple[set[str], set[str]]:
    bar = re.search(r'<div class="live-bar"[^>]*>', page)
    assert bar, page
    row = re.search(r'data-row-verbs="([^"]*)"', bar.group(0))
    table = re.search(r'data-table-verbs="([^"]*)"', bar.group(0))
    assert row and table, bar.group(0)
    return set(row.group(1).split()), set(table.group(1).split())


def test_the_seller_and_buyer_plan_pages_name_the_verbs_that_redraw_a_row_or_the_table(
    owner: Any, plan: dict[str, Any], share_token: str
) -> None:
    seller = Client()
    seller.force_login(owner)
    buyer = Client()
    buyer.post(f"/s/{share_token}/", BUYER)
    expected = (
        {"milestone_updated", "milestone_added", "comment_added"},
        {
            "milestones_reordered",
            "milestone_removed",
            "plan_retargeted",
            "plan_confirmed",
            "plan_updated",
        },
    )
    assert expected == (ROW_REFRESH_VERBS, TABLE_REFRESH_VERBS)
    for page in (seller.get(f"/plans/{plan['id']}/"), buyer.get(f"/s/{share_token}/")):
        assert live_bar_verbs(page.content.decode()) == expected


def test_the_page_script_repeats_no_activity_verb() -> None:
    scripts = sorted(PAGE_CODE.rglob("*.js"))
    assert len(scripts) > 1, scripts
    script = "\n".join(path.read_text() for path in scripts)
    assert [verb for verb in ActivityVerb if f'"{verb}"' in script] == []
