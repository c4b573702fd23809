"""The close-date forecast in the core: Monte Carlo over a plan's remaining steps."""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pytest

from mutualplan.core.forecast import (
    DependencyCycle,
    Durations,
    PlanToForecast,
    RemainingStep,
    forecast,
    forecast_many,
)
from mutualplan.core.forecast_draws import OVERDUE_REMAINING_DAYS, draw_durations, step_draws

TODAY = dt.date(2026, 11, 2)


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def fixed(n: float) -> Durations:
    return Durations((float(n),))


def uniform(low: float, high: float, n: int = 200) -> Durations:
    return Durations(tuple(float(x) for x in np.linspace(low, high, n)))


def step(id: str, durations: Durations, *needs: str, spent: float | None = None) -> RemainingStep:
    if spent is None:
        return RemainingStep(id, durations, needs)
    return RemainingStep(id, durations, needs, in_progress=True, days_spent=spent)


def plan(
    *steps: RemainingStep, target: int = 30, quarter: int = 60, seed: int = 0
) -> PlanToForecast:
    return PlanToForecast(tuple(steps), TODAY, days(target), days(quarter), seed)


def criticality(result: object) -> dict[str, float]:
    return {s.id: s.criticality for s in result.steps}  # type: ignore[attr-defined]


def test_deterministic_durations_give_exact_finish_dates_and_certain_probabilities() -> None:
    chain = plan(
        step("proposal", fixed(5)),
        step("security review", fixed(10), "proposal"),
        step("signature", fixed(2), "security review"),
        target=17,
        quarter=16,
    )
    result = forecast(chain, samples=500)
    assert (result.p50, result.p80, result.p90) == (days(17), days(17), days(17))
    assert (result.p_by_target, result.p_by_quarter_end) == (1.0, 0.0)
    assert criticality(result) == {"proposal": 1.0, "security review": 1.0, "signature": 1.0}


def test_a_fractional_duration_finishes_on_the_next_whole_day() -> None:
    result = forecast(plan(step("call", fixed(4.2)), target=4, quarter=5), samples=10)
    assert result.p50 == days(5)
    assert (result.p_by_target, result.p_by_quarter_end) == (0.0, 1.0)


def test_parallel_tracks_merge_at_the_step_that_needs_them_and_the_longer_one_is_critical() -> None:
    result = forecast(
        plan(
            step("legal", fixed(12)),
            step("security", fixed(20)),
            step("signature", fixed(1), "legal", "security"),
        ),
        samples=100,
    )
    assert result.p50 == days(21)
    assert criticality(result) == {"legal": 0.0, "security": 1.0, "signature": 1.0}


def test_overlapping_random_tracks_split_the_criticality_which_sums_to_one_at_the_merge() -> None:
    result = forecast(
        plan(
            step("legal", uniform(5, 15)),
            step("security", uniform(8, 18)),
            step("signature", fixed(1), "legal", "security"),
            seed=7,
        ),
        samples=20_000,
    )
    shares = criticality(result)
    assert 0.15 < shares["legal"] < 0.45 < shares["security"] < 0.85
    assert shares["legal"] + shares["security"] == pytest.approx(1.0)
    assert shares["signature"] == 1.0
    # The plan finishes with the later track: between 8 + 1 and 18 + 1 days.
    assert days(9) <= result.p50 <= result.p90 <= days(19)


def test_an_open_step_is_conditioned_on_the_days_already_spent() -> None:
    draws = step_draws(uniform(10, 20), in_progress=True, days_spent=15)
    remaining = draw_durations([draws], np.random.default_rng(1).random((5_000, 1)))
    assert remaining.min() > 0 and remaining.max() <= 5
    assert 2 < remaining.mean() < 3
    assert draws.beyond_history is False


def test_an_open_step_past_every_recorded_duration_gets_a_small_remaining_time_and_says_so() -> (
    None
):
    result = forecast(plan(step("security", uniform(10, 20), spent=30)), samples=100)
    assert result.p50 == TODAY + dt.timedelta(days=OVERDUE_REMAINING_DAYS)
    assert result.steps[0].beyond_history is True


def test_open_observations_count_as_lasting_at_least_that_long() -> None:
    values, weights = Durations((1.0, 2.0, 3.0, 4.0), (False, True, False, True)).distribution
    # Kaplan–Meier: 1/4 at day 1; the open 2 passes its weight on; 3/8 at 3; 3/8 left at 4.
    assert values.tolist() == [1.0, 3.0, 4.0]
    assert weights.tolist() == pytest.approx([0.25, 0.375, 0.375])


def test_draws_of_mixed_steps_equal_a_search_of_each_steps_own_cumulative_probabilities() -> None:
    rng = np.random.default_rng(5)
    censored = Durations(
        tuple(rng.lognormal(2, 0.6, 60).tolist()), tuple((rng.random(60) < 0.2).tolist())
    )
    plain = uniform(2, 30, 45)
    draws = [
        step_draws(plain, in_progress=False, days_spent=0),
        step_draws(censored, in_progress=False, days_spent=0),
        step_draws(censored, in_progress=True, days_spent=60),  # beyond history
        step_draws(censored, in_progress=True, days_spent=6),
        step_draws(plain, in_progress=True, days_spent=12),
    ]
    uniforms = np.asfortranarray(rng.random((20_000, len(draws))))
    drawn = draw_durations(draws, uniforms)
    for k, d in enumerate(draws):
        if np.isfinite(d.cumulative).any():
            index = np.searchsorted(d.cumulative, uniforms[:, k], side="right")
        else:
            index = (uniforms[:, k] * len(d.values)).astype(int)
        assert drawn[:, k].tolist() == d.values[index].tolist()
    assert [d.beyond_history for d in draws] == [False, False, True, False, False]
    assert draw_durations(draws, np.ascontiguousarray(uniforms)).tolist() == drawn.tolist()


def test_of_equally_long_tracks_the_first_dependency_listed_is_the_critical_one() -> None:
    result = forecast(
        plan(
            step("legal", fixed(5)),
            step("security", fixed(5)),
            step("sign", fixed(1), "security", "legal"),
        ),
        samples=10,
    )
    assert criticality(result) == {"legal": 0.0, "security": 1.0, "sign": 1.0}


def test_the_same_seed_gives_identical_results_and_different_seeds_differ() -> None:
    steps = (step("a", uniform(3, 30)), step("b", uniform(2, 9), "a"), step("c", uniform(5, 25)))
    first = forecast(plan(*steps, target=25, seed=11), samples=3_000)
    again = forecast(plan(*steps, target=25, seed=11), samples=3_000)
    other = forecast(plan(*steps, target=25, seed=12), samples=3_000)
    assert first == again
    assert (first.p_by_target, criticality(first)) != (other.p_by_target, criticality(other))


def test_a_dependency_cycle_is_refused_with_the_steps_around_it() -> None:
    looped = plan(step("a", fixed(1), "c"), step("b", fixed(1), "a"), step("c", fixed(1), "b"))
    with pytest.raises(DependencyCycle, match="a -> c -> b -> a"):
        forecast(looped)


def test_bad_input_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="unique; repeated: a"):
        forecast(plan(step("a", fixed(1)), step("a", fixed(2))))
    with pytest.raises(ValueError, match="samples must be a positive whole number"):
        forecast(plan(), samples=0)
    with pytest.raises(ValueError, match="at least one observation"):
        Durations(())
    with pytest.raises(ValueError, match="finite numbers of days"):
        Durations((3.0, float("nan")))
    with pytest.raises(ValueError, match="2 censoring flags for 1 durations"):
        Durations((3.0,), (True, False))
    with pytest.raises(ValueError, match="the seed must be a whole number, zero or more"):
        forecast(plan(seed=-1))
    with pytest.raises(ValueError, match="days spent"):
        forecast(plan(step("a", fixed(1), spent=-2)))


def test_an_empty_plan_finishes_today_with_probability_one() -> None:
    result = forecast(plan(target=0, quarter=0), samples=50)
    assert (result.p50, result.p90, result.p_by_target, result.p_by_quarter_end) == (
        TODAY,
        TODAY,
        1.0,
        1.0,
    )
    assert result.steps == ()


def test_dependencies_on_steps_already_done_are_ignored() -> None:
    result = forecast(plan(step("signature", fixed(3), "security review (done)")), samples=10)
    assert result.p50 == days(3)


def test_many_plans_at_once_equal_the_same_plans_one_by_one() -> None:
    rng = np.random.default_rng(3)
    plans = [
        plan(
            step("a", uniform(1, rng.integers(2, 30))),
            step("b", uniform(1, rng.integers(2, 30)), "a"),
            step("c", uniform(2, 20), spent=float(rng.integers(0, 25))),
            step("d", fixed(1), "b", "c"),
            target=int(rng.integers(5, 40)),
            seed=seed,
        )
        for seed in range(40)
    ] + [plan(seed=99)]
    assert forecast_many(plans, samples=500) == [forecast(p, samples=500) for p in plans]


def test_many_plans_split_into_batches_still_equal_one_by_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import mutualplan.core.forecast as module

    plans = [plan(step("a", uniform(1, 9)), step("b", uniform(1, 9)), seed=s) for s in range(6)]
    monkeypatch.setattr(module, "_BATCH_CELLS", 700)
    assert forecast_many(plans, samples=200) == [forecast(p, samples=200) for p in plans]


def test_results_are_the_same_on_one_thread_and_on_two(monkeypatch: pytest.MonkeyPatch) -> None:
    import mutualplan.core.forecast as module

    rng = np.random.default_rng(6)
    shapes = [
        lambda s: plan(step("a", uniform(1, 9)), step("b", uniform(2, 5), "a"), seed=s),
        lambda s: plan(
            step("a", uniform(1, 20)),
            step("b", uniform(3, 9)),
            step("c", uniform(1, 12), spent=float(rng.integers(0, 15))),
            step("d", fixed(1), "a", "b", "c"),
            target=int(rng.integers(5, 30)),
            seed=s,
        ),
        lambda s: plan(seed=s),
    ]
    plans = [shapes[s % 3](s) for s in range(30)]
    monkeypatch.setattr(module, "_BATCH_CELLS", 2_000)  # many batches of each graph
    one = forecast_many(plans, samples=400, threads=1)
    assert forecast_many(plans, samples=400, threads=2) == one
    assert forecast_many(plans, samples=400) == one  # one thread per CPU
    assert one == [forecast(p, samples=400) for p in plans]
    assert forecast_many([], threads=2) == []


def test_a_bad_thread_count_is_refused() -> None:
    for threads in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="threads must be a positive whole number"):
            forecast_many([plan()], threads=threads)  # type: ignore[arg-type]


def test_a_large_batch_runs_in_seconds() -> None:
    rng = np.random.default_rng(0)
    kinds = [uniform(1, int(high), 60) for high in rng.integers(5, 40, 20)]
    plans = [
        plan(
            *(
                step(
                    f"s{i}",
                    kinds[(seed + i) % len(kinds)],
                    *([f"s{i - 1}"] if i % 3 else []),
                    *(["s1", "s5"] if i == 7 else []),
                )
                for i in range(8)
            ),
            seed=seed,
        )
        for seed in range(2_000)
    ]
    began = time.perf_counter()
    results = forecast_many(plans, samples=2_000)
    elapsed = time.perf_counter() - began
    print(f"\nforecast of 2,000 plans x 8 steps x 2,000 samples: {elapsed:.2f} s")
    assert len(results) == 2_000
    assert all(sum(s.criticality for s in r.steps) >= 1 for r in results)


@pytest.mark.parametrize("block_cells", [1 << 18, 1])
def test_float32_draws_equal_the_search_rounded_to_float32(
    block_cells: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mutualplan.core.forecast_draws as module

    monkeypatch.setattr(module, "_BLOCK_CELLS", block_cells)  # one block, or one per column
    rng = np.random.default_rng(8)
    censored = Durations(
        tuple(rng.lognormal(2, 0.6, 80).tolist()), tuple((rng.random(80) < 0.2).tolist())
    )
    draws = [step_draws(censored, False, 0), step_draws(uniform(1, 9, 7), True, 3)]
    uniforms = np.asfortranarray(rng.random((30_000, 2), dtype=np.float32))
    drawn = draw_durations(draws, uniforms, out=np.empty((30_000, 2), np.float32, order="F"))
    assert drawn.dtype == np.float32
    expected = [
        draws[0].values[np.searchsorted(draws[0].cumulative, uniforms[:, 0], side="right")],
        draws[1].values[(uniforms[:, 1].astype(np.float64) * 5).astype(int)],
    ]
    for k in range(2):
        assert drawn[:, k].tolist() == expected[k].astype(np.float32).tolist()


def test_draws_from_random_words_equal_draws_from_the_float32_uniforms_numpy_makes_of_them() -> (
    None
):
    rng = np.random.default_rng(10)
    censored = Durations(
        tuple(rng.lognormal(2, 0.6, 70).tolist()), tuple((rng.random(70) < 0.2).tolist())
    )
    draws = [step_draws(censored, False, 0), step_draws(uniform(1, 9, 7), True, 3)]
    words = np.random.PCG64(12).random_raw(20_000).view(np.uint32).reshape((2, 20_000)).T
    uniforms = np.random.default_rng(12).random((2, 20_000), dtype=np.float32).T
    shape = (20_000, 2)
    from_words = draw_durations(draws, words, out=np.empty(shape, np.float32, order="F"))
    from_floats = draw_durations(draws, uniforms, out=np.empty(shape, np.float32, order="F"))
    assert np.isnan(from_words).sum() == 0
    assert from_words.tolist() == from_floats.tolist()


def test_draws_refuse_an_output_that_is_not_contiguous() -> None:
    out = np.empty((10, 4))[:, ::2]
    with pytest.raises(ValueError, match="contiguous"):
        draw_durations([step_draws(fixed(1), False, 0)] * 2, np.zeros((10, 2)), out=out)


def test_float_rounding_of_many_short_steps_never_adds_a_day() -> None:
    chain = [step("s0", fixed(0.1))] + [
        step(f"s{i}", fixed(0.1), f"s{i - 1}") for i in range(1, 30)
    ]
    result = forecast(plan(*chain, target=3, quarter=2), samples=10)
    assert (result.p50, result.p90) == (days(3), days(3))
    assert (result.p_by_target, result.p_by_quarter_end) == (1.0, 0.0)


def test_quantiles_and_shares_equal_numpys_whether_counted_or_sorted() -> None:
    from mutualplan.core.forecast import FAN_QUANTILES, _day_counts

    rng = np.random.default_rng(4)
    for high in (40, 10**7):  # small whole days are counted, a few huge ones sorted
        for samples in (1, 7, 10, 2_001):
            days_ = np.asfortranarray(rng.integers(0, high, (samples, 5)))
            horizons = np.array([[-1, 0, 20, 10**8, 15], [3, 30, 5, 2, 40]])
            shares, quantiles = _day_counts(days_.copy(order="F"), horizons)
            for k in range(5):
                column = days_[:, k]
                assert quantiles[:, k].tolist() == [
                    int(np.quantile(column, q, method="inverted_cdf")) for q in FAN_QUANTILES
                ]
                assert shares[:, k].tolist() == [
                    float(np.mean(column <= h)) for h in horizons[:, k]
                ]


def test_plans_of_different_shapes_in_one_batch_equal_the_same_plans_one_by_one() -> None:
    shapes = [
        plan(seed=1),
        plan(step("a", uniform(1, 5)), seed=2),
        plan(
            step("a", uniform(1, 5)),
            step("b", uniform(2, 9), "a"),
            step("c", uniform(1, 3), "b"),
            step("d", uniform(1, 30), spent=4),
            step("e", fixed(2), "c", "d"),
            seed=3,
        ),
        plan(step("x", uniform(3, 8)), step("y", uniform(1, 2), "x"), seed=4),
    ]
    assert forecast_many(shapes * 3, samples=300) == [forecast(p, samples=300) for p in shapes * 3]


def test_steps_open_for_the_same_days_share_one_conditioned_distribution() -> None:
    sample = uniform(2, 30, 50)
    assert step_draws(sample, True, 6) is step_draws(sample, True, 6.0)
    assert step_draws(sample, True, 6) is not step_draws(sample, True, 7)


def test_plans_sharing_step_ids_but_not_dependencies_get_their_own_order() -> None:
    first = forecast(plan(step("a", fixed(2)), step("b", fixed(3), "a")), samples=10)
    second = forecast(plan(step("a", fixed(2)), step("b", fixed(3))), samples=10)
    assert (first.p50, second.p50) == (days(5), days(3))
    looped = plan(step("a", fixed(1), "b"), step("b", fixed(1), "a"))
    for _ in range(2):  # a refused graph is checked again every time
        with pytest.raises(DependencyCycle):
            forecast(looped)


def test_a_large_duration_sample_keeps_a_bounded_table_and_draws_exactly() -> None:
    rng = np.random.default_rng(9)
    many = Durations(
        tuple(rng.lognormal(2, 0.8, 5_000).tolist()), tuple((rng.random(5_000) < 0.1).tolist())
    )
    draws = [step_draws(many, False, 0), step_draws(uniform(1, 90, 3_000), True, 2)]
    assert max(len(d.table) for d in draws) <= 1 << 14
    uniforms = np.asfortranarray(rng.random((20_000, 2)))
    drawn = draw_durations(draws, uniforms)
    assert drawn[:, 0].tolist() == (
        draws[0].values[np.searchsorted(draws[0].cumulative, uniforms[:, 0], side="right")].tolist()
    )
    index = (uniforms[:, 1] * len(draws[1].values)).astype(int)
    assert drawn[:, 1].tolist() == draws[1].values[index].tolist()


def test_extra_horizons_give_the_chance_of_finishing_by_each_and_the_fan_spans_p10_to_p90() -> None:
    spread = plan(step("review", uniform(1, 100, 100)), target=50)
    asked = PlanToForecast(spread.steps, TODAY, days(50), days(60), 0, (days(25), days(200)))
    result = forecast(asked, samples=20_000)
    assert result.p_by_horizon[1] == 1.0
    assert abs(result.p_by_horizon[0] - 0.25) < 0.02
    assert abs(result.p_by_target - 0.5) < 0.02
    assert [q for q, _ in result.fan] == [0.1, 0.25, 0.5, 0.75, 0.8, 0.9]
    dates = [d for _, d in result.fan]
    assert dates == sorted(dates) and dict(result.fan)[0.5] == result.p50
    assert abs((dict(result.fan)[0.1] - TODAY).days - 10) <= 2


def test_plans_asking_for_different_numbers_of_horizons_share_a_batch() -> None:
    one = PlanToForecast((step("a", fixed(3)),), TODAY, days(5), days(9), 1, (days(2),))
    none = PlanToForecast((step("a", fixed(3)),), TODAY, days(5), days(9), 2)
    both = forecast_many([one, none], samples=100)
    assert both[0].p_by_horizon == (0.0,) and both[1].p_by_horizon == ()
    assert both == [forecast(one, samples=100), forecast(none, samples=100)]
