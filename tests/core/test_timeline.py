import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from mutualplan.core.timeline import TimelineRow, quarter_end, render_timeline

D = dt.date
SVG = "{http://www.w3.org/2000/svg}"
TODAY = D(2026, 11, 12)
TARGET = D(2027, 1, 15)


def row(title: str = "Security review", **changes: object) -> TimelineRow:
    fields: dict[str, object] = {
        "title": title,
        "owner_side": "buyer",
        "owner_team": "IT",
        "start": D(2026, 11, 1),
        "due": D(2026, 11, 20),
        "baseline_due": D(2026, 11, 20),
        "status": "in_progress",
        "overdue": False,
        "high_risk": False,
    }
    fields.update(changes)
    return TimelineRow(**fields)  # type: ignore[arg-type]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def with_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [el for el in root.iter() if name in el.get("class", "").split()]


def texts(root: ET.Element) -> list[str]:
    return ["".join(el.itertext()) for el in root.iter(f"{SVG}text")]


def sample_plan() -> list[TimelineRow]:
    return [
        row("Business case", owner_side="joint", status="done", start=D(2026, 10, 1)),
        row("Security questionnaire", high_risk=True, due=D(2026, 12, 1)),
        row("Legal redlines", owner_side="buyer", overdue=True, due=D(2026, 11, 10)),
        row("Commercial proposal", owner_side="seller", start=None),
        row("Kickoff", owner_side="seller", start=None, due=None, baseline_due=None),
    ]


def test_the_svg_is_well_formed_and_describes_itself_for_screen_readers() -> None:
    root = parse(render_timeline(sample_plan(), TARGET, TODAY, title="Acme timeline"))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("viewBox", "").startswith("0 0 960 ")
    title_id, desc_id = root.get("aria-labelledby", "").split()
    ids = {el.get("id"): "".join(el.itertext()) for el in root.iter() if el.get("id")}
    assert ids[title_id] == "Acme timeline"
    assert ids[desc_id].startswith("5 steps, target 2027-01-15, 1 overdue")
    assert "1 without a date" in ids[desc_id]


def test_it_draws_one_bar_per_dated_row_and_lists_undated_rows_as_no_date() -> None:
    root = parse(render_timeline(sample_plan(), TARGET, TODAY))
    assert len(with_class(root, "bar")) == 4
    assert len(with_class(root, "row")) == 5
    assert len(with_class(root, "bar-point")) == 1  # the row without a start is a point at due
    assert "no date" in texts(root)


def test_it_draws_the_target_today_and_quarter_end_lines_with_labels() -> None:
    root = parse(render_timeline(sample_plan(), TARGET, TODAY))
    for cls, label in (
        ("target-line", "Target 2027-01-15"),
        ("today-line", "Today"),
        ("quarter-end-line", "Q4 end"),
    ):
        (group,) = with_class(root, cls)
        assert group.find(f"{SVG}line") is not None
        assert label in texts(group)


def test_the_quarter_end_line_is_left_out_when_it_falls_beyond_the_drawn_range() -> None:
    rows = [row(start=D(2026, 10, 1), due=D(2026, 10, 20), baseline_due=None)]
    root = parse(render_timeline(rows, D(2026, 10, 25), D(2026, 10, 5)))
    assert with_class(root, "quarter-end-line") == []
    assert with_class(root, "today-line") and with_class(root, "target-line")


def test_a_plan_without_a_target_has_no_target_line() -> None:
    root = parse(render_timeline([row()], None, TODAY))
    assert with_class(root, "target-line") == []
    assert "target not set" in "".join(root.find(f"{SVG}desc").itertext())  # type: ignore[union-attr]


def test_a_slipped_row_shows_its_baseline_and_the_days_moved() -> None:
    slipped = row(due=D(2026, 12, 5), baseline_due=D(2026, 11, 20))
    root = parse(render_timeline([slipped, row("On time")], TARGET, TODAY))
    slipped_group, on_time_group = with_class(root, "row")
    assert len(with_class(slipped_group, "baseline")) == 1
    assert with_class(on_time_group, "baseline") == []
    tooltip = slipped_group.findtext(f"{SVG}title") or ""
    assert "slipped 15 days later (baseline 2026-11-20)" in tooltip
    assert "+15d" in texts(slipped_group)


def test_rows_are_marked_without_relying_on_colour() -> None:
    rows = [
        row("Done", owner_side="joint", status="done"),
        row("Risky", owner_side="seller", high_risk=True),
        row("Late", owner_side="buyer", overdue=True),
        row("Stuck", owner_side="buyer", status="blocked"),
    ]
    root = parse(render_timeline(rows, TARGET, TODAY))
    done, risky, late, stuck = with_class(root, "row")
    assert "✓ done" in texts(done)
    assert "⚠" in texts(risky)
    assert "overdue" in texts(late)
    assert "blocked" in texts(stuck)
    # Owner side: a letter badge on every row, a pattern for buyer and joint, a text legend.
    assert [texts(g)[0] for g in (done, risky, late)] == ["J", "S", "B"]
    assert {p.get("id") for p in root.iter(f"{SVG}pattern")} == {"timeline-buyer", "timeline-joint"}
    assert with_class(late, "bar")[0].get("fill") == "url(#timeline-buyer)"
    legend = " ".join(texts(root))
    for words in ("Buyer (B)", "Seller (S)", "Joint (J)", "high risk", "baseline"):
        assert words in legend


def test_a_hostile_title_is_escaped_as_text() -> None:
    title = 'Review <script>alert("x")</script> & sign'
    svg = render_timeline([row(title)], TARGET, TODAY, title="Acme & <Co>")
    assert "<script>" not in svg
    root = parse(svg)
    assert root.find(f"{SVG}script") is None
    (group,) = with_class(root, "row")
    assert (group.findtext(f"{SVG}title") or "").startswith(title)
    assert root.findtext(f"{SVG}title") == "Acme & <Co>"


def test_control_characters_in_a_title_do_not_break_the_xml() -> None:
    root = parse(render_timeline([row("Legal\x00 review\x1b")], TARGET, TODAY))
    assert "Legal review" in texts(root)


def test_a_long_title_is_truncated_with_an_ellipsis_and_kept_whole_in_the_tooltip() -> None:
    title = "Procurement: vendor onboarding, supplier risk assessment and purchase order"
    (group,) = with_class(parse(render_timeline([row(title)], TARGET, TODAY)), "row")
    label = with_class(group, "label")[0].text or ""
    assert label.endswith("…") and len(label) < len(title)
    assert (group.findtext(f"{SVG}title") or "").startswith(title)


def test_the_month_axis_labels_each_month_in_range() -> None:
    root = parse(render_timeline(sample_plan(), TARGET, TODAY))
    labels = [el.text for el in with_class(root, "axis")]
    assert labels[:4] == ["Oct 2026", "Nov", "Dec", "Jan 2027"]


def test_a_plan_with_no_dates_says_so() -> None:
    for rows in ([], [row(start=None, due=None, baseline_due=None)]):
        root = parse(render_timeline(rows, TARGET, TODAY))
        assert "No dates yet" in texts(root)
        assert with_class(root, "bar") == []
        assert root.get("role") == "img"


def test_height_grows_with_the_number_of_rows() -> None:
    def height(n: int) -> float:
        root = parse(render_timeline([row(f"Step {i}") for i in range(n)], TARGET, TODAY))
        return float(root.get("viewBox", "").split()[3])

    assert height(2) < height(3) < height(10)


def test_two_hundred_rows_render_as_one_bar_each() -> None:
    rows = [
        row(f"Step {i}", start=TODAY + dt.timedelta(days=i), due=TODAY + dt.timedelta(days=i + 9))
        for i in range(200)
    ]
    root = parse(render_timeline(rows, TARGET, TODAY))
    assert len(with_class(root, "bar")) == 200


def test_a_narrow_chart_still_fits_its_legend_inside_the_view_box() -> None:
    root = parse(render_timeline(sample_plan(), TARGET, TODAY, width=600))
    assert root.get("viewBox", "").startswith("0 0 600 ")
    for item in with_class(root, "legend-item"):
        x = float(item.get("transform", "").removeprefix("translate(").split()[0])
        assert x < 600


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 1, 1), D(2026, 3, 31)),
        (D(2026, 3, 31), D(2026, 3, 31)),
        (D(2026, 4, 1), D(2026, 6, 30)),
        (D(2026, 8, 15), D(2026, 9, 30)),
        (D(2026, 10, 1), D(2026, 12, 31)),
        (D(2026, 12, 31), D(2026, 12, 31)),
        (D(2028, 2, 29), D(2028, 3, 31)),
    ],
)
def test_quarter_end_is_the_last_day_of_the_calendar_quarter(
    day: dt.date, expected: dt.date
) -> None:
    assert quarter_end(day) == expected


def test_a_crowded_row_keeps_its_overdue_mark_and_the_slip_stays_in_the_tooltip() -> None:
    crowded = row(
        high_risk=True,
        overdue=True,
        status="blocked",
        due=D(2026, 11, 30),
        baseline_due=D(2026, 11, 10),
    )
    (group,) = with_class(parse(render_timeline([crowded], TARGET, TODAY)), "row")
    assert [m.text for m in with_class(group, "mark")] == ["⚠", "overdue", "blocked"]
    assert "slipped 20 days later" in (group.findtext(f"{SVG}title") or "")
