"""A plan's forecast finish as a fan chart: a self-contained, accessible SVG (no JavaScript).

One time axis from today to past the P90 date (and the target): the P10–P90 band and the
P25–P75 band shaded, the P50 line, the target date with the chance of finishing by it and the
quarter end with its chance. The bands differ in lightness and the inner one is hatched, the
lines in dash pattern, so the chart reads in black and white; every line is labelled in words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from mutualplan.core import svg

_LEFT, _RIGHT = 16, 16
_BAND_TOP, _BAND_H = 62, 40
_AXIS_Y = _BAND_TOP + _BAND_H + 18
_HEIGHT = _AXIS_Y + 44
_CHAR_W = 6.4
_OUTER, _INNER = "#c6dbef", "#4a86c5"


@dataclass(frozen=True)
class FanChart:
    """What the chart shows: `fan` is (quantile, date) with at least 0.1, 0.25, 0.5, 0.75 and
    0.9; `p_by_target` is None without a target."""

    today: dt.date
    fan: Sequence[tuple[float, dt.date]]
    target: dt.date | None
    p_by_target: float | None
    quarter_end: dt.date
    p_by_quarter_end: float


def _date(day: dt.date) -> str:
    return f"{svg.MONTHS[day.month - 1]} {day.day}, {day.year}"


def _short(day: dt.date) -> str:
    return f"{svg.MONTHS[day.month - 1]} {day.day}"


def _percent(share: float) -> str:
    return f"{round(100 * share)} %"


def describe(chart: FanChart) -> str:
    """The chart in one sentence or two, for screen readers and as its description."""
    q = dict(chart.fan)
    text = (
        f"Forecast finish: half of the forecasts by {_date(q[0.5])}, 80 % by "
        f"{_date(q.get(0.8, q[0.9]))}, 90 % by {_date(q[0.9])}; the middle half between "
        f"{_date(q[0.25])} and {_date(q[0.75])}."
    )
    if chart.target is not None and chart.p_by_target is not None:
        text += f" {_percent(chart.p_by_target)} chance by the target, {_date(chart.target)}."
    else:
        text += " No target date."
    text += (
        f" {_percent(chart.p_by_quarter_end)} chance by the quarter end, "
        f"{_date(chart.quarter_end)}."
    )
    return text


def render_fan_chart(
    chart: FanChart, *, width: int = 640, title: str = "Forecast finish", id_prefix: str = "fan"
) -> str:
    """The fan chart as an SVG string; every text escaped."""
    p = svg.id_prefix(id_prefix, "fan")
    width = max(width, 520)  # room for the legend on one line
    q = dict(chart.fan)
    missing = {0.1, 0.25, 0.5, 0.75, 0.9} - q.keys()
    if missing:
        raise ValueError(f"the fan lacks the quantiles {sorted(missing)}")
    days = [chart.today, *q.values()]
    if chart.target is not None:
        days.append(chart.target)
    first, last = min(days), max(*days, chart.quarter_end)
    pad = dt.timedelta(days=max(3, (last - first).days // 20))
    scale = svg.DateScale(first, last + pad, _LEFT, width - _RIGHT)
    parts = [_defs(p), *_axis(scale)]
    parts.append(_band(scale, q[0.1], q[0.9], f'fill="{_OUTER}" stroke="#6b8fb5"', "band-outer"))
    parts.append(_band(scale, q[0.25], q[0.75], f'fill="url(#{p}-inner)" stroke="#23527f"', "band"))
    mid = scale.x(q[0.5])
    parts.append(
        f'<line class="p50" x1="{mid:.1f}" y1="{_BAND_TOP - 6}" x2="{mid:.1f}" '
        f'y2="{_BAND_TOP + _BAND_H + 6}" stroke="#000" stroke-width="3"/>'
    )
    parts.append(_label(mid, _BAND_TOP + _BAND_H + 14, f"P50 {_short(q[0.5])}", width, "p50-label"))
    parts.append(_vline(scale.x(chart.today), "today-line"))
    parts.append(_label(scale.x(chart.today), _BAND_TOP - 10, "Today", width, "today-label"))
    if chart.target is not None:
        chance = "" if chart.p_by_target is None else f": {_percent(chart.p_by_target)}"
        passed = " (passed)" if chart.target < chart.today else ""
        x = scale.x(chart.target)
        parts.append(_vline(x, "target-line"))
        parts.append(
            _label(x, 16, f"Target {_short(chart.target)}{passed}{chance}", width, "target-label")
        )
    x = scale.x(chart.quarter_end)
    parts.append(_vline(x, "quarter-end-line"))
    parts.append(
        _label(
            x,
            34,
            f"Quarter end {_short(chart.quarter_end)}: {_percent(chart.p_by_quarter_end)}",
            width,
            "quarter-end-label",
        )
    )
    parts.append(_legend(p))
    return _svg(p, title, describe(chart), width, _HEIGHT + 22, parts)


_STYLE = (
    ".fan-chart .axis,.fan-chart .legend{font-size:11px;fill:#444}"
    ".fan-chart .line-label{font-weight:600;paint-order:stroke;stroke:#fff;stroke-width:3px}"
)


def _svg(p: str, title: str, desc: str, width: int, height: int, parts: list[str]) -> str:
    return svg.document("fan-chart", p, title, desc, width, height, _STYLE, "".join(parts))


def _defs(p: str) -> str:
    """The inner band: dark diagonal hatching over a mid tone, distinct in black and white."""
    return (
        f'<defs><pattern id="{p}-inner" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{_INNER}"/>'
        '<rect width="2" height="6" fill="#23527f"/></pattern></defs>'
    )


def _band(scale: svg.DateScale, start: dt.date, end: dt.date, paint: str, cls: str) -> str:
    x0, x1 = scale.x(start), scale.x(end)
    w = max(x1 - x0, 3.0)  # equal quantiles still show as a sliver
    x = min(x0, x1 - w / 2) if x1 - x0 < 3 else x0
    return (
        f'<rect class="{cls}" x="{x:.1f}" y="{_BAND_TOP}" width="{w:.1f}" height="{_BAND_H}" '
        f"{paint}/>"
    )


def _vline(x: float, cls: str) -> str:
    return (
        f'<line class="{cls}" x1="{x:.1f}" y1="22" x2="{x:.1f}" y2="{_AXIS_Y}" '
        f"{svg.LINE_STYLE[cls]}/>"
    )


def _label(x: float, y: float, text: str, width: int, cls: str) -> str:
    """A line's label, kept inside the chart: anchored at the line, or ending at the right
    edge when it would run past it."""
    w = len(text) * _CHAR_W
    if x + 4 + w > width - 2:
        return (
            f'<text class="line-label {cls}" x="{min(x - 4, width - 2):.1f}" y="{y}" '
            f'text-anchor="end">{svg.esc(text)}</text>'
        )
    return f'<text class="line-label {cls}" x="{x + 4:.1f}" y="{y}">{svg.esc(text)}</text>'


def _axis(scale: svg.DateScale) -> list[str]:
    """A baseline with month ticks (every month, or fewer when they crowd)."""
    y = _AXIS_Y
    parts = [
        f'<line class="axis-line" x1="{scale.x0}" y1="{y}" x2="{scale.x1}" y2="{y}" stroke="#888"/>'
    ]
    months = (scale.last.year - scale.first.year) * 12 + scale.last.month - scale.first.month
    step = next((s for s in (1, 2, 3, 6) if (scale.x1 - scale.x0) / max(months, 1) * s >= 50), 12)
    index = scale.first.year * 12 + scale.first.month  # the month after `first`
    while index < scale.last.year * 12 + scale.last.month:
        month = dt.date(index // 12, index % 12 + 1, 1)
        if index % step == 0:
            x = scale.x(month)
            label = svg.MONTHS[month.month - 1] + (f" {month.year}" if month.month == 1 else "")
            parts.append(
                f'<line x1="{x:.1f}" y1="{y}" x2="{x:.1f}" y2="{y + 5}" stroke="#888"/>'
                f'<text class="axis" x="{x:.1f}" y="{y + 17}" text-anchor="middle">{label}</text>'
            )
        index += 1
    return parts


def _legend(p: str) -> str:
    y = _HEIGHT
    items = [
        (
            f'<rect x="0" y="{y - 10}" width="18" height="12" fill="{_OUTER}" stroke="#6b8fb5"/>',
            "80 % of forecasts (P10 to P90)",
        ),
        (
            f'<rect x="0" y="{y - 10}" width="18" height="12" fill="url(#{p}-inner)" '
            'stroke="#23527f"/>',
            "middle half (P25 to P75)",
        ),
        (f'<line x1="9" y1="{y - 12}" x2="9" y2="{y + 4}" stroke="#000" stroke-width="3"/>', "P50"),
    ]
    parts, x = [], float(_LEFT)
    for swatch, text in items:
        parts.append(
            f'<g class="legend-item" transform="translate({x:.1f} 0)">{swatch}'
            f'<text class="legend" x="24" y="{y}">{svg.esc(text)}</text></g>'
        )
        x += 24 + len(text) * _CHAR_W + 18
    return "".join(parts)
