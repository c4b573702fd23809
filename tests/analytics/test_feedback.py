"""The turnarounds learned from a workspace's history fed back: new plans take the realistic
turnaround for their account type, and compressed dates measure rows against it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from mutualplan.core.health import PlanFacts, RowFacts, short_windows
from mutualplan.plans.actors import Actor
from mutualplan.plans.health import health_by_plan
from mutualplan.plans.learning import forget_realistic_turnarounds, realistic_turnarounds
from mutualplan.plans.models import Plan
from mutualplan.plans.services.deal_imports import import_deals
from mutualplan.workspaces.clock import today_for
from mutualplan.workspaces.models import Workspace
from tests.analytics.history import history_plan
from tests.conftest import NEW_PLAN, make_plan, plan_json

REVIEW = "security_review"
LEARNED_TEXT = "Security review: realistic 30 days — P80 of 10 enterprise deals"


def reviews_of_30_days(owner: Any, workspace: Workspace, count: int = 10) -> None:
    """`count` enterprise plans whose security review took 30 days (from its prerequisite,
    the business case, done on day 5, to day 35); read again at the next ask."""
    for _ in range(count):
        history_plan(owner, "enterprise", done={"business_case": 5, REVIEW: 35})
    forget_realistic_turnarounds(workspace)


def plan_of(owner: Any, account_type: str, **extra: Any) -> Plan:
    return make_plan(owner, deal={**NEW_PLAN["deal"], "account_type": account_type}, **extra)


def review_row(plan: Plan) -> Any:
    return plan.milestones.get(step_type=REVIEW)


@pytest.fixture
def seller(owner: Any) -> Client:
    client = Client()
    client.force_login(owner)
    return client


def test_a_new_enterprise_plan_takes_the_learned_p80_and_a_smb_plan_keeps_the_template(
    owner: Any, workspace: Workspace
) -> None:
    reviews_of_30_days(owner, workspace)
    learned = realistic_turnarounds(workspace, today_for(workspace))
    assert learned[(REVIEW, "enterprise")].text == LEARNED_TEXT
    assert review_row(plan_of(owner, "enterprise")).turnaround_days == 30
    assert review_row(plan_of(owner, "smb")).turnaround_days == 21  # the template's
    # What the API answers for the new plan carries the learned turnaround on the row.
    answered = plan_json(plan_of(owner, "enterprise"))
    by_type = {m["step_type"]: m for m in answered["milestones"]}
    assert by_type[REVIEW]["turnaround_days"] == 30


def test_dates_worked_back_from_turnarounds_follow_the_learned_one(
    owner: Any, workspace: Workspace
) -> None:
    reviews_of_30_days(owner, workspace)
    enterprise = plan_of(owner, "enterprise", schedule="turnarounds")
    smb = plan_of(owner, "smb", schedule="turnarounds")
    start = {
        p.deal.account_type: p.milestones.get(step_type="business_case") for p in (enterprise, smb)
    }
    # The review is on the longest path: nine days more of it start the business case earlier.
    assert start["smb"].due_date - start["enterprise"].due_date == dt.timedelta(days=9)


def test_plans_a_crm_import_creates_take_the_learned_turnaround_of_their_account_type(
    owner: Any, workspace: Workspace
) -> None:
    reviews_of_30_days(owner, workspace)
    close = (today_for(workspace) + dt.timedelta(days=120)).strftime("%Y-%m-%d")
    content = (
        "Opportunity ID,Account Name,Stage,Close Date,Account Type\n"
        f"006A,Globex,Qualification,{close},enterprise\n"
        f"006B,Initech,Qualification,{close},smb\n"
    ).encode()

    import_deals(workspace, Actor.seller(owner), content, create_plans=True)

    reviews = {
        p.deal.account_type: review_row(p).turnaround_days
        for p in Plan.objects.filter(deal__crm_ref__in=["006A", "006B"]).select_related("deal")
    }
    assert reviews == {"enterprise": 30, "smb": 21}


def test_below_eight_observations_new_plans_and_health_keep_the_templates_turnaround(
    owner: Any, workspace: Workspace
) -> None:
    plan = plan_of(owner, "enterprise")
    reviews_of_30_days(owner, workspace, count=7)
    assert (REVIEW, "enterprise") not in realistic_turnarounds(workspace, today_for(workspace))
    assert review_row(plan_of(owner, "enterprise")).turnaround_days == 21
    codes = [f.code for f in health_by_plan(workspace, [plan], today_for(workspace))[plan.id]]
    assert "compressed_dates" not in codes


def test_compressed_dates_measures_a_row_against_the_learned_turnaround(
    owner: Any, workspace: Workspace
) -> None:
    # Made before the history: its review keeps the template's 21 days, a 21-day window.
    plan = plan_of(owner, "enterprise")
    assert review_row(plan).turnaround_days == 21
    today = today_for(workspace)
    assert "compressed_dates" not in [
        f.code for f in health_by_plan(workspace, [plan], today)[plan.id]
    ]
    reviews_of_30_days(owner, workspace)
    plans = Plan.objects.filter(pk=plan.pk)
    (finding,) = [
        f for f in health_by_plan(workspace, plans, today)[plan.id] if f.code == "compressed_dates"
    ]
    assert finding.message == (
        "'Complete security review' has less time than its realistic turnaround: "
        "'Complete security review' realistic 30 days (P80 of 10 enterprise deals)."
    )
    assert finding.milestone_ids == (review_row(plan).id,)
    # The same from a plan read on its own (the plan page's path), deal not read with it.
    alone = Plan.objects.get(pk=plan.pk)
    assert [f.message for f in health_by_plan(workspace, [alone], today)[plan.id]] == [
        f.message for f in health_by_plan(workspace, plans, today)[plan.id]
    ]


def test_a_history_changed_during_the_day_counts_from_the_next_day(
    owner: Any, workspace: Workspace
) -> None:
    assert review_row(plan_of(owner, "enterprise")).turnaround_days == 21  # kept for the day
    for _ in range(10):
        history_plan(owner, "enterprise", done={"business_case": 5, REVIEW: 35})
    assert review_row(plan_of(owner, "enterprise")).turnaround_days == 21
    tomorrow = today_for(workspace) + dt.timedelta(days=1)
    assert realistic_turnarounds(workspace, tomorrow)[(REVIEW, "enterprise")].days == 30


def test_the_new_plan_page_shows_the_learned_turnarounds_in_effect(
    seller: Client, owner: Any, workspace: Workspace
) -> None:
    assert "data-learned" not in seller.get("/plans/new/").content.decode()
    reviews_of_30_days(owner, workspace)
    page = seller.get("/plans/new/").content.decode()
    assert "Security review: realistic 30 days — P80 of 10 enterprise deals" in page
    assert "<strong>enterprise</strong>" in page
    # The preview of an enterprise plan's dates shows the learned turnaround on the row.
    body = {
        "action": "preview",
        "target_date": (today_for(workspace) + dt.timedelta(days=120)).isoformat(),
        "template": "standard",
        "schedule": "turnarounds",
        "account_type": "enterprise",
    }
    preview = seller.post("/plans/new/", body, headers={"X-Preview": "1"}).content.decode()
    review = preview[preview.index("Complete security review") :]
    assert review.index("<td>30 d</td>") < review.index("</tr>")


def test_a_row_without_a_learned_turnaround_keeps_its_own_in_the_pure_check() -> None:
    start = dt.date(2026, 3, 2)
    rows = (
        RowFacts(1, "Business case", "joint", "done", start, turnaround_days=10),
        RowFacts(2, "Security review", "buyer", "not_started", start + dt.timedelta(21),
                 turnaround_days=21, depends_on=(1,), learned_days=30,
                 learned_basis="P80 of 10 enterprise deals"),
        RowFacts(3, "Legal redline", "buyer", "not_started", start + dt.timedelta(21),
                 turnaround_days=21, depends_on=(1,)),
    )  # fmt: skip
    facts = PlanFacts("active", start + dt.timedelta(60), start, rows)
    assert [r.id for r in short_windows(facts, start, start)] == [2]
    assert [r.realistic_days for r in rows] == [10, 30, 21]
