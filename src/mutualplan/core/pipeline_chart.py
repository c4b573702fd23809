"""The pipeline forecast as a self-contained, accessible SVG bar chart: the expected amount
closing per quarter as bars, the P10–P90 band as whiskers. No JavaScript, no chart library.

The chart carries its figures in text too (a <desc> listing every quarter and a <title> on
each bar), so a screen reader or a printout loses nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from mutualplan.core import svg

_BAR = "#0072b2"  # Okabe-Ito blue, as the timeline's seller side
_WHISKER = "#1a1a1a"
_LEFT, _TOP, _BOTTOM, _RIGHT = 64, 34, 40, 16
_PLOT_H = 200


@dataclass(frozen=True)
class PipelineBar:
    """One quarter: its label, the expected amount closing, and the P10–P90 band."""

    label: str
    expected: float
    p10: float
    p90: float


def compact(amount: float) -> str:
    """An amount in few characters: 950, 12.5k, 1.2M, 3.4B."""
    size = abs(amount)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if size >= limit:
            value = amount / limit
            text = f"{value:.1f}" if abs(value) < 100 else f"{value:.0f}"
            return text.removesuffix(".0") + suffix
    return f"{amount:.0f}"


def _nice_step(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^k at or above `value` (1 for nothing)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return float(step * power)
    return float(10 * power)


def _axis(largest: float) -> tuple[float, int]:
    """The axis's top and its number of steps (2 to 4 round steps reaching `largest`)."""
    step = _nice_step(largest / 4)
    steps = max(1, math.ceil(largest / step - 1e-9))
    return step * steps, steps


def render_pipeline_chart(
    bars: Sequence[PipelineBar],
    currency: str,
    *,
    width: int = 720,
    title: str = "Expected amount closing per quarter",
    id_prefix: str = "pipeline",
) -> str:
    """An accessible SVG chart: one bar per quarter (expected amount) with its P10–P90
    whisker. `id_prefix` keeps ids unique when a page holds several charts."""
    p = svg.id_prefix(id_prefix, "pipeline")
    width = max(width, 320)
    full_title = f"{title} ({currency})"
    desc = _summary(bars, currency)
    height = _TOP + _PLOT_H + _BOTTOM
    if not bars:
        parts = [svg.text(0, 18, full_title, "heading"), svg.text(12, 52, "No quarters", "empty")]
        return _svg(p, full_title, desc, width, 72, parts)
    top, steps = _axis(max(max(b.p90, b.expected) for b in bars))
    base = _TOP + _PLOT_H

    def y(amount: float) -> float:
        return base - max(0.0, amount) / top * _PLOT_H

    parts = [svg.text(0, 18, full_title, "heading")]
    for i in range(steps + 1):  # gridlines and the axis labels
        value = top * i / steps
        parts.append(
            f'<line x1="{_LEFT}" y1="{y(value):.1f}" x2="{width - _RIGHT}" y2="{y(value):.1f}" '
            f'stroke="{"#444" if i == 0 else "#ddd"}" stroke-width="1"/>'
        )
        parts.append(svg.text(_LEFT - 6, y(value) + 4, compact(value), "axis", "end"))
    slot = (width - _LEFT - _RIGHT) / len(bars)
    bar_w = min(64.0, slot * 0.55)
    for i, bar in enumerate(bars):
        mid = _LEFT + slot * (i + 0.5)
        tip = f"{bar.label}: expected {_money(bar.expected, currency)}, 8 in 10 between " + (
            f"{_money(bar.p10, currency)} and {_money(bar.p90, currency)}"
        )
        parts.append(f'<g class="quarter"><title>{svg.esc(tip)}</title>')
        height_px = base - y(bar.expected)
        parts.append(
            f'<rect x="{mid - bar_w / 2:.1f}" y="{y(bar.expected):.1f}" width="{bar_w:.1f}" '
            f'height="{height_px:.1f}" fill="{_BAR}"/>'
        )
        low, high = y(bar.p10), y(bar.p90)
        cap = bar_w / 4
        parts.append(
            f'<path class="band" d="M{mid:.1f} {low:.1f}V{high:.1f}'
            f"M{mid - cap:.1f} {low:.1f}h{2 * cap:.1f}M{mid - cap:.1f} {high:.1f}h{2 * cap:.1f}"
            f'" stroke="{_WHISKER}" stroke-width="1.5" fill="none"/>'
        )
        parts.append(
            svg.text(
                mid, y(max(bar.expected, bar.p90)) - 6, compact(bar.expected), "value", "middle"
            )
        )
        parts.append(svg.text(mid, base + 16, bar.label, "axis", "middle"))
        parts.append("</g>")
    legend_y = base + 34
    parts.append(
        f'<rect x="{_LEFT}" y="{legend_y - 9}" width="12" height="10" fill="{_BAR}"/>'
        + svg.text(_LEFT + 16, legend_y, "expected amount", "legend")
        + f'<path d="M{_LEFT + 140} {legend_y - 10}v12" stroke="{_WHISKER}" stroke-width="1.5"/>'
        + svg.text(
            _LEFT + 148, legend_y, "P10 to P90 (8 times in 10 the total falls here)", "legend"
        )
    )
    return _svg(p, full_title, desc, width, height, parts)


def _money(amount: float, currency: str) -> str:
    return f"{amount:,.0f} {currency}"


def _summary(bars: Sequence[PipelineBar], currency: str) -> str:
    if not bars:
        return "No quarters to show."
    return " ".join(
        f"{b.label}: expected {_money(b.expected, currency)}, "
        f"P10 {_money(b.p10, currency)}, P90 {_money(b.p90, currency)}."
        for b in bars
    )


_STYLE = (
    ".pipeline-chart .heading{font-size:15px;font-weight:600}"
    ".pipeline-chart .axis,.pipeline-chart .legend,.pipeline-chart .empty"
    "{font-size:11px;fill:#444}"
    ".pipeline-chart .value{font-size:11px;font-weight:600}"
)


def _svg(p: str, title: str, desc: str, width: int, height: int, parts: list[str]) -> str:
    return svg.document("pipeline-chart", p, title, desc, width, height, _STYLE, "".join(parts))
