"""The plan page and the dashboard link to the plan's files; only the plan's workspace gets
them."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.test import Client

from tests.conftest import make_plan


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_plan_page_links_to_every_export_format(owner: Any, plan: dict[str, Any]) -> None:
    page = signed_in(owner).get(f"/plans/{plan['id']}/").content.decode()
    for ext in ("csv", "xlsx", "md", "json"):
        assert f'href="/plans/{plan["id"]}/export.{ext}" download' in page


def test_the_seller_downloads_the_plan_in_each_format(owner: Any, plan: dict[str, Any]) -> None:
    client = signed_in(owner)
    md = client.get(f"/plans/{plan['id']}/export.md")
    assert md.status_code == 200 and md["Content-Type"] == "text/markdown; charset=utf-8"
    assert 'filename="northwind-health-mutual-action-plan.md"' in md["Content-Disposition"]
    document = json.loads(client.get(f"/plans/{plan['id']}/export.json").content)
    assert [m["title"] for m in document["milestones"]] == [m["title"] for m in plan["milestones"]]
    assert client.get(f"/plans/{plan['id']}/export.docx").status_code == 404


def test_an_outsider_gets_no_file_of_the_plan(outsider: Any, plan: dict[str, Any]) -> None:
    client = signed_in(outsider)
    for ext in ("csv", "xlsx", "md", "json"):
        response = client.get(f"/plans/{plan['id']}/export.{ext}")
        assert response.status_code == 404
        assert b"Northwind" not in response.content


def test_the_dashboard_exports_the_workspaces_plans_as_one_table(
    owner: Any, outsider: Any, plan: dict[str, Any]
) -> None:
    make_plan(outsider)
    client = signed_in(owner)
    assert 'href="/export.csv" download' in client.get("/").content.decode()
    response = client.get("/export.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {r[0] for r in rows[1:]} == {str(plan["id"])}
    assert client.get("/export.md").status_code == 404
    assert Client().get("/export.csv").status_code == 302
