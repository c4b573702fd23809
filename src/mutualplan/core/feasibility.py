"""Feasibility warnings for a dated plan: raised at once, never blocking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from mutualplan.core.calendar import WorkCalendar
from mutualplan.core.vocab import OPEN_STATUSES, MilestoneStatus


@dataclass(frozen=True)
class StepWindow:
    """What the checks need of one milestone. `key` is any stable identifier."""

    key: str
    title: str
    due_date: dt.date | None
    turnaround_days: int | None
    depends_on: tuple[str, ...] = ()
    status: MilestoneStatus = MilestoneStatus.NOT_STARTED


@dataclass(frozen=True)
class Warning:
    code: str
    key: str
    message: str


def feasibility_warnings(
    steps: Sequence[StepWindow],
    target: dt.date | None,
    today: dt.date,
    calendar: WorkCalendar,
) -> list[Warning]:
    """Open steps due in the past, due after the target, or with a window shorter than
    their turnaround (the window runs from the latest prerequisite's due date, or today)."""
    warnings: list[Warning] = []
    due_by_key = {s.key: s.due_date for s in steps}
    for step in steps:
        if step.status not in OPEN_STATUSES or step.due_date is None:
            continue
        if step.due_date < today:
            warnings.append(
                Warning(
                    "due_in_past",
                    step.key,
                    f"'{step.title}' is due {step.due_date}, which is already in the past",
                )
            )
            continue
        if target and step.due_date > target:
            warnings.append(
                Warning(
                    "after_target",
                    step.key,
                    f"'{step.title}' is due {step.due_date}, after the target date {target}",
                )
            )
        if not step.turnaround_days:
            continue
        starts = [due_by_key[d] for d in step.depends_on if due_by_key.get(d)]
        start = max([d for d in starts if d is not None], default=today)
        start = max(start, today)
        window = calendar.days_between(start, step.due_date)
        if window < step.turnaround_days:
            unit = "business days" if calendar.business_days else "days"
            warnings.append(
                Warning(
                    "window_too_short",
                    step.key,
                    f"'{step.title}' has {window} {unit} "
                    f"but realistically takes {step.turnaround_days}",
                )
            )
    return warnings
