"""Request bodies: the API takes JSON only as JSON (415 otherwise), and a body over the size
limit gets 413 saying the limit, before anything reads it, on the API and on pages alike."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from typing import Any

import pytest
from django.test import Client

from mutualplan.asgi import application
from mutualplan.plans.models import Activity, Milestone, Plan
from tests.conftest import NEW_PLAN, Api, day

LIMIT = 1024 * 1024
TOO_BIG = "x" * (LIMIT + 1)


def send(api: Api, method: str, path: str, body: bytes | str, content_type: str) -> Any:
    """A request with exactly this body and Content-Type (the JSON client always says JSON)."""
    response = api.client.generic(
        method,
        f"/api/v1{path}",
        data=body,
        content_type=content_type,
        headers={"Authorization": f"Bearer {api.token}"},
    )
    response.json_body = json.loads(response.content) if response.content else None
    return response


def new_plan_body() -> str:
    return json.dumps({**NEW_PLAN, "target_date": day(90)})


@pytest.mark.parametrize(
    ("content_type", "named"),
    [
        ("text/plain", "text/plain"),
        ("text/plain; charset=utf-8", "text/plain"),
        ("application/x-www-form-urlencoded", "application/x-www-form-urlencoded"),
        ("multipart/form-data; boundary=xyz", "multipart/form-data"),
        ("", "no Content-Type"),
    ],
)
def test_an_api_body_that_is_not_sent_as_json_gets_415_and_creates_nothing(
    owner_api: Api, content_type: str, named: str
) -> None:
    response = send(owner_api, "POST", "/plans", new_plan_body(), content_type)
    assert response.status_code == 415, response.content
    body = response.json_body
    assert body["detail"] == (
        f"send the body as JSON with Content-Type: application/json (this request sent {named})"
    )
    assert body["errors"] == [
        {"field": "Content-Type", "message": f"must be application/json, not {named}"}
    ]
    assert response["Accept-Post"] == "application/json"
    assert Plan.objects.count() == 0


def test_a_text_plain_edit_of_a_row_gets_415_and_changes_nothing(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    row = plan["milestones"][0]
    before = Activity.objects.count()
    response = send(
        owner_api,
        "PATCH",
        f"/plans/{plan['id']}/milestones/{row['id']}",
        json.dumps({"version": 1, "notes": "sent as text"}),
        "text/plain",
    )
    assert response.status_code == 415
    assert response["Accept-Patch"] == "application/json"
    assert response.json_body["errors"][0]["field"] == "Content-Type"
    stored = Milestone.objects.get(id=row["id"])
    assert (stored.notes, stored.version) == ("", 1)
    assert Activity.objects.count() == before


def test_json_with_a_charset_parameter_is_json(owner_api: Api) -> None:
    response = send(owner_api, "POST", "/plans", new_plan_body(), "application/json; charset=utf-8")
    assert response.status_code == 201, response.json_body
    assert Plan.objects.get().deal.account_name == NEW_PLAN["deal"]["account_name"]


def test_a_buyer_body_sent_as_a_form_gets_415(share_token: str) -> None:
    response = Client().post(
        f"/api/v1/shared/{share_token}/confirm",
        data={"actor": "Priya"},
    )
    assert response.status_code == 415
    assert json.loads(response.content)["errors"][0]["field"] == "Content-Type"
    assert Plan.objects.get().confirmed_at is None


def test_an_api_body_over_the_limit_gets_413_naming_the_limit_and_creates_nothing(
    owner_api: Api,
) -> None:
    body = json.dumps({**NEW_PLAN, "target_date": day(90), "target_reason": TOO_BIG})
    response = send(owner_api, "POST", "/plans", body, "application/json")
    assert response.status_code == 413
    detail = response.json_body["detail"]
    assert detail == (
        "the request body is larger than this server accepts: at most 1 MiB (1048576 bytes); "
        "send less"
    )
    assert response.json_body["errors"] == [{"field": "body", "message": detail}]
    assert Plan.objects.count() == 0


def test_an_oversized_body_gets_413_even_when_it_is_not_json(owner_api: Api) -> None:
    # The size is judged first: nothing of a body that large is looked at.
    response = send(owner_api, "POST", "/plans", TOO_BIG, "text/plain")
    assert response.status_code == 413
    assert "1 MiB" in response.json_body["detail"]


def test_a_body_just_at_the_limit_is_read_as_usual(owner_api: Api, settings: Any) -> None:
    body = new_plan_body()
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = len(body.encode())
    assert send(owner_api, "POST", "/plans", body, "application/json").status_code == 201
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = len(body.encode()) - 1
    refused = send(owner_api, "POST", "/plans", body, "application/json")
    assert refused.status_code == 413
    assert f"({len(body.encode()) - 1} bytes)" in refused.json_body["detail"]
    assert Plan.objects.count() == 1


def test_a_garbled_content_length_is_a_400_not_a_500(owner_api: Api) -> None:
    response = owner_api.client.generic(
        "POST",
        "/api/v1/plans",
        data=new_plan_body(),
        content_type="application/json",
        headers={"Authorization": f"Bearer {owner_api.token}"},
        CONTENT_LENGTH="lots",
    )
    assert response.status_code == 400
    assert json.loads(response.content)["errors"][0]["field"] == "Content-Length"
    assert Plan.objects.count() == 0


def test_a_page_form_over_the_limit_gets_413_saying_the_limit(owner: Any) -> None:
    client = Client()
    client.force_login(owner)
    response = client.post(
        "/plans/new/",
        {"account_name": "Northwind", "target_reason": TOO_BIG},
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == (
        "The request body is larger than this server accepts: at most 1 MiB (1048576 bytes); "
        "send less.\n"
    )
    assert Plan.objects.count() == 0


def test_a_page_script_over_the_limit_gets_413_in_the_error_shape(
    owner: Any, plan: dict[str, Any]
) -> None:
    client = Client()
    client.force_login(owner)
    row = plan["milestones"][0]
    response = client.post(
        f"/plans/{plan['id']}/rows/{row['id']}/edit/",
        {"version": "1", "notes": TOO_BIG},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 413
    assert json.loads(response.content)["errors"][0]["field"] == "body"
    assert Milestone.objects.get(id=row["id"]).notes == ""


def test_page_forms_are_not_held_to_json(owner: Any, plan: dict[str, Any]) -> None:
    client = Client()
    client.force_login(owner)
    row = plan["milestones"][0]
    response = client.post(
        f"/plans/{plan['id']}/rows/{row['id']}/edit/",
        {"version": "1", "notes": "typed on the page"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200, response.content
    assert Milestone.objects.get(id=row["id"]).notes == "typed on the page"


def test_the_limit_is_read_from_MUTUALPLAN_MAX_BODY_BYTES(tmp_path: Any) -> None:
    env = {**os.environ, "MUTUALPLAN_DATA_DIR": str(tmp_path), "MUTUALPLAN_MAX_BODY_BYTES": "2048"}
    code = "from mutualplan import settings; print(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "2048"
    del env["MUTUALPLAN_MAX_BODY_BYTES"]
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == str(LIMIT)
    env["MUTUALPLAN_MAX_BODY_BYTES"] = "10"
    refused = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert refused.returncode != 0
    assert "MUTUALPLAN_MAX_BODY_BYTES must be at least 1024 (bytes)" in refused.stderr


# ---- through the ASGI application, as the server runs it -----------------------------------


class Upload:
    """Drives the ASGI application with a body sent in chunks, counting what it takes in."""

    def __init__(self, path: str, headers: dict[str, str], total: int, chunk: int) -> None:
        self.path = path
        self.headers = {"host": "testserver", **headers}
        self.remaining = total
        self.chunk = chunk
        self.taken = 0
        self.status = 0
        self.response_headers: dict[str, str] = {}
        self.body = b""
        self.done = asyncio.Event()

    async def receive(self) -> dict[str, Any]:
        await asyncio.sleep(0)
        if self.done.is_set():
            return {"type": "http.disconnect"}
        size = min(self.chunk, self.remaining)
        self.remaining -= size
        self.taken += size
        return {"type": "http.request", "body": b"x" * size, "more_body": self.remaining > 0}

    async def send(self, message: Mapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.response_headers = {k.decode(): v.decode() for k, v in message["headers"]}
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")
            if not message.get("more_body", False):
                self.done.set()

    async def run(self, method: str = "POST") -> Upload:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": self.path,
            "raw_path": self.path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(k.encode(), v.encode()) for k, v in self.headers.items()],
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
        }
        async with asyncio.timeout(10):
            await application(scope, self.receive, self.send)
        return self


def test_a_chunked_api_body_over_the_limit_is_cut_off_and_gets_413() -> None:
    chunk = 64 * 1024
    upload = Upload(
        "/api/v1/plans",
        {"content-type": "application/json", "transfer-encoding": "chunked"},
        total=50 * LIMIT,
        chunk=chunk,
    )
    asyncio.run(upload.run())
    assert upload.status == 413
    assert "at most 1 MiB" in json.loads(upload.body)["detail"]
    # The server took in about the limit, not the 50 MiB the client meant to send, and
    # closes the connection instead of reading the rest.
    assert upload.taken <= LIMIT + 2 * chunk
    assert upload.response_headers["connection"] == "close"


def test_a_declared_length_over_the_limit_gets_413_before_the_body_is_taken_in() -> None:
    upload = Upload(
        "/api/v1/plans",
        {"content-type": "application/json", "content-length": str(50 * LIMIT)},
        total=50 * LIMIT,
        chunk=64 * 1024,
    )
    asyncio.run(upload.run())
    assert upload.status == 413
    assert json.loads(upload.body)["errors"][0]["field"] == "body"
    assert upload.taken < LIMIT


def test_a_chunked_page_form_over_the_limit_gets_413() -> None:
    upload = Upload(
        "/plans/new/",
        {"content-type": "application/x-www-form-urlencoded", "transfer-encoding": "chunked"},
        total=3 * LIMIT,
        chunk=100_000,
    )
    asyncio.run(upload.run())
    assert upload.status == 413
    assert upload.body.startswith(b"The request body is larger than this server accepts")
