"""The CRM import page: upload an export, read what it did; bad rows listed, nothing saved."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from mutualplan.plans.models import Deal, Plan
from tests.crm.conftest import fixture


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, name: str, content: bytes, **fields: str) -> Any:
    file = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post("/deals/import/", {"file": file, **fields})


def test_the_dashboard_links_to_the_import_page_which_shows_the_form(owner: Any) -> None:
    client = signed_in(owner)
    assert 'href="/deals/import/"' in client.get("/").content.decode()

    page = client.get("/deals/import/").content.decode()

    assert 'enctype="multipart/form-data"' in page
    assert 'name="mapping"' in page and 'name="create_plans"' in page


def test_a_salesforce_upload_imports_deals_and_plans_and_says_so(owner: Any, teammate: Any) -> None:
    client = signed_in(owner)

    response = upload(
        client, "opportunities.csv", fixture("salesforce_report.csv"), create_plans="1"
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "4 deals from salesforce: 4 created, 0 updated, 0 unchanged; 2 plans created" in page
    assert "Opportunity ID → crm_id" in page
    assert "Pat Unknown" in page
    assert Deal.objects.count() == 4 and Plan.objects.count() == 2
    again = upload(client, "opportunities.csv", fixture("salesforce_report.csv"))
    assert "0 created, 0 updated, 4 unchanged" in again.content.decode()


def test_a_mapped_dry_run_saves_nothing(owner: Any) -> None:
    mapping = "Ref=crm_id\nCustomer=account_name\nPhase=stage\nValue=amount\n"

    response = upload(
        signed_in(owner), "deals.csv", fixture("generic.csv"), mapping=mapping, dry_run="1"
    )

    page = response.content.decode()
    assert "Dry run: nothing was saved" in page
    assert "2 would be created" in page
    assert Deal.objects.count() == 0


def test_bad_rows_are_listed_escaped_and_nothing_is_imported(owner: Any) -> None:
    content = (
        b"Opportunity ID,Account Name,Stage,Close Date\n"
        b"006A,Initech,Closed Won,<b>soon</b>\n"
        b"006B,,Qualification,6/30/2027\n"
    )

    response = upload(signed_in(owner), "bad.csv", content)

    page = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported" in page
    assert "<strong>line 2</strong>" in page and "&lt;b&gt;soon&lt;/b&gt;" in page
    assert "<strong>line 3</strong>: Account Name: is blank" in page
    assert "<b>soon</b>" not in page
    assert Deal.objects.count() == 0


def test_an_upload_without_a_file_is_refused(owner: Any) -> None:
    response = signed_in(owner).post("/deals/import/", {"source": "auto"})

    assert response.status_code == 400
    assert "choose the CSV or XLSX export to import" in response.content.decode()


def test_an_outsiders_import_lands_in_their_workspace_only(
    owner: Any, outsider: Any, workspace: Any, other_workspace: Any
) -> None:
    upload(signed_in(outsider), "opportunities.csv", fixture("salesforce_report.csv"))

    assert Deal.objects.filter(workspace=other_workspace).count() == 4
    assert Deal.objects.filter(workspace=workspace).count() == 0


def test_the_page_needs_a_signed_in_seller() -> None:
    response = Client().get("/deals/import/")

    assert response.status_code == 302 and "/login/" in response["Location"]
