"""An uploaded workbook that unpacks to far more than it weighs (a zip bomb) is refused
before any reader opens it, in the MAP import and the CRM import alike."""

from __future__ import annotations

import io
import zipfile

import pytest

from mutualplan.core import unpacked
from mutualplan.crm.table import TableError, read_rows
from mutualplan.formats.base import FormatError
from mutualplan.formats.xlsx import read_rows as read_sheet_rows


def bomb(megabytes: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (megabytes * 1024 * 1024))
    return out.getvalue()


@pytest.fixture(autouse=True)
def small_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(unpacked, "MAX_UNPACKED_BYTES", 1024 * 1024)


def test_a_workbook_that_unpacks_past_the_limit_is_refused_saying_why() -> None:
    content = bomb(3)
    assert len(content) < 10_000

    with pytest.raises(FormatError) as sheet:
        read_sheet_rows(content)
    with pytest.raises(TableError) as deals:
        read_rows(content)

    assert "unpacks to more than 1 MB" in str(sheet.value.errors)
    assert "unpacks to more than 1 MB" in str(deals.value)


def test_a_file_that_is_no_zip_is_left_to_the_reader() -> None:
    assert unpacked.too_large(b"Milestone,Owner\nKickoff,Seller\n") is None
