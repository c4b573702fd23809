"""When to introduce a plan: the workspace's introduce stages, and verbal commitment."""

from mutualplan.core.introduce import introduced_late, is_verbal_stage, should_introduce


def test_a_deal_at_an_introduce_stage_should_get_a_plan() -> None:
    assert should_introduce("demo", ["demo", "business_case"])
    assert not should_introduce("negotiation", ["demo", "business_case"])


def test_a_plan_at_verbal_commitment_without_confirmed_dates_is_late() -> None:
    assert is_verbal_stage("verbal_commit") and is_verbal_stage("Verbal commitment")
    assert introduced_late("verbal_commit", dates_confirmed=False)
    assert not introduced_late("verbal_commit", dates_confirmed=True)
    assert not introduced_late("negotiation", dates_confirmed=False)
