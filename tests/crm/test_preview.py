"""How an export reads before anything is saved (pure: no database): each column's field and
where it came from, samples, the deals and every bad row; the saved mapping by header layout."""

from __future__ import annotations

import pytest

from mutualplan.crm.preview import header_signature, preview_deals, read_deals
from mutualplan.crm.reader import CrmFileError
from tests.crm.conftest import fixture

UNKNOWN = b"Ref,Customer,Phase\nX-1,Initech,Qualification\nX-2,Hooli,Won\n"
SAVED = {"Ref": "crm_id", "Customer": "account_name", "Phase": "stage"}


def test_a_salesforce_report_reads_every_known_column_from_its_header() -> None:
    preview = preview_deals(fixture("salesforce_report.csv"))

    assert preview.ok and preview.source == "salesforce" and preview.header_line == 1
    by_header = {c.header: (c.field, c.how) for c in preview.columns}
    assert by_header["Opportunity ID"] == ("crm_id", "from its header")
    assert by_header["Type"] == ("", "ignored")
    assert preview.columns[1].samples[:2] == ("Initech", "Globodyne")
    assert len(preview.records) == 4


def test_unknown_headers_are_ignored_and_the_missing_fields_named() -> None:
    preview = preview_deals(UNKNOWN)

    assert not preview.ok and preview.records == []
    assert [c.how for c in preview.columns] == ["ignored"] * 3
    assert [p["message"][:30] for p in preview.problems] == [
        "no column holds the deal id (c",
        "no column holds the stage (sta",
        "no column holds the account na",
    ]
    with pytest.raises(CrmFileError):
        read_deals(UNKNOWN)


def test_a_saved_mapping_is_looked_up_by_the_header_signature_and_applied() -> None:
    asked: list[str] = []

    def saved(signature: str) -> dict[str, str]:
        asked.append(signature)
        return SAVED

    preview = preview_deals(UNKNOWN, saved=saved)

    assert asked == ["deals:ref|customer|phase"] == [header_signature(["Ref", "Customer", "Phase"])]
    assert preview.ok and [c.how for c in preview.columns] == ["mapped (saved)"] * 3
    assert [r.outcome for r in preview.records] == ["open", "won"]
    assert preview.mapping() == SAVED


def test_the_callers_mapping_wins_and_a_field_is_taken_once() -> None:
    preview = preview_deals(
        UNKNOWN,
        mapping={"Customer": "deal_name", "Phase": "stage", "Ref": "stage"},
        saved=lambda _: SAVED,
    )

    assert [(c.field, c.how) for c in preview.columns] == [
        ("stage", "mapped"),
        ("deal_name", "mapped"),
        ("", "ignored"),
    ]


def test_bad_rows_are_listed_by_line_with_the_rows_that_read() -> None:
    content = b"Opportunity ID,Account Name,Stage\n006A,,Prospecting\n006B,Hooli,Prospecting\n"

    preview = preview_deals(content)

    assert not preview.ok and len(preview.records) == 2
    assert preview.errors == [{"field": "line 2", "message": "Account Name: is blank"}]
