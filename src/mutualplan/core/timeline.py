"""The plan timeline as a self-contained, accessible SVG: no JavaScript, no chart library.

Owner side is shown by colour, by fill pattern and by a letter badge, so the chart survives
colour-blindness and black-and-white printing. Paint that carries meaning is set as
presentation attributes; the inline <style> only sets fonts and print tweaks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from mutualplan.core import svg

_SIDES: dict[str, tuple[str, str, str]] = {
    # side: (letter badge, legend label, colour from the Okabe-Ito colour-blind-safe palette)
    "buyer": ("B", "Buyer", "#d55e00"),
    "seller": ("S", "Seller", "#0072b2"),
    "joint": ("J", "Joint", "#009e73"),
}
_ROW_H, _BAR_H, _LANE_H, _CHAR_W = 28, 14, 15, 6.6
_BADGE_W, _MARK_W, _GAP = 26, 134, 12
_GHOST = 'fill="none" stroke="#555" stroke-dasharray="3 2"'


@dataclass(frozen=True)
class TimelineRow:
    """One milestone as the timeline draws it."""

    title: str
    owner_side: str  # "buyer" | "seller" | "joint"
    owner_team: str
    start: dt.date | None  # None: a point at the due date
    due: dt.date | None  # None: listed, not drawn
    baseline_due: dt.date | None  # first confirmed due date; differs from due when slipped
    status: str  # not_started | in_progress | done | blocked
    overdue: bool
    high_risk: bool


def quarter_end(day: dt.date) -> dt.date:
    """The last day of the calendar quarter that contains `day`."""
    last_month = (day.month - 1) // 3 * 3 + 3
    if last_month == 12:
        return dt.date(day.year, 12, 31)
    return dt.date(day.year, last_month + 1, 1) - dt.timedelta(days=1)


def render_timeline(
    rows: Sequence[TimelineRow],
    target: dt.date | None,
    today: dt.date,
    *,
    width: int = 960,
    title: str = "Plan timeline",
    id_prefix: str = "timeline",
) -> str:
    """An accessible SVG chart of the plan: one bar per dated milestone, with target, today
    and quarter-end lines. `id_prefix` keeps ids unique when a page holds several charts."""
    p = svg.id_prefix(id_prefix, "timeline")
    width = max(width, 480)  # room for the label columns and a usable chart
    desc = _summary(rows, target)
    dated = [r for r in rows if r.due is not None]
    if not dated:
        return _svg(p, title, desc, width, 64, [svg.text(12, 38, "No dates yet", "empty")])
    scale = _span(dated, target, today, _BADGE_W + (label_w := _label_width(width)), width)
    legend, lanes_y = _legend(p, width)
    lines = _date_lines(scale, target, today)
    lanes = 1 + max((lane for *_, lane in lines), default=0)
    axis_y = lanes_y + lanes * _LANE_H + 14
    rows_y = axis_y + 8
    bottom = rows_y + len(rows) * _ROW_H
    parts = [_defs(p), svg.text(0, 18, title, "heading"), *legend]
    # Zebra stripes first so that gridlines and bars sit on top of them.
    parts += [
        svg.rect(0, rows_y + i * _ROW_H, width, _ROW_H, 'fill="#f5f5f5"')
        for i in range(0, len(rows), 2)
    ]
    parts += _month_axis(scale, axis_y, bottom)
    for i, row in enumerate(rows):
        parts += _row(p, row, scale, rows_y + i * _ROW_H, label_w)
    for x, label, cls, label_x, anchor, lane in lines:
        label_y = lanes_y + lane * _LANE_H + 8
        parts.append(f'<g class="{cls}">')
        parts.append(_vline(x, label_y + 3, bottom, cls))
        parts.append(svg.text(label_x, label_y, label, "line-label", anchor))
        parts.append("</g>")
    return _svg(p, title, desc, width, bottom + 10, parts)


def _label_width(width: int) -> int:
    """The title column: a quarter of the chart at most, so the bars get the rest."""
    return max(130, min(240, width // 4))


def _span(
    dated: Sequence[TimelineRow], target: dt.date | None, today: dt.date, x0: float, width: int
) -> svg.DateScale:
    """The drawn range: the plan itself, from its first milestone to the target (or its last
    due date), with a little air. Today widens it only when near the plan (within a quarter
    of its length); further out, the today line is left out rather than squeezing the plan."""
    days = [d for r in dated for d in (r.start, r.due, r.baseline_due) if d]
    days += [target] if target else []
    first, last = min(days), max(days)
    near = dt.timedelta(days=max(7, (last - first).days // 4))
    if first - near <= today < first:
        first = today
    elif last < today <= last + near:
        last = today
    pad = dt.timedelta(days=max(2, (last - first).days // 40))
    return svg.DateScale(first - pad, last + pad, x0 + _GAP, width - _GAP)


def _summary(rows: Sequence[TimelineRow], target: dt.date | None) -> str:
    n = len(rows)
    parts = [f"{n} step{'' if n == 1 else 's'}", f"target {target or 'not set'}"]
    parts.append(f"{sum(r.overdue for r in rows)} overdue")
    for label, count in (
        ("done", sum(r.status == "done" for r in rows)),
        ("high risk", sum(r.high_risk for r in rows)),
        ("slipped", sum(_slip_days(r) != 0 for r in rows)),
        ("without a date", sum(r.due is None for r in rows)),
    ):
        if count:
            parts.append(f"{count} {label}")
    return ", ".join(parts)


_STYLE = (
    ".timeline .heading{font-size:15px;font-weight:600}"
    ".timeline .empty{font-size:14px;fill:#444}"
    ".timeline .axis,.timeline .legend,.timeline .undated{font-size:11px;fill:#444}"
    ".timeline .mark{font-size:11px}.timeline .overdue-mark{fill:#b00020;font-weight:700}"
    ".timeline .line-label{font-size:11px;font-weight:600;paint-order:stroke;"
    "stroke:#fff;stroke-width:3px}"
    ".timeline .badge{font-size:10px;font-weight:700;fill:#fff}"
)


def _svg(p: str, title: str, desc: str, width: int, height: int, parts: list[str]) -> str:
    return svg.document("timeline", p, title, desc, width, height, _STYLE, "".join(parts))


def _defs(p: str) -> str:
    """Fill patterns per owner side: seller solid, buyer diagonal stripes, joint dots."""
    buyer, joint = _SIDES["buyer"][2], _SIDES["joint"][2]
    return (
        f'<defs><pattern id="{p}-buyer" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fbe3d3"/>'
        f'<rect width="3" height="6" fill="{buyer}"/></pattern>'
        f'<pattern id="{p}-joint" width="5" height="5" patternUnits="userSpaceOnUse">'
        f'<rect width="5" height="5" fill="#d3efe5"/>'
        f'<circle cx="2.5" cy="2.5" r="1.6" fill="{joint}"/></pattern></defs>'
    )


def _fill(p: str, side: str) -> str:
    return _SIDES[side][2] if side == "seller" else f"url(#{p}-{side})"


def _legend(p: str, width: int) -> tuple[list[str], int]:
    """Legend items laid left to right, wrapping onto a new line when the chart is narrow."""
    items: list[tuple[float, str]] = []
    for side, (letter, label, colour) in _SIDES.items():
        swatch = svg.rect(20, 2, 22, 12, f'fill="{_fill(p, side)}" stroke="{colour}"')
        text = svg.text(47, 12, f"{label} ({letter})", "legend")
        items.append((47 + (len(label) + 4) * _CHAR_W, _badge(0, 0, side) + swatch + text))
    for sample, label, cls in (
        ("✓", "done", "mark"),
        ("⚠", "high risk", "mark"),
        ("overdue", "past due date", "mark overdue-mark"),
    ):
        sw = len(sample) * (7.4 if "overdue" in cls else _CHAR_W) + 7
        items.append(
            (
                sw + len(label) * _CHAR_W,
                svg.text(0, 12, sample, cls) + svg.text(sw, 12, label, "legend"),
            )
        )
    label = "baseline (first confirmed date)"
    ghost = svg.rect(0, 2, 22, 12, _GHOST) + svg.text(27, 12, label, "legend")
    items.append((27 + len(label) * _CHAR_W, ghost))
    parts, x, y = [], 0.0, 28
    for w, item in items:
        if x and x + w > width:
            x, y = 0.0, y + 20
        parts.append(f'<g class="legend-item" transform="translate({x:.1f} {y})">{item}</g>')
        x += w + 22
    return parts, y + 20


def _month_axis(scale: svg.DateScale, y: float, bottom: float) -> list[str]:
    """Month labels along the top with faint gridlines; skips months when space is tight."""
    px_per_month = (scale.x(scale.first + dt.timedelta(days=3044)) - scale.x0) / 100
    step = next((s for s in (1, 2, 3, 6) if s * px_per_month >= 58), 12)
    parts = [f'<line x1="{scale.x0}" y1="{y + 4}" x2="{scale.x1}" y2="{y + 4}" stroke="#888"/>']
    first_index = scale.first.year * 12 + scale.first.month  # the month after `first`
    for index in range(first_index, scale.last.year * 12 + scale.last.month):
        month = dt.date(index // 12, index % 12 + 1, 1)
        if index % step == 0:
            x, label = scale.x(month), svg.MONTHS[month.month - 1]
            if month.month == 1 or len(parts) == 1:
                label += f" {month.year}"
            if x + len(label) * _CHAR_W <= scale.x1 + _GAP:
                parts.append(svg.text(x + 3, y, label, "axis"))
            parts.append(_vline(x, y - 10, bottom, "gridline"))
    return parts


def _row(p: str, row: TimelineRow, scale: svg.DateScale, y: int, label_w: int) -> list[str]:
    side = row.owner_side if row.owner_side in _SIDES else "joint"
    colour, mid = _SIDES[side][2], y + _ROW_H / 2
    classes = f"row row-{side} status-{row.status}" + " overdue" * row.overdue
    parts = [f'<g class="{svg.esc(classes)}"><title>{svg.esc(_tooltip(row))}</title>']
    parts.append(_badge(0, mid - 8, side))
    max_chars = int((label_w - 8) / _CHAR_W)
    parts.append(svg.text(_BADGE_W, mid + 4, _truncate(row.title, max_chars), "label"))
    if row.due is None:
        parts.append(svg.text(scale.x0 + 4, mid + 4, "no date", "undated"))
        parts.append(_marks(row, scale.x0 + 60, mid + 4))
        return [*parts, "</g>"]
    start = row.start if row.start is not None and row.start < row.due else None
    length = (row.due - start) if start else dt.timedelta(0)
    left = right = scale.x(row.due)
    if _slip_days(row) and row.baseline_due is not None:
        bx1 = scale.x(row.baseline_due)
        bx0 = min(scale.x(row.baseline_due - length), bx1 - 3)
        parts.append(svg.rect(bx0, mid - 10, bx1 - bx0, 20, _GHOST, "baseline"))
        left, right = min(left, bx0), max(right, bx1)
    fill, x1 = _fill(p, side), scale.x(row.due)
    stroke = 'stroke="#1a1a1a" stroke-width="2"' if row.status == "done" else f'stroke="{colour}"'
    if start is None:
        parts.append(
            f'<circle class="bar bar-point bar-{side}" cx="{x1:.1f}" cy="{mid}" r="6" '
            f'fill="{fill}" {stroke}/>'
        )
        left, right = min(left, x1 - 6), max(right, x1 + 6)
    else:
        x0, paint = scale.x(start), f'rx="2" fill="{fill}" {stroke}'
        parts.append(
            svg.rect(x0, mid - _BAR_H / 2, max(x1 - x0, 3), _BAR_H, paint, f"bar bar-{side}")
        )
        left = min(left, x0)
    # The status marks sit just after the bar, or just before it when the bar ends the chart.
    after = right + 8
    fits_after = after + _MARK_W <= scale.x1 + _GAP or left - _MARK_W < scale.x0
    parts.append(_marks(row, after if fits_after else None, mid + 4, left - 8))
    return [*parts, "</g>"]


def _marks(row: TimelineRow, x: float | None, y: float, end_x: float = 0) -> str:
    """The colour-free status marks: done, high risk, overdue, blocked, days slipped. Laid
    from `x` rightwards, or, with `x` None, ending at `end_x`; at most `_MARK_W` wide."""
    slip = _slip_days(row)
    marks = [
        (text, cls)
        for text, cls, shown in (
            ("⚠", "risk-mark", row.high_risk),
            ("✓ done", "done-mark", row.status == "done"),
            ("overdue", "overdue-mark", row.overdue),
            ("blocked", "blocked-mark", row.status == "blocked"),
            (f"{slip:+d}d", "slip-mark", slip != 0),
        )
        if shown
    ]
    fitted: list[tuple[str, str, float]] = []
    used = 0.0
    for text, cls in marks:
        w = len(text) * (7.4 if cls == "overdue-mark" else _CHAR_W)
        if used + w <= _MARK_W - 6:  # a mark with no room left is still in the tooltip
            fitted.append((text, cls, w))
            used += w + 7
    start = x if x is not None else max(end_x - used + 7, 0)
    parts = ['<g class="marks">']
    for text, cls, w in fitted:
        parts.append(svg.text(start, y, text, f"mark {cls}"))
        start += w + 7
    return "".join(parts) + "</g>"


def _tooltip(row: TimelineRow) -> str:
    side = _SIDES.get(row.owner_side, ("", row.owner_side.capitalize(), ""))[1]
    owner = f"{side} · {row.owner_team}" if row.owner_team else side
    when = "no date"
    if row.due is not None:
        when = f"{row.start} → due {row.due}" if row.start else f"due {row.due}"
    flags = [row.status.replace("_", " ")]
    flags += ["overdue"] * row.overdue + ["high risk"] * row.high_risk
    lines = [row.title, f"{owner} · {when}", " · ".join(flags)]
    if slip := _slip_days(row):
        direction = "later" if slip > 0 else "earlier"
        lines.append(f"slipped {abs(slip)} days {direction} (baseline {row.baseline_due})")
    return "\n".join(lines)


def _slip_days(row: TimelineRow) -> int:
    return (row.due - row.baseline_due).days if row.due and row.baseline_due else 0


def _date_lines(
    scale: svg.DateScale, target: dt.date | None, today: dt.date
) -> list[tuple[float, str, str, float, str, int]]:
    """Today, target and quarter-end lines, their labels stacked in lanes so none overlap."""
    wanted = [(today, "Today", "today-line")] if scale.first <= today <= scale.last else []
    if target is not None:
        wanted.append((target, f"Target {target}", "target-line"))
    q_end = quarter_end(today)
    if q_end <= scale.last:
        wanted.append((q_end, f"Q{(q_end.month - 1) // 3 + 1} end", "quarter-end-line"))
    placed: list[tuple[float, str, str, float, str, int]] = []
    taken: list[tuple[float, float, int]] = []
    for day, label, cls in sorted(wanted):
        x, w = scale.x(day), len(label) * 7.2  # bold
        label_x, anchor, left = x + 3, "start", x + 3
        if left + w > scale.x1 + _GAP:
            label_x, anchor, left = x - 3, "end", x - 3 - w
        lane = 0
        while any(lo < left + w + 6 and left < hi + 6 for lo, hi, ln in taken if ln == lane):
            lane += 1
        taken.append((left, left + w, lane))
        placed.append((x, label, cls, label_x, anchor, lane))
    return placed


def _vline(x: float, y1: float, y2: float, cls: str) -> str:
    return f'<line x1="{x:.1f}" y1="{y1}" x2="{x:.1f}" y2="{y2}" {svg.LINE_STYLE[cls]}/>'


def _badge(x: float, y: float, side: str) -> str:
    letter, _, colour = _SIDES[side]
    paint = f'rx="3" fill="{colour}"'
    return svg.rect(x, y, 16, 16, paint) + svg.text(x + 8, y + 12, letter, "badge", "middle")


def _truncate(text: str, max_chars: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= max_chars else text[: max_chars - 1].rstrip() + "…"
