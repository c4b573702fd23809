"""Markdown: a GitHub-style pipe table of the article's columns (Milestone | Owner | Due date
| Status | Notes) under the account, the target date and its reason; it pastes into Notion
and Confluence as a table. Only what the buyer may see (no deal figures, no private notes).
Pipes and line breaks in a cell are escaped, and HTML is shown as text, never run."""

from __future__ import annotations

import re

from mutualplan.formats.data import PlanData, owner_label, status_label

HEADERS = ("Milestone", "Owner", "Due date", "Status", "Notes")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Characters Markdown would read as emphasis, code, links or a heading inside text.
_MARKUP = re.compile(r"([\\`*_\[\]#|])")


def text(value: str) -> str:
    """One cell's (or line's) text: HTML as text, Markdown marks literal, line breaks kept as
    <br> (the only HTML this file holds), pipes escaped so a cell stays one cell."""
    value = value.strip().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _MARKUP.sub(r"\\\1", value)
    return _LINE_BREAK.sub("<br>", value)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


class MarkdownFormat:
    name = "md"
    extension = "md"
    content_type = "text/markdown; charset=utf-8"
    label = "Markdown table"
    is_text = True

    def export(self, plan: PlanData) -> bytes:
        lines = [f"# Mutual action plan: {text(plan.deal.account_name)}", ""]
        if plan.target_date:
            lines.append(f"**Target date:** {plan.target_date.isoformat()}")
        else:
            lines.append("**Target date:** not set yet (a draft)")
        if plan.target_reason.strip():
            lines += ["", f"**Why this date:** {text(plan.target_reason)}"]
        lines += ["", _row(list(HEADERS)), _row(["---"] * len(HEADERS))]
        for m in plan.milestones:
            cells = [
                m.title,
                owner_label(plan, m),
                m.due_date.isoformat() if m.due_date else "",
                status_label(m.status),
                m.notes,
            ]
            lines.append(_row([text(c) for c in cells]))
        return ("\n".join(lines) + "\n").encode("utf-8")


FORMAT = MarkdownFormat()
