"""`POST /deals/import` and `GET /deals`: a CRM export in, counts and every bad row out."""

from __future__ import annotations

import base64
from typing import Any

from mutualplan.plans.models import Deal, ImportMapping, Plan
from tests.conftest import Api
from tests.crm.conftest import GENERIC_MAPPING, fixture


def _import(api: Api, name: str, **options: Any) -> Any:
    body = {"content_base64": base64.b64encode(fixture(name)).decode(), **options}
    return api.post("/deals/import", body)


def test_a_salesforce_export_imports_with_plans_and_a_second_time_changes_nothing(
    owner_api: Api, teammate: Any
) -> None:
    first = _import(owner_api, "salesforce_report.csv", create_plans=True)

    assert first.status_code == 200, first.json_body
    assert {k: first.json_body[k] for k in ("source", "created", "updated", "plans_created")} == {
        "source": "salesforce",
        "created": 4,
        "updated": 0,
        "plans_created": 2,
    }
    assert first.json_body["unmatched_owners"] == ["Pat Unknown"]

    again = _import(owner_api, "salesforce_report.csv", create_plans=True)

    assert again.json_body["summary"] == (
        "4 deals from salesforce: 0 created, 0 updated, 4 unchanged; "
        "0 plans created, 0 plans closed"
    )
    assert Deal.objects.count() == 4 and Plan.objects.count() == 2


def test_the_deals_list_shows_crm_ids_dates_and_plans(owner_api: Api) -> None:
    _import(owner_api, "hubspot_export.csv", create_plans=True)

    listed = owner_api.get("/deals?crm_source=hubspot")

    assert listed.status_code == 200
    by_id = {d["crm_id"]: d for d in listed.json_body["items"]}
    assert listed.json_body["count"] == 3
    assert by_id["9001"]["stage"] == "closed_won"
    assert by_id["9001"]["close_date"] == "2026-06-30"
    assert by_id["9001"]["created_at"].startswith("2026-02-14T09:30:00")
    assert by_id["9001"]["plan_id"] is None
    assert by_id["9003"]["plan_status"] == "active"
    one = owner_api.get("/deals?crm_id=9002").json_body["items"]
    assert [d["account_name"] for d in one] == ["Cyberdyne Systems"]


def test_a_generic_csv_imports_as_text_with_a_mapping(owner_api: Api) -> None:
    mapping = dict(pair.split("=") for pair in GENERIC_MAPPING)
    response = owner_api.post(
        "/deals/import",
        {"content": fixture("generic.csv").decode(), "mapping": mapping, "source": "generic"},
    )

    assert response.status_code == 200, response.json_body
    assert response.json_body["columns"]["Phase"] == "stage"
    assert Deal.objects.get(crm_id="P-100").currency == "EUR"


def test_bad_rows_are_each_named_and_nothing_is_imported(owner_api: Api) -> None:
    content = (
        "Opportunity ID,Account Name,Stage,Amount\n"
        "006A,,Qualification,100\n"
        "006B,Fine,Qualification,100\n"
        "006C,Fine too,,lots\n"
    )

    response = owner_api.post("/deals/import", {"content": content})

    assert response.status_code == 400
    assert response.json_body["errors"] == [
        {"field": "line 2", "message": "Account Name: is blank"},
        {"field": "line 4", "message": "Stage: is blank"},
        {"field": "line 4", "message": "Amount: 'lots' is not an amount"},
    ]
    assert Deal.objects.count() == 0


def test_a_bad_request_says_which_field_and_changes_nothing(owner_api: Api) -> None:
    both = owner_api.post("/deals/import", {"content": "x", "content_base64": "eA=="})
    neither = owner_api.post("/deals/import", {"source": "salesforce"})
    not_base64 = owner_api.post("/deals/import", {"content_base64": "not base64!"})
    bad_field = owner_api.post(
        "/deals/import", {"content": "Ref\n1\n", "mapping": {"Ref": "colour"}}
    )
    bad_source = owner_api.post("/deals/import", {"content": "x", "source": "pipedrive"})

    for response in (both, neither, not_base64, bad_field, bad_source):
        assert response.status_code == 400, response.json_body
        assert response.json_body["errors"], response.json_body
    assert "'colour' is not a field" in bad_field.json_body["errors"][0]["message"]
    assert bad_field.json_body["errors"][0]["field"] == "mapping"
    assert Deal.objects.count() == 0


def test_an_outsider_neither_sees_nor_touches_our_deals(owner_api: Api, outsider_api: Api) -> None:
    _import(owner_api, "salesforce_report.csv")

    theirs = _import(outsider_api, "salesforce_report.csv")

    assert theirs.json_body["created"] == 4
    assert outsider_api.get("/deals").json_body["count"] == 4
    ours = owner_api.get("/deals").json_body["items"]
    assert {d["owner"] for d in ours} <= {"olivia@acme.example", "theo@acme.example"}
    assert Deal.objects.count() == 8


def test_a_non_json_body_is_refused(owner_api: Api) -> None:
    response = owner_api.client.post(
        "/api/v1/deals/import",
        data=fixture("generic.csv"),
        content_type="text/csv",
        headers=owner_api._headers(),
    )

    assert response.status_code == 415
    assert Deal.objects.count() == 0


UNKNOWN = "Ref,Customer,Phase\nX-1,Initech,Qualification\n"
UNKNOWN_MAPPING = {"Ref": "crm_id", "Customer": "account_name", "Phase": "stage"}


def test_a_saved_mapping_reads_the_next_file_with_the_same_headers(
    owner_api: Api, outsider_api: Api
) -> None:
    unmapped = owner_api.post("/deals/import", {"content": UNKNOWN})
    assert unmapped.status_code == 400
    assert "no column holds the deal id" in unmapped.json_body["errors"][0]["message"]

    first = owner_api.post(
        "/deals/import", {"content": UNKNOWN, "mapping": UNKNOWN_MAPPING, "save_mapping": True}
    )

    assert first.status_code == 200, first.json_body
    assert first.json_body["columns"] == UNKNOWN_MAPPING
    saved = ImportMapping.objects.get()
    assert saved.signature == "deals:ref|customer|phase" and saved.mapping == UNKNOWN_MAPPING
    later = owner_api.post(
        "/deals/import", {"content": "Ref,Customer,Phase\nX-2,Hooli,Proposal\n", "dry_run": True}
    )
    assert later.status_code == 200, later.json_body
    assert later.json_body["created"] == 1 and later.json_body["columns"] == UNKNOWN_MAPPING
    theirs = outsider_api.post("/deals/import", {"content": UNKNOWN})
    assert theirs.status_code == 400
    assert Deal.objects.filter(crm_id="X-1").count() == 1


def test_a_given_mapping_wins_over_the_saved_one(owner_api: Api) -> None:
    owner_api.post(
        "/deals/import", {"content": UNKNOWN, "mapping": UNKNOWN_MAPPING, "save_mapping": True}
    )

    response = owner_api.post(
        "/deals/import",
        {"content": UNKNOWN, "mapping": {"Customer": "deal_name"}, "dry_run": True},
    )

    assert response.status_code == 200, response.json_body
    assert response.json_body["columns"]["Customer"] == "deal_name"


def test_a_dry_run_or_a_refused_import_saves_no_mapping(owner_api: Api) -> None:
    dry = owner_api.post(
        "/deals/import",
        {"content": UNKNOWN, "mapping": UNKNOWN_MAPPING, "save_mapping": True, "dry_run": True},
    )
    bad = owner_api.post(
        "/deals/import",
        {
            "content": UNKNOWN + "X-1,Again,Proposal\n",
            "mapping": UNKNOWN_MAPPING,
            "save_mapping": True,
        },
    )
    not_bool = owner_api.post("/deals/import", {"content": UNKNOWN, "save_mapping": "maybe"})

    assert dry.status_code == 200 and bad.status_code == 400 and not_bool.status_code == 400
    assert bad.json_body["errors"] == [
        {"field": "line 3", "message": "Ref: 'X-1' is already on line 2"}
    ]
    assert ImportMapping.objects.count() == 0 and Deal.objects.count() == 0
