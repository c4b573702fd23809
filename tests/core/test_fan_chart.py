import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from mutualplan.core.fan_chart import FanChart, describe, render_fan_chart

D = dt.date
SVG = "{http://www.w3.org/2000/svg}"
TODAY = D(2026, 11, 12)


def fan(*days: int) -> tuple[tuple[float, dt.date], ...]:
    quantiles = (0.1, 0.25, 0.5, 0.75, 0.8, 0.9)
    return tuple((q, TODAY + dt.timedelta(days=d)) for q, d in zip(quantiles, days, strict=True))


def chart(**changes: object) -> FanChart:
    fields: dict[str, object] = {
        "today": TODAY,
        "fan": fan(20, 30, 41, 55, 60, 75),
        "target": D(2026, 12, 20),
        "p_by_target": 0.35,
        "quarter_end": D(2026, 12, 31),
        "p_by_quarter_end": 0.48,
    }
    fields.update(changes)
    return FanChart(**fields)  # type: ignore[arg-type]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def with_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [el for el in root.iter() if name in el.get("class", "").split()]


def texts(root: ET.Element) -> str:
    return " | ".join("".join(el.itertext()) for el in root.iter(f"{SVG}text"))


def test_the_fan_chart_is_an_accessible_svg_with_title_and_description() -> None:
    root = parse(render_fan_chart(chart(), title="Forecast finish of Acme"))
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Forecast finish of Acme"  # type: ignore[union-attr]
    desc = root.find(f"{SVG}desc").text or ""  # type: ignore[union-attr]
    assert "half of the forecasts by Dec 23, 2026" in desc
    assert "35 % chance by the target, Dec 20, 2026" in desc
    assert "48 % chance by the quarter end, Dec 31, 2026" in desc
    assert "<script" not in render_fan_chart(chart())


def test_the_fan_chart_shows_both_bands_the_p50_line_the_target_and_the_quarter_end() -> None:
    root = parse(render_fan_chart(chart()))
    assert len(with_class(root, "band-outer")) == 1
    assert len(with_class(root, "band")) == 1
    assert len(with_class(root, "p50")) == 1
    assert len(with_class(root, "target-line")) == 1
    assert len(with_class(root, "quarter-end-line")) == 1
    words = texts(root)
    assert "P50 Dec 23" in words
    assert "Target Dec 20: 35 %" in words
    assert "Quarter end Dec 31: 48 %" in words
    assert "Today" in words
    assert "P10 to P90" in words and "P25 to P75" in words
    assert "Jan 2027" in words


def test_the_outer_band_spans_p10_to_p90_and_the_inner_band_lies_within_it() -> None:
    root = parse(render_fan_chart(chart()))
    outer, inner = with_class(root, "band-outer")[0], with_class(root, "band")[0]
    ox, ow = float(outer.get("x", 0)), float(outer.get("width", 0))
    ix, iw = float(inner.get("x", 0)), float(inner.get("width", 0))
    assert ox < ix and ix + iw < ox + ow


def test_hostile_text_in_the_title_is_escaped() -> None:
    svg = render_fan_chart(chart(), title='<script>alert(1)</script> & "Acme"\x00')
    root = parse(svg)
    assert "<script>" not in svg
    assert root.find(f"{SVG}title").text == '<script>alert(1)</script> & "Acme"'  # type: ignore[union-attr]


def test_a_hostile_id_prefix_cannot_break_out_of_its_attributes() -> None:
    svg = render_fan_chart(chart(), id_prefix='x" onload="alert(1)')
    root = parse(svg)
    assert all(not name.startswith("on") for el in root.iter() for name in el.attrib)


def test_a_fan_with_all_quantiles_equal_still_draws_visible_bands() -> None:
    root = parse(render_fan_chart(chart(fan=fan(9, 9, 9, 9, 9, 9))))
    for band in with_class(root, "band-outer") + with_class(root, "band"):
        assert float(band.get("width", 0)) >= 3
    assert "P50 Nov 21" in texts(root)


def test_a_plan_without_a_target_has_no_target_line_and_says_so() -> None:
    root = parse(render_fan_chart(chart(target=None, p_by_target=None)))
    assert with_class(root, "target-line") == []
    assert "No target date." in (root.find(f"{SVG}desc").text or "")  # type: ignore[union-attr]


def test_a_target_already_passed_is_drawn_before_today_and_marked_passed() -> None:
    root = parse(render_fan_chart(chart(target=D(2026, 11, 1), p_by_target=0.0)))
    target = with_class(root, "target-line")[0]
    today = with_class(root, "today-line")[0]
    assert float(target.get("x1", 0)) < float(today.get("x1", 0))
    assert "Target Nov 1 (passed): 0 %" in texts(root)


def test_a_fan_missing_a_quantile_is_refused() -> None:
    with pytest.raises(ValueError, match="lacks the quantiles"):
        render_fan_chart(chart(fan=((0.5, TODAY),)))


def test_labels_near_the_right_edge_stay_inside_the_chart() -> None:
    root = parse(render_fan_chart(chart(target=TODAY + dt.timedelta(days=80)), width=520))
    label = with_class(root, "target-label")[0]
    assert label.get("text-anchor") == "end"
    assert float(label.get("x", 0)) <= 520


def test_the_description_names_the_p80_date() -> None:
    assert "80 % by Jan 11, 2027" in describe(chart())
