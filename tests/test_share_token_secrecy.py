"""A share token is never written anywhere in clear: not in the server's logs (Django's and
uvicorn's), not in the session, not in an activity, not in an error answer. Only its hash is
stored, and the seller sees it once."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
import textwrap
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from mutualplan.http.logging import RedactShareTokens, redact
from mutualplan.plans.models import Activity
from tests.conftest import BUYER, Api, day

UNKNOWN = "q8Zr3kVb0Xw2Ls9TmNc4Hy7Pd1Jf6Ga5Ru0Ei3Ko8Wb"


def logged(caplog: pytest.LogCaptureFixture) -> str:
    """Everything the log records say, formatted and raw (message, args, traceback)."""
    parts = [caplog.text]
    for record in caplog.records:
        parts += [record.getMessage(), repr(record.msg), repr(record.args)]
    return "\n".join(parts)


def test_a_buyer_404_leaves_no_token_in_the_log(caplog: pytest.LogCaptureFixture, db: Any) -> None:
    caplog.set_level(logging.INFO)
    page = Client().get(f"/s/{UNKNOWN}/rows/")
    stream = Client().get(f"/s/{UNKNOWN}/events")
    assert page.status_code == stream.status_code == 404
    text = logged(caplog)
    assert UNKNOWN not in text
    assert "Not Found: /s/[share-token]/rows/" in caplog.text


def test_a_410_for_a_revoked_link_leaves_no_token_in_the_log(
    caplog: pytest.LogCaptureFixture, owner_api: Api, plan: dict[str, Any]
) -> None:
    created = owner_api.post(f"/plans/{plan['id']}/share-links", {"label": "champion"})
    token = created.json_body["token"]
    owner_api.delete(f"/share-links/{created.json_body['id']}")
    caplog.set_level(logging.INFO)
    gone = Client().get(f"/s/{token}/")
    assert gone.status_code == 410 and "no longer works" in gone.content.decode()
    assert token not in logged(caplog)
    assert "Gone: /s/[share-token]/" in caplog.text


def test_a_revoked_or_unknown_calendar_feed_leaves_no_token_in_the_log(
    caplog: pytest.LogCaptureFixture, owner_api: Api, plan: dict[str, Any]
) -> None:
    created = owner_api.post(f"/plans/{plan['id']}/calendar-feeds")
    token = created.json_body["token"]
    owner_api.delete(f"/calendar-feeds/{created.json_body['id']}")
    caplog.set_level(logging.INFO)
    assert Client().get(f"/calendar/{token}.ics").status_code == 410
    assert Client().get(f"/calendar/{UNKNOWN}.ics").status_code == 404
    text = logged(caplog)
    assert token not in text and UNKNOWN not in text
    assert "Gone: /calendar/[share-token]" in caplog.text
    assert "Not Found: /calendar/[share-token]" in caplog.text


def test_an_api_shared_404_leaves_no_token_in_the_log(
    caplog: pytest.LogCaptureFixture, anonymous_api: Api
) -> None:
    caplog.set_level(logging.INFO)
    response = anonymous_api.get(f"/shared/{UNKNOWN}")
    assert response.status_code == 404
    patch = anonymous_api.patch(f"/shared/{UNKNOWN}/milestones/1", {"actor": BUYER})
    assert patch.status_code in (400, 404)
    assert UNKNOWN not in logged(caplog)
    assert "/api/v1/shared/[share-token]" in caplog.text


def test_a_traceback_and_any_argument_are_redacted_too() -> None:
    class Request:
        def __str__(self) -> str:
            return f"<ASGIRequest: GET '/s/{UNKNOWN}/confirm/'>"

    try:
        raise ValueError(f"bad path /api/v1/shared/{UNKNOWN}/confirm")
    except ValueError:
        record = logging.LogRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error: %s (%s) %d",
            (f"/s/{UNKNOWN}/", Request(), 500),
            sys.exc_info(),
        )
    assert RedactShareTokens().filter(record)
    formatted = logging.Formatter().format(record)
    assert UNKNOWN not in formatted
    assert "Internal Server Error: /s/[share-token]/" in formatted
    assert "/api/v1/shared/[share-token]/confirm" in formatted
    assert formatted.splitlines()[0].endswith(" 500")
    assert redact("/static/mutualplan/app.css /login/?next=/s/") == (
        "/static/mutualplan/app.css /login/?next=/s/"
    )


def test_uvicorns_access_log_through_our_config_shows_no_token() -> None:
    # A fresh interpreter configures logging exactly as `mutualplan serve` has uvicorn do it,
    # and logs the access line uvicorn's HTTP protocol writes for each request.
    script = textwrap.dedent(
        f"""
        import logging
        import uvicorn
        from mutualplan.http.logging import uvicorn_log_config

        uvicorn.Config("mutualplan.asgi:application", log_config=uvicorn_log_config(),
                       log_level="info")
        access = logging.getLogger("uvicorn.access")
        access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:50312", "GET",
                    "/s/{UNKNOWN}/events?last=12", "1.1", 404)
        access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:50312", "GET",
                    "/api/v1/shared/{UNKNOWN}", "1.1", 404)
        logging.getLogger("uvicorn.error").warning("Invalid HTTP request /s/{UNKNOWN}/")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    out = result.stdout + result.stderr
    assert UNKNOWN not in out
    assert '"GET /s/[share-token]/events?last=12 HTTP/1.1" 404' in out
    assert '"GET /api/v1/shared/[share-token] HTTP/1.1" 404' in out
    assert "Invalid HTTP request /s/[share-token]/" in out


def every_session() -> str:
    return "\n".join(
        json.dumps(session.get_decoded()) + session.session_data
        for session in Session.objects.all()
    )


def test_no_session_row_holds_a_token_after_creating_links_by_form_and_by_json(
    owner: Any, plan: dict[str, Any]
) -> None:
    client = Client()
    client.force_login(owner)
    url = f"/plans/{plan['id']}/share-links/"
    form = client.post(url, {"label": "Priya (champion)"})
    page = form.content.decode()
    assert form.status_code == 201 and 'id="new-link"' in page
    assert "no-store" in form["Cache-Control"]
    shown = re.search(r'id="new-link" value="[^"]*/s/([\w-]+)/"', page)
    assert shown is not None
    by_json = client.post(url, {"label": "Legal"}, headers={"Accept": "application/json"})
    assert by_json.status_code == 201
    tokens = [shown.group(1), by_json.json()["url"].rstrip("/").rsplit("/", 1)[1]]

    stored = every_session()
    assert Session.objects.exists()
    for token in tokens:
        assert token not in stored
    # Shown once: the plan page does not show the link again.
    again = client.get(f"/plans/{plan['id']}/").content.decode()
    assert 'id="new-link"' not in again
    for token in tokens:
        assert token not in again


def test_activities_and_error_answers_hold_no_token(
    owner_api: Api, anonymous_api: Api, plan: dict[str, Any]
) -> None:
    created = owner_api.post(f"/plans/{plan['id']}/share-links", {"label": "champion"})
    token = created.json_body["token"]
    seller_row = plan["milestones"][2]
    answers = [
        anonymous_api.post(f"/shared/{token}/milestones", {"actor": BUYER}),
        anonymous_api.patch(
            f"/shared/{token}/milestones/{seller_row['id']}",
            {"actor": BUYER, "version": 1, "status": "done"},
        ),
        anonymous_api.patch(
            f"/shared/{token}/milestones/999999", {"actor": BUYER, "version": 1, "notes": "x"}
        ),
        anonymous_api.post(f"/shared/{token}/confirm", {"actor": {"name": "", "email": "no"}}),
        anonymous_api.post(f"/shared/{token}x", {}),
        anonymous_api.get(f"/shared/{token}/nothing-here"),
    ]
    added = anonymous_api.post(
        f"/shared/{token}/milestones",
        {"actor": BUYER, "title": "Budget approval", "due_date": day(30)},
    )
    assert added.status_code == 201
    row = added.json_body
    answers.append(
        anonymous_api.patch(
            f"/shared/{token}/milestones/{row['id']}",
            {"actor": BUYER, "version": row["version"] + 5, "notes": "late"},
        )
    )
    anonymous_api.post(f"/shared/{token}/confirm", {"actor": BUYER})
    owner_api.delete(f"/share-links/{created.json_body['id']}")
    answers.append(anonymous_api.get(f"/shared/{token}"))
    pages = [Client().get(f"/s/{token}/"), Client().get(f"/s/{UNKNOWN}/")]

    assert sorted({a.status_code for a in answers}) == [400, 403, 404, 405, 409, 410]
    for answer in answers + pages:
        assert answer.status_code >= 400
        assert token not in answer.content.decode(), answer.content
    assert UNKNOWN not in pages[1].content.decode()
    activities = list(Activity.objects.values())
    assert {a["verb"] for a in activities} >= {"share_link_created", "share_link_revoked"}
    assert token not in json.dumps(activities, default=str)
