"""The "Import a plan" page: upload a spreadsheet, see how it reads, re-map a column and
preview again, then import every row or nothing; no JavaScript needed."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from mutualplan.plans.models import Deal, ImportMapping, Milestone, Plan

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
DEAL = {"account_name": "Acme Corp", "account_type": "enterprise", "stage": "evaluation"}


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, name: str, content: bytes | None = None, **fields: str) -> Any:
    data = (FIXTURES / name).read_bytes() if content is None else content
    return client.post(
        "/plans/import/",
        {"file": SimpleUploadedFile(name, data), "action": "preview", **DEAL, **fields},
    )


def hidden_content(page: str) -> str:
    found = re.search(r'name="content" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_the_dashboard_and_the_new_plan_page_link_to_the_import_page(owner: Any) -> None:
    client = signed_in(owner)
    assert 'href="/plans/import/"' in client.get("/").content.decode()
    assert 'href="/plans/import/"' in client.get("/plans/new/").content.decode()
    page = client.get("/plans/import/").content.decode()
    assert "<h1>Import a plan</h1>" in page and 'type="file"' in page


def test_an_upload_shows_each_column_and_row_and_saves_nothing(owner: Any) -> None:
    answer = upload(signed_in(owner), "google_sheets.csv")
    page = answer.content.decode()
    assert answer.status_code == 200
    assert 'id="map-2"' in page and '<option value="owner" selected>' in page
    assert "Legal redline MSA" in page and "2027-01-22" in page
    assert "Slash dates in Due Date read as month/day." in page
    assert "Import 8 rows" in page
    assert Plan.objects.count() == 0


def test_unknown_headers_import_after_re_mapping_the_columns(owner: Any) -> None:
    client = signed_in(owner)
    first = upload(client, "unknown_headers.csv").content.decode()
    assert "no column is the milestone title: map one to Milestone" in first
    assert "Import 3 rows" not in first
    mapped = {"map-1": "title", "map-2": "owner", "map-3": "due_date", "map-4": "status"}
    carried = {"content": hidden_content(first), "file_name": "unknown_headers.csv", **DEAL}
    again = client.post("/plans/import/", {**carried, **mapped, "action": "preview"})
    page = again.content.decode()
    assert again.status_code == 200 and "Import 3 rows" in page
    assert "Security review" in page and "In progress" in page
    done = client.post(
        "/plans/import/",
        {**carried, **mapped, "action": "import", "save_mapping": "1", "target_date": "2027-04-01"},
    )
    plan = Plan.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/plans/{plan.id}/"
    assert plan.status == "active" and plan.deal.account_name == "Acme Corp"
    assert list(plan.milestones.order_by("position").values_list("title", "owner_side")) == [
        ("Business case", "buyer"),
        ("Security review", "buyer"),
        ("Contract signature", "joint"),
    ]
    saved = ImportMapping.objects.get()
    assert saved.mapping == {
        "What we do": "title",
        "Party": "owner",
        "Finish": "due_date",
        "Where we are": "status",
    }
    # The next upload of a file like it reads with the saved mapping.
    assert "Import 3 rows" in upload(client, "unknown_headers.csv").content.decode()


def test_two_bad_rows_are_listed_by_line_and_nothing_is_imported(owner: Any) -> None:
    client = signed_in(owner)
    page = upload(client, "two_bad_rows.csv").content.decode()
    assert "Line 3: due date &#x27;2027-02-30&#x27; is not a date" in page
    assert "Line 4: unknown status &#x27;Maybe later&#x27;" in page
    assert "Import 4 rows" not in page
    forced = client.post(
        "/plans/import/",
        {
            "content": hidden_content(page),
            "file_name": "two_bad_rows.csv",
            "action": "import",
            **DEAL,
        },
    )
    assert forced.status_code == 400
    text = forced.content.decode()
    assert "Nothing was imported" in text and "<strong>line 3</strong>" in text
    assert "<strong>line 4</strong>" in text
    assert Plan.objects.count() == 0 and Deal.objects.count() == 0
    assert Milestone.objects.count() == 0


def test_html_in_cells_and_headers_is_shown_as_text(owner: Any) -> None:
    content = b'Milestone,<b>Who</b>\n<script>alert(1)</script>,"<img src=x onerror=alert(2)>"\n'
    page = upload(signed_in(owner), "evil.csv", content).content.decode()
    assert "<script>alert(1)" not in page and "<img src=x" not in page and "<b>Who" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;Who&lt;/b&gt;" in page


def test_a_file_that_is_no_spreadsheet_gets_a_reason(owner: Any) -> None:
    client = signed_in(owner)
    wrong = upload(client, "plan.pdf", b"%PDF-1.4")
    assert wrong.status_code == 400 and "is not a .csv or .xlsx file" in wrong.content.decode()
    broken = upload(client, "plan.xlsx", b"not a zip")
    assert broken.status_code == 400 and "is not an XLSX file" in broken.content.decode()
    no_account = client.post(
        "/plans/import/",
        {
            "content": base64.b64encode((FIXTURES / "google_sheets.csv").read_bytes()).decode(),
            "file_name": "google_sheets.csv",
            "action": "import",
        },
    )
    assert no_account.status_code == 400
    assert "is required: the account the plan is for" in no_account.content.decode()
    assert "Legal redline MSA" in no_account.content.decode()  # the preview is still shown
    assert Plan.objects.count() == 0


def test_an_import_lands_in_the_importers_workspace_only(owner: Any, outsider: Any) -> None:
    client = signed_in(outsider)
    page = upload(client, "google_sheets.csv").content.decode()
    done = client.post(
        "/plans/import/",
        {"content": hidden_content(page), "file_name": "x.csv", "action": "import", **DEAL},
    )
    plan = Plan.objects.get()
    assert done.status_code == 302
    assert plan.workspace.memberships.filter(user=outsider).exists()
    assert signed_in(owner).get(f"/plans/{plan.id}/").status_code == 404
    assert Client().get("/plans/import/").status_code == 302  # sign in first
