"""Every query parameter and body field of the API refuses text the database cannot store
(NUL, `\\u0000`, lone surrogates such as `\\ud800`, invalid UTF-8) with a 400 in the API's
error shape naming the field, and changes nothing.

The fields are not listed by hand: they are walked from the OpenAPI document.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone

from mutualplan.plans.models import Milestone, Plan
from tests.conftest import BUYER, NEW_PLAN, Api, day
from tests.unchanged import rolled_back, snapshot

Path = tuple[str | int, ...]
BAD = {
    "nul": ("bad\x00value", "must not contain NUL characters"),
    "surrogate": (
        "bad\ud800value",
        "must not contain unpaired UTF-16 surrogates (\\ud800-\\udfff)",
    ),
}


@pytest.fixture
def document(anonymous_api: Api) -> dict[str, Any]:
    response = anonymous_api.get("/openapi.json")
    assert response.status_code == 200
    return response.json_body  # type: ignore[no-any-return]


@pytest.fixture
def ids(owner_api: Api, plan: dict[str, Any], share_token: str) -> dict[str, Any]:
    """Real ids for every path parameter, and a buyer-side row the buyer may edit."""
    links = owner_api.get(f"/plans/{plan['id']}/share-links").json_body
    buyer_row = next(m for m in plan["milestones"] if m["owner_side"] == "buyer")
    person = owner_api.post(f"/plans/{plan['id']}/stakeholders", {"name": "Sam Okafor"})
    # The buyer row is silent for 60 days: it has an escalation to send.
    long_ago = timezone.now() - dt.timedelta(days=60)
    Plan.objects.filter(id=plan["id"]).update(created_at=long_ago)
    Milestone.objects.filter(id=buyer_row["id"]).update(status_updated_at=long_ago)
    return {
        "plan_id": plan["id"],
        "milestone_id": buyer_row["id"],
        "stakeholder_id": person.json_body["id"],
        "link_id": links[0]["id"],
        "token": share_token,
        "version": plan["version"],
        "order": [m["id"] for m in plan["milestones"]],
    }


def valid_bodies(ids: dict[str, Any]) -> dict[str, Any]:
    """One accepted body per operation that takes one: the other fields of each test."""
    return {
        "post /api/v1/plans": {**NEW_PLAN, "target_date": day(90)},
        "patch /api/v1/plans/{plan_id}": {"version": ids["version"], "target_reason": "Go-live"},
        "post /api/v1/plans/{plan_id}/retarget": {
            "version": ids["version"],
            "target_date": day(120),
        },
        "post /api/v1/plans/{plan_id}/milestones": {"title": "Budget approval"},
        "patch /api/v1/plans/{plan_id}/milestones/{milestone_id}": {
            "version": 1,
            "notes": "On track",
        },
        "post /api/v1/plans/{plan_id}/milestones/reorder": {"order": ids["order"]},
        "post /api/v1/plans/{plan_id}/versions": {"note": "First version"},
        "post /api/v1/plans/{plan_id}/share-links": {"label": "champion"},
        "post /api/v1/plans/{plan_id}/stakeholders": {
            "name": "Priya Shah",
            "email": "priya@buyer.example",
            "title": "Head of IT",
            "team": "IT",
            "role": "champion",
            "owns": [ids["milestone_id"]],
        },
        "patch /api/v1/plans/{plan_id}/stakeholders/{stakeholder_id}": {"title": "CISO"},
        "post /api/v1/plans/{plan_id}/send": {
            "recipients": ["priya@buyer.example"],
            "message": "The plan we built on the call",
        },
        "post /api/v1/plans/{plan_id}/escalations/{milestone_id}/send": {
            "to": "priya@buyer.example",
            "subject": "Where does the business case stand?",
            "body": "Hi Priya, could you help?",
        },
        "post /api/v1/plans/{plan_id}/calls": {
            "attendees": "Priya Shah",
            "notes": "Security review next",
            "next_call_on": day(7),
        },
        "post /api/v1/templates": {
            "key": "quick",
            "name": "Quick",
            "rows": [{"title": "Kickoff", "owner_side": "joint"}],
        },
        "post /api/v1/shared/{token}/milestones": {"actor": BUYER, "title": "Budget approval"},
        "patch /api/v1/shared/{token}/milestones/{milestone_id}": {
            "actor": BUYER,
            "version": 1,
            "notes": "On track",
        },
        "post /api/v1/shared/{token}/confirm": {"actor": BUYER},
        "post /api/v1/plans/import": {
            "format": "mutualplan.plan",
            "version": 1,
            "deal": {"account_name": "Contoso", "account_type": "smb", "stage": "demo"},
            "plan": {"target_reason": "Board meeting"},
            "stakeholders": [{"key": "p1", "name": "Priya Shah"}],
            "milestones": [{"key": "m1", "title": "Kickoff", "owner_side": "joint"}],
        },
        "post /api/v1/plans/import/sheet/preview": {"format": "csv", "content_base64": "QSxCCg=="},
        "post /api/v1/plans/{plan_id}/import/sheet": {
            "format": "csv",
            "content_base64": "TWlsZXN0b25lLE93bmVyCktpY2tvZmYsSm9pbnQK",
        },
        "post /api/v1/plans/import/sheet": {
            "format": "csv",
            "content_base64": "TWlsZXN0b25lLE93bmVyCktpY2tvZmYsSm9pbnQK",
            "deal": {"account_name": "Contoso", "account_type": "smb", "stage": "demo"},
            "target_reason": "Board meeting",
        },
        "post /api/v1/webhooks": {"url": "https://93.184.215.14/hooks", "events": ["plan.sent"]},
        "post /api/v1/deals/import": {
            "content": "Opportunity ID,Account Name,Stage\n006A,Initech,Qualification\n",
            "source": "auto",
            "mapping": {"Opportunity ID": "crm_id"},
            "create_plans": True,
            "template": "standard",
            "account_type": "smb",
        },
    }


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """A schema with its `$ref` followed and a nullable `anyOf` reduced to its non-null part."""
    while True:
        if "$ref" in schema:
            schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        elif "anyOf" in schema or "oneOf" in schema:
            options = [s for s in schema.get("anyOf", schema.get("oneOf")) if s != {"type": "null"}]
            schema = options[0]
        elif "allOf" in schema and len(schema["allOf"]) == 1:
            schema = schema["allOf"][0]
        else:
            return schema


def leaves(document: dict[str, Any], schema: dict[str, Any], path: Path = ()) -> Iterator[Path]:
    """The path of every value a body can hold: each property, nested objects, the first item
    of lists, a value of free-form maps; and, ending in `None`, a key of each object."""
    schema = resolve(document, schema)
    if schema.get("type") == "object" or "properties" in schema:
        yield (*path, "bad\x00key")
        for name, sub in schema.get("properties", {}).items():
            yield from leaves(document, sub, (*path, name))
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            yield from leaves(document, extra, (*path, "owner_named"))
    elif schema.get("type") == "array":
        yield from leaves(document, schema.get("items", {}), (*path, 0))
    else:
        yield path


def field_name(path: Path) -> str:
    """A body path as the API names a field: `deal.account_name`, `rows[0].title`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            part = part.replace("\x00", "\\x00")
            out += f".{part}" if out else part
    return out


def put(body: Any, path: Path, value: Any) -> Any:
    """A copy of `body` with `value` at `path`, creating the objects and lists on the way."""
    body = copy.deepcopy(body)
    here = body
    for i, part in enumerate(path):
        last = i == len(path) - 1
        if isinstance(part, int):
            while len(here) <= part:
                here.append({})
            if last:
                here[part] = value
        elif last:
            here[part] = value
        else:
            nxt = path[i + 1]
            if not isinstance(here.get(part), (dict, list)):
                here[part] = [] if isinstance(nxt, int) else {}
        if not last:
            here = here[part]
    return body


def url_of(path: str, ids: dict[str, Any]) -> str:
    return path.removeprefix("/api/v1").format(**ids)


def test_every_operation_with_a_body_has_a_valid_body_here(
    document: dict[str, Any], ids: dict[str, Any]
) -> None:
    with_body = {f"{m} {p}" for m, p, op in operations(document) if "requestBody" in op}
    assert with_body == set(valid_bodies(ids))


def test_every_valid_body_is_accepted(
    owner_api: Api, document: dict[str, Any], ids: dict[str, Any]
) -> None:
    # The other fields of each refused body below are these: a refusal comes from the bad text.
    for key, body in valid_bodies(ids).items():
        method, path = key.split(" ")
        with rolled_back():
            response = owner_api.call(method.upper(), url_of(path, ids), body)
            assert response.status_code < 300, (key, response.json_body)


@pytest.mark.parametrize("bad", ["nul", "surrogate"])
def test_every_api_body_field_with_unstorable_text_is_refused_naming_it_and_changes_nothing(
    owner_api: Api, document: dict[str, Any], ids: dict[str, Any], bad: str
) -> None:
    value, message = BAD[bad]
    bodies = valid_bodies(ids)
    tried = 0
    for method, path, operation in operations(document):
        if "requestBody" not in operation:
            continue
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        for leaf in leaves(document, schema):
            is_key = leaf[-1] == "bad\x00key"
            if is_key and bad != "nul":
                continue
            body = put(bodies[f"{method} {path}"], leaf, 1 if is_key else value)
            with rolled_back():
                before = snapshot()
                response = owner_api.call(method.upper(), url_of(path, ids), body)
                where = (method, path, field_name(leaf))
                assert response.status_code == 400, (where, response.json_body)
                expected = {
                    "field": field_name(leaf),
                    "message": f"field name {message}" if is_key else message,
                }
                assert expected in response.json_body["errors"], (where, response.json_body)
                assert response.json_body["detail"].startswith(field_name(leaf) + ": "), where
                assert snapshot() == before, where
            tried += 1
    assert tried > 100


def test_every_api_query_parameter_with_a_nul_is_refused_naming_it(
    owner_api: Api, document: dict[str, Any], ids: dict[str, Any]
) -> None:
    tried = 0
    for method, path, operation in operations(document):
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            before = snapshot()
            url = f"{url_of(path, ids)}?{parameter['name']}=bad%00value"
            response = owner_api.call(method.upper(), url)
            assert response.status_code == 400, (path, parameter["name"])
            assert response.json_body == {
                "detail": f"{parameter['name']}: must not contain NUL characters",
                "errors": [
                    {"field": parameter["name"], "message": "must not contain NUL characters"}
                ],
            }
            assert snapshot() == before
            tried += 1
    assert tried >= 6


def test_a_lone_surrogate_escape_in_a_raw_json_body_is_refused(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    before = snapshot()
    raw = '{"label": "champion \\ud800", "expires_at": null}'
    response = owner_api.post(f"/plans/{plan['id']}/share-links", raw=raw)
    assert response.status_code == 400
    assert response.json_body["errors"] == [{"field": "label", "message": BAD["surrogate"][1]}]
    escaped_nul = owner_api.post(f"/plans/{plan['id']}/share-links", raw='{"label": "a\\u0000"}')
    assert escaped_nul.json_body["detail"] == "label: must not contain NUL characters"
    assert snapshot() == before


def test_a_json_body_that_is_not_utf8_is_refused(owner_api: Api, plan: dict[str, Any]) -> None:
    before = snapshot()
    response = owner_api.client.post(
        f"/api/v1/plans/{plan['id']}/share-links",
        b'{"label": "champion \xff"}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {owner_api.token}"},
    )
    assert response.status_code == 400
    assert json.loads(response.content)["errors"] == [
        {"field": "body", "message": "is not valid UTF-8"}
    ]
    assert snapshot() == before


def test_a_nul_in_an_api_path_is_refused_before_any_lookup(share_token: str) -> None:
    response = Client().get(f"/api/v1/shared/{quote(share_token)}%00")
    assert response.status_code == 400
    assert json.loads(response.content)["errors"] == [
        {"field": "path", "message": "must not contain NUL characters"}
    ]


def test_the_asgi_server_refuses_unstorable_text_before_any_view() -> None:
    # `mutualplan serve` runs the ASGI application: the middleware's async path, not the test
    # client's WSGI one.
    import asyncio

    import httpx

    from mutualplan.asgi import application

    async def scenario() -> list[tuple[int, Any]]:
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            api = await client.post(
                "/api/v1/shared/some-token/confirm",
                content=b'{"actor": {"name": "Pri\\u0000ya", "email": "p@b.example"}}',
                headers={"Content-Type": "application/json"},
            )
            form = await client.post(
                "/s/some-token/rows/add/",
                files={"title": (None, "Budget\x00")},
                headers={"Accept": "application/json"},
            )
            page = await client.get("/", params={"q": "north\x00"})
        return [
            (api.status_code, api.json()["errors"]),
            (form.status_code, form.json()["errors"]),
            (page.status_code, "q: must not contain NUL characters" in page.text),
        ]

    nul = "must not contain NUL characters"
    assert asyncio.run(scenario()) == [
        (400, [{"field": "actor.name", "message": nul}]),
        (400, [{"field": "title", "message": nul}]),
        (400, True),
    ]
