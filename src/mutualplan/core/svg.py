"""What every server-drawn chart shares: a self-contained, accessible SVG document (role="img",
its title and description, print-friendly text) and the few elements the charts are made of,
with every text escaped. Pure; used by the timeline, the fan chart, the analytics charts and
the pipeline chart.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
# Characters that XML 1.0 forbids even when escaped; a pasted title may carry them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Characters an id prefix may not hold: each becomes "-".
_NOT_ID = re.compile(r"[^A-Za-z0-9_-]")
# How the lines drawn down a chart at a date look, by class (the timeline's and the fan chart's).
LINE_STYLE = {
    "today-line": 'stroke="#1a1a1a" stroke-width="1.5"',
    "target-line": 'stroke="#b00020" stroke-width="2" stroke-dasharray="8 3"',
    "quarter-end-line": 'stroke="#555" stroke-width="1.5" stroke-dasharray="2 3"',
    "gridline": 'stroke="#e2e2e2"',
}


def id_prefix(raw: str, default: str) -> str:
    """`raw` made safe to prefix a chart's ids (so a page can hold several charts), or
    `default` when it is empty."""
    return _NOT_ID.sub("-", raw) or default


def esc(text: str) -> str:
    """Text safe inside an element or a double-quoted attribute."""
    return escape(_NOT_XML.sub("", text), {'"': "&quot;"})


def document(
    cls: str, p: str, title: str, desc: str, width: int, height: float, style: str, body: str
) -> str:
    """The <svg> of class `cls`: ids prefixed `p`, 12px text, `style` for its own classes."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{cls}" role="img" width="100%" '
        f'viewBox="0 0 {width} {height:.0f}" aria-labelledby="{p}-title {p}-desc">'
        f'<title id="{p}-title">{esc(title)}</title><desc id="{p}-desc">{esc(desc)}</desc>'
        f"<style>.{cls} text{{font-family:{FONT};font-size:12px;fill:#1a1a1a}}"
        f"{style}@media print{{.{cls} text{{fill:#000}}}}</style>{body}</svg>"
    )


def rect(x: float, y: float, w: float, h: float, paint: str, cls: str = "") -> str:
    c = f' class="{cls}"' if cls else ""
    return f'<rect{c} x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" {paint}/>'


def line(x1: float, y1: float, x2: float, y2: float, paint: str) -> str:
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" {paint}/>'


def text(x: float, y: float, words: str, cls: str, anchor: str = "start") -> str:
    a = "" if anchor == "start" else f' text-anchor="{anchor}"'
    return f'<text class="{cls}" x="{x:.1f}" y="{y:.1f}"{a}>{esc(words)}</text>'


@dataclass(frozen=True)
class DateScale:
    """Days from `first` to `last` laid along x0..x1."""

    first: dt.date
    last: dt.date
    x0: float
    x1: float

    def x(self, day: dt.date) -> float:
        span = max((self.last - self.first).days, 1)
        return self.x0 + (day - self.first).days * (self.x1 - self.x0) / span
