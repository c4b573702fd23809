import datetime as dt

import pytest

from mutualplan.core.calendar import WorkCalendar
from mutualplan.core.feasibility import StepWindow, feasibility_warnings
from mutualplan.core.schedule import (
    DependencyCycle,
    StepSpec,
    find_cycle,
    latest_finish_offsets,
)
from mutualplan.core.templates import STANDARD, instantiate
from mutualplan.core.vocab import MilestoneStatus, OwnerSide

D = dt.date


def test_latest_finish_puts_each_prerequisite_before_its_earliest_dependent() -> None:
    offsets = latest_finish_offsets(
        [
            StepSpec("legal", 10),
            StepSpec("security", 15),
            StepSpec("po", 5, ("legal", "security")),
            StepSpec("sign", 2, ("po",)),
        ]
    )
    assert offsets == {"sign": 0, "po": 2, "legal": 7, "security": 7}


def test_latest_finish_takes_the_longest_path_back() -> None:
    offsets = latest_finish_offsets(
        [
            StepSpec("a", 1),
            StepSpec("b", 10, ("a",)),
            StepSpec("c", 3, ("a",)),
            StepSpec("d", 1, ("b", "c")),
        ]
    )
    assert offsets["a"] == 11


def test_a_dependency_cycle_is_rejected_and_named() -> None:
    with pytest.raises(DependencyCycle) as error:
        latest_finish_offsets(
            [StepSpec("a", 1, ("c",)), StepSpec("b", 1, ("a",)), StepSpec("c", 1, ("b",))]
        )
    assert set(error.value.cycle) == {"a", "b", "c"}
    assert error.value.cycle[0] == error.value.cycle[-1]


def test_find_cycle_returns_none_for_a_dag_and_handles_long_chains() -> None:
    chain = {str(i): [str(i - 1)] if i else [] for i in range(5000)}
    assert find_cycle(chain) is None
    chain["0"] = ["4999"]
    assert find_cycle(chain) is not None


def test_the_standard_template_is_the_articles_eight_rows_in_order() -> None:
    titles = [row.title for row in STANDARD.rows]
    assert titles == [
        "Align on business case and ROI model",
        "Complete security review",
        "Deliver security questionnaire responses",
        "Legal redline MSA",
        "Final commercial review",
        "Procurement PO issuance",
        "Contract execution",
        "Kickoff scheduled",
    ]
    sides = [row.owner_side for row in STANDARD.rows]
    assert sides == [
        OwnerSide.JOINT,
        OwnerSide.BUYER,
        OwnerSide.SELLER,
        OwnerSide.BUYER,
        OwnerSide.SELLER,
        OwnerSide.BUYER,
        OwnerSide.JOINT,
        OwnerSide.JOINT,
    ]
    assert [r.key for r in STANDARD.rows if r.high_risk] == [
        "security_review",
        "security_questionnaire",
        "legal_redline",
        "procurement_po",
    ]


@pytest.mark.parametrize("business_days", [False, True])
@pytest.mark.parametrize("from_turnarounds", [False, True])
def test_instantiated_rows_fall_on_or_before_the_target(
    business_days: bool, from_turnarounds: bool
) -> None:
    target = D(2027, 3, 1)
    cal = WorkCalendar(business_days=business_days, country="US")
    rows = instantiate(STANDARD.rows, target, cal, from_turnarounds)
    assert len(rows) == 8
    for row in rows:
        assert row.due_date is not None and row.due_date <= target
        assert cal.is_working_day(row.due_date)
    assert [r.position for r in rows] == list(range(8))


def test_a_draft_plan_has_undated_but_anchored_rows() -> None:
    rows = instantiate(STANDARD.rows, None, WorkCalendar())
    assert all(r.due_date is None and r.anchor_offset is not None for r in rows)


def test_the_standard_offsets_leave_each_step_its_turnaround() -> None:
    target = D(2027, 6, 30)
    cal = WorkCalendar()
    rows = instantiate(STANDARD.rows, target, cal)
    steps = [StepWindow(r.key, r.title, r.due_date, r.turnaround_days, r.depends_on) for r in rows]
    warnings = feasibility_warnings(steps, target, today=D(2027, 1, 1), calendar=cal)
    assert warnings == []


def test_feasibility_warns_of_past_due_dates_and_short_windows() -> None:
    cal = WorkCalendar()
    steps = [
        StepWindow("a", "Security review", D(2027, 1, 10), 21),
        StepWindow("b", "Business case", D(2026, 12, 1), 5),
        StepWindow("c", "Legal", D(2027, 1, 20), 15, ("a",)),
        StepWindow("d", "Old done step", D(2026, 11, 1), 5, status=MilestoneStatus.DONE),
    ]
    warnings = feasibility_warnings(steps, D(2027, 2, 1), today=D(2027, 1, 1), calendar=cal)
    assert {(w.code, w.key) for w in warnings} == {
        ("window_too_short", "a"),
        ("due_in_past", "b"),
        ("window_too_short", "c"),
    }
    assert "9 days but realistically takes 21" in next(w.message for w in warnings if w.key == "a")
