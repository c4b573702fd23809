"""The analytics charts: well-formed accessible SVG, labelled in words, safe with any name."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from mutualplan.core.charts import (
    Bar,
    QuarterPoint,
    Series,
    bar_chart,
    quarter_chart,
    survival_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & \x07 "quoted"'


def parsed(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title") is not None and root.find(f"{SVG}desc") is not None
    return root


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_the_bar_chart_draws_a_bar_and_a_p80_tick_per_step_type_with_direct_labels() -> None:
    svg = bar_chart(
        [
            Bar("Security review", 12, 23, "median 12 d · P80 23 d (41)"),
            Bar("Legal redline", 30, None, "at least 30 d", open_ended=True),
        ],
        title="Turnaround per step type",
    )
    root = parsed(svg)
    shown = texts(root)
    assert "Security review" in shown and "median 12 d · P80 23 d (41)" in shown
    assert "at least 30 d" in shown
    assert len([r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]) == 2
    assert len([m for m in root.iter(f"{SVG}line") if m.get("class") == "marker"]) == 1
    desc = root.find(f"{SVG}desc")
    assert desc is not None and "Security review: median 12 days, P80 23 days" in (desc.text or "")
    assert "Legal redline: median at least 30 days" in (desc.text or "")
    # The lower bound is hatched, so it reads without colour.
    assert 'fill="url(#bars-open)"' in svg


def test_hostile_names_are_escaped_and_control_characters_dropped_in_every_chart() -> None:
    charts = [
        bar_chart([Bar(HOSTILE, 3, 5, HOSTILE)], title=HOSTILE),
        quarter_chart([QuarterPoint(HOSTILE, 40, 0.5, 2)], title=HOSTILE),
        survival_chart([Series(HOSTILE, [2, 5], [0.5, 0.0], 5)], title=HOSTILE),
    ]
    for svg in charts:
        root = parsed(svg)
        assert "<script>" not in svg and "&lt;script&gt;" in svg
        assert "\x07" not in svg
        title = root.find(f"{SVG}title")
        assert title is not None and title.text == HOSTILE.replace("\x07", "")


def test_empty_data_gives_a_chart_that_says_there_is_no_data() -> None:
    for svg in (
        bar_chart([], title="Turnaround"),
        bar_chart([Bar("Kickoff", None, None)], title="Turnaround"),
        quarter_chart([], title="Cycle"),
        quarter_chart([QuarterPoint("2026-Q1", None, None)], title="Cycle"),
        survival_chart([], title="Still open"),
    ):
        assert "No data yet" in texts(parsed(svg))


def test_a_single_value_and_zero_values_still_draw_a_readable_chart() -> None:
    one = parsed(bar_chart([Bar("Kickoff", 4, 4, "4 d")], title="One"))
    assert "4 d" in texts(one) and "0" in texts(one)
    zero = parsed(bar_chart([Bar("Kickoff", 0, 0, "0 d")], title="Zero"))
    assert "0 d" in texts(zero)
    quarters = parsed(quarter_chart([QuarterPoint("2026-Q1", 0, 0.0, 1)], title="Zero"))
    assert {"2026-Q1", "0", "0%", "n=1"} <= set(texts(quarters))
    flat = parsed(survival_chart([Series("smb", [], [], 0.0)], title="Nothing yet"))
    assert "No data yet" in texts(flat)
    open_only = parsed(survival_chart([Series("smb", [], [], 12.0)], title="Open"))
    desc = open_only.find(f"{SVG}desc")
    assert desc is not None and "none finished in 12 days" in (desc.text or "")


def test_the_quarter_chart_writes_each_cycle_length_and_win_rate() -> None:
    root = parsed(
        quarter_chart(
            [QuarterPoint("2026-Q1", 45.5, 0.75, 4), QuarterPoint("2026-Q2", 60, None, 0)],
            title="Cycle length",
        )
    )
    shown = texts(root)
    assert {"2026-Q1", "2026-Q2", "45.5", "60", "75%", "n=4"} <= set(shown)
    assert len(list(root.iter(f"{SVG}polyline"))) == 1


def test_the_survival_chart_draws_up_to_four_labelled_curves_that_differ_without_colour() -> None:
    series = [
        Series(name, [5.0 * (i + 1), 10.0 * (i + 1)], [0.5, 0.2], 12.0 * (i + 1))
        for i, name in enumerate(["All deals", "enterprise", "mid_market", "smb", "extra"])
    ]
    svg = survival_chart(series, title="Security review: share still open")
    root = parsed(svg)
    curves = [g for g in root.iter(f"{SVG}g") if g.get("class") == "curve"]
    assert len(curves) == 4
    shown = texts(root)
    assert {"All deals", "enterprise", "mid_market", "smb"} <= set(shown)
    assert "extra" not in shown
    dashes = {line.get("stroke-dasharray") for g in curves for line in g.iter(f"{SVG}polyline")}
    assert len(dashes) == 4  # solid (None) and three distinct dash patterns
    desc = root.find(f"{SVG}desc")
    assert desc is not None and "All deals: half finished by 5 days" in (desc.text or "")


def test_two_charts_on_one_page_keep_their_ids_apart() -> None:
    a = bar_chart([Bar("x", 1, 2, "")], title="A", id_prefix="durations")
    b = bar_chart([Bar("x", 1, 2, "")], title="B", id_prefix="by type")
    assert 'id="durations-title"' in a and 'id="by-type-title"' in b


def test_survival_end_labels_that_meet_at_zero_stay_apart_and_inside_the_chart() -> None:
    series = [Series(f"type {i}", [3.0, 9.0], [0.4, 0.0], 9.0) for i in range(4)]
    root = parsed(survival_chart(series, title="All finish"))
    height = float((root.get("viewBox") or "").split()[3])
    ends = [float(t.get("y") or 0) for t in root.iter(f"{SVG}text") if t.get("class") == "value"]
    assert len(ends) == 4 and max(ends) <= height
    assert all(b - a >= 14 for a, b in zip(sorted(ends), sorted(ends)[1:], strict=False))
