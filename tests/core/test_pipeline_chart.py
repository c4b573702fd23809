"""The pipeline chart: an accessible SVG of expected amount per quarter with its band."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from mutualplan.core.pipeline_chart import PipelineBar, compact, render_pipeline_chart

SVG = "{http://www.w3.org/2000/svg}"


def test_the_chart_is_an_accessible_svg_with_a_bar_and_a_whisker_per_quarter() -> None:
    bars = [
        PipelineBar("2026-Q4", 120_000, 40_000, 200_000),
        PipelineBar("2027-Q1", 80_000, 0, 150_000),
    ]
    svg = render_pipeline_chart(bars, "USD")
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "pipeline-title pipeline-desc"
    assert root.findtext(f"{SVG}title") == "Expected amount closing per quarter (USD)"
    desc = root.findtext(f"{SVG}desc") or ""
    assert "2026-Q4: expected 120,000 USD, P10 40,000 USD, P90 200,000 USD." in desc
    quarters = root.findall(f"{SVG}g[@class='quarter']")
    assert len(quarters) == 2
    assert [len(q.findall(f"{SVG}path[@class='band']")) for q in quarters] == [1, 1]
    assert "8 in 10 between 0 USD and 150,000 USD" in (quarters[1].findtext(f"{SVG}title") or "")


def test_the_chart_escapes_text_it_is_given() -> None:
    svg = render_pipeline_chart(
        [PipelineBar('<script>"Q1"</script>', 1, 0, 2)], "<b>", id_prefix='x" onload="'
    )
    ET.fromstring(svg)  # still well-formed
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg
    assert 'onload="' not in svg


def test_a_chart_with_no_quarters_says_so() -> None:
    svg = render_pipeline_chart([], "EUR")
    assert "No quarters" in svg
    ET.fromstring(svg)


def test_amounts_are_written_compactly() -> None:
    assert [compact(v) for v in (950, 12_500, 1_200_000, 250_000_000, 3.4e9, 0)] == [
        "950",
        "12.5k",
        "1.2M",
        "250M",
        "3.4B",
        "0",
    ]


def test_the_axis_reaches_the_highest_p90_in_round_steps() -> None:
    svg = render_pipeline_chart([PipelineBar("2026-Q4", 380_000, 250_000, 520_000)], "USD")
    labels = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text") if t.get("class") == "axis"]
    assert labels[:4] == ["0", "200k", "400k", "600k"]
