"""Plan health: each code fires on a plan that has that mistake, and none on a healthy plan."""

from __future__ import annotations

import dataclasses
import datetime as dt

from mutualplan.core.health import (
    HEALTH_CODES,
    HealthSettings,
    PlanFacts,
    RowFacts,
    SlipFacts,
    plan_health,
    quarter_end,
)

TODAY = dt.date(2026, 5, 4)
YES = dict.fromkeys(
    ["owner_named", "owner_briefed", "turnaround_known", "owner_available", "champion_ran_before"],
    "yes",
)


def _row(id: int, title: str, **kw: object) -> RowFacts:
    fields: dict[str, object] = {
        "owner_side": "buyer",
        "status": "in_progress",
        "due_date": TODAY + dt.timedelta(days=10 * id),
        "status_updated_on": TODAY - dt.timedelta(days=2),
        "confirmed": True,
    }
    fields.update(kw)
    return RowFacts(id=id, title=title, **fields)  # type: ignore[arg-type]


def healthy() -> PlanFacts:
    return PlanFacts(
        status="active",
        target_date=TODAY + dt.timedelta(days=60),
        created_on=TODAY - dt.timedelta(days=30),
        rows=(
            _row(1, "Business case", owner_side="joint", added_by_side="buyer"),
            _row(2, "Security review", high_risk=True, risk_checklist=YES, turnaround_days=10),
            _row(3, "Order form", owner_side="seller"),
            _row(4, "Kickoff", status="done", due_date=TODAY - dt.timedelta(days=5)),
        ),
        slips=(SlipFacts(2, "Security review", has_reason=True),),
        last_call_on=TODAY - dt.timedelta(days=3),
        last_buyer_seen=TODAY - dt.timedelta(days=1),
        buyer_edited=True,
    )


def codes(facts: PlanFacts, settings: HealthSettings | None = None) -> list[str]:
    return [f.code for f in plan_health(facts, settings or HealthSettings(), TODAY)]


def with_row(facts: PlanFacts, index: int, **changes: object) -> PlanFacts:
    rows = list(facts.rows)
    rows[index] = dataclasses.replace(rows[index], **changes)  # type: ignore[arg-type]
    return dataclasses.replace(facts, rows=tuple(rows))


def test_a_healthy_plan_has_no_finding() -> None:
    assert codes(healthy()) == []


def test_a_plan_without_a_target_date_is_flagged() -> None:
    assert "no_target_date" in codes(dataclasses.replace(healthy(), target_date=None))


def test_a_plan_owned_only_by_the_seller_has_no_buyer_steps() -> None:
    facts = dataclasses.replace(
        healthy(), rows=tuple(dataclasses.replace(r, owner_side="seller") for r in healthy().rows)
    )
    assert "no_buyer_steps" in codes(facts)


def test_a_plan_the_buyer_never_touched_was_built_alone() -> None:
    facts = with_row(dataclasses.replace(healthy(), buyer_edited=False), 0, added_by_side="seller")
    assert "built_alone" in codes(facts)


def test_an_unconfirmed_row_makes_the_plan_not_confirmed_and_is_named() -> None:
    findings = plan_health(with_row(healthy(), 2, confirmed=False), HealthSettings(), TODAY)
    found = next(f for f in findings if f.code == "not_confirmed")
    assert found.milestone_ids == (3,)
    assert "'Order form'" in found.message


def test_an_active_plan_without_a_call_for_the_review_interval_is_not_reviewed() -> None:
    facts = dataclasses.replace(healthy(), last_call_on=TODAY - dt.timedelta(days=15))
    assert "not_reviewed" in codes(facts)
    assert "not_reviewed" not in codes(facts, HealthSettings(review_interval_days=20))


def test_an_open_buyer_step_without_a_status_update_for_two_weeks_is_stale() -> None:
    facts = with_row(healthy(), 1, status_updated_on=TODAY - dt.timedelta(days=14))
    findings = plan_health(facts, HealthSettings(), TODAY)
    stale = next(f for f in findings if f.code == "stale_buyer_step")
    assert stale.milestone_ids == (2,) and stale.severity == "high"
    assert "'Security review'" in stale.message


def test_an_open_step_past_its_due_date_is_overdue_but_not_on_its_due_date() -> None:
    assert "overdue" not in codes(with_row(healthy(), 2, due_date=TODAY))
    findings = plan_health(
        with_row(healthy(), 2, due_date=TODAY - dt.timedelta(days=1)), HealthSettings(), TODAY
    )
    overdue = next(f for f in findings if f.code == "overdue")
    assert overdue.milestone_ids == (3,)
    assert overdue.fix


def test_a_high_risk_step_with_an_unknown_answer_has_high_risk_unknowns() -> None:
    facts = with_row(healthy(), 1, risk_checklist={**YES, "owner_named": "unknown"})
    assert "high_risk_unknowns" in codes(facts)


def test_a_window_shorter_than_the_turnaround_compresses_the_dates() -> None:
    facts = with_row(healthy(), 1, turnaround_days=60)  # due 50 days after the plan began
    findings = plan_health(facts, HealthSettings(), TODAY)
    assert [f.milestone_ids for f in findings if f.code == "compressed_dates"] == [(2,)]


def test_a_window_runs_from_the_latest_prerequisites_due_date() -> None:
    facts = with_row(healthy(), 2, turnaround_days=15, depends_on=(2,))  # 10 days after row 2
    assert "compressed_dates" in codes(facts)


def test_due_dates_bunched_in_the_last_week_of_a_quarter_compress_the_dates() -> None:
    end = dt.date(2026, 6, 30)
    facts = healthy()
    for index in range(3):
        facts = with_row(facts, index, due_date=end - dt.timedelta(days=index * 2))
    facts = dataclasses.replace(facts, target_date=dt.date(2026, 7, 10))
    assert "compressed_dates" in codes(facts)
    # With a fiscal year starting in February, June 30 is not a quarter end.
    assert "compressed_dates" not in codes(facts, HealthSettings(fiscal_year_start_month=2))


def test_a_quarter_ends_on_the_last_day_before_the_fiscal_years_quarters_start() -> None:
    assert quarter_end(dt.date(2026, 5, 4), 1) == dt.date(2026, 6, 30)
    assert quarter_end(dt.date(2026, 1, 15), 2) == dt.date(2026, 1, 31)
    assert quarter_end(dt.date(2026, 12, 1), 11) == dt.date(2027, 1, 31)


def test_a_date_moved_without_a_reason_is_an_unexplained_slip() -> None:
    facts = dataclasses.replace(healthy(), slips=(SlipFacts(3, "Order form", has_reason=False),))
    findings = plan_health(facts, HealthSettings(), TODAY)
    slip = next(f for f in findings if f.code == "unexplained_slip")
    assert slip.milestone_ids == (3,) and "'Order form'" in slip.message


def test_an_active_plan_past_its_target_date_is_stale() -> None:
    facts = dataclasses.replace(healthy(), target_date=TODAY - dt.timedelta(days=1))
    assert "stale_plan" in codes(facts)
    assert "stale_plan" not in codes(dataclasses.replace(facts, status="paused"))


def test_an_active_plan_no_buyer_opened_for_two_weeks_has_a_silent_buyer() -> None:
    facts = dataclasses.replace(healthy(), last_buyer_seen=TODAY - dt.timedelta(days=15))
    assert "buyer_silent" in codes(facts)
    assert "buyer_silent" not in codes(dataclasses.replace(facts, last_buyer_seen=TODAY))


def test_more_open_steps_than_the_maximum_is_too_many_steps() -> None:
    assert "too_many_steps" in codes(healthy(), HealthSettings(max_open_steps=2))


def test_a_won_plan_has_no_findings_and_findings_come_most_severe_first() -> None:
    bad = dataclasses.replace(healthy(), target_date=None, buyer_edited=False, rows=())
    assert codes(dataclasses.replace(bad, status="won")) == []
    found = plan_health(bad, HealthSettings(), TODAY)
    assert [f.severity for f in found] == sorted(
        (f.severity for f in found), key=["high", "medium", "low"].index
    )
    assert {f.code for f in found} <= set(HEALTH_CODES)
