"""`mutualplan demo --deals N`: a demo workspace with a generated history, as a seller sees
it on first run (closed and open deals, slips with reasons, completed steps with dates)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from click.testing import CliRunner
from django.contrib.auth import get_user_model
from django.test import Client

from mutualplan.cli import main
from mutualplan.core.simulate import generate
from mutualplan.demo import DEMO_EMAIL
from mutualplan.demo_history import GENERATED_REF, SEED
from mutualplan.plans.models import Activity, Deal, Milestone, Plan, Slip
from mutualplan.plans.replay import state_of
from mutualplan.workspaces.clock import today_for
from mutualplan.workspaces.models import Workspace


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def demo_200(db: Any) -> Any:
    result = run("demo", "--deals", "200")
    assert result.exit_code == 0, result.output
    return result


def generated_plans() -> Any:
    return Plan.objects.filter(deal__crm_ref__startswith=GENERATED_REF)


def test_demo_with_200_deals_creates_won_lost_and_open_deals_across_account_types(
    demo_200: Any,
) -> None:
    assert "Generated 200 demo deals" in demo_200.output
    deals = Deal.objects.filter(crm_ref__startswith=GENERATED_REF)
    assert deals.count() == 200
    assert set(deals.values_list("account_type", flat=True)) == {
        "enterprise",
        "mid_market",
        "smb",
    }
    assert set(generated_plans().values_list("status", flat=True)) == {"won", "lost", "active"}
    names = list(deals.values_list("account_name", flat=True))
    assert len(set(names)) == 200 and all(" " in name for name in names)
    assert all(1_000 <= a <= 2_000_000 for a in deals.values_list("amount", flat=True))
    # Won and lost deals carry the day they closed, after they were created.
    for deal in deals.filter(plan__status__in=["won", "lost"]):
        assert deal.close_date is not None and deal.close_date >= deal.created_at.date()


def test_the_generated_history_has_slips_with_reasons_and_completed_steps_with_dates(
    demo_200: Any,
) -> None:
    slips = Slip.objects.filter(plan__in=generated_plans())
    assert slips.count() > 100
    assert not slips.filter(reason_category="").exists()
    assert slips.values("reason_category").distinct().count() >= 4
    done = Milestone.objects.filter(plan__in=generated_plans(), status="done")
    assert done.count() > 500
    assert not done.filter(completed_at=None).exists()
    for row in done.select_related("plan")[:50]:
        assert row.completed_at is not None
        assert row.completed_at >= row.plan.created_at.date()
    # Every won plan has every step done.
    assert not Milestone.objects.filter(plan__status="won").exclude(status="done").exists()
    assert (
        Milestone.depends_on.through.objects.filter(
            from_milestone__plan__in=generated_plans()
        ).count()
        == 200 * 9
    )
    verbs = set(Activity.objects.values_list("verb", flat=True))
    assert {"plan_created", "milestone_added", "milestone_updated", "plan_retargeted"} <= verbs


def test_running_the_demo_twice_adds_no_more_deals_and_says_so(demo_200: Any) -> None:
    again = run("demo", "--deals", "200")
    assert again.exit_code == 0, again.output
    assert "already has 200 generated deals; none added" in again.output
    assert Deal.objects.filter(crm_ref__startswith=GENERATED_REF).count() == 200
    # The hand-written deals are still there, once.
    assert Deal.objects.exclude(crm_ref__startswith=GENERATED_REF).count() == 4


def test_the_plan_pages_of_generated_deals_render_for_the_demo_seller(demo_200: Any) -> None:
    client = Client()
    client.force_login(get_user_model().objects.get(username=DEMO_EMAIL))
    for status in ("won", "lost", "active"):
        plan = generated_plans().filter(status=status).select_related("deal").first()
        assert plan is not None
        page = client.get(f"/plans/{plan.id}/")
        assert page.status_code == 200, status
        assert plan.deal.account_name in page.content.decode()


def test_a_replay_of_a_generated_plan_shows_the_steps_done_by_then(demo_200: Any) -> None:
    workspace = Workspace.objects.get(slug="demo")
    history = generate(200, today_for(workspace), seed=SEED)
    checked = 0
    for sim in history.deals:
        if sim.outcome != "won":
            continue
        plan = Plan.objects.get(deal__crm_ref=f"{GENERATED_REF}{sim.index:05d}")
        middle = sim.created + (sim.closed - sim.created) / 2 if sim.closed else sim.created
        state = state_of(plan, dt.datetime.combine(middle, dt.time(23, 59), tzinfo=dt.UTC))
        assert state is not None
        done = sorted(r.title or "" for r in state.rows if r.status == "done")
        expected = sorted(
            s.row.title for s in sim.steps if s.finished is not None and s.finished <= middle
        )
        assert done == expected
        assert state.target_date == sim.target_as_of(middle)
        checked += 1
        if checked == 5:
            break
    assert checked == 5


def test_deals_without_demo_is_refused_with_a_clear_error(db: Any) -> None:
    result = CliRunner().invoke(main, ["serve", "--deals", "10"])
    assert result.exit_code == 2
    assert "use it with --demo" in result.output


def test_a_negative_number_of_deals_is_refused(db: Any) -> None:
    result = CliRunner().invoke(main, ["demo", "--deals", "-1"])
    assert result.exit_code == 2
    assert "--deals" in result.output
