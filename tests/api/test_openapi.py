"""The OpenAPI document is exact, as a generated client reads it: valid OpenAPI; every status
code an operation declares is one a real request gets, in the declared shape; a 409 declares
`current`; and no field the server refuses as null is declared nullable."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate as validate_spec

from mutualplan.api import api
from mutualplan.plans.models import Milestone, Plan, ShareLink, Stakeholder
from tests.conftest import BUYER, NEW_PLAN, Api, api_for, day, new_plan

DOCUMENT: dict[str, Any] = json.loads(json.dumps(api.get_openapi_schema()))
PREFIX = "/api/v1"
MISSING_ID = 987654321
LIMIT = 1024 * 1024
SHEET = {
    "format": "csv",
    "content_base64": base64.b64encode(
        b"Milestone,Owner,Due date\nKickoff,Joint,2027-03-01\n"
    ).decode(),
    "mapping": {"Owner": "owner"},
}


@pytest.fixture(autouse=True)
def _quick_passwords(settings: Any) -> None:
    # Each case makes its own sellers; a slow password hash would dominate these tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def operations() -> list[tuple[str, str]]:
    return [(m.upper(), p) for p, ops in DOCUMENT["paths"].items() for m in ops]


def operation(method: str, path: str) -> dict[str, Any]:
    return DOCUMENT["paths"][path][method.lower()]  # type: ignore[no-any-return]


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = DOCUMENT["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def conforms(instance: Any, schema: dict[str, Any]) -> list[str]:
    """Where `instance` breaks `schema` (refs resolved within the document); [] if nowhere."""
    validator = OAS31Validator({**schema, "components": DOCUMENT["components"]})
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]


def allows_null(schema: dict[str, Any]) -> bool:
    schema = resolve(schema)
    if schema.get("type") == "null" or (
        isinstance(schema.get("type"), list) and "null" in schema["type"]
    ):
        return True
    return any(allows_null(s) for s in schema.get("anyOf", []) + schema.get("oneOf", []))


# ---- a world to send real requests into ----------------------------------------------------


@dataclass
class World:
    """A plan with rows, a live share link and a revoked one; the owner's API and no one's."""

    owner: Api
    anonymous: Api
    plan: dict[str, Any]
    token: str
    revoked_token: str
    link_id: int

    def row(self, side: str) -> dict[str, Any]:
        return next(m for m in self.plan["milestones"] if m["owner_side"] == side)


@pytest.fixture
def world(owner: Any, workspace: Any) -> World:
    owner_api = api_for(owner, workspace)
    plan = new_plan(owner_api)
    links = [
        owner_api.post(f"/plans/{plan['id']}/share-links", {"label": label}).json_body
        for label in ("champion", "old")
    ]
    ShareLink.objects.filter(id=links[1]["id"]).update(revoked_at=timezone.now())
    return World(
        owner_api, Api(Client()), plan, links[0]["token"], links[1]["token"], links[0]["id"]
    )


@dataclass
class Case:
    """How to call one operation: its concrete path, a valid body, and bad query params."""

    path: Callable[[World, str], str]  # (world, variant) where variant is ok/missing/revoked
    body: Callable[[World], dict[str, Any]] | None = None
    bad_query: str = ""
    forbidden_path: Callable[[World], str] | None = None


def plan_path(suffix: str = "") -> Callable[[World, str], str]:
    def build(w: World, variant: str) -> str:
        plan_id = MISSING_ID if variant == "missing" else w.plan["id"]
        return f"/plans/{plan_id}{suffix}"

    return build


def row_path(w: World, variant: str) -> str:
    row_id = MISSING_ID if variant == "missing" else w.row("joint")["id"]
    return f"/plans/{w.plan['id']}/milestones/{row_id}"


def escalation_path(w: World, variant: str) -> str:
    """The send path of the plan's first buyer row, made stale (escalated, to a champion with
    an email) first."""
    row_id = w.row("buyer")["id"]
    if variant == "missing":
        row_id = MISSING_ID
    long_ago = timezone.now() - dt.timedelta(days=60)
    Plan.objects.filter(id=w.plan["id"]).update(created_at=long_ago)
    Stakeholder.objects.get_or_create(
        deal_id=w.plan["deal"]["id"],
        name="Priya Shah",
        defaults={"email": "priya@buyer.example", "role": "champion"},
    )
    Milestone.objects.filter(plan_id=w.plan["id"]).update(status_updated_at=long_ago)
    return f"/plans/{w.plan['id']}/escalations/{row_id}/send"


def shared_path(suffix: str = "") -> Callable[[World, str], str]:
    def build(w: World, variant: str) -> str:
        token = {"missing": "no-such-link", "revoked": w.revoked_token}.get(variant, w.token)
        return f"/shared/{token}{suffix}"

    return build


def shared_row_path(w: World, variant: str) -> str:
    if variant == "missing":
        return f"/shared/{w.token}/milestones/{MISSING_ID}"
    return shared_path(f"/milestones/{w.row('buyer')['id']}")(w, variant)


def person_path(w: World, variant: str) -> str:
    """A stakeholder of the plan (added for this request), or one that does not exist."""
    if variant == "missing":
        return f"/plans/{w.plan['id']}/stakeholders/{MISSING_ID}"
    person = w.owner.post(f"/plans/{w.plan['id']}/stakeholders", {"name": "Sam Okafor"})
    return f"/plans/{w.plan['id']}/stakeholders/{person.json_body['id']}"


def versions_diff_path(w: World, variant: str) -> str:
    """Versions 1 and 2 of the plan (sent for this request), or a plan that does not exist."""
    if variant == "missing":
        return f"/plans/{MISSING_ID}/versions/1/diff/2"
    for note in ("first", "second"):
        w.owner.post(f"/plans/{w.plan['id']}/versions", {"note": note})
    return f"/plans/{w.plan['id']}/versions/1/diff/2"


def exported_json(w: World) -> dict[str, Any]:
    """The plan's JSON export: what `POST /plans/import` takes."""
    response = w.owner.client.get(
        f"{PREFIX}/plans/{w.plan['id']}/export?format=json", headers=w.owner._headers()
    )
    return json.loads(response.content)  # type: ignore[no-any-return]


def webhook_path(suffix: str = "") -> Callable[[World, str], str]:
    """A webhook endpoint of the workspace (added for this request), or one that does not
    exist."""

    def build(w: World, variant: str) -> str:
        if variant == "missing":
            return f"/webhooks/{MISSING_ID}{suffix}"
        added = w.owner.post("/webhooks", WEBHOOK)
        return f"/webhooks/{added.json_body['id']}{suffix}"

    return build


# A public address, so the workspace's default (no private addresses) accepts it.
WEBHOOK = {"url": "https://93.184.215.14/hooks", "events": ["plan.sent"]}


def feed_path(w: World, variant: str) -> str:
    """A calendar feed of the plan (created for this request), or one that does not exist."""
    if variant == "missing":
        return f"/calendar-feeds/{MISSING_ID}"
    feed = w.owner.post(f"/plans/{w.plan['id']}/calendar-feeds")
    return f"/calendar-feeds/{feed.json_body['id']}"


def fixed(path: str) -> Callable[[World, str], str]:
    return lambda w, variant: path


CASES: dict[tuple[str, str], Case] = {
    ("GET", "/health"): Case(fixed("/health")),
    ("POST", "/plans"): Case(fixed("/plans"), lambda w: {**NEW_PLAN, "target_date": day(90)}),
    ("GET", "/plans"): Case(fixed("/plans"), bad_query="?page=0"),
    ("GET", "/plans/{plan_id}"): Case(plan_path()),
    ("PATCH", "/plans/{plan_id}"): Case(
        plan_path(), lambda w: {"version": 1, "target_reason": "Go-live moved by the board"}
    ),
    ("POST", "/plans/{plan_id}/retarget"): Case(
        plan_path("/retarget"), lambda w: {"version": 1, "target_date": day(120)}
    ),
    ("POST", "/plans/{plan_id}/milestones"): Case(
        plan_path("/milestones"), lambda w: {"title": "Pilot with ten users"}
    ),
    ("PATCH", "/plans/{plan_id}/milestones/{milestone_id}"): Case(
        row_path, lambda w: {"version": 1, "notes": "agreed on the call"}
    ),
    ("DELETE", "/plans/{plan_id}/milestones/{milestone_id}"): Case(row_path),
    ("POST", "/plans/{plan_id}/milestones/reorder"): Case(
        plan_path("/milestones/reorder"),
        lambda w: {"order": [m["id"] for m in reversed(w.plan["milestones"])]},
    ),
    ("GET", "/plans/{plan_id}/slips"): Case(plan_path("/slips")),
    ("GET", "/plans/{plan_id}/health"): Case(plan_path("/health")),
    ("GET", "/plans/{plan_id}/agenda"): Case(plan_path("/agenda")),
    ("GET", "/plans/{plan_id}/forecast"): Case(plan_path("/forecast"), bad_query="?samples=1"),
    ("GET", "/plans/{plan_id}/next-actions"): Case(
        plan_path("/next-actions"), bad_query="?samples=1"
    ),
    ("POST", "/plans/{plan_id}/calls"): Case(
        plan_path("/calls"), lambda w: {"attendees": "Priya Shah", "notes": "Security next"}
    ),
    ("GET", "/plans/{plan_id}/slips/summary"): Case(plan_path("/slips/summary")),
    ("GET", "/plans/{plan_id}/escalations"): Case(plan_path("/escalations")),
    ("POST", "/plans/{plan_id}/escalations/{milestone_id}/send"): Case(
        escalation_path, lambda w: {"to": "priya@buyer.example"}
    ),
    ("GET", "/plans/{plan_id}/activity"): Case(plan_path("/activity"), bad_query="?limit=0"),
    ("POST", "/plans/{plan_id}/versions"): Case(
        plan_path("/versions"), lambda w: {"note": "first clean version"}
    ),
    ("POST", "/plans/{plan_id}/send"): Case(
        plan_path("/send"),
        lambda w: {"recipients": ["priya@buyer.example"], "message": "our plan"},
    ),
    ("GET", "/plans/{plan_id}/emails"): Case(plan_path("/emails")),
    ("GET", "/plans/{plan_id}/versions"): Case(plan_path("/versions")),
    ("GET", "/plans/{plan_id}/versions/{a}/diff/{b}"): Case(versions_diff_path),
    ("GET", "/plans/{plan_id}/share-links"): Case(plan_path("/share-links")),
    ("POST", "/plans/{plan_id}/share-links"): Case(
        plan_path("/share-links"), lambda w: {"label": "procurement"}
    ),
    ("GET", "/plans/{plan_id}/stakeholders"): Case(plan_path("/stakeholders")),
    ("POST", "/plans/{plan_id}/stakeholders"): Case(
        plan_path("/stakeholders"), lambda w: {"name": "Priya Shah", "role": "champion"}
    ),
    ("PATCH", "/plans/{plan_id}/stakeholders/{stakeholder_id}"): Case(
        person_path, lambda w: {"title": "Head of IT"}
    ),
    ("DELETE", "/plans/{plan_id}/stakeholders/{stakeholder_id}"): Case(person_path),
    ("GET", "/plans/{plan_id}/buyer-visits"): Case(plan_path("/buyer-visits")),
    ("GET", "/plans/{plan_id}/findings"): Case(plan_path("/findings")),
    ("GET", "/plans/{plan_id}/export/pdf"): Case(plan_path("/export/pdf")),
    ("GET", "/plans/{plan_id}/export/xlsx"): Case(plan_path("/export/xlsx")),
    ("GET", "/plans/{plan_id}/export"): Case(
        lambda w, variant: plan_path("/export")(w, variant) + "?format=json", bad_query="x"
    ),
    ("GET", "/export"): Case(fixed("/export?format=csv"), bad_query="x"),
    ("POST", "/plans/import"): Case(fixed("/plans/import"), lambda w: exported_json(w)),
    ("POST", "/plans/{plan_id}/import/sheet"): Case(
        plan_path("/import/sheet"), lambda w: dict(SHEET)
    ),
    ("POST", "/plans/import/sheet/preview"): Case(
        fixed("/plans/import/sheet/preview"), lambda w: dict(SHEET)
    ),
    ("POST", "/plans/import/sheet"): Case(
        fixed("/plans/import/sheet"),
        lambda w: {
            **SHEET,
            "deal": {"account_name": "Contoso", "account_type": "smb", "stage": "demo"},
        },
    ),
    ("GET", "/plans/{plan_id}/export/ics"): Case(plan_path("/export/ics")),
    ("GET", "/deals"): Case(fixed("/deals"), bad_query="?page=0"),
    ("GET", "/analytics/durations"): Case(
        fixed("/analytics/durations"), bad_query="?as_of=2026-02-31"
    ),
    ("GET", "/analytics/cycles"): Case(fixed("/analytics/cycles"), bad_query="?as_of=yesterday"),
    ("GET", "/forecast"): Case(fixed("/forecast"), bad_query="?quarters=0"),
    ("POST", "/deals/import"): Case(
        fixed("/deals/import"),
        lambda w: {
            "content": "Opportunity ID,Account Name,Stage\n006A,Initech,Closed Won\n",
            "create_plans": True,
        },
    ),
    ("GET", "/plans/{plan_id}/calendar-feeds"): Case(plan_path("/calendar-feeds")),
    ("POST", "/plans/{plan_id}/calendar-feeds"): Case(plan_path("/calendar-feeds")),
    ("GET", "/calendar-feeds"): Case(fixed("/calendar-feeds")),
    ("POST", "/calendar-feeds"): Case(fixed("/calendar-feeds")),
    ("DELETE", "/calendar-feeds/{feed_id}"): Case(feed_path),
    ("DELETE", "/share-links/{link_id}"): Case(
        lambda w, variant: f"/share-links/{MISSING_ID if variant == 'missing' else w.link_id}"
    ),
    ("GET", "/templates"): Case(fixed("/templates")),
    ("POST", "/templates"): Case(
        fixed("/templates"),
        lambda w: {
            "key": "short",
            "name": "Short plan",
            "rows": [{"title": "Sign the order form", "owner_side": "joint"}],
        },
    ),
    ("GET", "/webhooks"): Case(fixed("/webhooks")),
    ("POST", "/webhooks"): Case(fixed("/webhooks"), lambda w: dict(WEBHOOK)),
    ("DELETE", "/webhooks/{endpoint_id}"): Case(webhook_path()),
    ("GET", "/webhooks/{endpoint_id}/deliveries"): Case(webhook_path("/deliveries")),
    ("GET", "/shared/{token}"): Case(shared_path(), bad_query="?name=Priya&email=not-an-email"),
    ("GET", "/shared/{token}/changes"): Case(shared_path("/changes")),
    ("POST", "/shared/{token}/milestones"): Case(
        shared_path("/milestones"), lambda w: {"actor": BUYER, "title": "Internal IT review"}
    ),
    ("PATCH", "/shared/{token}/milestones/{milestone_id}"): Case(
        shared_row_path,
        lambda w: {"actor": BUYER, "version": 1, "notes": "our side is on it"},
        forbidden_path=lambda w: f"/shared/{w.token}/milestones/{w.row('seller')['id']}",
    ),
    ("POST", "/shared/{token}/confirm"): Case(shared_path("/confirm"), lambda w: {"actor": BUYER}),
}


def case_of(method: str, path: str) -> Case:
    return CASES[(method, path.removeprefix(PREFIX))]


def is_seller_route(method: str, path: str) -> bool:
    return bool(operation(method, path).get("security"))


def request(
    w: World,
    seller: bool,
    method: str,
    path: str,
    body: Any = None,
    raw: bytes | str | None = None,
    content_type: str = "application/json",
) -> Any:
    """One real request, with the owner's token (`seller`) or with none."""
    headers = {"Authorization": f"Bearer {w.owner.token}"} if seller else {}
    data = raw if raw is not None else (json.dumps(body) if body is not None else "")
    response = w.owner.client.generic(
        method, f"{PREFIX}{path}", data=data, content_type=content_type, headers=headers
    )
    is_json = response.get("Content-Type", "").startswith("application/json")
    response.json_body = json.loads(response.content) if response.content and is_json else None
    return response


def produce(w: World, method: str, path: str, code: int) -> Any:
    """A real request to this operation that should be answered with `code`."""
    case = case_of(method, path)
    seller = is_seller_route(method, path)
    body = case.body(w) if case.body else None
    here = case.path(w, "ok")
    if 200 <= code < 300:
        return request(w, seller, method, here, body)
    if code == 400:
        if body is None:
            return request(w, seller, method, here + case.bad_query)
        return request(w, seller, method, here, {**body, "colour": "blue"})
    if code == 401:
        return request(w, False, method, here, body)
    if code == 403:
        assert case.forbidden_path is not None
        return request(w, seller, method, case.forbidden_path(w), body)
    if code == 404:
        return request(w, seller, method, case.path(w, "missing"), body)
    if code == 409:
        assert body is not None
        return request(w, seller, method, here, {**body, "version": 7})
    if code == 410:
        return request(w, seller, method, case.path(w, "revoked"), body)
    if code == 413:
        raw = json.dumps({**(body or {}), "padding": "x" * LIMIT})
        return request(w, seller, method, here, raw=raw)
    if code == 415:
        return request(w, seller, method, here, raw=json.dumps(body), content_type="text/plain")
    raise AssertionError(f"no way to produce {code} for {method} {path}")


def declared_codes() -> list[Any]:
    return [
        pytest.param(method, path, int(code), id=f"{method} {path} {code}")
        for method, path in operations()
        for code in operation(method, path)["responses"]
        # 503 (the database unreachable) is proven by the database-restart tests, which stop
        # the database under a running server; here it would only be faked.
        if int(code) != 503
    ]


# ---- the tests -----------------------------------------------------------------------------


def test_the_document_is_valid_openapi_and_is_what_the_server_serves(
    anonymous_api: Api,
) -> None:
    validate_spec(copy.deepcopy(DOCUMENT))  # type: ignore[arg-type]
    served = anonymous_api.get("/openapi.json")
    assert served.status_code == 200
    assert served.json_body == DOCUMENT


def test_every_operation_has_a_way_to_call_it_here() -> None:
    assert {(m, p.removeprefix(PREFIX)) for m, p in operations()} == set(CASES)


def test_no_operation_declares_a_code_it_never_returns() -> None:
    for method, path in operations():
        codes = set(map(int, operation(method, path)["responses"]))
        assert codes & {402, 405, 406, 407, 408, 411, 412, 416, 418, 425, 429, 451} == set()
        assert 503 in codes, (method, path)
        assert (401 in codes) == is_seller_route(method, path), (method, path)
        assert (410 in codes) == path.startswith(f"{PREFIX}/shared/"), (method, path)
        takes_body = "requestBody" in operation(method, path)
        assert {413, 415} <= codes if takes_body else not {413, 415} & codes, (method, path)


@pytest.mark.parametrize(("method", "path", "code"), declared_codes())
def test_every_declared_status_code_is_one_a_real_request_gets_in_the_declared_shape(
    world: World, method: str, path: str, code: int
) -> None:
    response = produce(world, method, path, code)
    assert response.status_code == code, response.content
    declared = operation(method, path)["responses"][str(code)]
    if "application/json" in declared.get("content", {}):
        schema = declared["content"]["application/json"]["schema"]
        assert conforms(response.json_body, schema) == [], response.json_body
    elif "content" in declared:
        # A file (the plan as PDF or XLSX): the declared media type, not empty.
        assert response["Content-Type"] in declared["content"]
        assert response.content
    else:
        assert response.content == b""


def test_every_error_response_says_what_it_means_and_503_says_when_to_retry() -> None:
    for method, path in operations():
        for code, response in operation(method, path)["responses"].items():
            if int(code) >= 400:
                assert response["description"] not in ("", "Unknown Status Code"), (path, code)
            if code == "503":
                assert "Retry-After" in response["headers"]


CONFLICTS = {
    ("PATCH", "/plans/{plan_id}"): "SellerPlanOut",
    ("POST", "/plans/{plan_id}/retarget"): "SellerPlanOut",
    ("PATCH", "/plans/{plan_id}/milestones/{milestone_id}"): "SellerMilestoneOut",
    ("PATCH", "/shared/{token}/milestones/{milestone_id}"): "BuyerMilestoneOut",
}


def test_exactly_the_operations_that_check_versions_declare_409() -> None:
    with_409 = {
        (m, p.removeprefix(PREFIX))
        for m, p in operations()
        if "409" in operation(m, p)["responses"]
    }
    assert with_409 == set(CONFLICTS)


@pytest.mark.parametrize(("method", "path"), list(CONFLICTS))
def test_a_409_declares_current_as_the_state_that_won(world: World, method: str, path: str) -> None:
    declared = operation(method, PREFIX + path)["responses"]["409"]
    schema = resolve(declared["content"]["application/json"]["schema"])
    assert {"detail", "errors", "current"} <= set(schema["required"])
    assert schema["properties"]["current"] == {
        "$ref": f"#/components/schemas/{CONFLICTS[(method, path)]}"
    }
    # The same write twice from one version: the first wins, the second is told what won.
    case = case_of(method, path)
    assert case.body is not None
    seller = is_seller_route(method, PREFIX + path)
    winner = request(world, seller, method, case.path(world, "ok"), case.body(world))
    assert winner.status_code == 200, winner.content
    loser = request(world, seller, method, case.path(world, "ok"), case.body(world))
    assert loser.status_code == 409
    assert conforms(loser.json_body, declared["content"]["application/json"]["schema"]) == []
    assert loser.json_body["current"] == winner.json_body


# ---- null ----------------------------------------------------------------------------------


def body_fields(schema: dict[str, Any], prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every field of a request body, nested objects and the first item of lists included."""
    found = []
    for name, field in resolve(schema).get("properties", {}).items():
        where = (*prefix, name)
        found.append(where)
        options = [resolve(field)] + [resolve(s) for s in field.get("anyOf", [])]
        for option in options:
            if option.get("type") == "object" and "properties" in option:
                found += body_fields(option, where)
            elif option.get("type") == "array" and "properties" in resolve(option["items"]):
                found += body_fields(option["items"], (*where, 0))
    return found


def field_schema(schema: dict[str, Any], where: tuple[Any, ...]) -> dict[str, Any]:
    """The declared schema of the field at `where` (names and list indexes)."""
    for step in where:
        if isinstance(step, int):
            schema = resolve(schema)
            schema = next(s for s in [schema, *schema.get("anyOf", [])] if "items" in s)["items"]
            continue
        schema = resolve(schema)
        objects = [schema, *[resolve(s) for s in schema.get("anyOf", [])]]
        schema = next(o for o in objects if step in o.get("properties", {}))["properties"][step]
    return schema


def field_name(where: tuple[Any, ...]) -> str:
    """`("rows", 0, "title")` as the API names it in errors: `rows[0].title`."""
    out = ""
    for step in where:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else step)
    return out


def null_cases() -> list[Any]:
    cases = []
    for method, path in operations():
        body = operation(method, path).get("requestBody")
        if body is None:
            continue
        schema = body["content"]["application/json"]["schema"]
        for where in body_fields(schema):
            name = field_name(where)
            cases.append(pytest.param(method, path, where, id=f"{method} {path} {name}"))
    return cases


def with_null(body: dict[str, Any], where: tuple[Any, ...]) -> dict[str, Any]:
    """A copy of `body` with null at `where`."""
    body = copy.deepcopy(body)
    target: Any = body
    for step in where[:-1]:
        if isinstance(target, dict) and step not in target:
            target[step] = {}
        target = target[step]
    target[where[-1]] = None
    return body


def full_body(w: World, method: str, path: str) -> dict[str, Any]:
    """A valid body that also carries the nested objects (a deal change, a template row)."""
    case = case_of(method, path)
    assert case.body is not None
    body = case.body(w)
    if (method, path) == ("PATCH", f"{PREFIX}/plans/{{plan_id}}"):
        body["deal"] = {"stage": "negotiation"}
    return body


@pytest.mark.parametrize(("method", "path", "where"), null_cases())
def test_a_field_declared_nullable_takes_null_and_one_refusing_null_is_not_declared_so(
    world: World, method: str, path: str, where: tuple[Any, ...]
) -> None:
    schema = operation(method, path)["requestBody"]["content"]["application/json"]["schema"]
    nullable = allows_null(field_schema(schema, where))
    body = with_null(full_body(world, method, path), where)
    here = case_of(method, path).path(world, "ok")
    response = request(world, is_seller_route(method, path), method, here, body)
    name = field_name(where)
    if nullable:
        assert 200 <= response.status_code < 300, (name, response.json_body)
    elif response.status_code >= 300:
        assert response.status_code == 400, response.content
        assert name in [e["field"] for e in response.json_body["errors"]], response.json_body


def test_the_fields_a_row_edit_refuses_as_null_are_declared_not_nullable() -> None:
    from mutualplan.core.row_edits import NULLABLE_FIELDS

    for name in ("MilestonePatch", "BuyerMilestonePatch"):
        schema = DOCUMENT["components"]["schemas"][name]
        for field, declared in schema["properties"].items():
            if field in ("version", "actor", "reason_category", "reason_text"):
                continue
            assert allows_null(declared) == (field in NULLABLE_FIELDS), (name, field)
            assert "default" not in declared or declared["default"] is not None, (name, field)


def test_a_row_edit_left_without_a_field_keeps_it(world: World) -> None:
    row = world.row("joint")
    path = f"/plans/{world.plan['id']}/milestones/{row['id']}"
    response = request(world, True, "PATCH", path, {"version": 1, "notes": "only the notes"})
    assert response.status_code == 200
    stored = Milestone.objects.get(id=row["id"])
    assert stored.notes == "only the notes"
    assert (stored.status, stored.owner_side, stored.title) == (
        row["status"],
        row["owner_side"],
        row["title"],
    )
