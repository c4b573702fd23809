"""Working backwards from the target date.

A milestone is *anchored* when it carries an offset: the number of (calendar or business)
days before the target date on which it is due. Offsets come either straight from a template
or from a latest-finish schedule through turnarounds and dependencies. Moving the target moves
every anchored row with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mutualplan.core.calendar import WorkCalendar


class DependencyCycle(ValueError):
    """Dependencies loop back on themselves; `cycle` lists the keys around the loop."""

    def __init__(self, cycle: Sequence[str]) -> None:
        self.cycle = list(cycle)
        super().__init__("dependencies form a cycle: " + " -> ".join(self.cycle))


@dataclass(frozen=True)
class StepSpec:
    """What latest-finish scheduling needs of a step: its key, turnaround, prerequisites."""

    key: str
    turnaround_days: int
    depends_on: tuple[str, ...] = ()


def due_from_offset(target: dt.date, offset: int, calendar: WorkCalendar) -> dt.date:
    """The due date `offset` days before `target`, in the calendar's kind of day."""
    return calendar.minus(target, offset)


def offset_from_due(target: dt.date, due: dt.date, calendar: WorkCalendar) -> int:
    """How many of the calendar's days `due` lies before `target`."""
    return calendar.days_between(due, target)


def find_cycle(graph: Mapping[str, Sequence[str]]) -> list[str] | None:
    """A dependency cycle in `graph` (key -> prerequisites) as a closed path, or None."""
    order = _topological_order(graph)
    if len(order) == len(graph):
        return None
    remaining = set(graph) - set(order)
    # Every remaining node has a remaining prerequisite, so walking them must loop.
    node = min(remaining)
    path: list[str] = []
    seen: dict[str, int] = {}
    while node not in seen:
        seen[node] = len(path)
        path.append(node)
        node = next(dep for dep in graph[node] if dep in remaining)
    return path[seen[node] :] + [node]


def _topological_order(graph: Mapping[str, Sequence[str]]) -> list[str]:
    """Keys with every prerequisite before its dependents; keys on a cycle are left out."""
    waiting = {key: len({d for d in deps if d in graph}) for key, deps in graph.items()}
    dependents: dict[str, list[str]] = {key: [] for key in graph}
    for key, deps in graph.items():
        for dep in {d for d in deps if d in graph}:
            dependents[dep].append(key)
    ready = [key for key, count in waiting.items() if count == 0]
    order: list[str] = []
    while ready:
        key = ready.pop()
        order.append(key)
        for after in dependents[key]:
            waiting[after] -= 1
            if waiting[after] == 0:
                ready.append(after)
    return order


def latest_finish_offsets(steps: Sequence[StepSpec]) -> dict[str, int]:
    """Offsets before the target for each step, as late as every dependent step allows.

    A step nothing depends on is due on the target date (offset 0); a prerequisite is due
    when its earliest dependent must start (that dependent's offset plus its turnaround).
    Raises DependencyCycle when the dependencies loop.
    """
    graph = {step.key: step.depends_on for step in steps}
    cycle = find_cycle(graph)
    if cycle:
        raise DependencyCycle(cycle)
    by_key = {step.key: step for step in steps}
    offsets = dict.fromkeys(by_key, 0)
    # Dependents come after their prerequisites in topological order: walk it backwards.
    for key in reversed(_topological_order(graph)):
        start = offsets[key] + max(by_key[key].turnaround_days, 0)
        for dep in by_key[key].depends_on:
            if dep in offsets:
                offsets[dep] = max(offsets[dep], start)
    return offsets
