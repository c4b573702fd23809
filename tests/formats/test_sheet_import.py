"""Spreadsheet MAPs read without a database: the fixture files as Google Sheets, Excel and a
European Excel write them, how columns are understood and re-mapped, every value form, and
all-or-nothing with every bad row named by its line in the file."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from mutualplan import formats
from mutualplan.formats.data import DealData, MilestoneData, PersonData, PlanData
from mutualplan.formats.sheet import (
    PlanFields,
    SheetPreview,
    clean_mapping,
    plan_from_sheet,
    preview_sheet,
)
from mutualplan.formats.sheet_values import (
    parse_date,
    parse_owner,
    parse_status,
    step_type_from_title,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
DEAL = DealData(account_name="Acme", account_type="enterprise", stage="evaluation")


def read(name: str, mapping: dict[str, str] | None = None) -> SheetPreview:
    format_name = name.rsplit(".", 1)[1]
    content = (FIXTURES / name).read_bytes()
    return preview_sheet(
        formats.sheet_format(format_name).read_sheet(content), format_name, mapping
    )


def table(preview: SheetPreview) -> list[tuple[Any, ...]]:
    return [
        (r.line, m.title, m.owner_side, m.owner_team, m.due_date, m.status, m.step_type)
        for r in preview.rows
        if (m := r.milestone) is not None
    ]


def test_a_google_sheets_csv_reads_us_dates_owners_and_statuses() -> None:
    preview = read("google_sheets.csv")
    assert preview.ok and preview.header_line == 1
    assert [(c.header, c.field) for c in preview.columns] == [
        ("Milestone", "title"),
        ("Owner (Buyer / Seller)", "owner"),
        ("Due Date", "due_date"),
        ("Status", "status"),
        ("Notes", "notes"),
    ]
    assert table(preview) == [
        (2, "Discovery call recap", "seller", "", dt.date(2026, 12, 1), "done", "custom"),
        (3, "Business case signed off by CFO", "buyer", "Finance", dt.date(2026, 12, 15),
         "in_progress", "business_case"),
        (4, "Security questionnaire", "buyer", "IT", dt.date(2027, 1, 8), "not_started",
         "security_questionnaire"),
        # Line 6: the quoted line break in line 4's note spans two lines of the file.
        (6, "Legal redline MSA", "buyer", "Legal", dt.date(2027, 1, 22), "in_progress",
         "legal_redline"),
        (7, "Procurement / PO", "buyer", "Procurement", dt.date(2027, 2, 5), "not_started",
         "procurement_po"),
        (8, "Pricing review", "joint", "", dt.date(2027, 2, 12), "blocked", "commercial_review"),
        (9, "Contract signature", "joint", "", dt.date(2027, 3, 1), "not_started",
         "contract_execution"),
        (10, "Kickoff", "seller", "Solutions", dt.date(2027, 3, 4), "not_started", "kickoff"),
    ]  # fmt: skip
    notes = [r.milestone.notes for r in preview.rows if r.milestone]
    assert notes[2] == "SIG Lite\nsent on 11/20"
    assert [r.milestone.high_risk for r in preview.rows if r.milestone] == [
        False, False, True, True, True, False, False, False,
    ]  # fmt: skip
    assert "Slash dates in Due Date read as month/day." in preview.notes


def test_an_excel_csv_with_a_bom_and_a_title_row_finds_its_header_below_the_title() -> None:
    preview = read("excel_bom.csv")
    assert preview.ok and preview.header_line == 3
    assert preview.columns[0].header == "Step"  # no BOM left on the first header
    assert any("header is on line 3" in n for n in preview.notes)
    rows = table(preview)
    assert rows[0] == (4, "Business case", "buyer", "Finance", dt.date(2026, 11, 30), "done",
                       "business_case")  # fmt: skip
    # "Legal" alone is a buyer step of the Legal team.
    assert rows[2][1:4] == ("Legal review of DPA", "buyer", "Legal")
    milestones = [r.milestone for r in preview.rows if r.milestone]
    assert milestones[0].notes == "Zoë signed it"
    # The ' Excel puts before a formula-like cell is taken off: the text is kept as typed.
    assert milestones[2].notes == '=HYPERLINK("http://x")'


def test_a_semicolon_european_export_reads_day_first_dates_and_windows_1252() -> None:
    preview = read("european.csv")
    assert preview.ok, preview.errors
    assert [c.field for c in preview.columns] == [
        "title", "owner", "due_date", "status", "notes", "",
    ]  # fmt: skip
    assert [row[4] for row in table(preview)] == [
        dt.date(2027, 1, 15),  # 15.01.2027
        dt.date(2027, 1, 29),  # 29/01/2027
        dt.date(2027, 2, 5),  # 05/02/2027: day first, as the column's 29/01 shows
        dt.date(2027, 3, 1),  # 1.3.2027
        dt.date(2027, 3, 15),
    ]
    assert any("day/month" in n for n in preview.notes)
    milestones = [r.milestone for r in preview.rows if r.milestone]
    assert milestones[0].notes == "Zoë approved"
    assert milestones[2].notes == "Clause 7; liability cap"
    assert preview.columns[5].samples == ("12.500,50", "1,5")


def test_an_xlsx_reads_date_cells_serial_numbers_and_text_dates_below_a_merged_title() -> None:
    preview = read("excel.xlsx")
    assert preview.ok and preview.header_line == 3
    assert table(preview) == [
        (4, "Business case", "buyer", "Finance", dt.date(2026, 12, 10), "done", "business_case"),
        (5, "Security questionnaire", "buyer", "IT", dt.date(2027, 1, 14), "in_progress",
         "security_questionnaire"),
        (6, "Legal redline MSA", "buyer", "Legal", dt.date(2027, 1, 28), "not_started",
         "legal_redline"),
        (7, "Executive sign-off", "buyer", "Executive", dt.date(2027, 3, 3), "not_started",
         "exec_signoff"),
        (8, "Contract signature", "joint", "", dt.date(2027, 3, 3), "not_started",
         "contract_execution"),
        (9, "Kickoff", "seller", "Solutions", dt.date(2027, 3, 15), "not_started", "kickoff"),
    ]  # fmt: skip


def test_two_bad_rows_make_nothing_importable_and_both_lines_are_named() -> None:
    preview = read("two_bad_rows.csv")
    assert not preview.ok
    assert preview.errors == [
        {
            "field": "line 3",
            "message": "due date '2027-02-30' is not a date (use e.g. 2027-03-31, 3/31/2027 "
            "or 31.03.2027)",
        },
        {
            "field": "line 4",
            "message": "unknown status 'Maybe later'; use Done, In progress, Not started or "
            "Blocked",
        },
    ]
    with pytest.raises(formats.FormatError) as refused:
        plan_from_sheet(preview, PlanFields(deal=DEAL))
    assert [e["field"] for e in refused.value.errors] == ["line 3", "line 4"]


def test_unknown_headers_read_after_a_mapping_by_header_text_or_column_number() -> None:
    unmapped = read("unknown_headers.csv")
    assert not unmapped.ok
    assert unmapped.errors == [
        {"field": "mapping", "message": "no column is the milestone title: map one to Milestone"}
    ]
    assert [c.how for c in unmapped.columns] == ["ignored"] * 4
    mapped = read(
        "unknown_headers.csv",
        {"what we do": "title", "Party": "owner", "3": "due_date", "Where we are": "status"},
    )
    assert mapped.ok, mapped.errors
    assert [c.how for c in mapped.columns] == ["mapped"] * 4
    assert table(mapped)[1] == (3, "Security review", "buyer", "IT", dt.date(2027, 2, 1),
                                "in_progress", "security_review")  # fmt: skip
    assert mapped.mapping() == {
        "What we do": "title",
        "Party": "owner",
        "Finish": "due_date",
        "Where we are": "status",
    }


def test_a_column_can_be_ignored_and_a_mapping_naming_no_column_is_refused() -> None:
    ignored = read("google_sheets.csv", {"Notes": "ignore", "Status": "ignore"})
    assert ignored.ok
    assert {r.milestone.status for r in ignored.rows if r.milestone} == {"not_started"}
    assert not any(r.milestone.notes for r in ignored.rows if r.milestone)
    wrong = read("google_sheets.csv", {"Whom": "owner", "9": "notes"})
    assert [e["field"] for e in wrong.errors] == ["mapping.Whom", "mapping.9"]
    assert "its columns are Milestone, Owner (Buyer / Seller)" in wrong.errors[0]["message"]
    # A mapped column takes the field from the column whose header named it...
    instead = read("google_sheets.csv", {"Notes": "title"})
    assert instead.columns[0].field == "" and instead.columns[4].field == "title"
    # ...and two columns mapped to one field are refused.
    twice = read("google_sheets.csv", {"Notes": "title", "Milestone": "title"})
    assert twice.errors[0] == {
        "field": "mapping",
        "message": "Milestone and Notes are both mapped to Milestone",
    }


def test_a_mapping_with_an_unknown_field_is_refused_with_the_fields_there_are() -> None:
    with pytest.raises(formats.FormatError) as refused:
        clean_mapping({"Who": "owner", "When": "deadline"})
    assert refused.value.errors[0]["field"] == "mapping.When"
    assert "use one of title, owner" in refused.value.errors[0]["message"]
    with pytest.raises(formats.FormatError):
        clean_mapping(["Who"])


@pytest.mark.parametrize(
    ("text", "side", "team"),
    [
        ("Buyer (Legal)", "buyer", "Legal"),
        ("Legal (Buyer)", "buyer", "Legal"),
        ("Seller", "seller", ""),
        ("seller - Solutions", "seller", "Solutions"),
        ("Buyer + Seller", "joint", ""),
        ("Buyer/Seller", "joint", ""),
        ("Joint", "joint", ""),
        ("Both", "joint", ""),
        ("Legal", "buyer", "Legal"),
        ("Sales", "seller", "Sales"),
        ("", "seller", ""),
    ],
)
def test_owner_strings_read_as_side_and_team(text: str, side: str, team: str) -> None:
    assert parse_owner(text) == (side, team)


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Done", "done"),
        ("Complete", "done"),
        ("Completed", "done"),
        ("In progress", "in_progress"),
        ("in-progress", "in_progress"),
        ("WIP", "in_progress"),
        ("Not started", "not_started"),
        ("To do", "not_started"),
        ("", "not_started"),
        ("Blocked", "blocked"),
        ("Delayed", "blocked"),
    ],
)
def test_status_words_read_as_the_stored_statuses(text: str, status: str) -> None:
    assert parse_status(text) == status


@pytest.mark.parametrize(
    ("value", "order", "expected"),
    [
        ("2027-03-31", "month/day", dt.date(2027, 3, 31)),
        ("2027-03-31 00:00:00", "month/day", dt.date(2027, 3, 31)),
        ("3/4/2027", "month/day", dt.date(2027, 3, 4)),
        ("3/4/2027", "day/month", dt.date(2027, 4, 3)),
        ("31.03.2027", "month/day", dt.date(2027, 3, 31)),
        ("Mar 3, 2027", "month/day", dt.date(2027, 3, 3)),
        ("3 March 2027", "month/day", dt.date(2027, 3, 3)),
        ("3-Mar-27", "month/day", dt.date(2027, 3, 3)),
        ("46401", "month/day", dt.date(2027, 1, 14)),
        (46401, "month/day", dt.date(2027, 1, 14)),
        (46401.5, "month/day", dt.date(2027, 1, 14)),
        (dt.datetime(2027, 1, 14, 0, 0), "month/day", dt.date(2027, 1, 14)),
        ("", "month/day", None),
    ],
)
def test_dates_read_in_every_usual_form(value: Any, order: str, expected: dt.date | None) -> None:
    assert parse_date(value, order) == expected


@pytest.mark.parametrize("text", ["31/31/2027", "2027-02-30", "soon", "13.13.2027", "1e9"])
def test_a_text_that_is_no_date_says_so(text: str) -> None:
    with pytest.raises(ValueError, match="is not a date"):
        parse_date(text)


@pytest.mark.parametrize(
    ("title", "step_type"),
    [
        ("Legal redline MSA", "legal_redline"),
        ("Security questionnaire", "security_questionnaire"),
        ("Security review", "security_review"),
        ("Procurement / PO", "procurement_po"),
        ("Business case", "business_case"),
        ("Executive sign-off", "exec_signoff"),
        ("Contract signature", "contract_execution"),
        ("Kickoff", "kickoff"),
        ("Kick-off call", "kickoff"),
        ("Weekly sync", "custom"),
    ],
)
def test_step_types_are_recognised_from_titles(title: str, step_type: str) -> None:
    assert step_type_from_title(title) == step_type


PLAN = PlanData(
    deal=DEAL,
    stakeholders=(PersonData(key="p1", name="Dana Lee", team="Legal"),),
    milestones=(
        MilestoneData(
            key="m1",
            title="=cmd|' /C calc'!A0",
            owner_side="buyer",
            owner_team="Legal",
            owner_person="p1",
            due_date=dt.date(2027, 2, 1),
            status="in_progress",
            step_type="legal_redline",
            high_risk=False,
            notes="Two weeks, \"at least\"\nthen sign",
        ),
        MilestoneData(
            key="m2",
            title="Weekly sync",
            owner_side="joint",
            due_date=None,
            status="blocked",
            high_risk=True,
        ),
        MilestoneData(key="m3", title="Kickoff", owner_side="seller", owner_team="Solutions",
                      due_date=dt.date(2027, 3, 15), status="done", step_type="kickoff"),
    ),
)  # fmt: skip


@pytest.mark.parametrize("format_name", ["csv", "xlsx"])
def test_the_plan_export_reads_back_with_every_field(format_name: str) -> None:
    found = formats.sheet_format(format_name)
    content = formats.get(format_name).export(PLAN)
    preview = preview_sheet(found.read_sheet(content), format_name)
    assert preview.ok, preview.errors
    assert {c.how for c in preview.columns} == {"recognised"}
    data = plan_from_sheet(preview, PlanFields(deal=DEAL, target_date=dt.date(2027, 4, 1)))
    assert data.status == "active"
    fields = ("title", "owner_side", "owner_team", "due_date", "status", "step_type",
              "high_risk", "notes")  # fmt: skip
    assert [[getattr(m, f) for f in fields] for m in data.milestones] == [
        [getattr(m, f) for f in fields] for m in PLAN.milestones
    ]
    assert [p.name for p in data.stakeholders] == ["Dana Lee"]
    assert data.milestones[0].owner_person == data.stakeholders[0].key


def test_a_sheet_without_target_date_becomes_a_draft() -> None:
    data = plan_from_sheet(read("google_sheets.csv"), PlanFields(deal=DEAL))
    assert data.status == "draft" and data.target_date is None
    assert len(data.milestones) == 8


def test_files_that_are_no_spreadsheet_are_refused_with_a_reason() -> None:
    with pytest.raises(formats.FormatError, match="is not an XLSX file"):
        formats.sheet_format("xlsx").read_sheet(b"Milestone,Owner\n")
    with pytest.raises(formats.FormatError, match="has no header row"):
        preview_sheet(formats.sheet_format("csv").read_sheet(b"just one cell\n"), "csv")
    with pytest.raises(formats.FormatError, match="unknown format 'md'"):
        formats.sheet_format("md")


def test_excels_unicode_text_export_and_a_zip_that_is_no_workbook_are_handled() -> None:
    content = "Task\tOwner\tDue\nKickoff\tSeller\t2027-03-01\n".encode("utf-16")
    preview = preview_sheet(formats.sheet_format("csv").read_sheet(content), "csv")
    assert preview.ok and table(preview) == [
        (2, "Kickoff", "seller", "", dt.date(2027, 3, 1), "not_started", "kickoff")
    ]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("notes.txt", "hello")
    with pytest.raises(formats.FormatError, match="is not an XLSX file that can be read"):
        formats.sheet_format("xlsx").read_sheet(archive.getvalue())
