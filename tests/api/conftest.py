"""What the API's file tests share: downloads read as rows, and a plan holding everything a
file must carry."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.conftest import BUYER, Api, new_plan, share_link_token


def download(api: Api, path: str) -> Any:
    response = api.client.get(f"/api/v1{path}", headers=api._headers())
    return response


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "CSV starts with a UTF-8 byte-order mark"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_rows(content: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return [[c.value for c in row] for row in sheet.iter_rows()]


@pytest.fixture
def rich_plan(owner: Any, owner_api: Api) -> dict[str, Any]:
    """A plan with everything a file must carry: people, an owner person, dependencies,
    private notes, checklist answers, a done row, a buyer-added row, confirmation."""
    plan = new_plan(owner_api, country="US", business_days=True)
    pid = plan["id"]
    rows = plan["milestones"]
    person = owner_api.post(
        f"/plans/{pid}/stakeholders",
        {"name": "Dana Legal", "email": "dana@buyer.example", "team": "Legal", "role": "legal"},
    ).json_body
    owner_api.post(
        f"/plans/{pid}/stakeholders",
        {"name": "Zoë Champion", "email": "zoe@buyer.example", "role": "champion"},
    )
    legal = next(m for m in rows if m["step_type"] == "legal_redline")
    changed = owner_api.patch(
        f"/plans/{pid}/milestones/{legal['id']}",
        {
            "version": legal["version"],
            "owner_person_id": person["id"],
            "private_notes": "Dana is new in the role",
            "notes": "MSA v3 | redlines\nsecond line",
            "risk_checklist": {"owner_named": "yes", "owner_briefed": "no"},
            "depends_on": [rows[0]["id"], rows[1]["id"]],
            "turnaround_days": 12,
        },
    )
    assert changed.status_code == 200, changed.json_body
    first = rows[0]
    done = owner_api.patch(
        f"/plans/{pid}/milestones/{first['id']}", {"version": first["version"], "status": "done"}
    )
    assert done.status_code == 200, done.json_body
    token = share_link_token(plan, owner)
    buyer = Api(Client())
    buyer_row = buyer.post(
        f"/shared/{token}/milestones",
        {"actor": BUYER, "title": "Internal IT sign-off", "owner_side": "buyer"},
    )
    assert buyer_row.status_code == 201, buyer_row.json_body
    confirmed = buyer.post(f"/shared/{token}/confirm", {"actor": BUYER})
    assert confirmed.status_code in (200, 201), confirmed.json_body
    return owner_api.get(f"/plans/{pid}").json_body  # type: ignore[no-any-return]
