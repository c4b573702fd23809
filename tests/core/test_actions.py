"""Next best actions in the core: candidates that apply, each ranked by its forecast effect."""

from __future__ import annotations

import datetime as dt

import numpy as np

from mutualplan.core.actions import (
    EFFECTS,
    Action,
    Situation,
    faster_half,
    next_actions,
    next_actions_many,
    shorter_tail,
)
from mutualplan.core.forecast import Durations, PlanToForecast, RemainingStep, forecast

TODAY = dt.date(2026, 11, 2)


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def spread(low: float, high: float, n: int = 200) -> Durations:
    return Durations(tuple(float(x) for x in np.linspace(low, high, n)))


def plan(*steps: RemainingStep, target: int = 40, seed: int = 7) -> PlanToForecast:
    return PlanToForecast(tuple(steps), TODAY, days(target), days(59), seed)


def chain() -> PlanToForecast:
    """A security review (buyer, long, critical) beside a short seller track, then signature."""
    return plan(
        RemainingStep("security", spread(5, 60), in_progress=True, days_spent=20),
        RemainingStep("demo", spread(1, 4), in_progress=True, days_spent=0),
        RemainingStep("signature", spread(1, 6), ("security", "demo")),
        target=30,
    )


TITLES = {"security": "Security review", "demo": "Demo", "signature": "Signature"}


def codes(actions: list[Action]) -> list[str]:
    return [a.code for a in actions]


def test_a_plan_with_nothing_to_fix_and_a_safe_target_gets_no_actions() -> None:
    safe = plan(RemainingStep("demo", spread(1, 4), in_progress=True), target=30)
    assert next_actions(safe, Situation(titles=TITLES)) == []


def test_a_stale_buyer_step_gets_an_escalation_with_its_effect_explained() -> None:
    (action,) = [
        a
        for a in next_actions(chain(), Situation(TITLES, stale_steps={"security": 21}))
        if a.code == "escalate_stale_step"
    ]
    assert action.title == "Escalate 'Security review'"
    assert action.step_id == "security"
    assert action.effect_pp > 0
    assert action.explanation.startswith(f"Estimated +{action.effect_pp:.1f} pp: ")
    assert "no update from the buyer side for 21 days" in action.explanation
    assert "faster half" in action.explanation


def test_no_escalation_without_a_stale_step() -> None:
    assert "escalate_stale_step" not in codes(next_actions(chain(), Situation(TITLES)))


def test_escalating_a_critical_stale_step_ranks_above_escalating_a_non_critical_one() -> None:
    # The demo track is sometimes on the longest path, the security review mostly.
    both = plan(
        RemainingStep("security", spread(5, 60), in_progress=True, days_spent=20),
        RemainingStep("demo", spread(1, 30), in_progress=True, days_spent=0),
        RemainingStep("signature", spread(1, 6), ("security", "demo")),
        target=30,
    )
    critical = {s.id: s.criticality for s in forecast(both).steps}
    assert critical["security"] > 0.5 > critical["demo"] > 0.1
    found = next_actions(both, Situation(TITLES, stale_steps={"demo": 30, "security": 21}))
    escalations = [a for a in found if a.code == "escalate_stale_step"]
    assert [a.step_id for a in escalations] == ["security", "demo"]
    assert escalations[0].effect_pp > escalations[1].effect_pp
    assert found.index(escalations[0]) < found.index(escalations[1])


def test_a_critical_step_waiting_for_its_prerequisites_can_be_started_now() -> None:
    waiting = plan(
        RemainingStep("proposal", spread(10, 20), in_progress=True),
        RemainingStep("security", spread(10, 30), ("proposal",)),
        target=35,
    )
    titles = {"proposal": "Proposal", "security": "Security review"}
    (action,) = [a for a in next_actions(waiting, Situation(titles)) if a.code.startswith("start")]
    assert action.title == "Start 'Security review' now"
    assert action.step_id == "security"
    assert "waits for 'Proposal'" in action.explanation
    assert action.effect_pp > 20


def test_no_step_is_started_early_when_none_waits() -> None:
    alone = plan(RemainingStep("security", spread(10, 60), in_progress=True))
    assert "start_critical_step" not in codes(next_actions(alone, Situation(TITLES)))


def test_a_target_earlier_than_the_p80_date_can_be_moved_to_it_honestly() -> None:
    base = forecast(chain())
    (action,) = [a for a in next_actions(chain(), Situation(TITLES)) if a.code == "move_target"]
    p80 = f"{base.p80:%b} {base.p80.day}, {base.p80.year}"
    assert action.title == f"Move the target to {p80}"
    assert "chance by the current target" in action.explanation
    assert f"chance by {p80}" in action.explanation
    assert "the deal goes no faster" in action.explanation
    assert action.effect_pp == round(
        100
        * (
            forecast(PlanToForecast(chain().steps, TODAY, base.p80, days(59), 7)).p_by_target
            - base.p_by_target
        ),
        1,
    )


def test_the_target_is_not_moved_when_the_plan_has_none_or_it_is_already_safe() -> None:
    assert "move_target" not in codes(next_actions(chain(), Situation(TITLES, has_target=False)))
    safe = plan(*chain().steps, target=200)
    assert "move_target" not in codes(next_actions(safe, Situation(TITLES)))


def test_unconfirmed_steps_ask_for_the_champions_confirmation() -> None:
    found = next_actions(chain(), Situation(TITLES, unconfirmed_steps=("security", "signature")))
    (action,) = [a for a in found if a.code == "get_confirmation"]
    assert "has not confirmed 2 remaining steps" in action.explanation
    assert action.effect_pp > 0
    confirmed = next_actions(chain(), Situation(TITLES, unconfirmed_steps=("gone",)))
    assert "get_confirmation" not in codes(confirmed)


def test_a_due_review_suggests_scheduling_the_review_call() -> None:
    found = next_actions(chain(), Situation(TITLES, review_due="no call for 20 days"))
    (action,) = [a for a in found if a.code == "schedule_review_call"]
    assert "no call for 20 days" in action.explanation
    assert "schedule_review_call" not in codes(next_actions(chain(), Situation(TITLES)))


def test_a_high_risk_step_with_unanswered_questions_gets_its_questions_answered() -> None:
    found = next_actions(chain(), Situation(TITLES, risk_steps=("security",)))
    (action,) = [a for a in found if a.code == "answer_risk_questions"]
    assert action.title == "Answer the risk questions of 'Security review'"
    assert action.step_id == "security"
    assert "answer_risk_questions" not in codes(next_actions(chain(), Situation(TITLES)))


def test_actions_are_sorted_by_effect_and_reproducible() -> None:
    situation = Situation(
        TITLES,
        stale_steps={"security": 21, "demo": 15},
        unconfirmed_steps=("security",),
        review_due="overdue",
        risk_steps=("signature",),
    )
    first = next_actions(chain(), situation)
    assert first == next_actions(chain(), situation)
    effects = [a.effect_pp for a in first]
    assert effects == sorted(effects, reverse=True)
    assert all(a.code in EFFECTS for a in first)


def test_many_plans_at_once_give_the_same_actions_as_one_by_one() -> None:
    other = plan(RemainingStep("security", spread(10, 60), in_progress=True), seed=3)
    situation = Situation(TITLES, stale_steps={"security": 30}, review_due="overdue")
    together = next_actions_many([(chain(), situation), (other, situation)])
    assert together == [next_actions(chain(), situation), next_actions(other, situation)]


def test_the_faster_half_lies_below_the_median() -> None:
    half = faster_half(spread(0, 100, 101))
    assert len(half.days) == 20
    assert max(half.days) <= 50 and min(half.days) >= 0


def test_a_shorter_tail_cuts_only_durations_beyond_p75() -> None:
    cut = shorter_tail(
        Durations((10.0, 20.0, 30.0, 40.0, 100.0), (True, False, False, False, False)), 0.5
    )
    assert cut.days[:4] == (10.0, 20.0, 30.0, 40.0)
    assert cut.days[4] == 70.0
    assert cut.censored == (True, False, False, False, False)
