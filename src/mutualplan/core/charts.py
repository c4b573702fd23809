"""Small accessible SVG charts for the analytics pages: self-contained strings with no
JavaScript and no chart library, drawn on the server like the plan timeline.

Every chart has role="img" with a <title> and a <desc> that says what it shows in words,
and reads in black and white: series differ by dash pattern and marker shape as well as by
Okabe-Ito colour, and values are written next to what they measure (direct labels).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from mutualplan.core import svg

# Okabe-Ito colours (colour-blind safe), each series also with its own dash and marker.
_SERIES: tuple[tuple[str, str, str], ...] = (
    # (colour, stroke-dasharray, marker shape)
    ("#0072b2", "", "circle"),
    ("#d55e00", "8 4", "square"),
    ("#009e73", "2 3", "triangle"),
    ("#cc79a7", "10 3 2 3", "diamond"),
)
MAX_SERIES = len(_SERIES)
_BAR = "#0072b2"
_MARK = "#1a1a1a"
_RATE = "#d55e00"
_CHAR_W = 6.6


@dataclass(frozen=True)
class Bar:
    """One horizontal bar: `value` its length (None: no bar), `marker` a second value drawn
    as a tick across it (None: no tick), `text` the words written after it."""

    label: str
    value: float | None
    marker: float | None = None
    text: str = ""
    open_ended: bool = False  # the value is a lower bound ("at least"): drawn hatched


@dataclass(frozen=True)
class QuarterPoint:
    """One quarter: a bar of `value` (days) and a point of `rate` (0 to 1) on a second axis."""

    quarter: str
    value: float | None
    rate: float | None
    count: int = 0  # what the bar rests on, written under it


@dataclass(frozen=True)
class Series:
    """One step survival curve: the share still open (`survival`, 1 to 0) after `times` days,
    1 before the first time, known up to `longest` days."""

    label: str
    times: Sequence[float]
    survival: Sequence[float]
    longest: float


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    value_name: str = "median",
    marker_name: str = "P80",
    unit: str = "days",
    width: int = 760,
    id_prefix: str = "bars",
) -> str:
    """Horizontal bars (one per label) with a tick per bar for a second value: the median
    turnaround as the bar, its P80 as the tick."""
    p = svg.id_prefix(id_prefix, "chart")
    width = max(width, 420)
    drawn = [b for b in bars if b.value is not None or b.marker is not None]
    if not drawn:
        return _empty(p, title, width)
    label_w = min(220, max(90, int(max(len(b.label) for b in bars) * _CHAR_W) + 12))
    text_w = min(240, max(60, int(max(len(b.text) for b in bars) * _CHAR_W) + 16))
    x0, x1 = label_w, width - text_w
    top = _key_height()
    row_h = 26
    top_value = max(_finite(b.value, b.marker) for b in drawn)
    ticks = _ticks(top_value)
    scale = (x1 - x0) / ticks[-1]
    bottom = top + len(bars) * row_h
    parts = [_defs(p), *_bar_key(p, value_name, marker_name)]
    parts += _x_axis(ticks, x0, scale, top, bottom, unit)
    for i, bar in enumerate(bars):
        y = top + i * row_h
        mid = y + row_h / 2
        parts.append(f'<g class="bar-row">{_tip(_bar_tip(bar, value_name, marker_name, unit))}')
        parts.append(svg.text(x0 - 8, mid + 4, _truncate(bar.label, label_w), "label", "end"))
        end = float(x0)
        if bar.value is not None:
            w = max(bar.value * scale, 1.5)
            fill = f"url(#{p}-open)" if bar.open_ended else _BAR
            parts.append(svg.rect(x0, mid - 8, w, 16, f'fill="{fill}" stroke="{_BAR}"', "bar"))
            end = x0 + w
        if bar.marker is not None:
            mx = x0 + bar.marker * scale
            parts.append(
                f'<line class="marker" x1="{mx:.1f}" y1="{mid - 11:.1f}" x2="{mx:.1f}" '
                f'y2="{mid + 11:.1f}" stroke="{_MARK}" stroke-width="3"/>'
            )
            end = max(end, mx)
        if bar.value is None and bar.marker is None:
            parts.append(svg.text(x0 + 4, mid + 4, "no data", "note"))
        parts.append(svg.text(end + 8, mid + 4, bar.text, "value"))
        parts.append("</g>")
    desc = "; ".join(_bar_tip(b, value_name, marker_name, unit) for b in bars)
    return _svg(p, title, desc, width, bottom + 34, parts)


def quarter_chart(
    points: Sequence[QuarterPoint],
    *,
    title: str,
    value_name: str = "median cycle",
    rate_name: str = "win rate",
    unit: str = "days",
    width: int = 760,
    id_prefix: str = "quarters",
) -> str:
    """Vertical bars per quarter (cycle length in days, left axis) with a line of points for
    a rate (win rate, right axis 0–100%), each value written on the chart."""
    p = svg.id_prefix(id_prefix, "chart")
    width = max(width, 420)
    if not any(q.value is not None or q.rate is not None for q in points):
        return _empty(p, title, width)
    top, x0, x1 = _key_height() + 14, 52, width - 52
    bottom = top + 200
    ticks = _ticks(max([q.value for q in points if q.value is not None] or [1.0]))
    scale = (bottom - top) / ticks[-1]
    slot = (x1 - x0) / len(points)
    bar_w = max(min(slot * 0.55, 60), 4)
    parts = [_defs(p), *_quarter_key(value_name, rate_name)]
    for t in ticks:
        y = bottom - t * scale
        parts.append(svg.line(x0, y, x1, y, 'stroke="#e2e2e2"'))
        parts.append(svg.text(x0 - 6, y + 4, _number(t), "axis", "end"))
    for share in (0, 50, 100):
        y = bottom - share / 100 * (bottom - top)
        parts.append(svg.text(x1 + 6, y + 4, f"{share}%", "axis"))
    parts.append(svg.text(x0 - 6, top - 12, unit, "axis", "end"))
    parts.append(svg.text(x1 + 6, top - 12, rate_name, "axis"))
    parts.append(svg.line(x0, bottom, x1, bottom, 'stroke="#888"'))
    rate_points: list[tuple[float, float, float]] = []
    every = max(1, math.ceil(len(points) * 62 / (x1 - x0)))  # quarter labels that fit
    for i, q in enumerate(points):
        cx = x0 + slot * (i + 0.5)
        parts.append(f'<g class="quarter">{_tip(_quarter_tip(q, value_name, rate_name, unit))}')
        if q.value is not None:
            h = max(q.value * scale, 1.5)
            paint = f'fill="url(#{p}-bars)" stroke="{_BAR}"'
            parts.append(svg.rect(cx - bar_w / 2, bottom - h, bar_w, h, paint, "bar"))
            parts.append(svg.text(cx, bottom - h - 4, _number(q.value), "value", "middle"))
        if i % every == 0:
            parts.append(svg.text(cx, bottom + 16, q.quarter, "axis", "middle"))
            if q.count:
                parts.append(svg.text(cx, bottom + 30, f"n={q.count}", "note", "middle"))
        parts.append("</g>")
        if q.rate is not None:
            rate_points.append((cx, bottom - q.rate * (bottom - top), q.rate))
    if rate_points:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in rate_points)
        parts.append(
            f'<polyline class="rate" points="{path}" fill="none" stroke="{_RATE}" '
            'stroke-width="2" stroke-dasharray="6 3"/>'
        )
        for x, y, rate in rate_points:
            parts.append(_marker("square", x, y, _RATE))
            label = f"{round(rate * 100)}%"
            parts.append(svg.text(x + 7, y - 6, label, "rate-value"))
    desc = "; ".join(_quarter_tip(q, value_name, rate_name, unit) for q in points)
    return _svg(p, title, desc, width, bottom + 40, parts)


def survival_chart(
    series: Sequence[Series],
    *,
    title: str,
    unit: str = "days",
    width: int = 760,
    id_prefix: str = "survival",
) -> str:
    """Kaplan–Meier step curves, one per series (at most four): the share of steps still
    open after each number of days, each line labelled at its end."""
    p = svg.id_prefix(id_prefix, "chart")
    width = max(width, 420)
    series = [s for s in series if len(s.times) or s.longest > 0][:MAX_SERIES]
    if not series:
        return _empty(p, title, width)
    longest = max(max(s.longest, *(list(s.times) or [0.0])) for s in series)
    ticks = _ticks(longest)
    label_w = min(200, max(70, int(max(len(s.label) for s in series) * _CHAR_W) + 60))
    top, x0, x1 = _key_height(len(series)) + 10, 52, width - label_w
    bottom = top + 220
    sx = (x1 - x0) / ticks[-1]
    parts = [_defs(p), *_series_key(series)]
    for share in (0, 20, 50, 80, 100):
        y = bottom - share / 100 * (bottom - top)
        parts.append(svg.line(x0, y, x1, y, 'stroke="#e2e2e2"'))
        parts.append(svg.text(x0 - 6, y + 4, f"{share}%", "axis", "end"))
    parts.append(svg.text(0, top - 10, "share still open", "axis"))
    parts += _x_axis(ticks, x0, sx, top, bottom, unit, grid=False)
    ends: list[tuple[float, str, str]] = []
    for i, s in enumerate(series):
        colour, dash, shape = _SERIES[i]
        xs, ys = [0.0], [1.0]
        for t, v in zip(s.times, s.survival, strict=True):
            xs += [t, t]
            ys += [ys[-1], v]
        end = max(s.longest, xs[-1])
        xs.append(end)
        ys.append(ys[-1])
        points = " ".join(
            f"{x0 + x * sx:.1f},{bottom - y * (bottom - top):.1f}"
            for x, y in zip(xs, ys, strict=True)
        )
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<g class="curve">{_tip(_series_tip(s, unit))}<polyline points="{points}" '
            f'fill="none" stroke="{colour}" stroke-width="2.5"{dashes}/>'
        )
        ex, ey = x0 + end * sx, bottom - ys[-1] * (bottom - top)
        parts.append(_marker(shape, ex, ey, colour) + "</g>")
        ends.append((ey, s.label, colour))
    # End labels stacked so that none overlap, moved up together if they would run off.
    placed: list[tuple[float, str]] = []
    for ey, label, _ in sorted(ends):
        placed.append((max(ey + 4, placed[-1][0] + 14 if placed else ey + 4), label))
    lift = max(placed[-1][0] - (bottom + 4), 0)
    for y, label in placed:
        parts.append(svg.text(x1 + 10, y - lift, _truncate(label, label_w - 14), "value"))
    desc = "; ".join(_series_tip(s, unit) for s in series)
    return _svg(p, title, desc, width, bottom + 34, parts)


def _finite(*values: float | None) -> float:
    return max((v for v in values if v is not None), default=0.0)


def _ticks(top: float) -> list[float]:
    """Round axis ticks from 0 to at least `top` (4 to 6 of them)."""
    top = max(top, 1.0)
    raw = top / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    count = math.ceil(top / step - 1e-9)
    return [i * step for i in range(count + 1)]


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _bar_tip(bar: Bar, value_name: str, marker_name: str, unit: str) -> str:
    parts = []
    if bar.value is not None:
        bound = "at least " if bar.open_ended else ""
        parts.append(f"{value_name} {bound}{_number(bar.value)} {unit}")
    if bar.marker is not None:
        parts.append(f"{marker_name} {_number(bar.marker)} {unit}")
    return f"{bar.label}: {', '.join(parts) or 'no data'}"


def _quarter_tip(q: QuarterPoint, value_name: str, rate_name: str, unit: str) -> str:
    value = "no data" if q.value is None else f"{_number(q.value)} {unit}"
    rate = "no data" if q.rate is None else f"{round(q.rate * 100)}%"
    counted = f" ({q.count} deals)" if q.count else ""
    return f"{q.quarter}: {value_name} {value}, {rate_name} {rate}{counted}"


def _series_tip(s: Series, unit: str) -> str:
    if not len(s.survival):
        return f"{s.label}: none finished in {_number(s.longest)} {unit}"
    half = next((t for t, v in zip(s.times, s.survival, strict=True) if v <= 0.5), None)
    left = round(s.survival[-1] * 100)
    median = f"half finished by {_number(half)} {unit}" if half is not None else "half not reached"
    return f"{s.label}: {median}, {left}% still open after {_number(s.longest)} {unit}"


def _x_axis(
    ticks: Sequence[float],
    x0: float,
    scale: float,
    top: float,
    bottom: float,
    unit: str,
    grid: bool = True,
) -> list[str]:
    parts = [svg.line(x0, bottom, x0 + ticks[-1] * scale, bottom, 'stroke="#888"')]
    for t in ticks:
        x = x0 + t * scale
        if grid:
            parts.append(svg.line(x, top, x, bottom, 'stroke="#e2e2e2"'))
        parts.append(svg.text(x, bottom + 16, _number(t), "axis", "middle"))
    parts.append(svg.text(x0 + ticks[-1] * scale, bottom + 30, unit, "axis", "end"))
    return parts


def _key_height(items: int = 2) -> int:
    return 30 + 18 * math.ceil(items / 2)


def _bar_key(p: str, value_name: str, marker_name: str) -> list[str]:
    return [
        '<g class="key" transform="translate(0 34)">'
        + svg.rect(0, -10, 22, 12, f'fill="{_BAR}"')
        + svg.text(28, 0, f"bar: {value_name}", "legend")
        + svg.rect(150, -10, 22, 12, f'fill="url(#{p}-open)" stroke="{_BAR}"')
        + svg.text(178, 0, f"hatched: at least ({value_name} not reached yet)", "legend")
        + svg.line(470, -12, 470, 4, f'stroke="{_MARK}" stroke-width="3"')
        + svg.text(478, 0, f"tick: {marker_name}", "legend")
        + "</g>"
    ]


def _quarter_key(value_name: str, rate_name: str) -> list[str]:
    return [
        '<g class="key" transform="translate(0 34)">'
        + svg.rect(0, -10, 22, 12, f'fill="{_BAR}"')
        + svg.text(28, 0, f"bars: {value_name} (days)", "legend")
        + svg.line(220, -4, 250, -4, f'stroke="{_RATE}" stroke-width="2" stroke-dasharray="6 3"')
        + _marker("square", 235, -4, _RATE)
        + svg.text(258, 0, f"dashed line: {rate_name}", "legend")
        + "</g>"
    ]


def _series_key(series: Sequence[Series]) -> list[str]:
    parts = []
    for i, s in enumerate(series):
        colour, dash, shape = _SERIES[i]
        x, y = (i % 2) * 300, 34 + (i // 2) * 18
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<g class="key" transform="translate({x} {y})">'
            + svg.line(0, -4, 30, -4, f'stroke="{colour}" stroke-width="2.5"{dashes}')
            + _marker(shape, 15, -4, colour)
            + svg.text(38, 0, _truncate(s.label, 250), "legend")
            + "</g>"
        )
    return parts


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    paint = f'fill="{colour}" stroke="#fff" stroke-width="1"'
    if shape == "square":
        return svg.rect(x - 4, y - 4, 8, 8, paint)
    if shape == "triangle":
        return (
            f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} '
            f'{x - 5:.1f},{y + 4:.1f}" {paint}/>'
        )
    if shape == "diamond":
        return (
            f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} '
            f'{x - 5:.1f},{y:.1f}" {paint}/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" {paint}/>'


def _defs(p: str) -> str:
    """Hatching for lower bounds, and a light stripe fill so quarter bars print as texture."""
    return (
        f'<defs><pattern id="{p}-open" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#d9e8f5"/>'
        f'<rect width="2.5" height="6" fill="{_BAR}"/></pattern>'
        f'<pattern id="{p}-bars" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="#9cc4e4"/><rect width="6" height="1.5" '
        f'fill="{_BAR}"/></pattern></defs>'
    )


def _empty(p: str, title: str, width: int) -> str:
    parts = [svg.text(12, 50, "No data yet", "empty")]
    return _svg(p, title, "No data yet", width, 70, parts)


_STYLE = (
    ".chart .heading{font-size:15px;font-weight:600}"
    ".chart .empty{font-size:14px;fill:#444}"
    ".chart .axis,.chart .legend,.chart .note{font-size:11px;fill:#444}"
    ".chart .value,.chart .rate-value{font-size:11px;font-weight:600;paint-order:stroke;"
    "stroke:#fff;stroke-width:3px}"
)


def _svg(p: str, title: str, desc: str, width: int, height: float, parts: list[str]) -> str:
    return svg.document(
        "chart",
        p,
        title,
        desc,
        width,
        height,
        _STYLE,
        svg.text(0, 18, title, "heading") + "".join(parts),
    )


def _tip(text: str) -> str:
    return f"<title>{svg.esc(text)}</title>"


def _truncate(text: str, width: float) -> str:
    """At most as many characters as fit in `width` pixels, with an ellipsis when cut."""
    text = " ".join(text.split())
    fit = max(int(width / _CHAR_W) - 1, 4)
    return text if len(text) <= fit else text[: fit - 1].rstrip() + "…"
