"""The CRM import page: upload an export, see how each column reads and what the import
would do (nothing saved), re-map a column and preview again, then import every deal or
nothing; a remembered mapping reads the next file with the same headers. No JavaScript."""

from __future__ import annotations

import re
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from mutualplan.plans.models import Deal, ImportMapping, Plan
from tests.crm.conftest import fixture

UNKNOWN = (
    b"Ref,Customer,Phase,Value\n"
    b"X-1,Initech,Qualification,1000\n"
    b"X-2,<script>alert(1)</script>,Proposal,2500\n"
)
REMAPPED = {
    "header-1": "Ref",
    "map-1": "crm_id",
    "header-2": "Customer",
    "map-2": "account_name",
    "header-3": "Phase",
    "map-3": "stage",
    "header-4": "Value",
    "map-4": "amount",
}


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, name: str, content: bytes, **fields: str) -> Any:
    file = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post("/deals/import/", {"file": file, "action": "preview", **fields})


def hidden_content(page: str) -> str:
    found = re.search(r'name="content" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def how(page: str, number: int) -> str:
    found = re.search(rf'<tr data-column="{number}">.*?<td data-how>([^<]*)</td>', page, re.S)
    assert found is not None
    return found.group(1)


def selected(page: str, number: int) -> str:
    found = re.search(
        rf'<select id="map-{number}"[^>]*>.*?<option value="(\w+)" selected>', page, re.S
    )
    assert found is not None
    return found.group(1)


def test_the_dashboard_links_to_the_import_page_which_shows_the_form(owner: Any) -> None:
    client = signed_in(owner)
    assert 'href="/deals/import/"' in client.get("/").content.decode()

    page = client.get("/deals/import/").content.decode()

    assert 'enctype="multipart/form-data"' in page
    assert 'type="file"' in page and 'name="create_plans"' in page
    assert ">Preview</button>" in page


def test_a_salesforce_upload_previews_then_imports_deals_and_plans(
    owner: Any, teammate: Any
) -> None:
    client = signed_in(owner)

    preview = upload(
        client, "opportunities.csv", fixture("salesforce_report.csv"), create_plans="1"
    )

    page = preview.content.decode()
    assert preview.status_code == 200
    assert "Preview: nothing is saved yet" in page
    assert "4 deals from salesforce: 4 would be created, 0 would be updated" in page
    assert "2 plans would be created" in page
    assert selected(page, 1) == "deal_name" and selected(page, 8) == "crm_id"
    assert how(page, 1) == "from its header" and how(page, 7) == "ignored"
    assert "Pat Unknown" in page and "Import 4 deals" in page
    assert Deal.objects.count() == 0 and Plan.objects.count() == 0

    carried = {"content": hidden_content(page), "source": "auto", "create_plans": "1"}
    done = client.post("/deals/import/", {**carried, "action": "import"})

    text = done.content.decode()
    assert done.status_code == 200
    assert "Imported" in text and "4 created, 0 updated, 0 unchanged; 2 plans created" in text
    assert "Import another file" in text and "Preview again" not in text
    assert Deal.objects.count() == 4 and Plan.objects.count() == 2
    again = upload(client, "opportunities.csv", fixture("salesforce_report.csv"))
    assert "0 would be created, 0 would be updated, 4 unchanged" in again.content.decode()


def test_unknown_headers_preview_as_ignored_and_import_nothing(owner: Any) -> None:
    response = upload(signed_in(owner), "deals.csv", UNKNOWN)

    page = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported" in page and "no column holds the deal id (crm_id)" in page
    assert [how(page, n) for n in (1, 2, 3, 4)] == ["ignored"] * 4
    assert [selected(page, n) for n in (1, 2, 3, 4)] == ["ignore"] * 4
    assert "Initech" in page  # the sample values
    assert "Import 2 deals" not in page
    assert Deal.objects.count() == 0


def test_re_mapped_columns_preview_the_rows_then_import_them(owner: Any) -> None:
    client = signed_in(owner)
    first = upload(client, "deals.csv", UNKNOWN).content.decode()
    carried = {"content": hidden_content(first), "source": "auto", **REMAPPED}

    again = client.post("/deals/import/", {**carried, "action": "preview"})

    page = again.content.decode()
    assert again.status_code == 200
    assert "2 deals from generic: 2 would be created" in page
    assert [how(page, n) for n in (1, 2, 3, 4)] == ["mapped"] * 4
    assert selected(page, 2) == "account_name"
    assert "Import 2 deals" in page and Deal.objects.count() == 0

    done = client.post("/deals/import/", {**carried, "action": "import"})

    assert done.status_code == 200 and "2 created" in done.content.decode()
    assert sorted(Deal.objects.values_list("crm_id", "account_name", "stage")) == [
        ("X-1", "Initech", "qualification"),
        ("X-2", "<script>alert(1)</script>", "proposal"),
    ]
    assert ImportMapping.objects.count() == 0  # not asked to remember


def test_a_remembered_mapping_reads_the_next_file_with_the_same_headers(
    owner: Any, outsider: Any, workspace: Any
) -> None:
    client = signed_in(owner)
    first = upload(client, "deals.csv", UNKNOWN).content.decode()
    carried = {"content": hidden_content(first), "source": "auto", **REMAPPED}
    client.post("/deals/import/", {**carried, "action": "import", "save_mapping": "1"})
    saved = ImportMapping.objects.get()
    assert saved.workspace == workspace and saved.signature == "deals:ref|customer|phase|value"
    assert saved.mapping == {
        "Ref": "crm_id",
        "Customer": "account_name",
        "Phase": "stage",
        "Value": "amount",
    }

    later = upload(client, "next.csv", b"Ref,Customer,Phase,Value\nX-3,Hooli,Proposal,10\n")

    page = later.content.decode()
    assert later.status_code == 200
    assert [how(page, n) for n in (1, 2, 3, 4)] == ["mapped (saved)"] * 4
    assert "1 deals from generic: 1 would be created" in page and "Import 1 deal<" in page
    elsewhere = upload(signed_in(outsider), "next.csv", b"Ref,Customer,Phase,Value\nX-3,H,P,1\n")
    assert elsewhere.status_code == 400
    assert [how(elsewhere.content.decode(), n) for n in (1, 2, 3, 4)] == ["ignored"] * 4


def test_cells_and_headers_are_escaped_in_the_preview(owner: Any) -> None:
    content = b"Opportunity ID,Account Name,Stage,<i>Note</i>\n006A,<b>Initech</b>,Prospecting,x\n"

    page = upload(signed_in(owner), "deals.csv", content).content.decode()

    assert "&lt;b&gt;Initech&lt;/b&gt;" in page and "&lt;i&gt;Note&lt;/i&gt;" in page
    assert "<b>Initech</b>" not in page and "<i>Note</i>" not in page


def test_a_bad_row_blocks_the_import_with_its_line_named(owner: Any) -> None:
    content = (
        b"Opportunity ID,Account Name,Stage,Close Date\n"
        b"006A,Initech,Closed Won,<b>soon</b>\n"
        b"006B,,Qualification,6/30/2027\n"
    )
    client = signed_in(owner)

    response = upload(client, "bad.csv", content)

    page = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported" in page
    assert "<strong>line 2</strong>" in page and "&lt;b&gt;soon&lt;/b&gt;" in page
    assert "<strong>line 3</strong>: Account Name: is blank" in page
    assert "<b>soon</b>" not in page
    assert 'value="import"' not in page
    forced = client.post(
        "/deals/import/", {"content": hidden_content(page), "source": "auto", "action": "import"}
    )
    assert forced.status_code == 400 and "<strong>line 3</strong>" in forced.content.decode()
    assert Deal.objects.count() == 0


def test_an_upload_without_a_file_is_refused(owner: Any) -> None:
    response = signed_in(owner).post("/deals/import/", {"source": "auto", "action": "preview"})

    assert response.status_code == 400
    assert "choose the CSV or XLSX export to import" in response.content.decode()


def test_a_mangled_carried_file_is_refused(owner: Any) -> None:
    response = signed_in(owner).post(
        "/deals/import/", {"content": "not base64!", "action": "import"}
    )

    assert response.status_code == 400
    assert "could not be read back: upload it again" in response.content.decode()
    assert Deal.objects.count() == 0


def test_a_bad_select_value_is_refused_by_name(owner: Any) -> None:
    client = signed_in(owner)
    first = upload(client, "deals.csv", UNKNOWN).content.decode()

    response = client.post(
        "/deals/import/",
        {"content": hidden_content(first), **REMAPPED, "map-4": "price", "action": "preview"},
    )

    assert response.status_code == 400
    assert "&#x27;Value&#x27;: &#x27;price&#x27; is not a field" in response.content.decode()


def test_an_outsiders_import_lands_in_their_workspace_only(
    owner: Any, outsider: Any, workspace: Any, other_workspace: Any
) -> None:
    client = signed_in(outsider)
    page = upload(client, "opportunities.csv", fixture("salesforce_report.csv")).content.decode()
    client.post("/deals/import/", {"content": hidden_content(page), "action": "import"})

    assert Deal.objects.filter(workspace=other_workspace).count() == 4
    assert Deal.objects.filter(workspace=workspace).count() == 0


def test_the_page_needs_a_signed_in_seller() -> None:
    response = Client().get("/deals/import/")

    assert response.status_code == 302 and "/login/" in response["Location"]
