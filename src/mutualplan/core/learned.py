"""What the forecast draws each remaining step's duration from, learned from history. Pure.

From the step observations of a workspace as of a date (`StepColumns`, open steps censored),
every step type × account type group with enough observations draws from its own sample;
a smaller group draws from its step type's sample over all account types; a step type with
no history at all draws from the step's planned turnaround spread the way overruns usually
spread (`prior`), and says so. Each answer names what it rests on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from mutualplan.core.durations import MIN_OBSERVATIONS, StepColumns
from mutualplan.core.forecast_draws import Durations
from mutualplan.core.vocab import label

# With no history, a planned turnaround of T days is taken as equally likely to take
# 0.75 T, T, 1.25 T, 1.5 T or 2 T: most steps take about their plan, some run far over.
PRIOR_FACTORS = (0.75, 1.0, 1.25, 1.5, 2.0)
# A step with neither history nor a planned turnaround is assumed to take this long.
DEFAULT_TURNAROUND_DAYS = 10


@dataclass(frozen=True)
class Basis:
    """What a step's drawn durations rest on: `kind` is "account_type" (its own step type ×
    account type), "step_type" (its step type over every account type) or "plan" (no
    history: its planned turnaround); `observations` is how many steps back it."""

    kind: str
    observations: int
    step_type: str
    account_type: str | None

    @property
    def text(self) -> str:
        named = label(self.step_type)  # mid-sentence: 'security review', 'procurement PO'
        name = named[:1].lower() + named[1:]
        if self.kind == "account_type" and self.account_type is not None:
            account = self.account_type.replace("_", " ")
            return f"{self.observations} {name} steps of {account} deals"
        if self.kind == "step_type":
            return f"{self.observations} {name} steps of all deals"
        return "the planned turnaround (no history yet)"


@dataclass(frozen=True)
class Learned:
    """Duration samples per (step type, account type) and per step type overall. A sample is
    drawn from once it holds `min_observations` finished steps (its open ones count too)."""

    groups: Mapping[tuple[str, str], Durations] = field(default_factory=dict)
    overall: Mapping[str, Durations] = field(default_factory=dict)
    min_observations: int = MIN_OBSERVATIONS

    @property
    def observations(self) -> int:
        return sum(len(d.days) for d in self.overall.values())

    def durations(
        self, step_type: str, account_type: str, planned_days: int | None
    ) -> tuple[Durations, Basis]:
        """The sample a step draws from, and what it rests on."""
        # Only finished observations say how long a step takes (open ones only say "at
        # least"; a sample of steps all opened today would say nothing).
        own = self.groups.get((step_type, account_type))
        if own is not None and own.finished >= self.min_observations:
            return own, Basis("account_type", len(own.days), step_type, account_type)
        overall = self.overall.get(step_type)
        if overall is not None and overall.finished >= self.min_observations:
            return overall, Basis("step_type", len(overall.days), step_type, None)
        return prior(planned_days), Basis("plan", 0, step_type, account_type)


_PRIORS: dict[int, Durations] = {}


def prior(planned_days: int | None) -> Durations:
    """The no-history sample of a step planned to take `planned_days` (shared per value)."""
    days = DEFAULT_TURNAROUND_DAYS if planned_days is None or planned_days < 0 else planned_days
    found = _PRIORS.get(days)
    if found is None:
        found = Durations(tuple(float(days) * f for f in PRIOR_FACTORS))
        if len(_PRIORS) < 1024:
            _PRIORS[days] = found
    return found


def _sample(days: np.ndarray, open_: np.ndarray) -> Durations:
    return Durations(tuple(days.astype(float).tolist()), tuple(open_.tolist()))


def learn(columns: StepColumns, min_observations: int = MIN_OBSERVATIONS) -> Learned:
    """The samples of every group and step type of `columns` (open steps censored)."""
    if columns.days.size == 0:
        return Learned(min_observations=min_observations)
    open_ = ~columns.finished
    groups: dict[tuple[str, str], Durations] = {}
    overall: dict[str, Durations] = {}
    types, type_code = np.unique(columns.step_type, return_inverse=True)
    accounts, account_code = np.unique(columns.account_type, return_inverse=True)
    for t, step_type in enumerate(types.tolist()):
        of_type = type_code == t
        overall[step_type] = _sample(columns.days[of_type], open_[of_type])
        for a, account in enumerate(accounts.tolist()):
            rows = of_type & (account_code == a)
            if rows.any():
                groups[(step_type, account)] = _sample(columns.days[rows], open_[rows])
    return Learned(groups, overall, min_observations)
