"""The file formats on plain data, without a database: the registry, what each format
writes, and what the JSON reader refuses."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import replace
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from mutualplan import formats
from mutualplan.formats.data import DealData, MilestoneData, PersonData, PlanData

DEAL = DealData(account_name="Northwind", account_type="enterprise", stage="evaluation")
PLAN = PlanData(
    deal=DEAL,
    status="active",
    target_date=dt.date(2027, 3, 1),
    target_reason="Live before open enrolment",
    stakeholders=(PersonData(key="p1", name="Dana Lee"),),
    milestones=(
        MilestoneData(
            key="m1",
            title="Security review",
            owner_side="buyer",
            owner_team="IT",
            owner_person="p1",
            due_date=dt.date(2027, 2, 1),
            step_type="security_review",
            high_risk=True,
        ),
        MilestoneData(key="m2", title="Kickoff", owner_side="joint", depends_on=("m1",)),
    ),
)


def export(name: str, plan: PlanData = PLAN) -> bytes:
    return formats.get(name).export(plan)


def test_the_registry_names_every_format_and_what_each_can_do() -> None:
    assert formats.names() == ["csv", "xlsx", "md", "json"]
    assert formats.names(formats.WorkspaceFormat) == ["csv", "xlsx"]
    assert formats.names(formats.ReadableFormat) == ["json"]
    with pytest.raises(formats.FormatError) as caught:
        formats.get("docx")
    assert caught.value.errors == [
        {"field": "format", "message": "unknown format 'docx'; use one of csv, xlsx, md, json"}
    ]


def test_markdown_escapes_pipes_line_breaks_html_and_markup_in_cells() -> None:
    row = MilestoneData(
        key="m1",
        title="<script>alert(1)</script> | *bold* [link](http://x)",
        owner_side="seller",
        notes="first line\r\nsecond | line\nthird & last",
    )
    text = export("md", replace(PLAN, milestones=(row,))).decode()
    line = text.splitlines()[-1]
    assert line == (
        "| &lt;script&gt;alert(1)&lt;/script&gt; \\| \\*bold\\* \\[link\\](http://x) | Seller |"
        "  | Not started | first line<br>second \\| line<br>third &amp; last |"
    )
    assert line.count(" | ") == 4, "five cells, whatever the text holds"
    assert "<script" not in text


def test_markdown_names_the_owner_person_team_and_side() -> None:
    text = export("md").decode()
    assert "| Security review | Dana Lee, IT (Buyer) | 2027-02-01 | Not started |  |" in text
    assert "| Kickoff | Buyer + Seller |  | Not started |  |" in text
    assert "**Why this date:** Live before open enrolment" in text


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_prefixes_every_formula_like_start_with_a_quote(start: str) -> None:
    row = MilestoneData(key="m1", title=f"{start}cmd|' /C calc'!A0", owner_side="buyer")
    content = export("csv", replace(PLAN, milestones=(row,)))
    cells = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))[1]
    assert cells[0] == f"'{start}cmd|' /C calc'!A0"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_xlsx_keeps_every_formula_like_start_as_text(start: str) -> None:
    row = MilestoneData(key="m1", title=f"{start}SUM(A1:A9)", owner_side="buyer")
    sheet = load_workbook(io.BytesIO(export("xlsx", replace(PLAN, milestones=(row,))))).active
    assert sheet is not None
    cell = sheet.cell(row=2, column=1)
    # XML reads a stored CR back as LF: what matters is that the cell is text, not a formula.
    assert cell.value in (f"{start}SUM(A1:A9)", "\nSUM(A1:A9)")
    assert cell.data_type == "s" and cell.quotePrefix


def test_the_workspace_table_lists_a_plan_without_rows_once() -> None:
    empty = replace(PLAN, id=7, milestones=(), deal=replace(DEAL, amount=Decimal("12.50")))
    content = formats.workspace_format("csv").export_workspace([empty, replace(PLAN, id=8)])
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))[1:]
    assert [r[0] for r in rows] == ["7", "8", "8"]
    assert rows[0][4] == "12.50" and rows[0][10:] == [""] * 9


def test_the_json_export_reads_back_to_the_same_plan_data() -> None:
    assert formats.readable_format("json").read(export("json")) == PLAN


def _document(**changes: object) -> bytes:
    data = json.loads(export("json"))
    for path, value in changes.items():
        target = data
        *parents, last = path.split("__")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[last] = value
    return json.dumps(data).encode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"deal__account_name": "  "}, "deal.account_name", "must not be blank"),
        ({"deal__account_name": "x" * 201}, "deal.account_name", "is longer than 200 characters"),
        ({"deal__amount": "1.234"}, "deal.amount", "has more than two decimal places"),
        ({"deal__amount": "NaN"}, "deal.amount", "must be a number from 0 to 999,999,999,999.99"),
        ({"plan__target_date": "tomorrow"}, "plan.target_date", "must be a date, YYYY-MM-DD"),
        ({"plan__business_days": "yes"}, "plan.business_days", "must be true or false"),
        (
            {"plan__committed_at": "2027-01-01T10:00:00"},
            "plan.committed_at",
            "must be a date and time with its UTC offset (ISO 8601)",
        ),
        (
            {"milestones__0__title": "a\x00b"},
            "milestones[0].title",
            "must not contain NUL characters",
        ),
        (
            {"milestones__0__turnaround_days": -3},
            "milestones[0].turnaround_days",
            "must be at least 0",
        ),
        (
            {"milestones__0__anchor_offset": 1.5},
            "milestones[0].anchor_offset",
            "must be a whole number",
        ),
        (
            {"milestones__0__risk_checklist": {"owner_named": "maybe"}},
            "milestones[0].risk_checklist.owner_named",
            "answer yes, no or unknown",
        ),
        (
            {"milestones__0__owner_person": "p9"},
            "milestones[0].owner_person",
            "no stakeholder has the key 'p9'",
        ),
        ({"milestones__1__key": "m1"}, "milestones[1].key", "'m1' is used twice"),
        (
            {"stakeholders__0__email": "not-an-email"},
            "stakeholders[0].email",
            "is not an email address",
        ),
        (
            {"plan__status": "active", "plan__target_date": None},
            "plan.status",
            "an active plan needs a target date",
        ),
        ({"milestones": {"a": 1}}, "milestones", "must be a list"),
    ],
)
def test_the_json_reader_names_the_bad_field(
    changes: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(formats.FormatError) as caught:
        formats.readable_format("json").read(_document(**changes))
    assert {"field": field, "message": message} in caught.value.errors


def test_the_json_reader_refuses_bytes_that_are_not_utf8_json() -> None:
    for content, message in (
        (b"\xff\xfe", "is not valid UTF-8"),
        (b"{", "is not valid JSON (Expecting property name enclosed in double quotes, line 1)"),
    ):
        with pytest.raises(formats.FormatError) as caught:
            formats.readable_format("json").read(content)
        assert caught.value.errors == [{"field": "body", "message": message}]
